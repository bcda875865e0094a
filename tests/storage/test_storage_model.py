"""Random sequences of list operations against an in-memory model of the store."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_samples import md5, pdq

from hashwarden.core.lists.interfaces import IndexedSignal, ListChanges
from hashwarden.core.lists.models import ChangeOp, EntryData, HashList, Signal
from hashwarden.storage.list_store import SqlListStore

POOL = [md5(n) for n in range(6)] + [pdq(n) for n in range(3)]
_names = itertools.count()

signal_sets = st.frozensets(st.sampled_from(POOL), min_size=1, max_size=3)


@dataclass(frozen=True)
class Add:
    sets: list[frozenset[Signal]]


@dataclass(frozen=True)
class Update:
    pick: int
    signals: frozenset[Signal]


@dataclass(frozen=True)
class Remove:
    pick: int
    #: Follow the signal feed right after this step (else it is followed later, in one go).
    poll: bool


Op = Add | Update | Remove
operations = st.lists(
    st.one_of(
        st.builds(Add, st.lists(signal_sets, min_size=1, max_size=3)),
        st.builds(Update, st.integers(0, 50), signal_sets),
        st.builds(Remove, st.integers(0, 50), st.booleans()),
    ),
    min_size=1,
    max_size=12,
)


@dataclass
class Model:
    live: dict[int, frozenset[Signal]] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)
    sequence: int = 0
    ops: list[ChangeOp] = field(default_factory=list)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_store_behaves_like_the_model(store: SqlListStore, ops: list[Op]) -> None:
    name = f"model-{next(_names)}"
    store.create_list(HashList(name))
    model = Model()
    cursor = store.signal_changes_since(0).cursor
    index: dict[int, IndexedSignal] = {}

    for op in ops:
        if isinstance(op, Add):
            changes = store.apply(name, ListChanges(add=[EntryData(tuple(s)) for s in op.sets]))
            for change, signals in zip(changes, op.sets, strict=True):
                model.live[change.entry.id] = signals
            model.ops += [ChangeOp.ADD] * len(op.sets)
        elif not model.live:
            continue
        elif isinstance(op, Update):
            target = sorted(model.live)[op.pick % len(model.live)]
            store.apply(name, ListChanges(update=[(target, EntryData(tuple(op.signals)))]))
            model.live[target] = op.signals
            model.ops.append(ChangeOp.UPDATE)
        else:
            target = sorted(model.live)[op.pick % len(model.live)]
            store.apply(name, ListChanges(remove=[target]))
            del model.live[target]
            model.removed.add(target)
            model.ops.append(ChangeOp.REMOVE)
            if op.poll:
                delta = store.signal_changes_since(cursor)
                for signal_id in delta.removed_signal_ids:
                    index.pop(signal_id, None)
                index.update((s.signal_id, s) for s in delta.added)
                cursor = delta.cursor

        live = {e.id: frozenset(e.signals) for e in store.entries(name)}
        assert live == model.live
        assert store.count_entries(name) == len(model.live)
        assert store.get_list(name).sequence == len(model.ops)

    history = store.changes_since(name, 0, limit=10_000)
    assert [c.sequence for c in history] == list(range(1, len(model.ops) + 1))
    assert [c.op for c in history] == model.ops
    tombstones = {e.id for e in store.entries(name, include_removed=True) if e.is_removed}
    assert tombstones == model.removed

    delta = store.signal_changes_since(cursor)
    for signal_id in delta.removed_signal_ids:
        index.pop(signal_id, None)
    index.update((s.signal_id, s) for s in delta.added)
    followed = {(s.entry_id, s.signal) for s in index.values() if s.list_name == name}
    expected = {(entry_id, s) for entry_id, signals in model.live.items() for s in signals}
    assert followed == expected
    for signal in POOL:
        holders = {e.id for e in store.find_live_entries(name, [signal])}
        assert holders == {i for i, signals in model.live.items() if signal in signals}
