"""Which image formats hashwarden decodes, recognised by their leading bytes."""

from __future__ import annotations

#: Pillow format names tried, in this order, once a file's magic bytes say it is an image.
PILLOW_FORMATS: dict[str, tuple[str, ...]] = {
    "jpeg": ("JPEG",),
    "png": ("PNG",),
    "gif": ("GIF",),
    "webp": ("WEBP",),
    "bmp": ("BMP",),
    "tiff": ("TIFF",),
    "heif": ("HEIF",),
    "avif": ("AVIF", "HEIF"),
}

#: Bytes needed to recognise every format below.
SNIFF_BYTES = 32

_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def sniff_format(head: bytes) -> str | None:
    """The image format ``head`` (the first bytes of a file) starts, or ``None``."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:2] == b"BM" and len(head) >= 18:
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        # The major brand may be the generic ``mif1``; AVIF then names itself among the
        # compatible brands that follow.
        if brand in _AVIF_BRANDS or (brand in (b"mif1", b"msf1") and b"avif" in head[16:]):
            return "avif"
        if brand in _HEIF_BRANDS:
            return "heif"
    return None
