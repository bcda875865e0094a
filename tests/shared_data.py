"""Where the shared conformance data lives (Meta's samples, kept outside this repository)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """``$HASHWARDEN_SHARED_DIR``, else the first ``shared/`` beside the checkout or an ancestor."""
    override = os.environ.get("HASHWARDEN_SHARED_DIR")
    if override:
        return Path(override)
    for folder in (REPO, *REPO.parents):
        candidate = folder.parent / "shared"
        if (candidate / "conformance").is_dir():
            return candidate
    fallback = Path("/work/shared")
    return fallback if (fallback / "conformance").is_dir() else None
