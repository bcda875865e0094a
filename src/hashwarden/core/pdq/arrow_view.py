"""Zero-copy NumPy views of a Pillow image's pixels through the Arrow C data interface.

``np.asarray(image)`` copies the whole buffer (and page-faults fresh memory for it); for a
1024x768 image that copy costs as much as the PDQ arithmetic. Pillow 11.2+ exports single-block
images as Arrow arrays (``__arrow_c_array__``), whose layout is a stable ABI; reading the data
pointer from it gives a view with no copy. Larger, multi-block images are not exported, and the
caller falls back to reading strips.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from PIL import _imaging as pillow_core


class _ArrowArray(ctypes.Structure):
    """``struct ArrowArray`` of the Arrow C data interface."""


_ArrowArray._fields_ = [
    ("length", ctypes.c_int64),
    ("null_count", ctypes.c_int64),
    ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.c_void_p),
    ("dictionary", ctypes.c_void_p),
    ("release", ctypes.c_void_p),
    ("private_data", ctypes.c_void_p),
]

_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]

#: Pillow modes exported as one primitive Arrow array of ``width * height`` values.
_DTYPES: dict[str, type[np.generic]] = {"F": np.float32, "L": np.uint8}


def fits_one_block(size: tuple[int, int], itemsize: int) -> bool:
    """Whether Pillow keeps an image of this size and pixel width in one memory block."""
    width, height = size
    return bool(width * height * itemsize <= pillow_core.get_block_size())


def exportable(image: Image.Image) -> bool:
    """Whether ``image`` can be viewed without a copy (single block, supported mode)."""
    if image.mode not in _DTYPES or not hasattr(image, "__arrow_c_array__"):
        return False
    return fits_one_block(image.size, np.dtype(_DTYPES[image.mode]).itemsize)


@contextmanager
def pixel_view(image: Image.Image) -> Iterator[NDArray[np.generic] | None]:
    """An ``H x W`` read-only view of an ``F`` or ``L`` image, valid inside the block, or None.

    The Arrow export holds a reference to the image until its capsule is released, which happens
    when the block ends; the view must not be kept beyond it.
    """
    if not exportable(image):
        yield None
        return
    try:
        _schema, capsule = image.__arrow_c_array__()
    except ValueError:  # not contiguous after all
        yield None
        return
    array = _ArrowArray.from_address(_capsule_pointer(capsule, b"arrow_array"))
    width, height = image.size
    dtype = np.dtype(_DTYPES[image.mode])
    if array.n_buffers != 2 or array.offset != 0 or array.length != width * height:
        yield None
        return
    data = array.buffers[1]
    raw = (ctypes.c_char * (width * height * dtype.itemsize)).from_address(data)
    view = np.frombuffer(memoryview(raw).cast("B"), dtype=dtype).reshape(height, width)
    view.flags.writeable = False
    try:
        yield view
    finally:
        del view, raw, capsule
