"""Crash test: kill `zwgk seal` and `zwgk bundle import` (SIGKILL) at random moments, then check
what a power cut would leave.

After every kill the database must pass `PRAGMA integrity_check`, and the archive must be whole:
a quarter fully sealed (a seal row and one sealed item per item) or not sealed at all; a bundle
fully imported (every seal and item) or not at all. Prints the figures; asserts nothing. Run:
    .venv/bin/python benchmarks/crash_test.py [ROUNDS]      # ROUNDS of each kind, 100 by default
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
from collections.abc import Callable
from pathlib import Path

ZWGK = str(Path(sys.executable).with_name("zwgk"))


def copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    a, b = sqlite3.connect(source), sqlite3.connect(target)
    a.backup(b)
    a.close()
    b.close()


def zwgk(*args: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([ZWGK, *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def seal_state(db: Path) -> tuple[str, str]:
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


def import_state(expected: tuple[int, int]) -> Callable[[Path], tuple[str, str]]:
    def check(db: Path) -> tuple[str, str]:
        connection = sqlite3.connect(db)
        try:
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            seals = connection.execute("SELECT count(*) FROM seal").fetchone()[0]
            items = connection.execute("SELECT count(*) FROM disclosure_item").fetchone()[0]
            sealed = connection.execute("SELECT count(*) FROM sealed_item").fetchone()[0]
        finally:
            connection.close()
        if seals == items == sealed == 0:
            return integrity, "not imported"
        if (seals, sealed) == expected and items == sealed:
            return integrity, "imported"
        return integrity, f"HALF: {seals} seals, {items} items, {sealed} sealed items"
    return check


def kill_loop(name: str, rounds: int, rng: random.Random, start: Path, work: Path, command: list[str],
              full: float, check: Callable[[Path], tuple[str, str]], env: dict[str, str]) -> None:
    outcomes: dict[str, int] = {}
    bad = 0
    for number in range(rounds):
        copy_database(start, work)
        process = subprocess.Popen([ZWGK, *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0, full * 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        integrity, outcome = check(work)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if integrity != "ok" or outcome.startswith("HALF"):
            bad += 1
            print(f"  {name} round {number + 1}: integrity {integrity}, {outcome}")
    print(f"{name}: a whole run takes {full:.2f} s; killed {rounds} at random moments in 0–{full * 1.2:.2f} s.")
    print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"  databases failing integrity_check or half done: {bad} of {rounds}")


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rng = random.Random(20261122)
    with tempfile.TemporaryDirectory(prefix="zwgk_crash_") as folder:
        root = Path(folder)
        env = {**os.environ, "ZWGK_DATA_DIR": folder}
        fresh, sealed, township, work = (root / f"{n}.sqlite3" for n in ("fresh", "sealed", "township", "work"))
        zwgk("demo", "--db", str(fresh), env=env)
        copy_database(fresh, sealed)
        zwgk("seal", "--db", str(sealed), "--village", "donggang", "--period", "2026Q1", "--by", "基准", env=env)
        full_seal = zwgk("seal", "--db", str(sealed), "--village", "donggang", "--period", "2026Q2", "--by", "基准",
                         env=env)
        bundle = root / "donggang.zwgk"
        zwgk("bundle", "export", "--db", str(sealed), "--village", "donggang", "-o", str(bundle), env=env)
        zwgk("init", "--db", str(township), "--township", "青山镇", env=env)
        copy_database(township, work)
        # The village's fingerprint, as its clerk reads it to the township (archive.signing).
        connection = sqlite3.connect(sealed)
        (fingerprint,) = connection.execute("SELECT fingerprint FROM village_key").fetchone()
        connection.close()
        trust = ["--trust-fingerprint", fingerprint, "--confirmed-by", "李乡长"]
        full_import = zwgk("bundle", "import", "--db", str(work), str(bundle), *trust, env=env)
        connection = sqlite3.connect(work)
        expected = (connection.execute("SELECT count(*) FROM seal").fetchone()[0],
                    connection.execute("SELECT count(*) FROM sealed_item").fetchone()[0])
        connection.close()
        # Seal 2026Q2 on a database where 2026Q1 is not sealed yet: the demo as it comes.
        kill_loop("seal", rounds, rng, fresh, work,
                  ["seal", "--db", str(work), "--village", "donggang", "--period", "2026Q2", "--by", "测试"],
                  full_seal, seal_state, env)
        kill_loop("bundle import", rounds, rng, township, work,
                  ["bundle", "import", "--db", str(work), str(bundle), *trust],
                  full_import, import_state(expected), env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
