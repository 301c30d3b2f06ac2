"""The home's data (office.quarter), without Qt: what a village's quarter asks of the clerk by when,
on the official calendar, and that it says what the compliance table and the seal say."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from zwgk_desktop.archive.seal import seal_quarter
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.domain import holidays
from zwgk_desktop.domain.catalogue import (
    LATE,
    NOT_DUE,
    ON_TIME,
    Cell,
    Posted,
    Requirement,
    deadline,
    judge,
    load_catalogue,
)
from zwgk_desktop.domain.items import DRAFT, REVIEWED
from zwgk_desktop.domain.periods import Quarter, add_working_days, is_working_day, working_days_between
from zwgk_desktop.errors import NotFound
from zwgk_desktop.office import quarter as home
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.township import compliance_table

Q3 = Quarter(2026, 3)
OCT_9 = date(2026, 10, 9)  # the Friday before the deadline: 2026-10-10 is a Saturday worked (调休 for 国庆)


@pytest.fixture
def archive(demo_copy: Path) -> Iterator[Archive]:
    with Archive.open(demo_copy) as opened:
        yield opened


def line(quarter: home.VillageQuarter, category: str) -> home.Line:
    return next(x for x in quarter.lines if x.category == category)


def test_the_demo_quarter_before_its_deadline(archive: Archive) -> None:
    q3 = home.village_quarter(archive, period=Q3, today=OCT_9)
    assert (q3.village, q3.period) == ("东岗村", Q3)
    # 东岗村 discloses finance monthly from 2026Q3 (the demo's township setting): due by the first
    # month not yet disclosed, July's (10 August), so late; 柳树湾村 by the quarter.
    monthly = line(q3, "finance")
    assert monthly.requirement == "每月，次月10日前，每期必须公开"
    assert (monthly.due, monthly.late) == (date(2026, 8, 10), True)
    quarterly = home.village_quarter(archive, 2, Q3, OCT_9)
    finance = line(quarterly, "finance")
    # On the official calendar: the 10th is a Saturday, but a 调休 working day, so it stays the 10th.
    assert finance.due == quarterly.deadline == date(2026, 10, 10) and is_working_day(finance.due)
    assert (finance.state, finance.late, finance.days_left) == (home.TO_SEAL, False, 1)
    assert finance.when_text == "截止 2026年10月10日，还有 1 个工作日"
    assert finance.requirement == "每季度，次月10日前，每期必须公开"
    # The demo's latest 耕地地力保护补贴 notice is a draft: it waits for the 村务监督委员会, and stops the seal.
    notice = line(q3, "notice")
    assert notice.state == home.TO_REVIEW
    waiting = [e.title for e in q3.to_review]
    assert waiting == ["关于2026年耕地地力保护补贴发放情况的公告"]
    assert not q3.sealable and len(q3.blockers) == 1
    assert q3.blockers[0].item_id == q3.to_review[0].item_id and "还是草稿" in q3.blockers[0].text
    # As-happens matters run 20 working days from when they happened, each its own.
    bids = line(q3, "bids")
    entry = bids.items[0]
    assert bids.due == entry.due and entry.due is not None
    assert working_days_between(entry.due - timedelta(days=40), entry.due) >= 20
    # Earlier quarters, reviewed and never sealed, are late and named.
    assert [q.period for q in q3.earlier] == [Quarter(2026, 2), Quarter(2026, 1), Quarter(2025, 4)]
    assert all(x.late and x.state == home.TO_SEAL for q in q3.earlier for x in q.lines if x.state != home.NONE_NEEDED)
    # The 三资 registers are yearly: due in the year's last quarter, only a change before it; a
    # contract is disclosed as it is signed (the demo's are this quarter's).
    assert {(str(q.period), x.category) for q in q3.earlier for x in q.lines if x.state == home.NONE_NEEDED} == {
        (p, c) for p in ("2026Q1", "2026Q2") for c in ("assets", "resources", "distribution")} | {
        (p, "contracts") for p in ("2025Q4", "2026Q1", "2026Q2")}
    assert all(q.sealable for q in q3.earlier)
    # This quarter's bid result and resolution went unsealed past their own deadlines (September).
    assert [x.category for x in q3.lines if x.late] == ["finance", "bids", "notice"] and bids.due < OCT_9
    # 东岗村's July is late (monthly finance); 债权债务 each quarter, 收益分配 in Q4.
    assert len(q3.late) == 3 + 5 + 5 + 8 and "逾期 21 项" in q3.summary


def test_after_the_deadline_and_once_reviewed_and_sealed(archive: Archive) -> None:
    today = date(2026, 10, 14)
    with archive.writing() as session:
        draft = session.scalars(select(DisclosureItem).where(
            DisclosureItem.village_id == 1, DisclosureItem.period == str(Q3),
            DisclosureItem.status == DRAFT)).one()
        draft.status, draft.reviewer, draft.reviewed_on = REVIEWED, "王德明", date(2026, 10, 9)
    late = home.village_quarter(archive, 1, Q3, today)
    finance = line(home.village_quarter(archive, 2, Q3, today), "finance")  # 柳树湾村: by the quarter
    # 12 and 13 October are working days after the Saturday deadline; disclosing on the 14th is 3 late.
    assert (finance.late, finance.late_days) == (True, 3)
    assert finance.when_text == "截止 2026年10月10日，已逾期 3 个工作日"
    assert late.sealable and late.seal_kind == "quarter" and not late.blockers and not late.to_review

    with archive.writing() as session:
        seal_quarter(session, archive.layouts, "donggang", Q3, "王德明")
    sealed = home.village_quarter(archive, 1, Q3, today)
    assert sealed.sealed and not sealed.sealable and not sealed.blockers
    assert {x.state for x in sealed.lines if x.category != "distribution"} == {home.SEALED}
    assert line(sealed, "distribution").state == home.NONE_NEEDED  # yearly: the fourth quarter's
    # Judged as the township's compliance table judges it: the same cells.
    with archive.reading() as session:
        table = compliance_table(session, load_catalogue(archive.layouts.folder), Q3, today=today)
    cells = dict(zip(table.categories, table.rows[0][2].values(), strict=True))
    assert {x.category: x.judged for x in sealed.lines} == cells
    assert all(x.late == (cells[x.category].status == LATE) for x in sealed.lines)
    assert "已封存" in line(sealed, "finance").state_text


def test_the_township_sees_every_village_as_each_village_does(archive: Archive) -> None:
    township = home.township_quarter(archive, Q3, OCT_9)
    assert township.township == "青山镇"
    assert [v.village for v in township.villages] == ["东岗村", "柳树湾村", "石桥村"]
    assert township.categories == ("finance", "assistance", "bids", "notice", "assets", "resources", "contracts",
                                   "debts", "distribution")
    for village in township.villages:
        assert village == home.village_quarter(archive, village.village_id, Q3, OCT_9)


def test_a_new_quarter_and_an_empty_archive(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "new.sqlite3", create=True, upgrade=True) as archive:
        with pytest.raises(NotFound, match="还没有村"):
            home.village_quarter(archive)
        with archive.writing() as session:
            township = store.ensure_township(session, "青山镇")
            store.add_village(session, township, "东岗村=donggang")
        today = date(2026, 11, 20)
        q4 = home.village_quarter(archive, today=today)
        assert q4.period == Quarter(2026, 4) and not q4.earlier  # nothing before the archive began
        # The fourth quarter asks for the year's 三资 registers as well.
        assert [(x.category, x.state) for x in q4.lines] == [
            ("finance", home.TO_ENTER), ("assistance", home.TO_ENTER), ("bids", home.NONE_NEEDED),
            ("notice", home.NONE_NEEDED), ("assets", home.TO_ENTER), ("resources", home.TO_ENTER),
            ("contracts", home.NONE_NEEDED), ("debts", home.TO_ENTER), ("distribution", home.TO_ENTER)]
        assert not q4.late and not q4.sealable and not q4.entries
        # Nothing to seal, and the online address missing would stop it: said in words.
        assert q4.blockers and all(b.item_id is None for b in q4.blockers)
        with pytest.raises(NotFound, match="没有编号为 9 的村"):
            home.village_quarter(archive, 9)


def test_a_read_only_archive_shows_its_quarter(demo_copy: Path) -> None:
    with Archive.open(demo_copy, read_only=True) as archive:
        assert home.village_quarter(archive, 2, Q3, OCT_9).village == "柳树湾村"


# -- the pure part, over the classes of dates ------------------------------------------------------

quarters = st.builds(Quarter, st.integers(2009, 2032), st.integers(1, 4))
QUARTERLY = Requirement("finance")
AS_HAPPENS = Requirement("bids", "as_happens", "working_days", working_days=20, required="when_happened")


def entry(status: str = REVIEWED, errors: int = 0, sealed: bool = False, due: date | None = None,
          correction: bool = False) -> home.Entry:
    return home.Entry(1, 1, "事项", "finance", status, sealed, 3, errors, "错误" if errors else "", correction, due)


@settings(max_examples=150, deadline=None)
@given(quarters, st.integers(1, 28), st.integers(-40, 80), st.sampled_from([DRAFT, REVIEWED]), st.integers(0, 2))
def test_a_line_says_what_the_compliance_table_would_say_if_disclosed_today(
        period: Quarter, day: int, offset: int, status: str, errors: int) -> None:
    """Whatever the quarter, the publication day and today: the deadline is the first working day
    on or after that day of the month after the quarter; a line is late exactly when disclosing today
    would be judged late, by as many working days; before the deadline it counts the working days left."""
    due = deadline(QUARTERLY, period, day)
    today = due + timedelta(days=offset)
    found = home.plan_line(1, period, QUARTERLY, [entry(status, errors)], Cell(NOT_DUE), day, today)
    # The first working day on or after the day of the next month (春节 2020 moved the 24th of
    # January to the 3rd of February).
    named = period.next().first_day.replace(day=day)
    assert found.due == due and is_working_day(due) and due >= named
    assert not any(is_working_day(named + timedelta(days=n)) for n in range((due - named).days))
    judged = judge(QUARTERLY, period, [Posted(1, today, None)], day, today)
    assert found.late == (judged.status == LATE) and found.late_days == judged.late_days
    if not found.late:
        assert judged.status == ON_TIME
        # Counted day by day: the working days after today, the deadline included.
        after = [today + timedelta(days=n) for n in range(1, (due - today).days + 1)]
        assert found.days_left == sum(map(is_working_day, after))
    assert found.state == (home.FIX if errors else home.TO_SEAL if status == REVIEWED else home.TO_REVIEW)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(1, 20), max_size=12), st.integers(1, 28))
def test_a_loaded_holiday_arrangement_moves_the_deadline(off: set[int], day: int) -> None:
    """In a year the calendar package does not know (2031), the township's holiday file decides:
    the deadline is the first working day on or after the day, never a loaded holiday."""
    year = 2031
    loaded = frozenset(date(year, 1, d) for d in off)
    holidays.install({year: holidays.Arrangement(year, loaded, frozenset())})
    try:
        found = home.plan_line(1, Quarter(2030, 4), QUARTERLY, [], Cell(NOT_DUE), day, date(2030, 12, 1))
        assert found.due is not None and found.due not in loaded and is_working_day(found.due)
        skipped = [found.due - timedelta(days=n) for n in range(1, (found.due - date(year, 1, day)).days + 1)]
        assert all(not is_working_day(d) for d in skipped)
        assert found.state == home.TO_ENTER and found.days_left > 0
        assert "估算" not in found.when_text  # the arrangement is known: loaded by the township
    finally:
        holidays.install({})
    assert "估算" in home.plan_line(1, Quarter(2030, 4), QUARTERLY, [], Cell(NOT_DUE), day,
                                   date(2030, 12, 1)).when_text


@settings(max_examples=80, deadline=None)
@given(quarters, st.lists(st.integers(0, 80), min_size=1, max_size=4), st.integers(0, 120))
def test_as_happens_matters_are_due_by_the_first_of_their_own_deadlines(
        period: Quarter, starts: list[int], offset: int) -> None:
    dues = [add_working_days(period.first_day + timedelta(days=s), 20) for s in starts]
    today = period.first_day + timedelta(days=offset)
    found = home.plan_line(1, period, AS_HAPPENS, [entry(due=d) for d in dues], Cell(NOT_DUE), 10, today)
    assert found.due == min(dues) and found.late == (today > min(dues))
    assert home.plan_line(1, period, AS_HAPPENS, [], Cell(NOT_DUE), 10, today).state == home.NONE_NEEDED


@given(quarters, st.integers(0, 400))
def test_a_sealed_quarter_waiting_only_for_a_correction_is_never_late(period: Quarter, offset: int) -> None:
    today = period.first_day + timedelta(days=offset)
    items = [entry(sealed=True), entry(status=DRAFT, correction=True)]
    found = home.plan_line(1, period, QUARTERLY, items, Cell(ON_TIME), 10, today)
    assert found.state == home.TO_REVIEW and not found.late and found.due is None
    done = home.plan_line(1, period, QUARTERLY, [entry(sealed=True)], Cell(LATE, 2), 10, today)
    assert (done.state, done.late, done.late_days, done.open) == (home.SEALED, True, 2, False)
