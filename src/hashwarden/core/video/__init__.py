"""Video hashing (vPDQ, conformant with Meta's ``vpdq``) and its limits."""

from hashwarden.core.video.hashing import hash_video
from hashwarden.core.video.limits import DEFAULT_VIDEO_LIMITS, VideoLimits
from hashwarden.core.video.models import FrameHash, VideoHashes, VideoInfo

__all__ = [
    "DEFAULT_VIDEO_LIMITS",
    "FrameHash",
    "VideoHashes",
    "VideoInfo",
    "VideoLimits",
    "hash_video",
]
