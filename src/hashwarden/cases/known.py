"""Which list entry a case item matches: from a scan's outcome, or for items a file brought."""

from __future__ import annotations

from collections.abc import Sequence

from hashwarden.cases.models import KnownMatch, ScannedItem
from hashwarden.core.matching.matcher import Matcher
from hashwarden.core.matching.models import MatchOutcome
from hashwarden.core.signals.pdq import PDQ_MIN_QUALITY

#: Items matched per index pass: one pass per item would pay the index's fixed cost each time.
_BATCH = 1000


def best_known(outcome: MatchOutcome | None) -> KnownMatch | None:
    """The closest block-list hit that stands (allow lists already applied), if any."""
    if outcome is None or not outcome.hits:
        return None
    hit = min(outcome.hits, key=lambda h: h.distance)
    return KnownMatch(hit.list_name, hit.entry_id, hit.signal_type, hit.distance, hit.category)


def item_signals(item: ScannedItem) -> dict[str, list[str]]:
    """The signals of an item that carries hashes but no pixels (a VICS import).

    A PDQ hash without a usable quality is not matched, as for uploads: a flat picture's hash
    collides with other flat pictures'.
    """
    signals = {name: [value] for name, value in
               (("md5", item.md5), ("sha1", item.sha1), ("sha256", item.sha256)) if value}
    if item.pdq and item.pdq_quality >= PDQ_MIN_QUALITY:
        signals["pdq"] = [item.pdq]
    if item.vpdq:
        signals["vpdq"] = [item.vpdq]
    return signals


def match_items(matcher: Matcher, items: Sequence[ScannedItem]) -> list[KnownMatch | None]:
    """The list entry each item matches, in as few index passes as the batch size allows."""
    known: list[KnownMatch | None] = []
    for start in range(0, len(items), _BATCH):
        batch = [matcher.parse_signals(item_signals(item)) for item in items[start:start + _BATCH]]
        known += [best_known(outcome) for outcome in matcher.match_parsed(batch)]
    return known
