"""Tamper test: random single changes made directly in the SQLite file of a sealed archive —
an amount, a name, a byte of a stored PDF, a deleted row, a reordered chain, the sealed public
content — and how many of them `verify` detects and attributes to an item or a seal.

Then the attacks of a forger who holds the file and knows every hash's format (tests/forgery.py:
rows changed and every hash recomputed, the last seal deleted, with its items too, the whole chain
re-signed, the chain forked), each on a copy with the triggers dropped: what `verify` says alone,
and what `verify --against` says given the online copy and the bundle exported before the attack.

Prints the figures; asserts nothing. Run:  .venv/bin/python benchmarks/tamper_trials.py [TRIALS]
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_anchors import ATTACKS, _attacked  # the forger's attacks the anchor tests make
from test_archive import TAMPERS  # the same single changes the tests make

from zwgk_desktop.archive.seal import verify
from zwgk_desktop.db.engine import open_engine, session_factory

ZWGK = str(Path(sys.executable).with_name("zwgk"))


def main() -> int:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    rng = random.Random(4)
    with tempfile.TemporaryDirectory(prefix="zwgk_tamper_") as folder:
        os.environ["ZWGK_DATA_DIR"] = folder  # the keys sealing makes, for this process's forger too
        env = {**os.environ}
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
        anchor_trials(base, Path(folder), env)
    return 0


def anchor_trials(base: Path, folder: Path, env: dict[str, str]) -> None:
    """Each attack against the anchors published before it: the online copy and a bundle."""
    site, bundle = folder / "www", folder / "donggang.zwgk"
    subprocess.run([ZWGK, "site", "--db", str(base), "-o", str(site)], check=True, capture_output=True, env=env)
    subprocess.run([ZWGK, "bundle", "export", "--db", str(base), "--village", "donggang", "-o", str(bundle)],
                   check=True, capture_output=True, env=env)
    print("Attacks by a forger holding the file (triggers dropped, every hash recomputed as needed):")
    print(f"  {'attack':<38} {'verify':<12} {'--against site':<16} {'--against bundle':<16} named")
    caught = 0
    for attack, said in ATTACKS.items():
        attacked_folder = folder / attack.replace(" ", "-").replace(",", "")
        attacked_folder.mkdir()
        copy = _attacked(base, attacked_folder, attack)
        codes, named = [], True
        for against in ((), ("--against", str(site)), ("--against", str(bundle))):
            started = time.perf_counter()
            run = subprocess.run([ZWGK, "verify", "--db", str(copy), *against], capture_output=True, text=True, env=env)
            codes.append(f"{run.returncode} ({time.perf_counter() - started:.1f} s)")
            if against:
                named = named and run.returncode == 1 and said in run.stdout
        caught += named
        print(f"  {attack:<38} {codes[0]:<12} {codes[1]:<16} {codes[2]:<16} {'yes' if named else 'NO'}")
    print(f"Anchors: {caught} of {len(ATTACKS)} attacks caught and named by verify --against (site and bundle)")


if __name__ == "__main__":
    sys.exit(main())
