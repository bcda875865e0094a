"""Hash one media file: crypto digests of the bytes, PDQ or vPDQ of the decoded pixels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from hashwarden.core.errors import MediaTooLargeError, UnreadableMediaError, UnsupportedMediaError
from hashwarden.core.media.decode import check_size, decode_bytes
from hashwarden.core.media.exif import read_exif
from hashwarden.core.media.formats import SNIFF_BYTES, sniff_format
from hashwarden.core.media.limits import DEFAULT_LIMITS, DecodeLimits
from hashwarden.core.media.models import MediaHashes, PdqResult
from hashwarden.core.pdq.hasher import pdq_hash_image, pdq_hash_with_dihedral
from hashwarden.core.robust.features import QUERY_KEYPOINTS, extract, serialise
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.core.robust.views import query_views
from hashwarden.core.signals.base import ByteDigestSignalType, Digest
from hashwarden.core.signals.crypto import MD5, SHA1, SHA256
from hashwarden.core.video.formats import SNIFF_BYTES as VIDEO_SNIFF_BYTES
from hashwarden.core.video.formats import sniff_video
from hashwarden.core.video.hashing import hash_video
from hashwarden.core.video.options import DEFAULT_VIDEO_OPTIONS, VideoOptions

CHUNK_BYTES = 1024 * 1024
#: Smallest side a fast-mode JPEG is decoded at (libjpeg scales by 1/2, 1/4, 1/8).
FAST_MIN_SIDE = 256

_DIGEST_TYPES: tuple[type[ByteDigestSignalType], ...] = (MD5, SHA1, SHA256)


def _chunks(source: Path | bytes, name: str, max_bytes: int) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        # Already in memory: one "chunk" (hashlib digests any length without copying).
        if len(source):
            yield bytes(source)
        return
    try:
        size = source.stat().st_size
        if size > max_bytes:
            raise MediaTooLargeError(name, f"{size} bytes > limit {max_bytes}")
        with source.open("rb") as handle:
            read = 0
            while chunk := handle.read(CHUNK_BYTES):
                read += len(chunk)
                # The file may grow between stat and read.
                if read > max_bytes:
                    raise MediaTooLargeError(name, f"more than {max_bytes} bytes")
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
    video: VideoOptions = DEFAULT_VIDEO_OPTIONS,
    robust: RobustLevel = RobustLevel.OFF,
    keypoints: int = QUERY_KEYPOINTS,
    exif: bool = False,
) -> MediaHashes:
    """MD5, SHA-1, SHA-256 and PDQ (images) or vPDQ (videos) of one file, reading it once.

    The bytes of a file recognised as an image are kept for decoding; videos are decoded from
    the file afterwards (FFmpeg seeks in it); other files are only digested, chunk by chunk.
    Files that are neither raise ``UnsupportedMediaError`` unless ``require_image`` is false, in
    which case they come back as ``media_type="other"``. Corrupt media always raise. ``fast``
    decodes large JPEGs at reduced scale (hash close to, not equal to, the exact one);
    ``dihedral`` fills the eight rotation/flip variants; ``robust`` adds repaired views
    (standard) and ``keypoints`` ORB features (thorough; see ``core.robust``); ``exif`` reads
    the camera, time and GPS facts (``media.exif``).
    """
    label = name if name is not None else (str(source) if isinstance(source, Path) else "<bytes>")
    max_bytes = max(limits.max_file_bytes, video.limits.max_file_bytes)
    if isinstance(source, bytes | bytearray | memoryview):
        check_size(len(source), label, replace(limits, max_file_bytes=max_bytes))
    digests: list[Digest] = [kind.new_digest() for kind in _DIGEST_TYPES]
    kept: list[bytes] | None = None
    kind: str | None = None
    container: str | None = None
    size = 0
    for chunk in _chunks(source, label, max_bytes):
        if size == 0:
            kind = sniff_format(chunk[:SNIFF_BYTES])
            container = None if kind is not None else sniff_video(chunk[:VIDEO_SNIFF_BYTES])
            if kind is None and container is None and require_image:
                check_size(len(chunk), label, limits)
                raise UnsupportedMediaError(label)
            kept = [] if kind is not None else None
        size += len(chunk)
        if container is None and size > limits.max_file_bytes:
            raise MediaTooLargeError(label, f"more than {limits.max_file_bytes} bytes")
        for digest in digests:
            digest.update(chunk)
        if kept is not None:
            kept.append(chunk)
    check_size(size, label, replace(limits, max_file_bytes=max_bytes))
    md5, sha1, sha256 = (digest.hexdigest() for digest in digests)
    if container is not None:
        frames = hash_video(
            source if isinstance(source, Path) else bytes(source),
            name=label,
            every_frame=video.every_frame,
            seconds_per_hash=video.seconds_per_hash,
            limits=video.limits,
            threads=video.threads,
            via_rgb=video.via_rgb,
        )
        return MediaHashes(label, "video", size, md5, sha1, sha256, vpdq=frames)
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
    views: tuple[tuple[str, PdqResult], ...] = ()
    orb: str | None = None
    if robust.views:
        views = tuple(query_views(decoded.image))
    if robust.features:
        orb = serialise(extract(decoded.image, keypoints))
    facts = read_exif(decoded.image) if exif else None
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
        pdq_views=views,
        orb=orb,
        exif=facts,
    )
