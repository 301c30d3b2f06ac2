"""Tamper test: random single changes made directly in the SQLite file of a sealed archive —
an amount, a name, a byte of a stored PDF, a deleted row, a reordered chain, the sealed public
content — and how many of them `verify` detects and attributes to an item or a seal.

Prints the figures; asserts nothing. Run:  .venv/bin/python benchmarks/tamper_trials.py [TRIALS]
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_archive import TAMPERS  # the same single changes the tests make

from zwgk_desktop.archive.seal import verify
from zwgk_desktop.db.engine import open_engine, session_factory

ZWGK = str(Path(sys.executable).with_name("zwgk"))


def main() -> int:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    rng = random.Random(4)
    with tempfile.TemporaryDirectory(prefix="zwgk_tamper_") as folder:
        env = {**os.environ, "ZWGK_DATA_DIR": folder}
        base = Path(folder) / "sealed.sqlite3"
        subprocess.run([ZWGK, "demo", "--db", str(base)], check=True, capture_output=True, env=env)
        for village in ("donggang", "liushuwan"):
            for period in ("2025Q4", "2026Q1", "2026Q2"):
                subprocess.run([ZWGK, "seal", "--db", str(base), "--village", village, "--period", period],
                               check=True, capture_output=True, env=env)
        detected: dict[str, list[int]] = {kind: [0, 0] for kind in TAMPERS}
        for trial in range(trials):
            kind = rng.choice(list(TAMPERS))
            work = Path(folder) / f"t{trial}.sqlite3"
            source, target = sqlite3.connect(base), sqlite3.connect(work)
            source.backup(target)
            source.close()
            TAMPERS[kind](target, rng)
            target.commit()
            target.close()
            engine = open_engine(str(work))
            with session_factory(engine)() as session:
                _, problems = verify(session)
            engine.dispose()
            work.unlink()
            named = any("事项" in str(p) or "封存" in str(p) for p in problems)
            detected[kind][0] += 1
            detected[kind][1] += 1 if problems and named else 0
        total = sum(n for n, _ in detected.values())
        found = sum(d for _, d in detected.values())
        for kind, (n, d) in detected.items():
            print(f"  {kind:<16} {d} of {n} detected")
        print(f"Tamper trials: {found} of {total} detected and named by verify")
    return 0


if __name__ == "__main__":
    sys.exit(main())
