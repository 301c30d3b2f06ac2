"""An honest compliance table: timeliness judged from the product's own record of when a reviewed
item first went out to the public (printed, saved as PDF, written online), sealed with the item;
the seal's time where no record exists; a typed 公示开始 earlier than the record marked 补登; and at
the township, when each village's bundle arrived. Through `zwgk` on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import run_zwgk
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from zwgk_desktop.archive import seal as seal_module
from zwgk_desktop.archive.first_public import local_day, record_first_public
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import FirstPublic
from zwgk_desktop.domain.catalogue import LATE, ON_TIME, Posted, Requirement, judge, went_public
from zwgk_desktop.domain.periods import Quarter

# The demo's 2026Q3: each village's finance (东岗村 14, 柳树湾村 32) typed as posted on 10-10, the
# deadline; its 公告 drafts (17, 35) are taken out so the quarter can be sealed.
DONGGANG_FINANCE, LIUSHUWAN_FINANCE = 14, 32


def _zwgk(db: Path, tmp_path: Path, *args: str, code: int = 0) -> str:
    done = run_zwgk(*args, "--db", str(db), cwd=tmp_path)
    assert done.code == code, (args, done.out, done.err)
    return done.out


def _ready_to_seal(db: Path, tmp_path: Path) -> None:
    for village, draft in (("donggang", "17"), ("liushuwan", "35")):
        _zwgk(db, tmp_path, "delete", "--village", village, "--item", draft)


def _records(db: Path) -> dict[int, str]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT item_id, at FROM first_public").fetchall())


def _status(db: Path, tmp_path: Path, period: str = "2026Q3") -> dict[str, dict[str, dict]]:
    data = json.loads(_zwgk(db, tmp_path, "status", "--period", period, "--json"))
    return {v["code"]: v for v in data["villages"]}


@pytest.mark.slow
def test_printed_late_is_late_printed_on_time_and_sealed_later_is_on_time(demo_copy: Path, tmp_path: Path) -> None:
    db = demo_copy
    _ready_to_seal(db, tmp_path)
    # 柳树湾村 had in truth printed it on 9 October (the clock cannot be turned back for a
    # subprocess, so the product's own function notes it as a print then would have).
    from factories import went_out_on

    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session, session.begin():
            went_out_on(session, LIUSHUWAN_FINANCE, date(2026, 10, 9))
    finally:
        engine.dispose()
    # Both villages print their finance sheets now (December, long after the 10 October deadline).
    _zwgk(db, tmp_path, "render", "--village", "donggang", "--period", "2026Q3", "--item", str(DONGGANG_FINANCE),
          "-o", str(tmp_path / "d.pdf"))  # its quarter's statement (its July and August ones are not printed)
    _zwgk(db, tmp_path, "render", "--village", "liushuwan", "--period", "2026Q3", "--category", "finance",
          "-o", str(tmp_path / "l.pdf"))
    records = _records(db)
    assert set(records) == {DONGGANG_FINANCE, LIUSHUWAN_FINANCE}
    assert local_day(records[DONGGANG_FINANCE]) >= date(2026, 12, 1)
    # A second print does not move the first.
    _zwgk(db, tmp_path, "render", "--village", "liushuwan", "--period", "2026Q3", "-o", str(tmp_path / "l2.pdf"))
    assert _records(db)[LIUSHUWAN_FINANCE] == "2026-10-09T01:00:00+00:00"
    # Both seal in December: sealing after the publicity period is normal, not lateness.
    for village in ("donggang", "liushuwan"):
        _zwgk(db, tmp_path, "seal", "--village", village, "--period", "2026Q3", "--by", "王德明")
    villages = _status(db, tmp_path)
    late, on_time = villages["donggang"]["cells"]["finance"], villages["liushuwan"]["cells"]["finance"]
    assert late["status"] == LATE and late["late_working_days"] > 30
    # The typed 公示开始 (10-10) is earlier than the product first printed it: 补登.
    assert late["backfilled"] == [DONGGANG_FINANCE]
    assert late["dates"][0]["typed_start"] == "2026-10-10" and late["dates"][0]["first_public"] >= "2026-12-01"
    assert on_time["status"] == ON_TIME and on_time["backfilled"] == []
    assert on_time["dates"][0]["first_public"] == "2026-10-09" and on_time["dates"][0]["sealed"] >= "2026-12-01"
    # Items never printed before sealing: the seal bounds them.
    bounded = villages["donggang"]["cells"]["assistance"]
    assert bounded["status"] == LATE and bounded["dates"][0]["first_public"] is None
    # The table and the workbook show both dates and the mark.
    table = _zwgk(db, tmp_path, "status", "--period", "2026Q3", "--xlsx", str(tmp_path / "s.xlsx"))
    assert "补登" in table and "公示开始 2026-10-10" in table and "首次公开 2026-10-09" in table
    from openpyxl import load_workbook

    details = list(load_workbook(tmp_path / "s.xlsx")["明细"].iter_rows(values_only=True))
    header, rows = details[0], {(r[1], r[2]): r for r in details[1:]}
    finance = rows[("donggang", "财务收支")]
    # (then its July and August statements', 东岗村 disclosing finance monthly)
    assert finance[header.index("公示开始（填写）")].split("、")[0] == "2026-10-10"
    assert finance[header.index("补登")] == str(DONGGANG_FINANCE)
    assert rows[("liushuwan", "财务收支")][header.index("首次公开（程序记录）")] == "2026-10-09"
    # The record is sealed: the archive verifies, and moving it afterwards is caught.
    _zwgk(db, tmp_path, "verify")
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TRIGGER sealed_item_append_only_update")  # what a tamperer would do first
        connection.execute("UPDATE sealed_item SET first_public_at = '2026-10-01T01:00:00+00:00' WHERE item_id = ?",
                           (DONGGANG_FINANCE,))
    out = run_zwgk("verify", "--db", str(db), cwd=tmp_path)
    assert out.code == 1 and "东岗村" in out.out + out.err


@pytest.mark.slow
def test_the_verification_code_does_not_change_and_drafts_are_not_recorded(demo_copy: Path, tmp_path: Path) -> None:
    db = demo_copy
    before = json.loads(_zwgk(db, tmp_path, "render", "--village", "donggang", "--period", "2026Q3",
                              "-o", str(tmp_path / "a.pdf"), "--json"))
    codes = {item["id"]: item["code"] for item in before["items"]}
    drafts = {item["id"] for item in before["items"] if item["draft"]}
    assert drafts == {17}
    assert set(_records(db)) == set(codes) - drafts  # the 草稿 sheet is not for the public
    _ready_to_seal(db, tmp_path)
    _zwgk(db, tmp_path, "seal", "--village", "donggang", "--period", "2026Q3", "--by", "王德明")
    after = json.loads(_zwgk(db, tmp_path, "render", "--village", "donggang", "--period", "2026Q3",
                             "-o", str(tmp_path / "b.pdf"), "--json"))
    assert {item["id"]: item["code"] for item in after["items"]} == {k: v for k, v in codes.items() if k != 17}


@pytest.mark.slow
def test_the_online_copy_counts_and_the_township_sees_when_bundles_arrived(demo_copy: Path, tmp_path: Path) -> None:
    db = demo_copy
    _ready_to_seal(db, tmp_path)
    _zwgk(db, tmp_path, "site", "-o", str(tmp_path / "site"), "--base-url", "https://qingshan.example/zwgk")
    records = _records(db)
    assert DONGGANG_FINANCE in records and LIUSHUWAN_FINANCE in records  # every reviewed item went online
    _zwgk(db, tmp_path, "seal", "--village", "donggang", "--period", "2026Q3", "--by", "王德明")
    bundle = tmp_path / "donggang.zwgk"
    _zwgk(db, tmp_path, "bundle", "export", "--village", "donggang", "-o", str(bundle))
    township = tmp_path / "township.sqlite3"
    _zwgk(township, tmp_path, "init", "--township", "青山镇")
    shown = json.loads(_zwgk(db, tmp_path, "key", "show", "--village", "donggang", "--json"))
    _zwgk(township, tmp_path, "bundle", "import", str(bundle), "--trust-fingerprint", shown["short"],
          "--confirmed-by", "李乡长")
    _zwgk(township, tmp_path, "verify")
    here, there = _status(db, tmp_path), _status(township, tmp_path)
    # The sealed record travelled with the bundle: the same judgement at the township.
    assert there["donggang"]["cells"]["finance"]["dates"] == here["donggang"]["cells"]["finance"]["dates"]
    assert there["donggang"]["bundle_arrived"] is not None and here["donggang"]["bundle_arrived"] is None
    assert "档案包到达" in _zwgk(township, tmp_path, "status", "--period", "2026Q3")
    # A second import of the same bundle changes nothing, the arrival included.
    _zwgk(township, tmp_path, "bundle", "import", str(bundle))
    assert _status(township, tmp_path)["donggang"]["bundle_arrived"] == there["donggang"]["bundle_arrived"]


def test_a_seal_from_before_the_record_still_verifies_and_is_bounded_by_its_time(
        demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_backends import seal

    db = demo_copy
    _zwgk(db, tmp_path, "delete", "--village", "donggang", "--item", "17")
    monkeypatch.setattr(seal_module, "SEAL_FORMAT", 2)  # as this version's predecessor sealed
    seal(str(db), "donggang", "2026Q3")
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT DISTINCT format FROM seal").fetchall() == [(2,)]
    assert run_zwgk("verify", "--db", str(db), cwd=tmp_path).code == 0
    finance = _status(db, tmp_path)["donggang"]["cells"]["finance"]
    assert finance["dates"][0]["first_public"] is None and finance["dates"][0]["sealed"] is not None
    # A record written into such a seal afterwards is named.
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TRIGGER sealed_item_append_only_update")
        connection.execute("UPDATE sealed_item SET first_public_at = '2026-10-01T01:00:00+00:00'")
    failed = run_zwgk("verify", "--db", str(db), cwd=tmp_path)
    assert failed.code == 1 and "事后补写" in failed.out + failed.err


def test_a_read_only_archive_records_nothing(demo_copy: Path) -> None:
    engine = open_engine(str(demo_copy), read_only=True)
    try:
        with session_factory(engine)() as session:
            assert record_first_public(session, [(DONGGANG_FINANCE, "0" * 64)], "render") is False
            assert session.scalars(select(FirstPublic)).all() == []
    finally:
        engine.dispose()


# -- the judgement, pure ---------------------------------------------------------------------------

days = st.dates(date(2026, 1, 1), date(2027, 12, 31))


@settings(max_examples=200)
@given(typed=st.none() | days, printed=st.none() | days, sealed=days)
def test_a_typed_date_never_makes_an_item_earlier_than_the_product_saw_it(
        typed: date | None, printed: date | None, sealed: date) -> None:
    judged = went_public(typed, printed, sealed)
    assert judged is not None and judged >= (printed or sealed)
    if typed is not None:
        assert judged >= typed
    posted = Posted(1, judged, None, typed=typed, printed=printed, sealed=sealed)
    assert posted.backfilled == (typed is not None and printed is not None and typed < printed)
    cell = judge(Requirement("finance"), Quarter(2026, 3), [posted], 10, today=date(2028, 1, 1))
    # On time exactly when the product's own record (or the seal) is by the deadline.
    deadline = date(2026, 10, 10)
    assert (cell.status == ON_TIME) == (judged <= deadline)
    assert ("补登" in cell.text) == posted.backfilled


def test_a_moment_is_read_on_beijing_time() -> None:
    assert local_day("2026-10-09T17:00:00+00:00") == date(2026, 10, 10)
    assert local_day(datetime(2026, 10, 9, 15, 59, tzinfo=UTC).isoformat()) == date(2026, 10, 9)
    assert local_day("nonsense") is None and local_day(None) is None
