"""Valid items of every category, for tests to break one thing at a time."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from zwgk_desktop.domain.identity import id_check_char
from zwgk_desktop.domain.items import REVIEWED, Item
from zwgk_desktop.domain.periods import Quarter

Q3 = Quarter(2026, 3)


def id_number(rng: random.Random) -> str:
    born = f"{rng.randint(1940, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"410122{born}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def household(rng: random.Random, **changes: Any) -> dict[str, Any]:
    row = {
        "group": f"{rng.randint(1, 9)}组", "head_name": rng.choice("张王李赵刘") + rng.choice(["建国", "秀英", "德明"]),
        "id_number": id_number(rng), "household_size": rng.randint(1, 5), "kind": "农村低保",
        "monthly_amount": rng.randint(300, 2000) * 100, "phone": f"139{rng.randint(0, 99_999_999):08d}",
        "account": f"6222{rng.randint(10**14, 10**15 - 1)}", "address": "三组12号", "reason": "因病",
    }
    row.update(changes)
    return row


def assistance(count: int = 12, seed: int = 1, **changes: Any) -> Item:
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < count:
        row = household(rng)
        if row["id_number"] not in seen:
            seen.add(row["id_number"])
            rows.append(row)
    item = Item(category="assistance", period=Q3, title="2026年第三季度低保对象公示",
                publicity_start=date(2026, 10, 10), publicity_end=date(2026, 10, 16), reviewer="王德明",
                reviewed_on=date(2026, 10, 9), status=REVIEWED, fields={"standard": "每人每月560元"}, rows=rows)
    for key, value in changes.items():
        setattr(item, key, value)
    return item


def finance() -> Item:
    rows = [
        {"date": date(2026, 7, 3), "voucher": "记-001", "summary": "上级转移支付（村级组织运转经费）",
         "income": 10_000_000, "expense": None},
        {"date": date(2026, 7, 15), "voucher": "记-002", "summary": "支付7月村干部基本报酬",
         "income": None, "expense": 1_500_000},
        {"date": date(2026, 8, 2), "voucher": "记-003", "summary": "购买办公用品（打印纸、墨盒）",
         "income": None, "expense": 45_000},
    ]
    return Item(category="finance", period=Q3, title="2026年第三季度财务收支明细",
                publicity_start=date(2026, 10, 10), publicity_end=date(2026, 11, 8), reviewer="王德明",
                reviewed_on=date(2026, 10, 9), status=REVIEWED,
                fields={"opening_balance": 5_000_000, "closing_balance": 13_455_000}, rows=rows)


def bids() -> Item:
    return Item(category="bids", period=Q3, title="村内道路硬化工程中标结果公示",
                publicity_start=date(2026, 8, 5), publicity_end=date(2026, 8, 9), reviewer="王德明",
                reviewed_on=date(2026, 8, 4), status=REVIEWED,
                fields={"project": "村内道路硬化工程", "funding": "一事一议财政奖补资金", "budget": 50_000_000,
                        "method": "公开招标", "winner": "甲建筑公司", "contract_amount": 46_000_000,
                        "duration": "60日历天", "objection": "村务监督委员会 0371-62341101"},
                rows=[{"bidder": "甲建筑公司", "price": 46_000_000, "rank": 1},
                      {"bidder": "乙路桥公司", "price": 47_500_000, "rank": 2},
                      {"bidder": "丙市政公司", "price": 48_800_000, "rank": 3}])


def notice() -> Item:
    return Item(category="notice", period=Q3, title="村民代表会议决议公告",
                publicity_start=date(2026, 8, 12), publicity_end=date(2026, 8, 18), reviewer="王德明",
                reviewed_on=date(2026, 8, 11), status=REVIEWED,
                fields={"kind": "会议决议", "body": "按照“四议两公开”工作法，通过以下决议：\n实施村内道路硬化工程。",
                        "contact": "村委会 0371-62341101"}, rows=[])


def old_schema_notice(connection: Any, fields: dict[str, Any], **columns: str) -> None:
    """A township, 东岗村 and notice item 1 written with raw SQL, as an older schema holds them."""
    from sqlalchemy import text

    connection.execute(text("INSERT INTO township (id, name, base_url) VALUES (1, '青山镇', 'https://x.example')"))
    connection.execute(text("INSERT INTO village (id, township_id, name, code) VALUES (1, 1, '东岗村', 'donggang')"))
    values = {"period": "2026Q3", "status": "draft", "publicity_start": None, "publicity_end": None,
              "reviewer": None, "reviewed_on": None, **columns}
    connection.execute(text(
        "INSERT INTO disclosure_item (id, village_id, period, category, title, disclosure, status, fields,"
        " publicity_start, publicity_end, reviewer, reviewed_on, created_at, updated_at) VALUES (1, 1, :period,"
        " 'notice', '公告', '主动公开', :status, :fields, :publicity_start, :publicity_end, :reviewer, :reviewed_on,"
        " '2026-07-01 00:00:00', '2026-07-01 00:00:00')"), {**values, "fields": json.dumps(fields)})


def went_out_on(session: Any, item_id: int, day: date) -> None:
    """Note that the product put the item, as it stands, out to the public on `day` (09:00 Beijing
    time), as printing it then would have: the record the compliance table is judged from."""
    from datetime import datetime, time, timedelta

    from zwgk_desktop.archive.first_public import CHINA, record_first_public
    from zwgk_desktop.archive.versions import previous_versions
    from zwgk_desktop.db import store
    from zwgk_desktop.db.models import DisclosureItem
    from zwgk_desktop.paths import standard_layouts_dir
    from zwgk_desktop.render.correction import public_item
    from zwgk_desktop.render.layout import load_layouts

    layouts = load_layouts(standard_layouts_dir())
    item, _ = store.load_item(session, item_id)
    record = session.get(DisclosureItem, item_id)
    place = store.place_of(record.village)
    public = public_item(item, layouts, place, previous_versions(session, [item], layouts, place).get(item_id))
    went = datetime.combine(day, time(9), CHINA)
    assert record_first_public(session, [(item_id, public.content_hash)], "render", now=went)
    # An item printed then was entered by then (the demo enters its items today): a record earlier
    # than the item's entry is not believed (archive.first_public.impossible).
    record.created_at = went - timedelta(days=1)
    session.flush()


def changed_behind_the_back(source: Path, copy: Path, *statements: str) -> None:
    """A copy of an archive with SQL run on it directly, as a tool working behind the app's back would."""
    src, db = sqlite3.connect(source), sqlite3.connect(copy)
    src.backup(db)
    src.close()
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def rehash_every_seal(db: Path) -> None:
    """Recompute every hash of every seal of a SQLite archive, as an attacker with this program's
    code would: each item's data, content and PDF hash, then each seal's payload and the chain,
    each seal signed again with its village's own key where this PC holds it (an attacker at the
    village's PC does)."""
    from forgery import VillageKeys
    from sqlalchemy import select

    from zwgk_desktop.archive.seal import chain_hash, payload_hash, sha256, stored_data_hash
    from zwgk_desktop.db import store
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.db.models import DisclosureItem, Seal, Village

    keys = VillageKeys(db).keys
    engine = open_engine(str(db))
    with session_factory(engine)() as session, session.begin():
        for village in session.scalars(select(Village)):
            previous = ""
            for seal in session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id)):
                for entry in seal.items:
                    record = session.get(DisclosureItem, entry.item_id)
                    assert record is not None
                    rows = store.load_rows(session, [entry.item_id])[entry.item_id]
                    entry.data_hash = stored_data_hash(session, record, rows, seal.format)
                    entry.content_hash = sha256(entry.canonical_json.encode("utf-8"))
                    if entry.pdf is not None:
                        entry.pdf_hash = sha256(entry.pdf)
                seal.payload_hash = payload_hash(seal, village.code, previous, list(seal.items))
                seal.chain_hash = previous = chain_hash(previous, seal.payload_hash)
                if seal.format >= 4 and village.code in keys:
                    seal.signature = keys[village.code].sign(village.code, seal.chain_hash)
    engine.dispose()
    from forgery import restore_triggers

    restore_triggers(db)  # the attacker leaves the archive's protection as it was
