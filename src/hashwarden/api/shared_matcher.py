"""One matcher per worker process, shared by request threads, following the database.

A background thread pulls list changes every ``interval`` seconds and applies them to the index
under a lock; the database read happens outside the lock so matches never wait for it. With a
``SnapshotKeeper`` the index is mapped from a snapshot shared by the host's workers, and the
follower also moves to newer snapshots (see ``hashwarden.snapshots``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from hashwarden.core.matching.matcher import Matcher, ParsedSignals
from hashwarden.core.matching.models import MatchOutcome
from hashwarden.core.media.models import MediaHashes
from hashwarden.core.periodic_worker import PeriodicWorker
from hashwarden.snapshots.keeper import SnapshotKeeper

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class SharedMatcher:
    def __init__(
        self,
        factory: Callable[[], Matcher],
        interval: float = 0.5,
        keeper: SnapshotKeeper | None = None,
    ) -> None:
        self._factory = keeper.open_matcher if keeper is not None else factory
        self._keeper = keeper
        self._lock = threading.Lock()
        # Serialises refreshers (the follower and explicit calls) so no delta is applied twice.
        self._refresh_lock = threading.Lock()
        self._matcher: Matcher | None = None
        self._worker = PeriodicWorker(
            "index-follower",
            self.refresh,
            interval,
            log=log,
            # The follower must survive a database outage and retry.
            failure=f"index refresh failed; retrying in {interval:.1f} s",
            join_timeout=10,
        )
        #: Monotonic time of the last successful refresh (for the change-feed lag metric).
        self.last_refresh = 0.0

    @property
    def ready(self) -> bool:
        return self._matcher is not None

    def start(self) -> None:
        """Load the index (blocking), then follow changes in the background."""
        matcher = self._factory()
        self.last_refresh = time.monotonic()
        with self._lock:
            self._matcher = matcher
        self._worker.start()

    def stop(self) -> None:
        self._worker.stop()
        if self._keeper is not None:
            self._keeper.wait(timeout=60)

    def refresh(self) -> int:
        """Apply pending changes now; returns how many signal changes were applied."""
        matcher = self._require()
        with self._refresh_lock:
            pending = matcher.pending()
            with self._lock:
                applied = matcher.apply(pending)
            if self._keeper is not None:
                replacement = self._keeper.maintain(matcher)
                if replacement is not None:
                    with self._lock:
                        matcher.index = replacement
        self.last_refresh = time.monotonic()
        return applied

    def _require(self) -> Matcher:
        if self._matcher is None:
            raise RuntimeError("the index is not loaded yet")
        return self._matcher

    def _locked(self, call: Callable[[Matcher], _T]) -> _T:
        matcher = self._require()
        with self._lock:
            return call(matcher)

    def parse_signals(self, signals: Mapping[str, Sequence[str]]) -> ParsedSignals:
        return self._require().parse_signals(signals)

    def match_parsed(
        self, items: Sequence[ParsedSignals], lists: Sequence[str] | None
    ) -> list[MatchOutcome]:
        return self._locked(lambda matcher: matcher.match_parsed(items, lists))

    def match_media(self, media: MediaHashes, lists: Sequence[str] | None) -> MatchOutcome:
        return self._locked(lambda matcher: matcher.match_media([media], lists)[0])

    def index_size(self) -> int:
        return self._locked(lambda matcher: len(matcher.index))

    def list_names(self) -> set[str]:
        return self._locked(lambda matcher: set(matcher.lists))
