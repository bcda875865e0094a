"""Re-checks of notified addresses inside ``serve``: every ``interval`` seconds, in a thread.

Each worker process runs one; a re-check only stamps ``last_checked_at`` (and ``removed_at``
once the material is gone), so two workers checking the same address do no harm.
``hashwarden hotline recheck`` does the same once, for cron.
"""

from __future__ import annotations

import logging
import threading

from hashwarden.hotline.takedown import TakedownService

log = logging.getLogger(__name__)


class RecheckWorker:
    def __init__(self, takedown: TakedownService, interval: float) -> None:
        self._takedown = takedown
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="hotline-recheck", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                results = self._takedown.recheck_due()
            except Exception:  # the worker must outlive a database hiccup
                log.exception("re-checking reported addresses failed; retrying later")
                continue
            if results:
                # References only: never the addresses themselves.
                log.info("re-checked %d reported address(es), %d removed",
                         len(results), sum(results.values()))  # fmt: skip
