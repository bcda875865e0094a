"""Signed feed pages: what verifies, and every way a page is rejected with the list untouched."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from hashwarden.core.lists.models import ChangeOp
from hashwarden.federation.envelope import (
    canonical_json,
    change_line,
    key_id,
    raw_public_key,
    sign_page,
    verify_page,
)
from hashwarden.federation.errors import (
    BadSignatureError,
    CountMismatchError,
    DigestMismatchError,
    FeedError,
    MalformedPageError,
    ReplayedPageError,
    SequenceError,
    StalePageError,
    UntrustedKeyError,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ISSUED = "2026-03-01T12:00:00Z"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = base64.b64encode(raw_public_key(KEY)).decode()
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def entry(entry_id: int, md5: str, removed: bool = False) -> dict[str, object]:
    return {
        "id": entry_id,
        "signals": [{"type": "md5", "value": md5}],
        "category": None,
        "source": "s",
        "external_id": "",
        "notes": "benign test entry",
        "added_by": "",
        "added_at": "2026-01-01T00:00:00Z",
        "removed_at": "2026-02-01T00:00:00Z" if removed else None,
    }


def lines_for(changes: list[tuple[int, ChangeOp, int]]) -> list[bytes]:
    return [
        change_line(seq, op, entry(eid, f"{eid:032x}", op is ChangeOp.REMOVE))
        for seq, op, eid in changes
    ]


def page(
    lines: list[bytes],
    *,
    since: int = 0,
    until: int | None = None,
    key: Ed25519PrivateKey = KEY,
    list_name: str = "shared",
) -> bytes:
    if until is None:
        until = json.loads(lines[-1])["sequence"] if lines else since
    manifest = sign_page(
        lines, private_key=key, publisher="pub-1", list_name=list_name,
        since=since, until=until, issued_at=ISSUED,
    )  # fmt: skip
    return manifest + b"".join(lines)


CHANGES = [(1, ChangeOp.ADD, 10), (2, ChangeOp.ADD, 11), (3, ChangeOp.UPDATE, 10),
           (5, ChangeOp.REMOVE, 11)]  # fmt: skip


def verify(data: bytes, cursor: int = 0, **kwargs: object) -> object:
    return verify_page(data, pinned_keys=[PUBLIC], list_name="shared", cursor=cursor, **kwargs)  # type: ignore[arg-type]


def test_a_signed_page_verifies_and_yields_its_changes() -> None:
    verified = verify_page(page(lines_for(CHANGES)), pinned_keys=[PUBLIC], list_name="shared",
                           cursor=0, now=NOW, max_age=timedelta(hours=1))  # fmt: skip
    assert [(c.sequence, c.op, c.entry_id) for c in verified.changes] == CHANGES
    manifest = verified.manifest
    assert (manifest.since, manifest.until, manifest.count) == (0, 5, 4)
    assert manifest.key_id == key_id(raw_public_key(KEY))
    assert manifest.publisher == "pub-1"


def test_an_empty_page_verifies_at_the_cursor() -> None:
    verified = verify_page(page([], since=7), pinned_keys=[PUBLIC], list_name="shared", cursor=7)
    assert verified.changes == []
    assert verified.manifest.until == 7


def test_the_signature_covers_the_canonical_manifest_without_signature() -> None:
    data = page(lines_for(CHANGES))
    manifest = json.loads(data.split(b"\n", 1)[0])
    signature = base64.b64decode(manifest.pop("signature"))
    KEY.public_key().verify(signature, canonical_json(manifest))
    assert canonical_json(manifest) == json.dumps(
        manifest, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


@pytest.mark.parametrize("offset", [0, 7, 40, -3])
def test_one_flipped_byte_in_the_body_is_rejected(offset: int) -> None:
    data = bytearray(page(lines_for(CHANGES)))
    body_start = data.index(b"\n") + 1
    position = body_start + offset if offset >= 0 else len(data) + offset
    data[position] ^= 0x01
    with pytest.raises(FeedError) as caught:
        verify(bytes(data))
    assert isinstance(caught.value, DigestMismatchError | MalformedPageError | CountMismatchError)


def test_a_changed_value_in_the_body_names_the_digest() -> None:
    data = page(lines_for(CHANGES))
    tampered = data.replace(f"{10:032x}".encode(), f"{99:032x}".encode(), 1)
    with pytest.raises(DigestMismatchError, match="body_sha256"):
        verify(tampered)


def test_a_changed_manifest_field_breaks_the_signature() -> None:
    data = page(lines_for(CHANGES))
    head, body = data.split(b"\n", 1)
    manifest = json.loads(head)
    manifest["until"] = 4
    with pytest.raises(BadSignatureError, match="does not verify"):
        verify(json.dumps(manifest).encode() + b"\n" + body)


def test_a_flipped_byte_in_the_signature_is_rejected() -> None:
    data = page(lines_for(CHANGES))
    head, body = data.split(b"\n", 1)
    manifest = json.loads(head)
    signature = bytearray(base64.b64decode(manifest["signature"]))
    signature[5] ^= 0x80
    manifest["signature"] = base64.b64encode(bytes(signature)).decode()
    with pytest.raises(BadSignatureError):
        verify(json.dumps(manifest).encode() + b"\n" + body)


def test_a_page_signed_by_an_unpinned_key_is_rejected() -> None:
    with pytest.raises(UntrustedKeyError, match="not pinned"):
        verify(page(lines_for(CHANGES), key=OTHER))


def test_a_forged_key_id_does_not_borrow_the_pinned_key() -> None:
    data = page(lines_for(CHANGES), key=OTHER)
    head, body = data.split(b"\n", 1)
    manifest = json.loads(head)
    manifest["key_id"] = key_id(raw_public_key(KEY))
    with pytest.raises(BadSignatureError):
        verify(json.dumps(manifest).encode() + b"\n" + body)


def test_a_replayed_page_is_rejected() -> None:
    first = page(lines_for(CHANGES[:2]))
    verify(first, cursor=0)
    with pytest.raises(ReplayedPageError, match="local cursor is 2"):
        verify(first, cursor=2)


def test_a_page_from_later_on_is_rejected_as_out_of_order() -> None:
    later = page(lines_for(CHANGES[2:]), since=2)
    with pytest.raises(ReplayedPageError, match="continues from sequence 2"):
        verify(later, cursor=0)


def test_reordered_lines_are_rejected() -> None:
    lines = lines_for(CHANGES)
    swapped = [lines[1], lines[0], *lines[2:]]
    data = page(lines)
    head = data.split(b"\n", 1)[0] + b"\n"
    with pytest.raises(DigestMismatchError):
        verify(head + b"".join(swapped))


def test_a_signed_page_with_reordered_sequences_is_rejected() -> None:
    lines = lines_for(CHANGES)
    with pytest.raises(SequenceError, match="does not follow"):
        verify(page([lines[1], lines[0], *lines[2:]], until=5))


def test_sequences_outside_the_page_range_are_rejected() -> None:
    with pytest.raises(SequenceError, match="past the page's end"):
        verify(page(lines_for(CHANGES), until=3))
    with pytest.raises(SequenceError, match="last change is 5"):
        verify(page(lines_for(CHANGES), until=9))
    with pytest.raises(SequenceError, match="does not follow 1"):
        verify(page(lines_for(CHANGES), since=1), cursor=1)


def test_a_truncated_page_missing_its_last_line_is_rejected() -> None:
    data = page(lines_for(CHANGES))
    cut = data[: data.rstrip(b"\n").rindex(b"\n") + 1]
    with pytest.raises(CountMismatchError, match=r"announces 4 change line.*has 3 \(truncated"):
        verify(cut)


def test_a_page_cut_mid_line_is_rejected() -> None:
    data = page(lines_for(CHANGES))
    with pytest.raises(CountMismatchError, match="cut off"):
        verify(data[:-10])


def test_a_page_without_a_manifest_line_is_rejected() -> None:
    with pytest.raises(MalformedPageError, match="no manifest"):
        verify(b"")
    with pytest.raises(MalformedPageError, match="not valid JSON"):
        verify(b"{oops\n")


def test_an_extra_line_is_rejected() -> None:
    lines = lines_for(CHANGES)
    extra = change_line(6, ChangeOp.ADD, entry(12, "ab" * 16))
    with pytest.raises(CountMismatchError, match=r"has 5 \(extra lines"):
        verify(page(lines) + extra)


def test_a_page_for_another_list_is_rejected() -> None:
    with pytest.raises(MalformedPageError, match="for list 'other'"):
        verify(page(lines_for(CHANGES), list_name="other"))


def test_an_old_page_is_rejected_as_stale() -> None:
    data = page(lines_for(CHANGES))
    later = NOW + timedelta(days=3)
    with pytest.raises(StalePageError, match="issued at 2026-03-01"):
        verify(data, now=later, max_age=timedelta(days=1))


def test_a_malformed_change_line_is_named_by_line_number() -> None:
    bad = b'{"sequence":1,"op":"explode","entry":{"id":1}}\n'
    with pytest.raises(MalformedPageError, match="line 2: unknown op"):
        verify(page([bad], until=1))


_hex = st.text("0123456789abcdef", min_size=32, max_size=32)
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@st.composite
def change_sets(draw: st.DrawFn) -> tuple[int, list[bytes]]:
    since = draw(st.integers(0, 10_000))
    count = draw(st.integers(0, 30))
    gaps = draw(st.lists(st.integers(1, 5), min_size=count, max_size=count))
    lines, sequence = [], since
    for gap in gaps:
        sequence += gap
        op = draw(st.sampled_from(list(ChangeOp)))
        item = entry(draw(st.integers(1, 2**40)), draw(_hex), op is ChangeOp.REMOVE)
        item["notes"] = draw(_text)
        item["attributes"] = {"x": {draw(_text): draw(st.integers() | _text | st.none())}}
        lines.append(change_line(sequence, op, item))
    return since, lines


@settings(max_examples=150, deadline=None)
@given(change_sets())
def test_random_change_sets_round_trip_sign_then_verify(drawn: tuple[int, list[bytes]]) -> None:
    since, lines = drawn
    verified = verify(page(lines, since=since), cursor=since)
    assert [change_line(c.sequence, c.op, c.entry) for c in verified.changes] == lines


@settings(max_examples=100, deadline=None)
@given(change_sets(), st.data())
def test_any_single_flipped_bit_is_rejected(drawn: tuple[int, list[bytes]], data: st.DataObject) -> None:  # noqa: E501
    since, lines = drawn
    signed = bytearray(page(lines, since=since))
    position = data.draw(st.integers(0, len(signed) - 1))
    signed[position] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(FeedError):
        verify(bytes(signed), cursor=since)
