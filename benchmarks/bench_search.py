"""Search speed over an archive of 1,000,000 finance lines (design goal: median < 50 ms, p95 < 200 ms).

Builds the archive once (3 villages, 10,000 finance items of 100 lines each, written straight into
the tables: the benchmark is about searching, not about entering data), then times `store.search`
for queries of the kinds auditors type: a summary's words, a company, a two-character name, a
word that is nowhere. Prints figures; asserts nothing.

Run:  .venv/bin/python benchmarks/bench_search.py [LINES]
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.search_text import pairs

SUMMARIES = ("支付{m}月村干部基本报酬", "村部{m}月电费", "路灯维修更换灯泡", "购买办公用品（打印纸、墨盒）",
             "道路维修材料款（水泥、沙石）", "慰问困难党员及五保户", "垃圾清运费（{m}月）", "土地承包费收入",
             "支付{name}等{n}户临时救助金", "付{company}工程进度款")
NAMES = "王建国 李秀英 张德明 刘卫东 陈桂兰 杨春生 赵金花 黄志强 周丽娟 吴海燕".split()
COMPANIES = ("中牟县宏达建筑工程有限公司", "郑州市恒信市政工程有限公司", "河南中原路桥建设有限公司")
QUERIES = ("村干部基本报酬", "路灯维修", "恒信市政", "卫东", "水泥", "不存在的词语", "五保户", "赵金花", "芳芳")
# 卫东, 水泥, 芳芳: two characters, answered by the index of character pairs (芳芳 is found nowhere)


def build(db: Path, lines: int) -> None:
    zwgk = Path(sys.executable).with_name("zwgk")
    subprocess.run([str(zwgk), "init", "--db", str(db), "--township", "青山镇", "--village", "东岗村",
                    "--village", "柳树湾村", "--village", "石桥村"], check=True, capture_output=True)
    rng = random.Random(1)
    connection = sqlite3.connect(db)
    per_item = 100
    items = lines // per_item
    now = "2026-11-22 00:00:00"
    with connection:
        for number in range(items):
            village = number % 3 + 1
            year, quarter = 2000 + number // 400, number // 100 % 4 + 1
            cursor = connection.execute(
                "INSERT INTO disclosure_item (village_id, period, category, title, disclosure, status, fields, "
                "created_at, updated_at) VALUES (?, ?, 'finance', ?, '主动公开', 'reviewed', '{}', ?, ?)",
                (village, f"{year}Q{quarter}", f"{year}年第{quarter}季度财务收支明细（{number}）", now, now))
            item_id = cursor.lastrowid
            rows, texts = [], [(f"{year}年第{quarter}季度财务收支明细", item_id, 0)]
            for seq in range(1, per_item + 1):
                summary = rng.choice(SUMMARIES).format(m=rng.randint(1, 12), name=rng.choice(NAMES),
                                                       n=rng.randint(2, 9), company=rng.choice(COMPANIES))
                voucher = f"记-{number:05d}{seq:03d}"
                rows.append((item_id, seq, json.dumps({"date": f"{year}-01-15", "voucher": voucher,
                                                       "summary": summary, "income": None,
                                                       "expense": rng.randint(100, 10**7)}, ensure_ascii=False)))
                texts.append((f"{voucher} {summary}", item_id, seq))
            connection.executemany("INSERT INTO item_row (item_id, seq, data) VALUES (?, ?, ?)", rows)
            first = number * (per_item + 1) + 1
            connection.executemany("INSERT INTO search_index (rowid, text, item_id, seq) VALUES (?, ?, ?, ?)",
                                   [(first + n, *entry) for n, entry in enumerate(texts)])
            connection.executemany("INSERT INTO search_pairs (rowid, text) VALUES (?, ?)",
                                   [(first + n, pairs(entry[0])) for n, entry in enumerate(texts)])
    connection.execute("INSERT INTO search_index(search_index) VALUES ('optimize')")
    connection.execute("INSERT INTO search_pairs(search_pairs) VALUES ('optimize')")
    connection.close()


def main() -> int:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(__doc__.strip().splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="zwgk_search_") as folder:
        db = Path(folder) / "big.sqlite3"
        started = time.perf_counter()
        build(db, lines)
        print(f"Archive of {lines:,} finance lines built in {time.perf_counter() - started:.0f} s "
              f"({db.stat().st_size / 2**20:,.0f} MB)")
        engine = open_engine(str(db))
        sessions = session_factory(engine)
        timings: dict[str, list[float]] = {q: [] for q in QUERIES}
        counts = {}
        with sessions() as session:
            store.search(session, "预热")  # the first query pays for opening the index
            for _ in range(7):
                for query in QUERIES:
                    start = time.perf_counter()
                    hits = store.search(session, query, limit=100)
                    timings[query].append((time.perf_counter() - start) * 1000)
                    counts[query] = len(hits)
            village = store.find_village(session, "石桥村")
            filtered = []
            for query in QUERIES:
                start = time.perf_counter()
                store.search(session, query, village=village, limit=100)
                filtered.append((time.perf_counter() - start) * 1000)
        engine.dispose()
    every = sorted(t for values in timings.values() for t in values)
    for query, values in timings.items():
        print(f"  {query:<10} median {statistics.median(values):7.1f} ms   ({counts[query]} hits shown, limit 100)")
    p95 = every[int(len(every) * 0.95) - 1]
    print(f"All {len(every)} queries: median {statistics.median(every):.1f} ms, p95 {p95:.1f} ms "
          f"(goal: median < 50 ms, p95 < 200 ms); with a village filter: median {statistics.median(filtered):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
