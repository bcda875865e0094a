"""Where batches are hashed: a Dask cluster (local processes or a remote scheduler) or inline.

Both yield ``(batch, outcomes)`` in completion order and keep at most ``max_in_flight`` batches
submitted, so memory stays bounded however many files the walk finds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from hashwarden.scanning.items import FileOutcome, ScanItem
from hashwarden.scanning.tasks import HashOptions, hash_batch


@dataclass(frozen=True, slots=True)
class Batch:
    items: tuple[ScanItem, ...]


class Executor(Protocol):
    workers: int

    def run(
        self, batches: Iterator[Batch], options: HashOptions, max_in_flight: int
    ) -> Iterator[tuple[Batch, list[FileOutcome]]]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """Hash in the calling process, one batch at a time (``--workers 0``; tests; debugging)."""

    workers = 1

    def run(
        self, batches: Iterator[Batch], options: HashOptions, max_in_flight: int
    ) -> Iterator[tuple[Batch, list[FileOutcome]]]:
        for batch in batches:
            yield batch, hash_batch(batch.items, options)

    def close(self) -> None:
        pass


def start_local_cluster(workers: int) -> Any:
    """A ``LocalCluster`` of single-threaded worker processes tuned for hashing.

    Dask starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which pins glibc's mmap threshold
    so every decoded image buffer is mapped and unmapped afresh: hashing ran three times slower
    on a worker than in a plain process (measured 17 vs 52 files/s). Unset, glibc's adaptive
    default applies. Workers of a remote ``--scheduler`` are configured by whoever starts them.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            # The scheduler always serves HTTP; a free loopback port avoids clashing on 8787.
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )


class DaskExecutor:
    """Hash on Dask workers: a new ``LocalCluster`` of processes, a scheduler address, or a client.

    With a remote scheduler the workers open the scanned paths themselves, so they must see the
    same filesystem (a shared mount) under the same paths.
    """

    def __init__(
        self, *, workers: int | None = None, scheduler: str | None = None, client: Any = None
    ) -> None:
        from distributed import Client

        self._cluster: Any = None
        self._owns_client = client is None
        if client is not None:
            self.client = client
        elif scheduler:
            self.client = Client(scheduler)  # type: ignore[no-untyped-call]
        else:
            self._cluster = start_local_cluster(workers or os.cpu_count() or 1)
            self.client = Client(self._cluster)  # type: ignore[no-untyped-call]
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def run(
        self, batches: Iterator[Batch], options: HashOptions, max_in_flight: int
    ) -> Iterator[tuple[Batch, list[FileOutcome]]]:
        from distributed import as_completed

        pending: dict[str, Batch] = {}
        queue: list[Batch] = []  # single-file retries of batches that killed their worker
        completed = as_completed()  # type: ignore[no-untyped-call]

        def submit_next() -> bool:
            batch = queue.pop() if queue else next(batches, None)
            if batch is None:
                return False
            future = self.client.submit(hash_batch, batch.items, options, pure=False)
            pending[future.key] = batch
            completed.add(future)  # type: ignore[no-untyped-call]
            return True

        while len(pending) < max_in_flight and submit_next():
            pass
        for future in completed:
            batch = pending.pop(future.key)
            try:
                outcomes: list[FileOutcome] = future.result()
            except Exception as exc:
                if len(batch.items) > 1:
                    # A file that crashes its worker (a decoder bug) is isolated by retrying
                    # the batch file by file, so only that file is reported as failed.
                    queue.extend(Batch((item,)) for item in reversed(batch.items))
                    outcomes = []
                else:
                    outcomes = [
                        FileOutcome(
                            item.id, error=f"worker failed: {type(exc).__name__}: {exc}"[:500],
                            error_kind="worker_failed",
                        )
                        for item in batch.items
                    ]
            finally:
                future.release()
            while len(pending) < max_in_flight and submit_next():
                pass
            if outcomes or len(batch.items) == 1:
                yield batch, outcomes

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
