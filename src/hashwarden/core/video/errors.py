"""Video-specific failures (the media errors in ``core.errors`` cover the rest)."""

from __future__ import annotations

from hashwarden.core.errors import MediaError


class VideoTimeoutError(MediaError):
    reason = "hashing took longer than the configured time limit"
