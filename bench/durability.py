"""What durability costs on SQLite: commits per second with synchronous=NORMAL (WAL, fsync only at
checkpoints: the last commits can be lost to a power cut) against FULL (fsync of the WAL at every
commit: what the app uses, app/db.py). One small write transaction per commit, like an answer save.

`python bench/durability.py [--commits N]`; prints the two rates and their ratio, asserts nothing.
"""

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path


def commits_per_second(path: Path, synchronous: str, commits: int) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, audit_id INT, value TEXT)")
    started = time.perf_counter()
    for n in range(commits):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO answers (audit_id, value) VALUES (?, ?)", (n % 50, "yes"))
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return commits / elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=2000)
    args, _unknown = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory(prefix="mp-durability-", dir=".") as folder:
        rates = {mode: commits_per_second(Path(folder) / f"{mode}.db", mode, args.commits)
                 for mode in ("NORMAL", "FULL")}
    print(f"{'synchronous':<12} {'commits/s':>10}")
    for mode, rate in rates.items():
        print(f"{mode:<12} {rate:>10.0f}")
    print(f"FULL costs {rates['NORMAL'] / rates['FULL']:.1f}× the time of NORMAL per commit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
