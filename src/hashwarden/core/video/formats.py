"""Video containers recognised by their leading bytes (PyAV/FFmpeg does the rest)."""

from __future__ import annotations

#: Bytes needed to recognise every container below (MPEG-TS: three 188-byte packets).
SNIFF_BYTES = 377

#: ISO base media (MP4, MOV, 3GP, M4V) major brands that name video files. Image brands (HEIF,
#: AVIF) are the image side's; unknown brands are tried as video (FFmpeg decides).
_IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
     b"avif", b"avis"}
)  # fmt: skip


def sniff_video(head: bytes) -> str | None:
    """The container ``head`` (a file's first bytes) starts, or ``None``."""
    if head[4:8] == b"ftyp":
        return None if head[8:12] in _IMAGE_BRANDS else "mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mp4"  # QuickTime files written without an ftyp box
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"  # also WebM
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "asf"  # WMV
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return "mpeg"
    if len(head) >= SNIFF_BYTES and head[0] == head[188] == head[376] == 0x47:
        return "mpegts"
    return None
