"""Build an index snapshot in a child process: ``python -m hashwarden.snapshots.build ROOT``.

Loading millions of signals from the database creates millions of short-lived Python objects;
a worker that did it itself would keep that heap (CPython rarely returns it to the system) next
to the shared mapping it then uses. A child process gives all of it back when it exits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hashwarden.snapshots.files import capture

_URL_ENV = "HASHWARDEN_SNAPSHOT_DATABASE_URL"


def build_in_child(database_url: str, root: Path, timeout: float = 6 * 3600) -> None:
    """Run the build in a fresh interpreter; raises ``RuntimeError`` with its error output."""
    done = subprocess.run(
        [sys.executable, "-m", "hashwarden.snapshots.build", str(root)],
        # In the environment, not the command line: the URL may hold a password.
        env={**os.environ, _URL_ENV: database_url},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"index snapshot build failed: {detail[0]}")


def main(argv: list[str]) -> int:
    from hashwarden.core.matching.matcher import Matcher
    from hashwarden.snapshots.directory import SnapshotDirectory
    from hashwarden.storage.database import create_engine
    from hashwarden.storage.list_store import SqlListStore

    [root] = argv
    engine = create_engine(os.environ[_URL_ENV])
    try:
        matcher = Matcher(SqlListStore(engine, migrate=False))
        # The parent holds the directory lock; this process only writes.
        SnapshotDirectory(Path(root)).write(capture(matcher.index))
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
