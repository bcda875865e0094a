"""Hash one media file: crypto digests of the bytes, PDQ of the decoded pixels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hashwarden.core.errors import MediaTooLargeError, UnreadableMediaError, UnsupportedMediaError
from hashwarden.core.media.decode import check_size, decode_bytes
from hashwarden.core.media.formats import SNIFF_BYTES, sniff_format
from hashwarden.core.media.limits import DEFAULT_LIMITS, DecodeLimits
from hashwarden.core.media.models import MediaHashes, PdqResult
from hashwarden.core.pdq.hasher import pdq_hash_image, pdq_hash_with_dihedral
from hashwarden.core.signals.base import ByteDigestSignalType, Digest
from hashwarden.core.signals.crypto import MD5, SHA1, SHA256

CHUNK_BYTES = 1024 * 1024
#: Smallest side a fast-mode JPEG is decoded at (libjpeg scales by 1/2, 1/4, 1/8).
FAST_MIN_SIDE = 256

_DIGEST_TYPES: tuple[type[ByteDigestSignalType], ...] = (MD5, SHA1, SHA256)


def _chunks(source: Path | bytes, name: str, limits: DecodeLimits) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        # Already in memory: one "chunk" (hashlib digests any length without copying).
        if len(source):
            yield bytes(source)
        return
    try:
        size = source.stat().st_size
        if size > limits.max_file_bytes:
            raise MediaTooLargeError(name, f"{size} bytes > limit {limits.max_file_bytes}")
        with source.open("rb") as handle:
            read = 0
            while chunk := handle.read(CHUNK_BYTES):
                read += len(chunk)
                # The file may grow between stat and read.
                if read > limits.max_file_bytes:
                    raise MediaTooLargeError(name, f"more than {limits.max_file_bytes} bytes")
                yield chunk
    except OSError as exc:
        raise UnreadableMediaError(name, exc.strerror or type(exc).__name__) from exc


def hash_media(
    source: Path | bytes,
    *,
    name: str | None = None,
    limits: DecodeLimits = DEFAULT_LIMITS,
    require_image: bool = True,
    dihedral: bool = True,
    fast: bool = False,
) -> MediaHashes:
    """MD5, SHA-1, SHA-256 and (for images) PDQ of one file, reading its bytes once.

    The bytes of a file recognised as an image are kept for decoding; other files are only
    digested, chunk by chunk. Non-images raise ``UnsupportedMediaError`` unless ``require_image``
    is false, in which case they come back as ``media_type="other"`` without PDQ. Corrupt images
    always raise. ``fast`` decodes large JPEGs at reduced scale (hash close to, not equal to, the
    exact one); ``dihedral`` fills the eight rotation/flip variants.
    """
    label = name if name is not None else (str(source) if isinstance(source, Path) else "<bytes>")
    if isinstance(source, bytes | bytearray | memoryview):
        check_size(len(source), label, limits)
    digests: list[Digest] = [kind.new_digest() for kind in _DIGEST_TYPES]
    kept: list[bytes] | None = None
    kind: str | None = None
    size = 0
    for chunk in _chunks(source, label, limits):
        if size == 0:
            kind = sniff_format(chunk[:SNIFF_BYTES])
            if kind is None and require_image:
                check_size(len(chunk), label, limits)
                raise UnsupportedMediaError(label)
            kept = [] if kind is not None else None
        size += len(chunk)
        for digest in digests:
            digest.update(chunk)
        if kept is not None:
            kept.append(chunk)
    check_size(size, label, limits)
    md5, sha1, sha256 = (digest.hexdigest() for digest in digests)
    if kept is None:
        return MediaHashes(label, "other", size, md5, sha1, sha256)

    data = kept[0] if len(kept) == 1 else b"".join(kept)
    decoded = decode_bytes(data, label, limits, draft_min_side=FAST_MIN_SIDE if fast else None)
    kept = None
    pdq: PdqResult
    variants: tuple[str, ...] = ()
    if dihedral:
        pdq, variants = pdq_hash_with_dihedral(decoded.image)
    else:
        pdq = pdq_hash_image(decoded.image)
    pdq_exif = pdq_hash_image(decoded.upright()) if decoded.orientation != 1 else None
    return MediaHashes(
        source=label,
        media_type="image",
        size=size,
        md5=md5,
        sha1=sha1,
        sha256=sha256,
        pdq=pdq,
        pdq_exif=pdq_exif,
        pdq_dihedral=variants,
    )
