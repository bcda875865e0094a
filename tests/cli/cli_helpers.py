"""Benign test images and a runner for the real ``hashwarden`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


@dataclass
class Cli:
    env: dict[str, str]
    cwd: Path

    def __call__(self, *args: str, input_text: str | None = None, check: bool = True) -> Result:
        completed = subprocess.run(
            [sys.executable, "-m", "hashwarden", *args],
            env=self.env,
            cwd=self.cwd,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=300,
        )
        result = Result(completed.returncode, completed.stdout, completed.stderr)
        if check and result.returncode != 0:
            raise AssertionError(
                f"hashwarden {' '.join(args)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result



def write_photo(path: Path, seed: int, size: tuple[int, int] = (320, 240)) -> Path:
    """Smooth random colour blobs: benign, and detailed enough for PDQ quality 100."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)
    Image.fromarray(small).resize(size, Image.Resampling.BICUBIC).save(path, quality=90)
    return path
