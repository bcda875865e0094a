"""Exchange: VICS import (time, peak memory) and list sync between two instances (time, bytes).

    .venv/bin/python bench/bench_exchange.py --entries 1000000

1. Import. Generates (once, cached under ``bench/.cache``) a VICS 2.0 hash set of ``--entries``
   random benign Media records (MD5, SHA1, a PDQ in AlternativeHashes, a category number and a
   few flags, tags and comments), then times ``hashwarden lists import`` of it into a fresh
   SQLite database, as a subprocess (wall time, CPU time, peak RSS). Side by side, also as
   subprocesses: hashwarden's streaming VICS reader alone (no database), and the naive
   ``json.load`` of the whole file a user might write (a bare parse, nothing stored).
2. Sync. The imported database becomes the publisher: a signing key, a ``subscriber`` token
   granted the list, ``hashwarden serve``. A second database subscribes through a counting TCP
   proxy and ``hashwarden sync`` (subprocess) pulls the whole list; then the publisher adds and
   removes ``--changes / 2`` entries each and the incremental sync is timed the same way. Bytes
   on the wire are what crossed the proxy's sockets in both directions (HTTP headers and bodies;
   no TCP/IP overhead); the feed is not compressed. Both lists are compared afterwards.

Prints one JSON document. The temporary homes are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

CACHE = Path(__file__).resolve().parent / ".cache"
LIST = "bench"
CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"
NAIVE = """import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    print(len(json.load(f)["value"]))
"""
READER_ONLY = """import sys
from pathlib import Path
from hashwarden.formats.base import DEFAULT_OPTIONS, open_for_read
from hashwarden.formats.vics_read import read_vics
with open_for_read(Path(sys.argv[1])) as stream:
    print(sum(1 for _ in read_vics(stream, DEFAULT_OPTIONS)))
"""
HWM = re.compile(r"^VmHWM:\s+(\d+) kB", re.MULTILINE)
LIVE_MD5 = (
    "SELECT s.value FROM entry_signals s JOIN hash_lists l ON l.id = s.list_id "
    "WHERE l.name = ? AND s.removed_seq IS NULL AND s.signal_type = 'md5'"
)


def media_records(rng: np.random.Generator, first: int, count: int) -> list[str]:
    """``count`` VICS Media records as JSON text, MediaID from ``first``."""
    raw = rng.integers(0, 256, size=(count, 16 + 20 + 32), dtype=np.uint8)
    categories = rng.integers(1, 4, size=count)
    records = []
    for i, (row, category) in enumerate(zip(raw, categories, strict=True)):
        digest = row.tobytes().hex()
        media = {
            "MediaID": first + i,
            "Category": int(category),
            "MD5": digest[:32].upper(),
            "SHA1": digest[32:72].upper(),
            "AlternativeHashes": [{"HashName": "PDQ", "HashValue": digest[72:]}],
            "Series": None,
            "VictimIdentified": "false",
            "OffenderIdentified": "false",
            "IsDistributed": "true" if i % 3 else "false",
            "Tags": ["synthetic", "bench"],
            "Comments": "benign synthetic record",
        }
        records.append(json.dumps(media, separators=(",", ":")))
    return records


def vics_file(entries: int) -> Path:
    """A cached VICS 2.0 hash set with ``entries`` Media records (header count deliberately
    absent: real exports often get it wrong and readers ignore it)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"exchange_{entries}.vics.json"
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    rng = np.random.default_rng(4242)
    chunk = 50_000
    with partial.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"@odata.context": CONTEXT})[:-1] + ',"value":[')
        for start in range(0, entries, chunk):
            records = media_records(rng, start + 1, min(chunk, entries - start))
            out.write(("," if start else "") + "\n" + ",\n".join(records))
        out.write("\n]}\n")
    partial.rename(path)
    return path


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    stdout: str


def measure(args: Sequence[str], env: dict[str, str], logs: Path) -> Run:
    """Run a subprocess to the end: its wall time and the peak RSS of its own memory.

    The peak is the kernel's high-water mark (``VmHWM``) of the process after ``exec``, read
    every 20 ms. Not ``wait4``'s ``ru_maxrss``: Linux carries the pre-``exec`` (this process's,
    via vfork) peak into it, so every child would report at least this script's size.
    """
    logs.mkdir(parents=True, exist_ok=True)
    stem = logs / str(time.monotonic_ns())
    out_path, err_path = stem.with_suffix(".out"), stem.with_suffix(".err")
    peak_kb = 0
    with out_path.open("wb") as out, err_path.open("wb") as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        status = Path(f"/proc/{process.pid}/status")
        while True:
            try:
                found = HWM.search(status.read_text())
            except OSError:  # already reaped
                found = None
            peak_kb = max(peak_kb, int(found.group(1)) if found else 0)
            try:
                process.wait(timeout=0.02)
                break
            except subprocess.TimeoutExpired:
                continue
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if process.returncode != 0:
        tail = err_path.read_text(errors="replace")[-3000:]
        command = " ".join(arg[:40] for arg in args[1:])
        raise RuntimeError(f"{command} exited {process.returncode}:\n{tail}")
    return Run(seconds, cpu, round(peak_kb * 1024 / 1e6, 1), out_path.read_text())


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid`` and its descendants."""
    ticks = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        todo += [int(child) for child in children]
    return ticks / os.sysconf("SC_CLK_TCK")


def environment(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "HASHWARDEN_HOME": str(home), "COLUMNS": "200",
            "HASHWARDEN_DATABASE_URL": f"sqlite:///{home / 'hashwarden.db'}"}  # fmt: skip


def hashwarden(*args: str) -> list[str]:
    return [sys.executable, "-m", "hashwarden", *args]


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(hashwarden(*args), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"hashwarden {' '.join(args[:3])} exited {done.returncode}:\n"
                           f"{done.stderr[-3000:]}")  # fmt: skip
    return done.stdout


def rate(count: int, seconds: float) -> float:
    return round(count / seconds) if seconds > 0 else 0.0


def bench_import(vics: Path, entries: int, env: dict[str, str], logs: Path) -> dict[str, object]:
    cli(env, "lists", "create", LIST)  # migrates the database outside the timed run
    imported = measure(hashwarden("lists", "import", LIST, str(vics), "--format", "vics"),
                       env, logs)  # fmt: skip
    reader = measure([sys.executable, "-c", READER_ONLY, str(vics)], env, logs)
    naive = measure([sys.executable, "-c", NAIVE, str(vics)], env, logs)
    assert int(naive.stdout) == entries == int(reader.stdout), "record counts differ"
    return {
        "file_mb": round(vics.stat().st_size / 1e6, 1),
        "import_s": round(imported.seconds, 2),
        "import_entries_per_s": rate(entries, imported.seconds),
        "import_cpu_s": round(imported.cpu_seconds, 2),
        "import_peak_rss_mb": imported.peak_rss_mb,
        "reader_only_s": round(reader.seconds, 2),
        "reader_only_peak_rss_mb": reader.peak_rss_mb,
        "json_load_s": round(naive.seconds, 2),
        "json_load_peak_rss_mb": naive.peak_rss_mb,
        "time_ratio_import_to_json_load": round(imported.seconds / naive.seconds, 2),
        "rss_ratio_import_to_json_load": round(imported.peak_rss_mb / naive.peak_rss_mb, 2),
    }


class CountingProxy:
    """A TCP relay on a free loopback port that counts the bytes it passes each way."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.counts = {"bytes_to_subscriber": 0, "bytes_to_publisher": 0}
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.port = 0
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _connection(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            up = self._pipe(client_r, upstream_w, "bytes_to_publisher")
            await asyncio.gather(up, self._pipe(upstream_r, client_w, "bytes_to_subscriber"))
        finally:
            for writer in (client_w, upstream_w):
                writer.close()

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, count: str
    ) -> None:
        try:
            while data := await source.read(1 << 16):
                self.counts[count] += len(data)
                sink.write(data)
                await sink.drain()
            if sink.can_write_eof():
                sink.write_eof()
        except (ConnectionError, OSError):
            pass

    def take(self) -> dict[str, int]:
        """Bytes since the last call, and reset."""
        counted = dict(self.counts)
        self.counts = dict.fromkeys(counted, 0)
        return counted

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = hashwarden("serve", "--port", str(port), "--log-level", "warning")
    quiet = subprocess.DEVNULL
    server = subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("hashwarden serve exited")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("hashwarden serve did not become ready")


def live_md5s(database: Path, list_name: str) -> list[str]:
    with sqlite3.connect(database) as connection:
        return sorted(row[0] for row in connection.execute(LIVE_MD5, (list_name,)))


def change_publisher(database: Path, count: int) -> None:
    """Add ``count // 2`` new entries and remove as many random live ones, in two batches."""
    from hashwarden.core.lists.models import EntryData, Signal
    from hashwarden.core.lists.services import ListService
    from hashwarden.storage.database import create_engine
    from hashwarden.storage.list_store import SqlListStore

    with sqlite3.connect(database) as connection:
        ids = [row[0] for row in connection.execute(
            "SELECT e.id FROM entries e JOIN hash_lists l ON l.id = e.list_id "
            "WHERE l.name = ? AND e.removed_at IS NULL", (LIST,))]  # fmt: skip
    half = count // 2
    rng = random.Random(99)
    signals = [(Signal("md5", f"{rng.getrandbits(128):032x}"),
                Signal("pdq", f"{rng.getrandbits(256):064x}")) for _ in range(half)]  # fmt: skip
    fresh = [EntryData(signals=pair, notes="benign synthetic entry") for pair in signals]
    engine = create_engine(f"sqlite:///{database}")
    try:
        service = ListService(SqlListStore(engine))
        service.add_entries(LIST, fresh, actor="bench")
        service.remove_entries(LIST, rng.sample(ids, count - half), actor="bench")
    finally:
        engine.dispose()


def timed_sync(
    command: list[str], env: dict[str, str], logs: Path, proxy: CountingProxy, server: int
) -> dict[str, object]:
    """One ``hashwarden sync``: its time, CPU and memory, the publisher's CPU, the bytes."""
    proxy.take()
    publisher_cpu = cpu_seconds(server)
    run = measure(command, env, logs)
    publisher_cpu = cpu_seconds(server) - publisher_cpu
    wire = proxy.take()
    [report] = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    if not report["ok"]:
        raise RuntimeError(f"sync failed: {report['error']}")
    changes: int = report["changes"]
    total = wire["bytes_to_subscriber"] + wire["bytes_to_publisher"]
    return {
        "changes": changes,
        "pages": report["pages"],
        "seconds": round(run.seconds, 2),
        "changes_per_s": rate(changes, run.seconds),
        "subscriber_cpu_s": round(run.cpu_seconds, 2),
        "publisher_cpu_s": round(publisher_cpu, 2),
        "subscriber_peak_rss_mb": run.peak_rss_mb,
        **wire,
        "bytes_total": total,
        "bytes_per_change": round(total / max(changes, 1), 1),
    }


def bench_sync(
    work: Path, pub_env: dict[str, str], entries: int, changes: int, page_size: int
) -> dict[str, object]:
    publisher_db = Path(pub_env["HASHWARDEN_HOME"]) / "hashwarden.db"
    key = json.loads(cli(pub_env, "keys", "create").splitlines()[0])["public_key"]
    token = json.loads(cli(pub_env, "tokens", "create", "--name", "bench-subscriber",
                           "--role", "subscriber", "--list", LIST))["token"]  # fmt: skip
    port = free_port()
    started = time.perf_counter()
    server = start_server(pub_env, port)
    startup_s = time.perf_counter() - started
    proxy = CountingProxy(port)
    sub_env = environment(work / "subscriber")
    subscriber_db = work / "subscriber" / "hashwarden.db"
    token_file = work / "subscriber" / "publisher.token"
    token_file.write_text(token + "\n")
    sync = hashwarden("sync", "feed", "--page-size", str(page_size))
    try:
        cli(sub_env, "subscriptions", "add", "feed", "--url", f"http://127.0.0.1:{proxy.port}",
            "--list", LIST, "--into", "mirror", "--token-file", str(token_file),
            "--public-key", key)  # fmt: skip
        full = timed_sync(sync, sub_env, work / "logs", proxy, server.pid)
        full_ok = live_md5s(subscriber_db, "mirror") == live_md5s(publisher_db, LIST)
        change_publisher(publisher_db, changes)
        incremental = timed_sync(sync, sub_env, work / "logs", proxy, server.pid)
        delta_ok = live_md5s(subscriber_db, "mirror") == live_md5s(publisher_db, LIST)
    finally:
        proxy.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
    if (full["changes"], incremental["changes"]) != (entries, changes):
        raise RuntimeError(f"unexpected change counts: {full['changes']}, {incremental['changes']}")
    if not (full_ok and delta_ok):
        raise RuntimeError(
            f"the mirror differs from the publisher's list ({full_ok=}, {delta_ok=})"
        )
    return {"page_size": page_size, "publisher_startup_s": round(startup_s, 1),
            "full": full, "incremental": incremental}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=1000,
                        help="incremental sync: half added, half removed")  # fmt: skip
    parser.add_argument("--page-size", type=int, default=1000,
                        help="changes per feed page (hashwarden sync's default)")  # fmt: skip
    parser.add_argument("--skip-sync", action="store_true", help="only the import figures")
    args = parser.parse_args()
    started = time.perf_counter()
    vics = vics_file(args.entries)
    generate_s = time.perf_counter() - started
    work = Path(tempfile.mkdtemp(prefix="hw-exchange-"))
    try:
        pub_env = environment(work / "publisher")
        importing = bench_import(vics, args.entries, pub_env, work / "logs")
        print(f"  import: {importing['import_s']} s", file=sys.stderr)
        result: dict[str, object] = {"entries": args.entries, "import": importing}
        if not args.skip_sync:
            result["sync"] = bench_sync(work, pub_env, args.entries, args.changes, args.page_size)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["file_generation_s"] = round(generate_s, 1)  # 0 when cached
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
