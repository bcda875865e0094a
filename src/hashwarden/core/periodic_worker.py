"""A daemon thread that runs one job every ``interval`` seconds until it is stopped.

The background jobs of ``serve`` (retention purge, re-checks, subscription sync, webhook
delivery) share this lifecycle; each worker process runs its own. A failing job is logged and
tried again at the next round: the thread must outlive a database outage.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable


class PeriodicWorker:
    def __init__(
        self,
        name: str,
        job: Callable[[], object],
        interval: float,
        *,
        log: logging.Logger,
        failure: str,
        first_wait: float | None = None,
        join_timeout: float = 30.0,
    ) -> None:
        """``failure`` is logged (with the traceback) to ``log``, the owner's logger.

        The first run comes ``first_wait`` seconds after ``start`` (default: one interval).
        """
        self._name = name
        self._job = job
        self._interval = interval
        self._log = log
        self._failure = failure
        self._first_wait = interval if first_wait is None else first_wait
        self._join_timeout = join_timeout
        # One event ends every wait early (wake and stop); a second says whether to stop.
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run the job now rather than at the end of the current wait."""
        self._wake.set()

    def stopping(self) -> bool:
        """Whether ``stop`` was called: long jobs poll it to end early."""
        return self._stopped.is_set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self._join_timeout)
            self._thread = None

    def _run(self) -> None:
        wait = self._first_wait
        while True:
            self._wake.wait(wait)
            self._wake.clear()
            if self._stopped.is_set():
                return
            wait = self._interval
            try:
                self._job()
            except Exception:
                self._log.exception(self._failure)
