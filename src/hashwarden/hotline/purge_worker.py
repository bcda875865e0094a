"""The retention purge inside ``serve``: every ``interval`` seconds (daily by default), in a thread.

The first run comes ``FIRST_RUN`` seconds after start-up (or sooner with a shorter interval):
a server restarted nightly would otherwise never live long enough for a daily run. Each worker
process runs one; the store re-checks every erasure in its own transaction, so overlapping runs
erase each report once. ``hashwarden hotline purge`` does the same once, for cron.
"""

from __future__ import annotations

import logging

from hashwarden.core.periodic_worker import PeriodicWorker
from hashwarden.hotline.retention import Category, RetentionService

log = logging.getLogger(__name__)
#: Seconds between start-up and the first run: long enough for start-up to settle.
FIRST_RUN = 600.0
ACTOR = "serve:retention"


class PurgeWorker:
    def __init__(self, retention: RetentionService, interval: float) -> None:
        self._retention = retention
        self._interval = interval
        self._worker = PeriodicWorker(
            "hotline-purge",
            self._purge,
            interval,
            log=log,
            failure="the retention purge failed; retrying at the next interval",
            first_wait=min(interval, FIRST_RUN),
        )

    def start(self) -> None:
        if self._interval > 0:  # 0 turns the worker off
            self._worker.start()

    def stop(self) -> None:
        self._worker.stop()

    def _purge(self) -> None:
        summary = self._retention.purge(actor=ACTOR)
        # Counts only: references and contents stay out of the log.
        log.info("retention purge: %d contact(s) erased, %d report(s) deleted, %d held",
                 summary.count(Category.CONTACT), summary.count(Category.REPORT),
                 summary.held)  # fmt: skip
