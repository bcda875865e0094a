"""``POST /v1/match/media`` throughput against the core's own hashing rate, side by side.

    .venv/bin/python bench/bench_media_api.py --workers 2 --seconds 20 --clients 4

Uploads one benign 1024x768 JPEG (scikit-image's ``astronaut``, resized) again and again from
``--clients`` threads of a second process to ``hashwarden serve`` (demo-sized list), and compares
the uploads answered per second with ``hash_media`` in a plain loop on one core, which is what
the endpoint must do per upload (MD5, SHA-1, SHA-256, PDQ and its dihedral variants).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from PIL import Image


def sample_jpeg() -> bytes:
    from skimage import data

    image = Image.fromarray(data.astronaut()).resize((1024, 768))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def core_rate(jpeg: bytes, seconds: float) -> float:
    from hashwarden.core.media.hashing import hash_media

    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        hash_media(jpeg)
        done += 1
    return done / (time.perf_counter() - start)


def api_rate(jpeg: bytes, workers: int, seconds: float, clients: int) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="hw-media-bench-"))
    env = {**os.environ, "HASHWARDEN_HOME": str(home), "COLUMNS": "200"}
    env.pop("HASHWARDEN_DATABASE_URL", None)
    hashwarden = str(Path(sys.executable).with_name("hashwarden"))
    subprocess.run([hashwarden, "demo"], env=env, check=True, capture_output=True)
    created = subprocess.run(
        [hashwarden, "tokens", "create", "--name", "bench", "--role", "platform"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    token = json.loads(created.stdout)["token"]
    port = 19000 + secrets.randbelow(1000)
    server = subprocess.Popen(
        [hashwarden, "serve", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        counts = [0] * clients
        latencies: list[float] = []
        stop = time.monotonic() + seconds

        def client(slot: int) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                while time.monotonic() < stop:
                    started = time.perf_counter()
                    reply = http.post("/v1/match/media", files={"file": ("u.jpg", jpeg)})
                    reply.raise_for_status()
                    latencies.append(time.perf_counter() - started)
                    counts[slot] += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    latencies.sort()
    return {
        "uploads_per_s": round(sum(counts) / elapsed, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
        "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    jpeg = sample_jpeg()
    per_core = core_rate(jpeg, 10)
    api = api_rate(jpeg, args.workers, args.seconds, args.clients)
    print(json.dumps({
        "image": "1024x768 JPEG", "bytes": len(jpeg), "workers": args.workers,
        "core_hash_media_per_s_one_core": round(per_core, 1), **api,
        "api_vs_core_per_worker": round(api["uploads_per_s"] / (per_core * args.workers), 2),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
