"""HTTP matching throughput: ``POST /v1/match`` with one PDQ per request, load from wrk.

    .venv/bin/python bench/bench_api.py --hashes 1000000 --workers 1 2 --seconds 20

Builds (once, cached under ``bench/.cache``) a SQLite database holding one block list of random
PDQ hashes, starts ``hashwarden serve`` on it, waits until every worker has loaded its index,
then drives it from a second process with ``wrk`` (Debian package ``wrk``) on loopback: each
request carries one random PDQ hash (a near-duplicate of a listed one in 1 of 10 requests, so
the hit path with its database read is measured too). Prints requests/s, latency percentiles
and the server's memory summed over its processes (RSS, and PSS, which counts pages the
workers share once). ``--seconds 0`` only starts the server and reports memory.

Reference (from the issue, same machine): Meta's HMA 2.0 with gunicorn, 2 workers and
PostgreSQL answers 760-990 requests/s at 1M hashes (p99 11-18 ms) with 788 MB per worker.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

CACHE = Path(__file__).resolve().parent / ".cache"
LUA = r"""
math.randomseed(os.time())
local hexdigits = "0123456789abcdef"
local listed = {}
for line in io.lines(os.getenv("HW_SAMPLE")) do listed[#listed + 1] = line end
local function random_hash()
  local t = {}
  for i = 1, 64 do local k = math.random(1, 16); t[i] = hexdigits:sub(k, k) end
  return table.concat(t)
end
local function near(h)
  local i = math.random(1, 64)
  local k = math.random(1, 16)
  return h:sub(1, i - 1) .. hexdigits:sub(k, k) .. h:sub(i + 1)
end
local batch = tonumber(os.getenv("HW_BATCH") or "1")
local function one()
  if math.random(1, 10) == 1 then return near(listed[math.random(1, #listed)]) end
  return random_hash()
end
request = function()
  local values = {}
  for i = 1, batch do values[i] = one() end
  local body = '{"signals": {"pdq": ["' .. table.concat(values, '", "') .. '"]}}'
  return wrk.format("POST", "/v1/match", nil, body)
end
"""


def build_database(hashes: int) -> tuple[Path, Path]:
    """A cached SQLite database with list ``bench`` of ``hashes`` random PDQ entries."""
    from hashwarden.core.lists.models import EntryData, Signal
    from hashwarden.core.lists.records import ParsedRecord
    from hashwarden.core.lists.services import ListService
    from hashwarden.storage.database import create_engine
    from hashwarden.storage.list_store import SqlListStore

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"api_{hashes}.db"
    sample = CACHE / f"api_{hashes}.sample"
    if path.exists() and sample.exists():
        return path, sample
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{partial}")
    service = ListService(SqlListStore(engine))
    service.create_list("bench", thresholds={"pdq": 31})
    rng = np.random.default_rng(2026)
    chunk = 100_000
    started = time.perf_counter()
    for start in range(0, hashes, chunk):
        count = min(chunk, hashes - start)
        raw = rng.integers(0, 256, size=(count, 32), dtype=np.uint8)
        values = [row.tobytes().hex() for row in raw]
        if start == 0:
            sample.write_text("\n".join(values[:1000]) + "\n")
        records = (
            ParsedRecord(i, EntryData(signals=(Signal("pdq", value),)))
            for i, value in enumerate(values, 1)
        )
        service.import_records("bench", records, actor="bench")
        print(f"  database: {start + count:,} hashes, {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
    engine.dispose()
    partial.rename(path)
    return path, sample


def server_memory(pid: int) -> dict[str, int]:
    """RSS and PSS in MB of ``pid`` and all its descendants.

    RSS counts a page shared by N workers N times; PSS (proportional set size) counts 1/N of it
    in each, so the PSS sum is what the service really occupies.
    """
    totals = {"rss": 0, "pss": 0}
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for key, name in (("rss", "Rss"), ("pss", "Pss")):
            found = re.search(rf"^{name}:\s+(\d+) kB", rollup, re.MULTILINE)
            totals[key] += int(found.group(1)) * 1024 if found else 0
        todo += [int(child) for child in children]
    return {f"server_{key}_mb": round(value / 1e6) for key, value in totals.items()}


def run(
    database: Path,
    sample: Path,
    workers: int,
    seconds: int,
    connections: int,
    shared: bool,
    batch: int = 1,
) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix="hw-bench-"))
    db_copy = home / "hashwarden.db"
    shutil.copy(database, db_copy)
    env = {**os.environ, "HASHWARDEN_HOME": str(home),
           "HASHWARDEN_DATABASE_URL": f"sqlite:///{db_copy}", "COLUMNS": "200",
           # Copies of one database share its instance id, so runs reuse one index snapshot
           # (the first run's start-up includes building it).
           "HASHWARDEN_INDEX_DIR": str(CACHE / "index")}  # fmt: skip
    port = 18000 + secrets.randbelow(1000)
    hashwarden = Path(sys.executable).with_name("hashwarden")
    token = json.loads(subprocess.run(
        [str(hashwarden), "tokens", "create", "--name", "bench", "--role", "platform"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout)["token"]  # fmt: skip
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(hashwarden), "serve", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning", "--shared-index" if shared else "--private-index"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        ready = 0
        while ready < 4 * workers:  # every worker answers ready (connections spread over them)
            try:
                ready = ready + 1 if httpx.get(f"{base}/readyz").status_code == 200 else 0
            except httpx.TransportError:
                ready = 0
            time.sleep(0.05)
            if time.perf_counter() - started > 900:
                raise RuntimeError("server did not become ready")
        load_s = time.perf_counter() - started
        idle = server_memory(server.pid)
        if seconds <= 0:
            return {"workers": workers, "shared_index": shared, "startup_s": round(load_s, 1),
                    **idle}  # fmt: skip
        script = home / "match.lua"
        script.write_text(LUA)
        wrk_env = {**os.environ, "HW_SAMPLE": str(sample), "HW_BATCH": str(batch)}
        subprocess.run(["wrk", "-t1", "-c4", "-d3s", "-s", str(script), "-H",
                        f"Authorization: Bearer {token}", "-H", "Content-Type: application/json",
                        base], env=wrk_env, capture_output=True, check=True)  # fmt: skip  # warm-up
        # Memory every 30 s while the load runs: a long run (--seconds 600) is the soak test.
        samples: list[int] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(30):
                samples.append(server_memory(server.pid)["server_pss_mb"])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            out = subprocess.run(
                ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
                 str(script), "-H", f"Authorization: Bearer {token}", "-H",
                 "Content-Type: application/json", base],
                env=wrk_env, capture_output=True, check=True, text=True,
            ).stdout  # fmt: skip
        finally:
            done.set()
        loaded = server_memory(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"\s+(50|75|90|99)%\s+([\d.]+\w+)", out))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"workers": workers, "shared_index": shared, "batch": batch,
            "requests_per_s": rate, "hashes_per_s": round(rate * batch),
            "latency": percentiles, "non_2xx": int(errors.group(1)) if errors else 0,
            **loaded, "pss_mb_every_30s": samples, "startup_s": round(load_s, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--batch", type=int, default=1, help="PDQ hashes per request")
    parser.add_argument("--private-index", action="store_true",
                        help="a private in-memory index per worker instead of the shared one")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    database, sample = build_database(args.hashes)
    results = [
        run(database, sample, w, args.seconds, args.connections, not args.private_index,
            args.batch)
        for w in args.workers
    ]
    print(json.dumps({"hashes": args.hashes, "runs": results}, indent=2))


if __name__ == "__main__":
    main()
