"""Fixtures for the scanner tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from scanmedia import make_tree


@pytest.fixture
def image_tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "tree")
