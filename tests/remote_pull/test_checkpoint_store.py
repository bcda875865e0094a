"""``SqlCheckpointStore`` on SQLite and PostgreSQL: states saved only over what was read."""

from __future__ import annotations

import pytest

from hashwarden.remote_pull.ncmec import checkpoint_name
from hashwarden.storage.checkpoint_store import CheckpointConflictError, SqlCheckpointStore
from hashwarden.storage.list_store import SqlListStore


@pytest.fixture
def checkpoints(store: SqlListStore) -> SqlCheckpointStore:
    return SqlCheckpointStore(store.engine)


def test_a_state_is_saved_read_replaced_and_deleted(checkpoints: SqlCheckpointStore) -> None:
    assert checkpoints.get("ncmec:a") is None
    first = {"to": "2024-03-04T00:00:00Z", "url": "https://example.test/hashsharing"}
    checkpoints.save("ncmec:a", first, expected=None)
    assert checkpoints.get("ncmec:a") == first
    second = {**first, "to": "2024-03-07T00:00:00Z"}
    checkpoints.save("ncmec:a", second, expected=first)
    assert checkpoints.get("ncmec:a") == second
    assert checkpoints.get("ncmec:b") is None  # names are independent
    checkpoints.delete("ncmec:a")
    assert checkpoints.get("ncmec:a") is None


def test_a_state_changed_meanwhile_is_not_overwritten(checkpoints: SqlCheckpointStore) -> None:
    read_by_both = {"to": "2024-03-04T00:00:00Z"}
    checkpoints.save("ncmec:a", read_by_both, expected=None)
    ahead = {"to": "2024-03-09T00:00:00Z"}
    checkpoints.save("ncmec:a", ahead, expected=read_by_both)  # one pull finishes first

    with pytest.raises(CheckpointConflictError, match="changed by another pull"):
        checkpoints.save("ncmec:a", {"to": "2024-03-07T00:00:00Z"}, expected=read_by_both)
    with pytest.raises(CheckpointConflictError):
        checkpoints.save("ncmec:a", {"to": "2024-03-05T00:00:00Z"}, expected=None)
    assert checkpoints.get("ncmec:a") == ahead


def test_names_fit_the_table(checkpoints: SqlCheckpointStore) -> None:
    with pytest.raises(ValueError, match="1-100 characters"):
        checkpoints.get("x" * 101)
    long_list = "l" * 100
    name = checkpoint_name(long_list)
    assert len(name) <= 100 and name != checkpoint_name("l" * 99 + "m")
    checkpoints.save(name, {"to": "2024-03-04T00:00:00Z"}, expected=None)
    assert checkpoints.get(name) == {"to": "2024-03-04T00:00:00Z"}
    assert checkpoint_name("mirror") == "ncmec:mirror"
