#!/usr/bin/env python3
"""Hold the pure modules at their coverage floors (run by `.ci/run` after `pytest --cov`).

The modules below are pure: values in, values out, no database, no Qt, no files of the user's.
Everything a clerk or an auditor relies on is decided in them (amounts, ID numbers, quarters and the
official calendar, the checks, the board's pages, the content hashes and the web addresses), and
each can be tested completely without starting anything, so each stays at 95 % or more of its lines
covered by the tests. qutebrowser's scripts/dev/check_coverage.py is the model: a fixed list, and a
clear failure naming the module and the lines when one drops below its floor, or when a listed
module is no longer measured (moved or renamed: move its line too).

Usage: .venv/bin/python scripts/check_coverage.py [--data-file .coverage]
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import coverage
from coverage.exceptions import NoSource

ROOT = Path(__file__).resolve().parent.parent

FLOOR = 95.0

# Module (path from the repository's root) → why it is held. Choose by measuring: a pure module that
# the tests cover at 95 % or more belongs here; one just under gets the tests it lacks first.
PURE_MODULES: dict[str, str] = {
    "zwgk_desktop/domain/money.py": "amounts in 分, typed and printed",
    "zwgk_desktop/domain/periods.py": "quarters, publicity periods, working days",
    "zwgk_desktop/domain/identity.py": "ID numbers: check digits, finding and masking them",
    "zwgk_desktop/domain/fields.py": "a cell typed by a clerk, read as its field's value",
    "zwgk_desktop/domain/categories.py": "the categories' fields and their rules over rows",
    "zwgk_desktop/domain/items.py": "an item and the one checker of it",
    "zwgk_desktop/domain/glyphs.py": "which characters a sheet can print (the fonts' table)",
    "zwgk_desktop/render/board.py": "board pagination: an item laid out as A3 sheets",
    "zwgk_desktop/render/public.py": "what the public sees of an item, and its verification code",
    "zwgk_desktop/render/correction.py": "what a correction changed, as the public sees it",
}


def percent(cov: coverage.Coverage, path: Path) -> float:
    """The module's covered share, as `coverage report` counts it (lines, and branches if measured)."""
    return float(cov.report(include=[str(path)], file=io.StringIO(), ignore_errors=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-file", default=str(ROOT / ".coverage"), help="coverage data (default: .coverage)")
    args = parser.parse_args(argv)
    if not Path(args.data_file).exists():
        print(f"check_coverage: no coverage data at {args.data_file}: run `python -m pytest --cov` first",
              file=sys.stderr)
        return 2
    cov = coverage.Coverage(data_file=args.data_file, config_file=str(ROOT / "pyproject.toml"))
    cov.load()
    measured = {Path(name).resolve() for name in cov.get_data().measured_files()}
    failures: list[str] = []
    for module, why in PURE_MODULES.items():
        path = ROOT / module
        if not path.exists() or path.resolve() not in measured:
            failures.append(f"{module} ({why}) is listed but was not measured: moved, renamed or no longer "
                            "imported by any test? Update PURE_MODULES in scripts/check_coverage.py.")
            continue
        try:
            share = percent(cov, path)
        except NoSource as error:
            failures.append(f"{module}: {error}")
            continue
        if share < FLOOR:
            _, _, _, _, missing = cov.analysis2(str(path))
            failures.append(f"{module} ({why}) is covered {share:.1f} %, below its floor of {FLOOR:.0f} %; "
                            f"lines not run by any test: {missing}")
        else:
            print(f"ok  {share:5.1f} %  {module}")
    if failures:
        print("\nThese pure modules fell below their coverage floor:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        print("Add the tests they lack (or, if a module stopped being pure, say why and take it off the list).",
              file=sys.stderr)
        return 1
    print(f"check_coverage: all {len(PURE_MODULES)} pure modules at {FLOOR:.0f} % or more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
