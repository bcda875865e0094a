"""The links of one item, for its page, without linking the whole case.

``CaseService.links`` verifies a dozen candidates for every item of the case; one item's page
needs only its own: its near-duplicates are in its stack (stacks are closed under the
near-duplicate relation), and its same-place partners are those its own features verify. A
pair found only from the partner's side (the candidates differ by direction) shows on the
links page, not here.
"""

from __future__ import annotations

from collections.abc import Sequence

from hashwarden.cases.grouping import (
    SAME_PLACE_CANDIDATES,
    SAME_PLACE_INLIERS,
    near_duplicate_pairs,
)
from hashwarden.cases.models import CaseItem, Link, LinkKind
from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import deserialise


def links_of(item: CaseItem, items: Sequence[CaseItem]) -> list[Link]:
    """Near-duplicate links (closest first), then same-place links (most pairs first)."""
    stack = [other for other in items
             if item.stack_id is not None and other.stack_id == item.stack_id]  # fmt: skip
    group = [item, *(other for other in stack if other.id != item.id)]
    found = [
        Link(item.path, group[pair.b].path, LinkKind.NEAR_DUPLICATE, pair.score)
        for pair in sorted(near_duplicate_pairs([i.item for i in group]), key=lambda p: p.score)
        if pair.a == 0
    ]
    if item.item.features is None:
        return found
    # Indexed and verified as ``same_place_pairs`` does (the item and its stack included), so
    # this item's side of the case-wide linking is reproduced exactly.
    index = FeatureIndex()
    for position, other in enumerate(items):
        if other.item.features is not None:
            try:
                index.add(position, deserialise(other.item.features))
            except InvalidSignalError:
                continue
    try:
        mine = deserialise(item.item.features)
    except InvalidSignalError:
        return found
    same_place = sorted(
        ((items[label], matched) for label, matched in
         index.verified(mine, candidates=SAME_PLACE_CANDIDATES)
         if matched >= SAME_PLACE_INLIERS and items[label].id != item.id
         and (item.stack_id is None or items[label].stack_id != item.stack_id)),
        key=lambda pair: -pair[1],
    )  # fmt: skip
    found += [Link(item.path, other.path, LinkKind.SAME_PLACE, float(matched))
              for other, matched in same_place]  # fmt: skip
    return found
