"""The background-thread lifecycle shared by the ``serve`` workers."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from hashwarden.core.periodic_worker import PeriodicWorker

log = logging.getLogger(__name__)


def _wait_for(condition: threading.Event, seconds: float = 10.0) -> None:
    assert condition.wait(seconds), "the worker never got there"


def test_runs_every_interval_and_survives_a_failing_job(caplog: pytest.LogCaptureFixture) -> None:
    runs: list[float] = []
    third = threading.Event()

    def job() -> None:
        runs.append(time.monotonic())
        if len(runs) == 3:
            third.set()
        if len(runs) == 1:
            raise RuntimeError("database down")

    worker = PeriodicWorker("test-periodic", job, 0.02, log=log, failure="the job failed")
    with caplog.at_level(logging.ERROR, logger=__name__):
        worker.start()
        try:
            _wait_for(third)
        finally:
            worker.stop()
    assert len(runs) >= 3
    failures = [r for r in caplog.records if r.getMessage() == "the job failed"]
    assert len(failures) == 1 and failures[0].exc_info is not None


def test_first_wait_and_wake_cut_the_wait_short() -> None:
    ran = threading.Event()
    worker = PeriodicWorker(
        "test-periodic", ran.set, 3600, log=log, failure="failed", first_wait=3600
    )
    worker.start()
    try:
        assert not ran.wait(0.1)
        worker.wake()
        _wait_for(ran)
    finally:
        started = time.monotonic()
        worker.stop()
    # stop() interrupts the hour-long wait instead of sitting it out.
    assert time.monotonic() - started < 5


def test_stop_ends_a_running_job_through_stopping() -> None:
    inside = threading.Event()
    seen_stop: list[bool] = []

    def job() -> None:
        inside.set()
        deadline = time.monotonic() + 10
        while not worker.stopping() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_stop.append(worker.stopping())

    worker = PeriodicWorker("test-periodic", job, 3600, log=log, failure="failed", first_wait=0)
    assert not worker.stopping()
    worker.start()
    _wait_for(inside)
    worker.stop()
    assert seen_stop == [True]
    worker.start()  # a stopped worker does not run its job again
    time.sleep(0.05)
    worker.stop()
    assert seen_stop == [True]
