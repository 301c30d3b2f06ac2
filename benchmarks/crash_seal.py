"""Crash test: kill `zwgk seal` (SIGKILL) at random moments, then check what a power cut would leave.

After every kill the database must pass `PRAGMA integrity_check`, and the quarter must be either
fully sealed (a seal row and one sealed item per item of the quarter) or not sealed at all.
Prints the figures; asserts nothing. Run:  .venv/bin/python benchmarks/crash_seal.py [ROUNDS]
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ZWGK = str(Path(sys.executable).with_name("zwgk"))


def copy_database(source: Path, target: Path) -> None:
    a, b = sqlite3.connect(source), sqlite3.connect(target)
    a.backup(b)
    a.close()
    b.close()


def state(db: Path) -> tuple[str, str]:
    connection = sqlite3.connect(db)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        seals = connection.execute("SELECT id FROM seal WHERE village_id = 1 AND period = '2026Q2'").fetchall()
        items = connection.execute(
            "SELECT count(*) FROM disclosure_item WHERE village_id = 1 AND period = '2026Q2'").fetchone()[0]
        sealed = connection.execute("SELECT count(*) FROM sealed_item").fetchone()[0]
    finally:
        connection.close()
    if not seals:
        return integrity, "not sealed" if sealed == 0 else f"HALF: {sealed} sealed items without a seal"
    return integrity, "sealed" if sealed == items else f"HALF: {sealed} of {items} items sealed"


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rng = random.Random(20261122)
    with tempfile.TemporaryDirectory(prefix="zwgk_crash_") as folder:
        base = Path(folder) / "base.sqlite3"
        env = {**os.environ, "ZWGK_DATA_DIR": folder}
        subprocess.run([ZWGK, "demo", "--db", str(base)], check=True, capture_output=True, env=env)
        start = time.perf_counter()
        subprocess.run([ZWGK, "seal", "--db", str(base), "--village", "donggang", "--period", "2026Q2", "--by",
                        "基准"], check=True, capture_output=True, env={**env, "ZWGK_DATA_DIR": folder + "/t"})
        full = time.perf_counter() - start
        copy_database(base, Path(folder) / "sealed.sqlite3")
        subprocess.run([ZWGK, "demo", "--db", str(base) + ".fresh"], check=True, capture_output=True, env=env)
        fresh = Path(str(base) + ".fresh")
        outcomes: dict[str, int] = {}
        bad = 0
        for _ in range(rounds):
            work = Path(folder) / "work.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(str(work) + suffix).unlink(missing_ok=True)
            copy_database(fresh, work)
            process = subprocess.Popen([ZWGK, "seal", "--db", str(work), "--village", "donggang", "--period",
                                        "2026Q2", "--by", "测试"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, env=env)
            time.sleep(rng.uniform(0, full * 1.2))
            process.send_signal(signal.SIGKILL)
            process.wait()
            integrity, outcome = state(work)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if integrity != "ok" or outcome.startswith("HALF"):
                bad += 1
                print(f"  round {_ + 1}: integrity {integrity}, {outcome}")
        print(f"A whole seal takes {full:.2f} s; killed {rounds} seals at random moments in 0–{full * 1.2:.2f} s.")
        print("Outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
        print(f"Databases failing integrity_check or half sealed: {bad} of {rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
