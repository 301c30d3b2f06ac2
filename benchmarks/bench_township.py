"""County scale on PostgreSQL: 300 villages × 10 years of quarters with realistic items (finance
lines, 低保 households, bids and notices, most quarters sealed, some late, some missing).

Times the compliance table for one quarter (goal < 1 s) and batch-renders every village's board
for the latest quarter with one process and with two (both cores), printing the throughput.
Needs a PostgreSQL server: `ZWGK_TEST_POSTGRES` (as `.ci/postgres` prints) names it; the
benchmark makes its own database there and drops it afterwards. Prints figures; asserts nothing.

    export ZWGK_TEST_POSTGRES="$(.ci/postgres)"; .venv/bin/python benchmarks/bench_township.py [VILLAGES] [YEARS]
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, ItemRow, Seal, SealedItem, Township, Village
from zwgk_desktop.domain.catalogue import load_catalogue
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.periods import Quarter, add_working_days
from zwgk_desktop.office.demo import COMPANIES, PROJECTS, SURNAMES, _finance, _households
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.printing import print_villages
from zwgk_desktop.office.township import compliance_table
from zwgk_desktop.paths import standard_layouts_dir

NAME = "zwgk_county_bench"
PLACES = "东西南北前后上下新老大小"
WORDS = "岗湾桥庄河沟坡园营店寨集屯铺堡"


def as_json(category: str, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    fields = CATEGORIES[category].row_fields
    return [{f.key: f.to_json(row.get(f.key)) for f in fields} for row in rows]


def build(url: str, villages: int, years: int) -> tuple[Quarter, int]:
    engine = open_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(2026)
    latest = Quarter(2026, 3)
    quarters = [latest]
    while len(quarters) < years * 4:
        quarters.append(quarters[-1].previous())
    quarters.reverse()
    next_id, next_row, next_seal, next_sealed = 1, 1, 1, 1
    start = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(Township), [{"id": 1, "name": "示范县城关镇", "base_url": "https://county.example/zwgk",
                                               "supervision_phone": "0371-62340000", "publication_day": 10}])
        names = [f"{a}{b}村" for a in PLACES for b in WORDS]
        connection.execute(insert(Village), [
            {"id": v + 1, "township_id": 1, "name": names[v % len(names)] + ("" if v < len(names) else str(v)),
             "code": f"v{v + 1:03d}", "supervision_phone": f"0371-6{v + 1:07d}"} for v in range(villages)])
        for v in range(villages):
            items, rows, seals, sealed = [], [], [], []
            households = _households(rng, "410122", 40)
            opening = rng.randint(120_000, 260_000) * 100
            previous_seal = None
            for quarter in quarters:
                finance_rows, closing = _finance(rng, quarter, opening)
                finance_rows = finance_rows[:30]
                closing = opening + sum((r["income"] or 0) - (r["expense"] or 0) for r in finance_rows)  # type: ignore[operator]
                households = households[rng.randint(0, 3):] + _households(rng, "410122", 3)
                reviewed = add_working_days(quarter.next().first_day, 2)
                # Most put their board up in time; some a few days late.
                posted = add_working_days(reviewed, 1 if rng.random() < 0.9 else rng.randint(8, 15))
                made = [("finance", {"opening_balance": opening, "closing_balance": closing}, finance_rows, 29),
                        ("assistance", {"standard": "农村低保标准每人每月560元"}, households, 6)]
                opening = closing
                if rng.random() < 0.3:
                    project = rng.choice(PROJECTS)[0]
                    bidders = rng.sample(COMPANIES, 3)
                    prices = sorted(rng.randint(900_000, 990_000) * 10 for _ in bidders)
                    made.append(("bids", {"project": project, "funding": "上级补助", "budget": 10_000_000,
                                          "method": "公开招标", "winner": bidders[0], "contract_amount": prices[0],
                                          "duration": "60天", "objection": "村务监督委员会"},
                                 [{"bidder": b, "price": p, "rank": r}
                                  for r, (b, p) in enumerate(zip(bidders, prices, strict=True), 1)], 4))
                if rng.random() < 0.5:
                    made.append(("notice", {"kind": "会议决议", "body": "村民代表会议决议：实施村内道路硬化。"},
                                 [{"matter": "决议", "detail": "通过", "amount": None}], 6))
                seal_quarter = quarter != latest and rng.random() < 0.95
                if seal_quarter:
                    seals.append({"id": next_seal, "village_id": v + 1, "period": str(quarter), "kind": "quarter",
                                  "format": 2, "sealed_at": f"{posted}T08:00:00+00:00", "sealed_by": "王德明",
                                  "previous_id": previous_seal, "payload_hash": "0" * 64, "chain_hash": "0" * 64})
                for category, fields, item_rows, days in made:
                    items.append({"id": next_id, "village_id": v + 1, "period": str(quarter), "category": category,
                                  "title": f"{quarter.chinese}{CATEGORIES[category].name}", "disclosure": "主动公开",
                                  "publicity_start": posted, "publicity_end": posted + timedelta(days=days),
                                  "status": "reviewed", "clerk": rng.choice(SURNAMES) + "文", "reviewer": "李秀英",
                                  "reviewed_on": reviewed, "fields": fields})
                    for seq, data in enumerate(as_json(category, item_rows), start=1):
                        rows.append({"id": next_row, "item_id": next_id, "seq": seq, "data": data})
                        next_row += 1
                    if seal_quarter:
                        sealed.append({"id": next_sealed, "seal_id": next_seal, "item_id": next_id, "title": "",
                                       "canonical_json": "{}", "content_hash": "0" * 64, "data_hash": "0" * 64})
                        next_sealed += 1
                    next_id += 1
                if seal_quarter:
                    previous_seal = next_seal
                    next_seal += 1
            connection.execute(insert(DisclosureItem), items)
            connection.execute(insert(ItemRow), rows)
            connection.execute(insert(Seal), seals)
            connection.execute(insert(SealedItem), sealed)
            if (v + 1) % 50 == 0:
                print(f"  … {v + 1} villages ({time.perf_counter() - start:.0f} s)", flush=True)
        for table, column in (("disclosure_item", "id"), ("item_row", "id"), ("seal", "id"), ("sealed_item", "id"),
                              ("village", "id"), ("township", "id")):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                                    f"(SELECT max({column}) FROM {table}))"))
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return latest, next_row - 1


def main() -> int:
    admin_url = os.environ.get("ZWGK_TEST_POSTGRES")
    if not admin_url:
        print("needs a PostgreSQL server: export ZWGK_TEST_POSTGRES=\"$(.ci/postgres)\"")
        return 0
    villages = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    years = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{NAME}"'))
    url = make_url(admin_url).set(database=NAME).render_as_string(hide_password=False)
    try:
        started = time.perf_counter()
        latest, rows = build(url, villages, years)
        engine = open_engine(url)
        with session_factory(engine)() as session:
            items = session.scalar(text("SELECT count(*) FROM disclosure_item"))
            size = session.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
        print(f"County archive: {villages} villages × {years * 4} quarters, {items:,} items, {rows:,} lines, "
              f"{size} (built in {time.perf_counter() - started:.0f} s)")

        catalogue = load_catalogue(standard_layouts_dir())
        target = latest.previous()
        timings = []
        for _ in range(7):
            with session_factory(engine)() as session:
                begin = time.perf_counter()
                table = compliance_table(session, catalogue, target)
                timings.append(time.perf_counter() - begin)
        counts = table.counts()
        print(f"Compliance table for {target} ({len(table.rows)} villages × {len(table.categories)} categories): "
              f"median {statistics.median(timings) * 1000:.0f} ms, best {min(timings) * 1000:.0f} ms "
              f"(goal < 1 s); " + json.dumps(counts))
        with session_factory(engine)() as session:
            chosen = [(v.name, v.code) for v in store.villages(session)]
        engine.dispose()
        for workers in (1, 2):
            with tempfile.TemporaryDirectory(prefix="zwgk_batch_") as folder:
                begin = time.perf_counter()
                with Archive.open(url, read_only=True) as archive:
                    result = print_villages(archive, latest, chosen, Path(folder), one_file=False, workers=workers)
                seconds = time.perf_counter() - begin
            print(f"Batch rendering {latest}, {workers} process{'es' if workers > 1 else ''}: "
                  f"{len(result.printed)} villages, {result.sheets} A3 sheets in {seconds:.1f} s = "
                  f"{len(result.printed) / seconds:.1f} villages/s, {result.sheets / seconds:.0f} sheets/s")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
