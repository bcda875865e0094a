"""Safe image decoding: limits before decode, typed errors naming the file, no partial images."""

from __future__ import annotations

import io
import logging
import struct
import threading
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from hashwarden.core.errors import (
    CorruptMediaError,
    DecompressionBombError,
    EmptyMediaError,
    MediaTooLargeError,
    UnreadableMediaError,
    UnsupportedMediaError,
)
from hashwarden.core.media.formats import PILLOW_FORMATS, SNIFF_BYTES, sniff_format
from hashwarden.core.media.limits import DEFAULT_LIMITS, DecodeLimits

log = logging.getLogger(__name__)

#: EXIF tag 0x0112; 1 means the stored pixels are upright.
ORIENTATION_TAG = 0x0112

_OPEN_LOCK = threading.Lock()
_HEIF_LOCK = threading.Lock()
_heif_registered = False

# What Pillow and its plugins raise on malformed data (a decoder error is an OSError; parsers raise
# SyntaxError, struct.error, ValueError, IndexError...).
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    EOFError,
    ZeroDivisionError,
    struct.error,
    zlib.error,
    UnidentifiedImageError,
)


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """A fully decoded first frame, plus what the header said about it."""

    image: Image.Image
    #: Short lower-case format name: ``jpeg``, ``png``, ``gif``, ``webp``, ``bmp``, ``tiff``...
    format: str
    #: EXIF orientation (1-8); 1 when absent or invalid.
    orientation: int

    def upright(self) -> Image.Image:
        """The pixels as a viewer shows them (EXIF orientation applied)."""
        if self.orientation == 1:
            return self.image
        return ImageOps.exif_transpose(self.image)


def _register_heif() -> None:
    """Register pillow-heif's HEIF opener once, on the first HEIF file."""
    global _heif_registered
    with _HEIF_LOCK:
        if _heif_registered:
            return
        try:
            import pillow_heif
        except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
            return
        pillow_heif.register_heif_opener()
        _heif_registered = True


def _read_source(source: Path | bytes, name: str, limits: DecodeLimits) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        try:
            size = source.stat().st_size
            if size > limits.max_file_bytes:
                raise MediaTooLargeError(name, f"{size} bytes > limit {limits.max_file_bytes}")
            data = source.read_bytes()
        except MediaTooLargeError:
            raise
        except OSError as exc:
            raise UnreadableMediaError(name, exc.strerror or type(exc).__name__) from exc
    check_size(len(data), name, limits)
    return data


def check_size(size: int, name: str, limits: DecodeLimits) -> None:
    """Refuse empty files and files over ``limits.max_file_bytes``."""
    if size == 0:
        raise EmptyMediaError(name)
    if size > limits.max_file_bytes:
        raise MediaTooLargeError(name, f"{size} bytes > limit {limits.max_file_bytes}")


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except _DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _open_lazily(data: bytes, name: str, kind: str, limits: DecodeLimits) -> Image.Image:
    """Parse the header only, with Pillow's bomb check set to our pixel limit."""
    formats = PILLOW_FORMATS[kind]
    # Pillow compares against a module global, warns above it and raises above twice it; set it
    # to our limit for this call (under a lock, it is process-wide) and make the warning an error.
    with _OPEN_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = limits.max_pixels
        try:
            return Image.open(io.BytesIO(data), formats=list(formats))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise DecompressionBombError(name, str(exc)) from exc
        except UnidentifiedImageError as exc:
            if kind == "tiff":
                # A well-formed TIFF in a layout Pillow has no mode for (LAB, odd bit depths).
                raise UnsupportedMediaError(name, "TIFF variant the decoder cannot read") from exc
            raise CorruptMediaError(name, f"{kind} header not readable") from exc
        except _DECODE_ERRORS as exc:
            raise CorruptMediaError(name, f"{kind} header: {exc}") from exc
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def open_image(
    source: Path | bytes,
    name: str,
    limits: DecodeLimits = DEFAULT_LIMITS,
    *,
    draft_min_side: int | None = None,
) -> DecodedImage:
    """Decode the first frame of an image file, enforcing ``limits`` before any pixel is decoded.

    ``draft_min_side`` lets a JPEG decode at a reduced scale (libjpeg's DCT scaling) as long as
    both sides stay at least that long; hashes of such a decode are close to, not equal to, the
    exact ones. Raises a ``MediaError`` subclass naming ``name`` for anything it cannot decode.
    """
    data = _read_source(source, name, limits)
    return decode_bytes(data, name, limits, draft_min_side=draft_min_side)


def decode_bytes(
    data: bytes,
    name: str,
    limits: DecodeLimits = DEFAULT_LIMITS,
    *,
    draft_min_side: int | None = None,
) -> DecodedImage:
    """``open_image`` for bytes already in memory (size limits already checked by the caller)."""
    check_size(len(data), name, limits)
    kind = sniff_format(data[:SNIFF_BYTES])
    if kind is None:
        raise UnsupportedMediaError(name)
    if kind in ("heif", "avif"):
        _register_heif()
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Somebody switched on Pillow's "fill truncated images with grey"; a hash of a half-grey
        # image is wrong, so switch it back off rather than hash it.
        log.warning("PIL.ImageFile.LOAD_TRUNCATED_IMAGES was set; resetting it to False")
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    image = _open_lazily(data, name, kind, limits)
    width, height = image.size
    if width <= 0 or height <= 0:
        raise CorruptMediaError(name, f"declared size {width}x{height}")
    if width * height > limits.max_pixels:
        raise DecompressionBombError(name, f"{width}x{height} pixels > limit {limits.max_pixels}")
    orientation = _orientation(image)
    if draft_min_side is not None and kind == "jpeg":
        _draft(image, draft_min_side)
    try:
        image.load()
    except _DECODE_ERRORS as exc:
        raise CorruptMediaError(name, str(exc) or type(exc).__name__) from exc
    except MemoryError as exc:
        raise MediaTooLargeError(name, "not enough memory to decode") from exc
    return DecodedImage(image, kind, orientation)


def _draft(image: Image.Image, min_side: int) -> None:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 scale, keeping both sides >= ``min_side``.

    Colour JPEGs are then decoded to their Y channel only (JFIF's Y is the same 0.299/0.587/0.114
    luma PDQ uses, before rounding), which skips chroma upsampling and colour conversion.
    """
    width, height = image.size
    scale = max(1, min(width, height) // max(1, min_side))
    if scale > 1:
        image.draft("L" if image.mode == "RGB" else image.mode, (width // scale, height // scale))
