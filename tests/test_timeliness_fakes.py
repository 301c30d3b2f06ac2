"""Timeliness cannot be faked: neither by typing a later review date for a matter as it happens
(招投标, 公告: N working days from the review), nor by a first-print record put into the archive by
hand. Through `zwgk` on real SQLite files; the judgement itself over generated dates."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_zwgk
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop.archive.first_public import impossible
from zwgk_desktop.domain.catalogue import LATE, Posted, Requirement, judge
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.items import REVIEWED, Item, today, validate
from zwgk_desktop.domain.periods import Quarter, add_working_days

# The demo's 2026Q3 bids: 柳树湾村 34 (公示开始 08-22, reviewed 08-21) and 石桥村 52 (08-18, 08-17),
# never printed. Their 公告 drafts (35, 53) are taken out so the quarters can be sealed.
LIUSHUWAN_BID, SHIQIAO_BID = 34, 52


def _zwgk(db: Path, tmp_path: Path, *args: str, code: int = 0) -> str:
    done = run_zwgk(*args, "--db", str(db), cwd=tmp_path)
    assert done.code == code, (args, done.out, done.err)
    return done.out + done.err


def _bids(db: Path, tmp_path: Path) -> dict[str, dict]:
    data = json.loads(_zwgk(db, tmp_path, "status", "--period", "2026Q3", "--json"))
    return {v["code"]: v["cells"]["bids"] for v in data["villages"]}


def _seal_both(db: Path, tmp_path: Path) -> None:
    for village, draft in (("liushuwan", "35"), ("shiqiao", "53")):
        _zwgk(db, tmp_path, "delete", "--village", village, "--item", draft)
        _zwgk(db, tmp_path, "seal", "--village", village, "--period", "2026Q3", "--by", "王德明")


@pytest.mark.slow
def test_a_later_typed_review_date_does_not_make_a_bid_on_time(demo_copy: Path, tmp_path: Path) -> None:
    db = demo_copy
    # What the editor saves when the clerk types today's date as 审核日期 (the latest it takes).
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE disclosure_item SET reviewed_on = ? WHERE id = ?",
                           (date.today().isoformat(), LIUSHUWAN_BID))
    _seal_both(db, tmp_path)
    bids = _bids(db, tmp_path)
    faked, honest = bids["liushuwan"], bids["shiqiao"]
    assert honest["status"] == LATE and honest["late_working_days"] > 30
    # Counted from 08-22 (the typed 公示开始, the earliest day known of it), not from the typed review.
    assert faked["status"] == LATE and faked["late_working_days"] > 30
    assert f"截止 {add_working_days(date(2026, 8, 22), 20)}" in faked["note"]


@pytest.mark.slow
def test_a_review_date_not_yet_come_is_refused_by_correct(demo_copy: Path, tmp_path: Path) -> None:
    db = demo_copy
    _seal_both(db, tmp_path)
    with sqlite3.connect(db) as connection:
        before = connection.execute("SELECT count(*) FROM disclosure_item").fetchone()
    for future in ("2030-01-01", (today() + timedelta(days=1)).isoformat()):
        said = _zwgk(db, tmp_path, "correct", "--village", "liushuwan", "--item", str(LIUSHUWAN_BID),
                     "--reason", "审核日期填错", "--reviewer", "王德明", "--reviewed-on", future, code=2)
        assert "--reviewed-on" in said and future in said and "Traceback" not in said
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM disclosure_item").fetchone() == before  # nothing stored


@pytest.mark.slow
def test_a_first_print_record_put_in_by_hand_is_not_believed_and_verify_names_it(
        demo_copy: Path, tmp_path: Path) -> None:
    db = demo_copy
    # The planted row needs the content's hash: a real print gives it, then the row is replaced by
    # one dated before the item was entered and reviewed.
    _zwgk(db, tmp_path, "render", "--village", "liushuwan", "--period", "2026Q3", "--category", "bids",
          "-o", str(tmp_path / "b.pdf"))
    with sqlite3.connect(db) as connection:
        (content_hash,) = connection.execute("SELECT content_hash FROM first_public WHERE item_id = ?",
                                             (LIUSHUWAN_BID,)).fetchone()
        connection.execute("DROP TRIGGER first_public_append_only_delete")  # what a tamperer would do first
        connection.execute("DELETE FROM first_public WHERE item_id = ?", (LIUSHUWAN_BID,))
        connection.execute("INSERT INTO first_public (item_id, content_hash, at, how) VALUES (?, ?, ?, 'render')",
                           (LIUSHUWAN_BID, content_hash, "2026-08-01T01:00:00+00:00"))
    _seal_both(db, tmp_path)
    planted = _bids(db, tmp_path)["liushuwan"]
    assert planted["status"] == LATE and planted["late_working_days"] > 30
    assert planted["dates"][0]["first_public"] is None  # judged as if there were none: the seal bounds it
    assert "不予采信" in planted["note"]
    failed = run_zwgk("verify", "--db", str(db), cwd=tmp_path)
    assert failed.code == 1 and "柳树湾村" in failed.out + failed.err and "早于" in failed.out + failed.err
    assert "石桥村" not in failed.out + failed.err  # the honest village's seal is not named


# -- the judgement, pure ---------------------------------------------------------------------------

days = st.dates(date(2026, 1, 1), date(2027, 12, 31))


BIDS = Requirement("bids", frequency="as_happens", required="when_happened", deadline="working_days",
                   working_days=20)


def _due(posted: Posted) -> date:
    """The deadline the judgement states for one item."""
    cell = judge(BIDS, Quarter(2026, 3), [posted], 10, today=date(2028, 1, 1))
    return date.fromisoformat(cell.note.split("截止 ", 1)[1][:10])


@settings(max_examples=300)
@given(reviewed=st.none() | days, typed=st.none() | days, created=days, printed=st.none() | days,
       later=st.integers(0, 400))
def test_typed_dates_never_move_an_as_happens_deadline_past_the_products_own_clock(
        reviewed: date | None, typed: date | None, created: date, printed: date | None, later: int) -> None:
    sealed = max(created, printed or created) + timedelta(days=later)
    posted = Posted(1, printed or sealed, reviewed, typed=typed, created=created, printed=printed, sealed=sealed)
    own_clock = add_working_days(min(created, printed or created), 20)
    assert _due(posted) <= own_clock  # whatever was typed
    # Typed dates later than the product's own clock are as good as none typed.
    pushed = Posted(1, posted.published, created + timedelta(days=later), typed=created + timedelta(days=later),
                    created=created, printed=printed, sealed=sealed)
    untyped = Posted(1, posted.published, None, created=created, printed=printed, sealed=sealed)
    assert _due(pushed) == _due(untyped) == own_clock
    # Typing an earlier date can only bring it forward.
    if reviewed is not None:
        assert _due(posted) <= add_working_days(reviewed, 20)


@settings(max_examples=100)
@given(ahead=st.integers(1, 20000))
def test_a_review_date_not_yet_come_is_an_error_in_the_one_checker(ahead: int) -> None:
    item = Item(category="notice", period=Quarter(2026, 3), title="关于修路的公告", publicity_start=date(2026, 8, 1),
                publicity_end=date(2026, 8, 8), clerk="张会计", reviewer="王德明",
                reviewed_on=today() + timedelta(days=ahead), status=REVIEWED,
                fields={"kind": "其他", "body": "村里修路。"})
    report = validate(item, CATEGORIES["notice"])
    assert any(p.field == "审核日期" and "还没有到" in p.message for p in report.errors)
    item.reviewed_on = today()  # today, whichever clock says it, is taken
    assert not any("还没有到" in p.message for p in validate(item, CATEGORIES["notice"]).errors)


@settings(max_examples=300)
@given(at=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)),
       created=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)), reviewed=st.none() | days,
       sealed_after=st.integers(-400, 400))
def test_a_record_is_doubted_exactly_when_it_cannot_be_true(at: datetime, created: datetime, reviewed: date | None,
                                                            sealed_after: int) -> None:
    sealed = created + timedelta(days=sealed_after)
    why = impossible(at.isoformat() + "+00:00", created, reviewed, sealed.isoformat() + "+00:00")
    own = sealed >= created  # entered here before sealing (a village's own archive, not a township's copy)
    china_day = (at + timedelta(hours=8)).date()
    assert bool(why) == ((own and at < created) or (reviewed is not None and china_day < reviewed))


@pytest.mark.slow
def test_a_record_is_never_changed_and_goes_only_with_its_item(demo_copy: Path, tmp_path: Path) -> None:
    db = demo_copy
    _zwgk(db, tmp_path, "render", "--village", "liushuwan", "--period", "2026Q3", "--category", "bids",
          "-o", str(tmp_path / "b.pdf"))
    with sqlite3.connect(db) as connection:
        for change in ("UPDATE first_public SET at = '2026-08-01T01:00:00+00:00'", "DELETE FROM first_public"):
            with pytest.raises(sqlite3.IntegrityError, match="首次公开的记录"):
                connection.execute(change)
        assert connection.execute("SELECT count(*) FROM first_public WHERE item_id = ?",
                                  (LIUSHUWAN_BID,)).fetchone() == (1,)
    # The item deleted (it was never sealed): its record goes with it.
    _zwgk(db, tmp_path, "delete", "--village", "liushuwan", "--item", str(LIUSHUWAN_BID))
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM first_public WHERE item_id = ?",
                                  (LIUSHUWAN_BID,)).fetchone() == (0,)


def test_records_are_append_only_on_both_backends(demo_any: str) -> None:
    from factories import went_out_on
    from sqlalchemy import delete, func, select, update
    from sqlalchemy.exc import DBAPIError
    from test_backends import item_id, session_for

    from zwgk_desktop.db import store
    from zwgk_desktop.db.models import FirstPublic

    bid = item_id(demo_any, "bids", "2026Q3", 2)
    with session_for(demo_any, write=True) as session:
        went_out_on(session, bid, date(2026, 8, 22))
    for change in (update(FirstPublic).values(at="2026-08-01T01:00:00+00:00"), delete(FirstPublic)):
        with pytest.raises(DBAPIError, match="首次公开的记录"), session_for(demo_any, write=True) as session:
            session.execute(change)
    with session_for(demo_any, write=True) as session:
        assert session.scalar(select(func.count()).select_from(FirstPublic).where(FirstPublic.item_id == bid)) == 1
        store.delete_item(session, bid)  # never sealed: its record goes with it
    with session_for(demo_any) as session:
        assert session.scalar(select(func.count()).select_from(FirstPublic)) == 0
