"""Category text as investigators type it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hashwarden.cases.categories import parse_category
from hashwarden.cases.interfaces import CaseError
from hashwarden.core.lists.models import Category


@pytest.mark.parametrize(("text", "expected"), [
    ("vics-uk:1", Category("vics-uk", "1")),
    (" VICS-US : 2 ", Category("vics-us", "2")),
    ("iwf:A", Category("iwf", "A")),
    ("industry:B2", Category("industry", "B2")),
])
def test_schemes_are_lower_case_and_values_kept(text: str, expected: Category) -> None:
    assert parse_category(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("A", "scheme:value"), (":A", "scheme"), ("iwf:", "value"), ("iwf:<b>", "value"),
    ("1wf:A", "scheme"), ("iwf:" + "x" * 41, "value"),
])
def test_bad_categories_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(CaseError, match=reason):
        parse_category(text)


@given(st.text(max_size=100))
def test_any_text_is_a_category_or_a_case_error(text: str) -> None:
    try:
        category = parse_category(text)
    except CaseError:
        return
    assert parse_category(str(category)) == category
