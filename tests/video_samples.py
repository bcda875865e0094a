"""Small benign videos made on the fly with PyAV (test patterns, no external content)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def pattern(frame: int, width: int, height: int, style: int = 0) -> np.ndarray:
    """A moving gradient with a bright square: textured enough for PDQ quality 100.

    Each ``style`` is a different scene (unrelated frame hashes).
    """
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(style)
    fx, fy = (3, 2) if style == 0 else tuple(int(v) for v in rng.integers(1, 9, size=2))
    base = ((x * fx + y * fy + frame * 7) % 256).astype(np.uint8)
    if style:
        blocks = rng.integers(0, 256, size=(8, 8), dtype=np.uint8)
        tiled = np.kron(blocks, np.ones((height // 8 + 1, width // 8 + 1), dtype=np.uint8))
        base = (base // 2 + tiled[:height, :width] // 2).astype(np.uint8)
    rgb = np.stack([base, np.roll(base, 17, axis=1), 255 - base], axis=-1)
    side = max(4, min(width, height) // 4)
    top, left = (frame * 5) % max(1, height - side), (frame * 9) % max(1, width - side)
    rgb[top : top + side, left : left + side] = 255
    return rgb


def write_video(
    path: Path,
    *,
    seconds: float = 2.0,
    rate: int = 10,
    width: int = 96,
    height: int = 64,
    codec: str = "libx264",
    timestamps: list[float] | None = None,
    rotation: int | None = None,
    style: int = 0,
) -> Path:
    """An H.264 (or ``codec``) video; ``timestamps`` (seconds) makes the frame rate variable."""
    times = timestamps if timestamps is not None else [i / rate for i in range(int(seconds * rate))]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        # One encoder thread: the same frames then always give the same bytes.
        stream.codec_context.thread_count = 1
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for number, when in enumerate(times):
            pixels = pattern(number, width, height, style)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = round(when * 1000)
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_audio_only(path: Path, seconds: float = 1.0) -> Path:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("aac", rate=44100)
        samples = int(44100 * seconds)
        tone = (np.sin(np.arange(samples) * 2 * np.pi * 440 / 44100) * 0.2).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
