"""How often the personal-number check refuses text that holds none, and how often it misses one.

False alarms: lines of realistic figures with no personal number (amounts, dates in every usual
form, 发票代码/发票号码, landlines, 12345 hotlines, 凭证号, 统一社会信用代码, counts and lists of
figures), made by `tests/free_text.py`. Misses: IDs, mistyped IDs, mobiles and cards written in
their digit groups with any run of separators (every Unicode space, line break, dash, bracket,
quote and punctuation mark) between them. Prints figures only.

    .venv/bin/python benchmarks/bench_false_alarms.py [LINES]    # from the repository root
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from free_text import KINDS, SEPARATORS, realistic_line

from zwgk_desktop.domain.identity import find_personal_numbers, id_check_char, redact_text


def false_alarms(lines: int) -> None:
    print(f"False alarms on {lines:,} generated lines of each kind (no personal number in any):")
    for kind in (*KINDS, None):
        rng = random.Random(f"bench-{kind}")
        texts = [realistic_line(rng, kind) for _ in range(lines)]
        started = time.process_time()  # CPU time: the machine may be shared
        flagged = [t for t in texts if find_personal_numbers(t)]
        took = time.process_time() - started
        print(f"  {kind or 'all mixed':13} {len(flagged):5} flagged  {len(flagged) / lines:7.3%}"
              f"   {took / lines * 1e6:6.1f} µs of CPU a line")
        for text in flagged[:3]:
            print(f"      e.g. {text!r}")


def _written(rng: random.Random) -> tuple[str, str]:
    """A personal number and how it is written: its groups, any run of separators between them."""
    kind = rng.choice(["id", "mistyped id", "mobile", "card"])
    if kind in ("id", "mistyped id"):
        first17 = f"{rng.choice(['110105', '410102', '440304', '653101'])}{rng.randint(1930, 2020)}" \
                  f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        check = id_check_char(first17)
        number = first17 + (check if kind == "id" else "0" if check != "0" else "1")
        sizes = rng.choice([(6, 8, 4), (6, 4, 4, 4), (18,)])
    elif kind == "mobile":
        number, sizes = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}", rng.choice([(3, 4, 4), (11,)])
    else:
        number = (rng.choice(["62", "4", "9558"]) + str(rng.randint(10**20, 10**21)))[:rng.randint(16, 19)]
        sizes = (4, 4, 4, 4, 4)
    groups, at = [], 0
    for size in sizes:
        if number[at:at + size]:
            groups.append(number[at:at + size])
        at += size
    text = groups[0]
    for group in groups[1:]:
        text += "".join(rng.choice(SEPARATORS) for _ in range(rng.randint(1, 8))) + group
    return number, text


def misses(count: int) -> None:
    rng = random.Random("bench-misses")
    masked = 0
    for _ in range(count):
        number, shown = _written(rng)
        folded = "".join(c for c in redact_text(f"村民{shown}已核实").translate(_FOLD) if c.isdigit() or c == "X")
        masked += number not in folded
    print(f"Personal numbers written in their groups with 1–8 separators of any kind between them: "
          f"{masked:,} of {count:,} masked ({masked / count:.3%})")


_FOLD = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")


if __name__ == "__main__":
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    false_alarms(lines)
    misses(lines)
