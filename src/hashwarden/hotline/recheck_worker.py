"""Re-checks of notified addresses inside ``serve``: every ``interval`` seconds, in a thread.

Each worker process runs one; a re-check only stamps ``last_checked_at`` (and ``removed_at``
once the material is gone), so two workers checking the same address do no harm.
``hashwarden hotline recheck`` does the same once, for cron.
"""

from __future__ import annotations

import logging

from hashwarden.core.periodic_worker import PeriodicWorker
from hashwarden.hotline.takedown import TakedownService

log = logging.getLogger(__name__)


class RecheckWorker:
    def __init__(self, takedown: TakedownService, interval: float) -> None:
        self._takedown = takedown
        self._interval = interval
        self._worker = PeriodicWorker(
            "hotline-recheck",
            self._recheck,
            interval,
            log=log,
            failure="re-checking reported addresses failed; retrying later",
        )

    def start(self) -> None:
        if self._interval > 0:  # 0 turns the worker off
            self._worker.start()

    def stop(self) -> None:
        self._worker.stop()

    def _recheck(self) -> None:
        results = self._takedown.recheck_due()
        if results:
            # References only: never the addresses themselves.
            log.info("re-checked %d reported address(es), %d removed",
                     len(results), sum(results.values()))  # fmt: skip
