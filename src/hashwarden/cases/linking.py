"""Links of the items a scan brought, against everything in the case, to be stored.

Same-place retrieval and verification cost a dozen RANSAC checks per picture, so they run once
per item, when it arrives, not on every page view. The index holds every item with features and
only the new items query it: a pair of an old and a new item is found from the new side, a pair
of two new items from both (its score is the better of the two, as ``place_candidates`` gives).
An old item's own query is not repeated, so a pair its candidates would now rank but the new
item's do not is missed; the retrieval is close to symmetric, and the alternative is the cost
this avoids.

Pure: items come in as plain values, pairs go out as positions in that sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from hashwarden.cases.grouping import SAME_PLACE_CANDIDATES, SAME_PLACE_VERIFICATION, Pair
from hashwarden.cases.models import ScannedItem
from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import Features, deserialise

#: New items linked, and their links stored, per transaction: a killed linking loses one chunk.
LINK_CHUNK = 256

#: ``(items linked so far, items to link)``, after every chunk.
LinkProgress = Callable[[int, int], None]


@dataclass(slots=True)
class PlaceIndex:
    """Every item's features, indexed by position, for querying with some of them."""

    index: FeatureIndex
    features: dict[int, Features] = field(default_factory=dict)


def place_index(items: Sequence[ScannedItem],
                make: Callable[[], FeatureIndex] = FeatureIndex) -> PlaceIndex:  # fmt: skip
    """Indexed in item order, as ``place_candidates`` does, so candidates rank the same."""
    built = PlaceIndex(make())
    for position, item in enumerate(items):
        if item.features is None:
            continue
        try:
            built.features[position] = deserialise(item.features)
        except InvalidSignalError:
            continue  # unreadable features link nothing rather than stop the scan
        built.index.add(position, built.features[position])
    return built


def verified_pairs(place: PlaceIndex, queries: Iterable[int]) -> dict[tuple[int, int], int]:
    """(a, b) -> most verified pairs, a < b, for every pair the ``queries`` retrieved."""
    best: dict[tuple[int, int], int] = {}
    for i in queries:
        mine = place.features.get(i)
        if mine is None:
            continue
        # As ``grouping.place_candidates`` verifies: the two must agree for stored links to be
        # the whole-case links.
        verified = place.index.verified(
            mine, candidates=SAME_PLACE_CANDIDATES, verification=SAME_PLACE_VERIFICATION
        )
        for j, matched in verified:
            if j != i:
                key = (min(i, j), max(i, j))
                best[key] = max(best.get(key, 0), matched)
    return best


def touching(pairs: Iterable[Pair], positions: Iterable[int]) -> dict[int, list[Pair]]:
    """Position -> its pairs, for each of ``positions``: looked up per chunk, not scanned."""
    found: dict[int, list[Pair]] = {position: [] for position in positions}
    for pair in pairs:
        for end in {pair.a, pair.b}:
            if end in found:
                found[end].append(pair)
    return found
