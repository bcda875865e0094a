"""Categories of case items: what an investigator decided, or what a list match says.

An investigator's category wins over the one a list match brings (the list categorised the
listed picture, the investigator looked at this one). Categorising an item categorises its whole
stack, because near-duplicates show the same thing; schemes stay configuration, as for lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.models import Case, CaseItem
from hashwarden.cases.services import CaseService
from hashwarden.core.lists.models import Category

_SCHEME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,39}$")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ItemCategory:
    path: str
    category: Category
    #: ``cli:<user>``, ``staff:<user>``, ``vics:<file>``.
    provenance: str
    created_at: datetime

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "category": str(self.category),
                "provenance": self.provenance, "at": self.created_at.isoformat()}


class CaseCategoryStore(Protocol):
    def set_categories(self, case_id: int, categories: Sequence[ItemCategory]) -> None:
        """Insert or replace by path (the latest word counts)."""

    def clear_categories(self, case_id: int, paths: Sequence[str]) -> int: ...
    def categories(self, case_id: int) -> list[ItemCategory]:
        """Categories of items still in the case."""


def parse_category(text: str) -> Category:
    """``scheme:value`` as typed by a person; ``CaseError`` naming what is wrong."""
    scheme, sep, value = text.strip().partition(":")
    if not sep:
        raise CaseError(f"category {text[:40]!r}: write it as scheme:value, e.g. vics-uk:1")
    category = Category(scheme.strip().lower(), value.strip())
    if not _SCHEME.match(category.scheme):
        raise CaseError(f"category scheme {category.scheme[:40]!r}: lower-case letters, digits "
                        "and '-', at most 40")
    if not _VALUE.match(category.value):
        raise CaseError(f"category value {category.value[:40]!r}: letters, digits, '.', '_', "
                        "'-' and spaces, at most 40")
    return category


def known_category(item: CaseItem) -> Category | None:
    """The category the matched list entry carries, if any."""
    known = item.item.known
    if known is None or not known.category:
        return None
    return Category.parse(known.category)


class CaseCategoryService:
    def __init__(self, cases: CaseService, store: CaseCategoryStore,
                 clock: Callable[[], datetime] = _now) -> None:
        self.cases = cases
        self.store = store
        self.clock = clock

    def categorise(self, case: Case, paths: Sequence[str], category: Category, provenance: str,
                   *, whole_stacks: bool = True) -> list[str]:
        """Give the items at ``paths`` (and, by default, everything stacked with them)
        ``category``; returns the paths categorised."""
        chosen = self._chosen(case, paths, whole_stacks)
        at = self.clock()
        self.store.set_categories(
            case.id, [ItemCategory(path, category, provenance[:200], at) for path in chosen]
        )
        return chosen

    def clear(self, case: Case, paths: Sequence[str], *, whole_stacks: bool = True) -> list[str]:
        chosen = self._chosen(case, paths, whole_stacks)
        self.store.clear_categories(case.id, chosen)
        return chosen

    def categories(self, case: Case) -> dict[str, ItemCategory]:
        return {c.path: c for c in self.store.categories(case.id)}

    def effective(self, case: Case) -> dict[str, tuple[Category, str]]:
        """Path -> (category, where it comes from) for every categorised item: the
        investigator's word, else the matched list's (``list:<name>``)."""
        chosen = self.categories(case)
        result: dict[str, tuple[Category, str]] = {}
        for item in self.cases.items(case):
            if item.path in chosen:
                result[item.path] = (chosen[item.path].category, chosen[item.path].provenance)
            elif (listed := known_category(item)) is not None and item.item.known is not None:
                result[item.path] = (listed, f"list:{item.item.known.list_name}")
        return result

    def _chosen(self, case: Case, paths: Sequence[str], whole_stacks: bool) -> list[str]:
        items = self.cases.items(case)
        by_path: Mapping[str, CaseItem] = {item.path: item for item in items}
        missing = [path for path in paths if path not in by_path]
        if missing:
            raise CaseError(f"not items of case {case.name!r}: {', '.join(missing[:5])}")
        wanted = set(paths)
        if whole_stacks:
            stacks = {by_path[p].stack_id for p in paths} - {None}
            wanted |= {item.path for item in items if item.stack_id in stacks}
        return sorted(wanted)
