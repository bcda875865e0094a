"""Matchers under test, each behind ``Method``: hash references, hash queries, score all pairs.

Binary hashes are packed into uint64 words so a (queries x references) Hamming matrix is one
XOR and ``np.bitwise_count``; millions of pairs then cost well under a second. Distances are
float32, lower is closer, ``inf`` where a query can never match (rejected by a quality gate).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import imagehash
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from hashwarden.core.pdq.hasher import pdq_hash_image, pdq_hash_with_dihedral
from hashwarden.core.signals.pdq import PDQ_MIN_QUALITY

Bits = NDArray[np.bool_]
Distances = NDArray[np.float32]
#: PDQ's customary match threshold (Meta's documentation and ThreatExchange use 31).
PDQ_COMMON_THRESHOLD = 31.0
#: Query chunks sized so the XOR temporary stays around 32 MB.
_CHUNK_WORDS = 4_000_000


class Method(Protocol):
    """A matcher: ``distances(prepare_queries(q), prepare_references(r))`` is ``[len(q), len(r)]``.

    ``configured_threshold`` is the operating point the product (or common practice) uses, if
    any. ``max_negative_queries`` caps how many distractor queries a slow method sees.
    """

    name: str
    description: str
    configured_threshold: float | None
    max_negative_queries: int | None

    def prepare_references(self, images: Sequence[Image.Image]) -> Any: ...

    def prepare_queries(self, images: Sequence[Image.Image]) -> Any: ...

    def distances(self, queries: Any, references: Any) -> Distances: ...


def pack_bits(bits: Bits) -> NDArray[np.uint64]:
    """``[..., n_bits]`` booleans -> ``[..., ceil(n_bits / 64)]`` uint64 words (zero padded)."""
    flat = np.asarray(bits, dtype=bool)
    words = -(-flat.shape[-1] // 64)
    padded = np.zeros((*flat.shape[:-1], words * 64), dtype=bool)
    padded[..., : flat.shape[-1]] = flat
    packed = np.packbits(padded, axis=-1)
    return np.ascontiguousarray(packed).view(np.uint64)


def hamming_min(queries: NDArray[np.uint64], refs: NDArray[np.uint64]) -> Distances:
    """Hamming distances ``[n, m]`` between ``[n, v, w]`` query variants and ``[m, w]`` refs.

    Each query keeps its closest variant (v = 1 for a plain hash, 8 for dihedral ones).
    """
    n, variants, words = queries.shape
    out = np.empty((n, refs.shape[0]), dtype=np.float32)
    step = max(1, _CHUNK_WORDS // max(1, variants * refs.shape[0] * words))
    for start in range(0, n, step):
        block = queries[start : start + step, :, None, :] ^ refs[None, None, :, :]
        counts = np.bitwise_count(block).sum(axis=-1, dtype=np.uint16)
        out[start : start + step] = counts.min(axis=1)
    return out


def euclidean(queries: NDArray[np.float32], refs: NDArray[np.float32]) -> Distances:
    """Euclidean distances ``[n, m]`` via the Gram expansion (float64 to avoid cancellation)."""
    q = queries.astype(np.float64)
    r = refs.astype(np.float64)
    squared = (q * q).sum(1)[:, None] + (r * r).sum(1)[None, :] - 2.0 * q @ r.T
    out: Distances = np.sqrt(np.maximum(squared, 0.0)).astype(np.float32)
    return out


@dataclass
class BinaryQueries:
    """Packed query hashes ``[n, variants, words]`` and which queries passed the gate."""

    packed: NDArray[np.uint64]
    accepted: NDArray[np.bool_]


#: A hasher: image -> (bits of each variant ``[v, n_bits]``, passes the quality gate).
BinaryHasher = Callable[[Image.Image], tuple[Bits, bool]]


@dataclass
class BinaryMethod:
    """Any bit-string hash compared by Hamming distance; optional variants and quality gate."""

    name: str
    description: str
    hasher: BinaryHasher
    configured_threshold: float | None = None
    max_negative_queries: int | None = None

    def prepare_references(self, images: Sequence[Image.Image]) -> NDArray[np.uint64]:
        # References use their first variant only: variants are for the query side.
        return pack_bits(np.stack([self.hasher(image)[0][0] for image in images]))

    def prepare_queries(self, images: Sequence[Image.Image]) -> BinaryQueries:
        hashed = [self.hasher(image) for image in images]
        packed = pack_bits(np.stack([bits for bits, _ in hashed]))
        return BinaryQueries(packed, np.array([ok for _, ok in hashed], dtype=bool))

    def distances(self, queries: BinaryQueries, references: NDArray[np.uint64]) -> Distances:
        out = hamming_min(queries.packed, references)
        out[~queries.accepted] = np.inf
        return out


def _hex_bits(value: str) -> Bits:
    return np.unpackbits(np.frombuffer(bytes.fromhex(value), dtype=np.uint8)).astype(bool)


def _pdq(image: Image.Image) -> tuple[Bits, bool]:
    result = pdq_hash_image(image)
    return _hex_bits(result.hex)[None, :], result.quality >= PDQ_MIN_QUALITY


def _pdq_dihedral(image: Image.Image) -> tuple[Bits, bool]:
    result, variants = pdq_hash_with_dihedral(image)
    return np.stack([_hex_bits(value) for value in variants]), result.quality >= PDQ_MIN_QUALITY


def _imagehash(function: Callable[..., imagehash.ImageHash], size: int) -> BinaryHasher:
    def run(image: Image.Image) -> tuple[Bits, bool]:
        return np.asarray(function(image, hash_size=size).hash, dtype=bool).reshape(1, -1), True

    return run


@dataclass
class PerceptionMethod:
    """A hasher from Thorn's ``perception``: Hamming for bit hashes, Euclidean for float ones."""

    name: str
    description: str
    hasher: Any
    configured_threshold: float | None = None
    max_negative_queries: int | None = None

    def _vectors(self, images: Sequence[Image.Image]) -> NDArray[Any]:
        arrays = (np.ascontiguousarray(np.asarray(image.convert("RGB"))) for image in images)
        return np.stack([self.hasher.compute(a, hash_format="vector") for a in arrays])

    def prepare_references(self, images: Sequence[Image.Image]) -> NDArray[Any]:
        return self._prepare(images)

    def prepare_queries(self, images: Sequence[Image.Image]) -> NDArray[Any]:
        return self._prepare(images)

    def _prepare(self, images: Sequence[Image.Image]) -> NDArray[Any]:
        vectors = self._vectors(images)
        if self.hasher.distance_metric == "hamming":
            return pack_bits(vectors.astype(bool))[:, None, :]
        return vectors.astype(np.float32)

    def distances(self, queries: NDArray[Any], references: NDArray[Any]) -> Distances:
        if self.hasher.distance_metric == "hamming":
            return hamming_min(queries, references[:, 0, :])
        return euclidean(queries, references)


@dataclass
class RobustMethod:
    """Adapter for ``hashwarden.core.robust.RobustComparator`` (scored one query at a time)."""

    name: str
    description: str
    comparator: Any
    configured_threshold: float | None = None
    max_negative_queries: int | None = None

    def prepare_references(self, images: Sequence[Image.Image]) -> list[Any]:
        return [self.comparator.reference(image) for image in images]

    def prepare_queries(self, images: Sequence[Image.Image]) -> list[Any]:
        return [self.comparator.query(image) for image in images]

    def distances(self, queries: list[Any], references: list[Any]) -> Distances:
        if not queries:
            return np.zeros((0, len(references)), dtype=np.float32)
        rows = [np.asarray(self.comparator.distances(q, references)) for q in queries]
        return np.stack(rows).astype(np.float32).reshape(len(queries), len(references))


def _robust(level: str, max_negatives: int | None) -> RobustMethod:
    from hashwarden.core.robust import RobustComparator, RobustLevel

    comparator = RobustComparator(getattr(RobustLevel, level))
    return RobustMethod(
        f"hashwarden-{level.lower()}",
        f"hashwarden RobustComparator(RobustLevel.{level})",
        comparator,
        float(comparator.configured_threshold),
        max_negatives,
    )


def _perception(name: str, factory: str, description: str) -> PerceptionMethod:
    from perception import hashers

    return PerceptionMethod(name, description, getattr(hashers, factory)())


def build_methods(
    selected: Sequence[str] | None, thorough_max_negatives: int | None
) -> tuple[list[Method], list[str]]:
    """The methods to run, and a message for each one that could not be set up."""
    factories: dict[str, Callable[[], Method]] = {
        "pdq": lambda: BinaryMethod(
            "pdq", "hashwarden PDQ (quality < 50 rejected)", _pdq, PDQ_COMMON_THRESHOLD
        ),
        "pdq-dihedral": lambda: BinaryMethod(
            "pdq-dihedral",
            "hashwarden PDQ, min over the query's 8 dihedral hashes",
            _pdq_dihedral,
            PDQ_COMMON_THRESHOLD,
        ),
        "imagehash-phash": lambda: BinaryMethod(
            "imagehash-phash", "imagehash.phash, 64 bits", _imagehash(imagehash.phash, 8)
        ),
        "imagehash-phash16": lambda: BinaryMethod(
            "imagehash-phash16",
            "imagehash.phash, hash_size=16 (256 bits)",
            _imagehash(imagehash.phash, 16),
        ),
        "imagehash-dhash": lambda: BinaryMethod(
            "imagehash-dhash", "imagehash.dhash, 64 bits", _imagehash(imagehash.dhash, 8)
        ),
        "perception-blockmean": lambda: _perception(
            "perception-blockmean", "BlockMean", "perception BlockMean (OpenCV, 968 bits)"
        ),
        "perception-colormoment": lambda: _perception(
            "perception-colormoment",
            "ColorMoment",
            "perception ColorMoment (OpenCV, 42 floats, Euclidean)",
        ),
        "hashwarden-standard": lambda: _robust("STANDARD", None),
        "hashwarden-thorough": lambda: _robust("THOROUGH", thorough_max_negatives),
    }
    methods: list[Method] = []
    skipped: list[str] = []
    for name, factory in factories.items():
        if selected and name not in selected:
            continue
        try:
            methods.append(factory())
        except (ImportError, AttributeError, RuntimeError, TypeError) as exc:
            skipped.append(f"{name}: skipped, could not set up ({type(exc).__name__}: {exc})")
    return methods, skipped


ALL_METHOD_NAMES = (
    "pdq",
    "pdq-dihedral",
    "imagehash-phash",
    "imagehash-phash16",
    "imagehash-dhash",
    "perception-blockmean",
    "perception-colormoment",
    "hashwarden-standard",
    "hashwarden-thorough",
)
