"""The hash chain: canonical form, and detection of any altered, removed or reordered event."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from hashwarden.audit.chain import (
    GENESIS,
    REASON_CONTENT,
    REASON_LINK,
    REASON_ORDER,
    canonical_json,
    event_digest,
    seal,
    verify,
)
from hashwarden.audit.models import AuditEvent, AuditRecord

START = datetime(2026, 12, 1, tzinfo=UTC)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=4,
)
records = st.builds(
    AuditRecord,
    actor=st.text(min_size=1, max_size=10),
    action=st.sampled_from(["match", "lists.read", "entries.add", "tokens.create"]),
    object=st.text(max_size=10),
    details=st.dictionaries(st.text(max_size=4), json_values, max_size=3),
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
digests = st.binary(min_size=32, max_size=32).map(bytes.hex)


@st.composite
def chains(draw: st.DrawFn, min_size: int = 0) -> list[AuditEvent]:
    """A valid chain with random id gaps, as a store would hand it out."""
    events: list[AuditEvent] = []
    event_id, prev = 0, GENESIS
    for record in draw(st.lists(records, min_size=min_size, max_size=6)):
        event_id += draw(st.integers(1, 3))
        at = START + timedelta(microseconds=draw(st.integers(0, 10**12)))
        events.append(seal(record, id=event_id, at=at, prev_digest=prev))
        prev = events[-1].digest
    return events


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@given(chains())
def test_untouched_chains_verify(events: list[AuditEvent]) -> None:
    result = verify(events)
    assert result.ok and result.broken_id is None and result.reason is None
    assert result.checked == len(events)
    assert result.last_id == (events[-1].id if events else None)
    assert result.head_digest == (events[-1].digest if events else GENESIS)


FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.integers(0, 40),
    "at": moments,
    "actor": st.text(max_size=20),
    "action": st.text(max_size=20),
    "object": st.text(max_size=20),
    "details": st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    "prev_digest": digests,
    "digest": digests,
}


@given(chains(min_size=1), st.data())
def test_any_altered_field_is_found_at_that_event(
    events: list[AuditEvent], data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(events) - 1), label="position")
    name = data.draw(st.sampled_from(sorted(FIELD_VALUES)), label="field")
    value = data.draw(FIELD_VALUES[name], label="value")
    original = getattr(events[position], name)
    assume(_json(value) != _json(original) if name == "details" else value != original)
    tampered = list(events)
    tampered[position] = dataclasses.replace(events[position], **{name: value})

    result = verify(tampered)
    assert not result.ok
    assert result.broken_id == tampered[position].id
    assert result.checked == position
    assert result.reason in (REASON_CONTENT, REASON_LINK, REASON_ORDER)


@given(chains(min_size=2), st.data())
def test_a_removed_event_is_found_at_its_successor(
    events: list[AuditEvent], data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(events) - 2), label="position")
    tampered = events[:position] + events[position + 1 :]
    result = verify(tampered)
    assert (result.broken_id, result.reason) == (events[position + 1].id, REASON_LINK)


@given(chains(min_size=1))
def test_cutting_the_newest_events_shows_in_the_head_digest(events: list[AuditEvent]) -> None:
    # The chain alone cannot see a truncated tail; the head digest, kept elsewhere, can.
    result = verify(events[:-1])
    assert result.ok and result.head_digest != events[-1].digest


@given(chains(min_size=2), st.data())
def test_swapped_events_are_found_at_the_first_misplaced_one(
    events: list[AuditEvent], data: st.DataObject
) -> None:
    first = data.draw(st.integers(0, len(events) - 2), label="first")
    second = data.draw(st.integers(first + 1, len(events) - 1), label="second")
    tampered = list(events)
    tampered[first], tampered[second] = tampered[second], tampered[first]
    result = verify(tampered)
    assert result.broken_id == tampered[first].id and result.checked == first


@given(chains(min_size=2), st.data())
def test_swapped_contents_under_kept_ids_are_found(
    events: list[AuditEvent], data: st.DataObject
) -> None:
    # What swapping two rows' contents in the table (ids staying put) looks like.
    first = data.draw(st.integers(0, len(events) - 2), label="first")
    second = data.draw(st.integers(first + 1, len(events) - 1), label="second")
    tampered = list(events)
    tampered[first] = dataclasses.replace(events[second], id=events[first].id)
    tampered[second] = dataclasses.replace(events[first], id=events[second].id)
    assert verify(tampered).broken_id == events[first].id


def test_id_gaps_alone_are_not_tampering() -> None:
    prev, events = GENESIS, []
    for event_id in (3, 4, 17, 1000):
        events.append(seal(AuditRecord("a", "match"), id=event_id, at=START, prev_digest=prev))
        prev = events[-1].digest
    assert verify(events).ok


def test_details_that_are_no_longer_an_object_are_reported_not_raised() -> None:
    [event] = _chain(1)
    tampered = dataclasses.replace(event, details=["not", "an", "object"])  # type: ignore[arg-type]
    assert (verify([tampered]).broken_id, verify([tampered]).reason) == (event.id, REASON_CONTENT)


def test_canonical_form_is_fixed() -> None:
    # Stored digests depend on these exact bytes: changing the format breaks every existing log.
    at = datetime(2026, 12, 1, 10, 30, 5, 7, tzinfo=timezone(timedelta(hours=1)))
    text = canonical_json(
        id=7,
        at=at,
        actor="token:3:ci",
        action="tokens.create",
        object="token:4",
        details={"role": "platform", "name": "Zoë", "n": [1, 2.5, None, True]},
        prev_digest=GENESIS,
    )
    assert text == (
        b'{"action":"tokens.create","actor":"token:3:ci","at":"2026-12-01T09:30:05.000007Z",'
        b'"details":{"n":[1,2.5,null,true],"name":"Zo\\u00eb","role":"platform"},"id":7,'
        b'"object":"token:4","prev_digest":"' + GENESIS.encode() + b'"}'
    )
    event = seal(
        AuditRecord("token:3:ci", "tokens.create", "token:4", {"n": (1, 2)}),
        id=7,
        at=at,
        prev_digest=GENESIS,
    )
    assert event.details == {"n": [1, 2]} and event.at == at
    assert event.digest == event_digest(event) and len(event.digest) == 64


def _chain(size: int) -> list[AuditEvent]:
    prev, events = GENESIS, []
    for event_id in range(1, size + 1):
        events.append(seal(AuditRecord("a", "match"), id=event_id, at=START, prev_digest=prev))
        prev = events[-1].digest
    return events
