"""Import and the editor apply one checker: a file whose item the editor would call wrong is refused
by `zwgk import` (exit 2, nothing stored, every problem by the sheet's row and column), for every
category and every rule; and two imports of one file at the same moment store it once."""

from __future__ import annotations

import pickle
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import factories
import pytest
from conftest import run_zwgk, zwgk_command
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select
from test_spreadsheets import _book, ids, letters, short, words

from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.domain.categories import ASSISTANCE_KINDS, CATEGORIES, category
from zwgk_desktop.domain.fields import Kind
from zwgk_desktop.domain.items import Item, validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import Problem
from zwgk_desktop.io.importer import ImportPlan, plan_import
from zwgk_desktop.io.sheets import INFO_SHEET
from zwgk_desktop.io.workbook import write_workbook

Q3 = Quarter(2026, 3)
START = Q3.last_day + timedelta(days=10)
amounts = st.integers(1, 10**8)
Draw = Callable[[Any], Any]


# ---------------------------------------------------------------------------------------------
# Valid items of every category, as a clerk would have them in the editor.

def _finance(draw: Draw) -> Item:
    def line(day: date, voucher: str, summary: str, income: bool, amount: int) -> dict[str, Any]:
        return {"date": day, "voucher": voucher, "summary": summary,
                "income": amount if income else None, "expense": None if income else amount}

    rows = draw(st.lists(st.builds(line, st.dates(Q3.first_day, Q3.last_day), short, words, st.booleans(), amounts),
                         min_size=1, max_size=8))
    # Enough at the start that no single wrong line can bring the balance below zero.
    opening = sum(r["expense"] or 0 for r in rows) + 10**9
    return Item("finance", Q3, "2026年第三季度财务收支明细", rows=rows,
                fields={"opening_balance": opening, "closing_balance": None})


def _assistance(draw: Draw) -> Item:
    row = st.fixed_dictionaries({
        "group": st.one_of(st.none(), short), "head_name": words, "id_number": ids,
        "household_size": st.integers(1, 12), "kind": st.sampled_from(ASSISTANCE_KINDS), "monthly_amount": amounts,
        "phone": st.one_of(st.none(), st.builds(lambda n: f"13{n:09d}", st.integers(0, 10**9 - 1))),
        "account": st.none(), "address": st.one_of(st.none(), words), "reason": st.one_of(st.none(), words)})
    rows = draw(st.lists(row, min_size=2, max_size=8, unique_by=lambda r: r["id_number"]))
    return Item("assistance", Q3, "2026年第三季度低保对象公示", rows=rows, fields={"standard": None})


def _bids(draw: Draw) -> Item:
    bidders = draw(st.lists(st.tuples(words, amounts), min_size=2, max_size=5, unique_by=lambda b: b[0]))
    rows = [{"bidder": b, "price": p, "rank": n} for n, (b, p) in enumerate(bidders, start=1)]
    return Item("bids", Q3, "村内道路硬化工程中标结果公示", rows=rows, fields={
        "project": "村内道路硬化工程", "funding": "一事一议财政奖补资金", "budget": max(p for _, p in bidders),
        "method": "村两委议定", "winner": rows[0]["bidder"], "contract_amount": rows[0]["price"],
        "duration": "60日历天", "objection": "村务监督委员会 0371-62341101"})


def _notice(draw: Draw) -> Item:
    row = st.fixed_dictionaries({"matter": words, "detail": st.one_of(st.none(), words),
                                 "amount": st.one_of(st.none(), amounts)})
    return Item("notice", Q3, "惠农补贴发放公告", rows=draw(st.lists(row, min_size=1, max_size=6)),
                fields={"kind": "惠农补贴", "body": "本季度惠农补贴发放情况如下。", "contact": "村委会 0371-62341101"})


VALID: dict[str, Callable[[Draw], Item]] = {"finance": _finance, "assistance": _assistance, "bids": _bids,
                                            "notice": _notice}
_DEMO: dict[str, list[Item]] = {}


def _demo_items(code: str) -> list[Item]:
    """A category known only from its file (the 三资 tables, a township's own): the demo's items of
    it, as the editor would hold them, fresh (no number, no review, no link to another item)."""
    if not _DEMO:
        from zwgk_desktop.db import migrate, store
        from zwgk_desktop.db.engine import open_engine, session_factory
        from zwgk_desktop.office.demo import load_demo

        with tempfile.TemporaryDirectory() as folder:
            engine = open_engine(str(Path(folder) / "demo.sqlite3"), create=True)
            migrate.upgrade(engine)
            with session_factory(engine)() as session, session.begin():
                load_demo(session)
                summaries = store.list_items(session)
                rows = store.load_rows(session, [s.id for s in summaries])
                records = {r.id: r for r in session.scalars(select(DisclosureItem))}
                for summary in summaries:
                    made = store.to_domain(records[summary.id], rows[summary.id])
                    linked = {key for key, _ in category(made.category).references}
                    _DEMO.setdefault(made.category, []).append(Item(
                        made.category, made.period, made.title, rows=made.rows,
                        fields={k: v for k, v in made.fields.items() if k not in linked},
                        publicity_start=made.publicity_start, publicity_end=made.publicity_end))
            engine.dispose()
    return _DEMO.get(code, [])


def _valid(code: str, draw: Draw) -> Item:
    item = VALID[code](draw) if code in VALID else pickle.loads(pickle.dumps(draw(st.sampled_from(_demo_items(code)))))
    item.publicity_start = item.period.last_day + timedelta(days=10)
    item.publicity_end = item.publicity_start + timedelta(days=14)
    return item


# ---------------------------------------------------------------------------------------------
# One way to break each rule the checker has. Each changes the item in place; `extra` gathers
# lines for the 事项信息 sheet that the export does not write (a 期末余额 typed by the clerk).

Breaker = Callable[[Item, Draw, dict[str, Any]], None]


def _a_row(item: Item, draw: Draw) -> dict[str, Any]:
    return item.rows[draw(st.integers(0, len(item.rows) - 1))]


def _row_fields(code: str, *kinds: Kind, required: bool | None = None) -> list[Any]:
    return [f for f in category(code).row_fields if f.kind in kinds and (required is None or f.required == required)]


def title_too_long(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    item.title = draw(st.text(letters, min_size=61, max_size=80))


def publicity_reversed(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    assert item.publicity_start is not None
    item.publicity_end = item.publicity_start - timedelta(days=draw(st.integers(1, 40)))


def publicity_too_short(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    assert item.publicity_start is not None
    item.publicity_end = item.publicity_start + timedelta(
        days=draw(st.integers(0, category(item.category).min_publicity_days - 2)))


def required_cell_blank(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    row = _a_row(item, draw)
    spec = draw(st.sampled_from([f for f in category(item.category).row_fields if f.required]))
    row[spec.key] = None
    if all(v is None for v in row.values()):  # a line with nothing on it is no line on a sheet
        row[next(f.key for f in category(item.category).row_fields if f.key != spec.key)] = "备注"


def text_too_long(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    spec = draw(st.sampled_from(_row_fields(item.category, Kind.TEXT, Kind.NAME)))
    _a_row(item, draw)[spec.key] = draw(st.text(letters, min_size=spec.max_length + 1, max_size=spec.max_length + 9))


def negative_amount(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    row = _a_row(item, draw)
    keys = [f.key for f in _row_fields(item.category, Kind.MONEY)]
    key = next((k for k in keys if row.get(k) is not None), keys[0])  # a ledger line keeps one amount
    row[key] = -draw(amounts)


def date_outside_the_quarter(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    _a_row(item, draw)["date"] = draw(st.one_of(st.dates(date(2000, 1, 1), Q3.first_day - timedelta(days=1)),
                                                st.dates(Q3.last_day + timedelta(days=1), date(2040, 12, 31))))


def both_income_and_expense(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    row = _a_row(item, draw)
    row["income"], row["expense"] = draw(amounts), draw(amounts)


def neither_income_nor_expense(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    row = _a_row(item, draw)
    row["income"] = row["expense"] = None


def unbalanced(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    closing = _closing_as_computed(item)
    assert closing is not None
    extra["期末余额"] = closing + draw(st.integers(-closing, 10**8).filter(bool))


def opening_negative(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    item.fields["opening_balance"] = -draw(amounts)


def same_person_twice(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    first, again = draw(st.lists(st.integers(0, len(item.rows) - 1), min_size=2, max_size=2, unique=True))
    item.rows[again]["id_number"] = item.rows[first]["id_number"]


def wrong_check_digit(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    row = _a_row(item, draw)
    right = row["id_number"][-1]
    row["id_number"] = row["id_number"][:17] + draw(st.sampled_from([c for c in "0123456789X" if c != right]))


def nobody_in_the_household(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    _a_row(item, draw)["household_size"] = 0


def unknown_assistance_kind(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    _a_row(item, draw)["kind"] = draw(words.filter(lambda w: w not in ASSISTANCE_KINDS))


def wrong_phone(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    _a_row(item, draw)["phone"] = draw(st.builds(lambda n: f"{n:07d}", st.integers(0, 10**7 - 1)))


def same_rank_twice(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    first, again = draw(st.lists(st.integers(0, len(item.rows) - 1), min_size=2, max_size=2, unique=True))
    item.rows[again]["rank"] = item.rows[first]["rank"]


def ranks_with_a_gap(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    item.rows[-1]["rank"] = len(item.rows) + draw(st.integers(1, 5))


def rank_zero(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    _a_row(item, draw)["rank"] = 0


def winner_not_a_bidder(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    item.fields["winner"] = draw(words.filter(lambda w: w not in {r["bidder"] for r in item.rows}))


def not_in_the_list(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    """A closed list's cell (资产类别, 地类, 合同状态 …) given a word the category's file doesn't list."""
    spec = draw(st.sampled_from(_row_fields(item.category, Kind.CHOICE)))
    _a_row(item, draw)[spec.key] = draw(words.filter(lambda w: w.strip() not in spec.choices))


def body_too_long(item: Item, draw: Draw, extra: dict[str, Any]) -> None:
    item.fields["body"] = "本季度惠农补贴发放情况。" * draw(st.integers(251, 300))


EVERY = [title_too_long, publicity_reversed, required_cell_blank, text_too_long, negative_amount]
BREAKERS: dict[str, list[Breaker]] = {
    "finance": [*EVERY, date_outside_the_quarter, both_income_and_expense, neither_income_nor_expense, unbalanced,
                opening_negative],
    "assistance": [*EVERY, publicity_too_short, same_person_twice, wrong_check_digit, nobody_in_the_household,
                   unknown_assistance_kind, wrong_phone],
    "bids": [*EVERY, publicity_too_short, same_rank_twice, ranks_with_a_gap, rank_zero, winner_not_a_bidder],
    "notice": [*EVERY, body_too_long],
}


def _declared_breakers(code: str) -> list[Breaker]:
    """For a category known only from its file: each way of breaking it that its fields allow."""
    schema = category(code)
    found: list[Breaker] = [title_too_long, publicity_reversed]
    if schema.min_publicity_days >= 2:
        found.append(publicity_too_short)
    if any(f.required for f in schema.row_fields) and len(schema.row_fields) > 1:
        found.append(required_cell_blank)
    if _row_fields(code, Kind.TEXT, Kind.NAME):
        found.append(text_too_long)
    if _row_fields(code, Kind.MONEY):
        found.append(negative_amount)
    if _row_fields(code, Kind.CHOICE):
        found.append(not_in_the_list)
    return found


for _code in CATEGORIES:
    if _code not in BREAKERS and not category(_code).internal:
        BREAKERS[_code] = _declared_breakers(_code)
CASES = [(code, breaker) for code, breakers in BREAKERS.items() for breaker in breakers]


def test_every_category_has_its_rules_broken() -> None:
    assert set(BREAKERS) == set(CATEGORIES)
    for code in set(BREAKERS) - set(VALID):  # known from its file: the demo has a sound item of it
        assert _demo_items(code), code
        for item in _demo_items(code):
            assert validate(item, category(code)).errors == [], (code, item.title)


def _closing_as_computed(item: Item) -> int | None:
    """The 期末余额 an import computes for a ledger that gives none: the opening balance plus the
    lines' amounts that read."""
    opening = item.fields.get("opening_balance")
    if not isinstance(opening, int) or opening < 0:
        return None
    def total(key: str) -> int:
        return sum(r[key] for r in item.rows if isinstance(r.get(key), int) and r[key] >= 0)

    return opening + total("income") - total("expense")


def _bad_file(code: str, breaker: Breaker, draw: Draw, folder: Path) -> tuple[Item, Path]:
    """A valid item broken one way, written as `zwgk export` writes it; and the item as the file
    gives it, for the editor."""
    item = _valid(code, draw)
    extra: dict[str, Any] = {}
    breaker(item, draw, extra)
    path = folder / f"{code}-{breaker.__name__}.xlsx"
    write_workbook(code, path, item)
    if extra:
        book = load_workbook(path)
        for label, fen in extra.items():
            book[INFO_SHEET].append([label, fen / 100])
        book.save(path)
    if code == "finance":
        item.fields["closing_balance"] = extra.get("期末余额", _closing_as_computed(item))
    return item, path


# ---------------------------------------------------------------------------------------------
# What each side says, in the item's own terms: (row of the item or None, field label, message).

Told = set[tuple[int | None, str, str]]


def _item_terms(plan: ImportPlan, problems: list[Problem]) -> Told:
    """An import's problems told as the editor tells them: rows 1, 2, 3 … of the item, fields by
    label, and a value of the 事项信息 sheet as the item's own."""
    labels = {c.where: c.field.label for c in plan.columns}
    told: Told = set()
    for p in problems:
        if p.where == f"工作表“{INFO_SHEET}”":
            told.add((None, "公示期" if p.field in ("公示开始", "公示结束") else p.field, p.message))
            continue
        def item_row(sheet_row: int | None) -> int | None:
            return plan.source_rows.index(sheet_row) + 1 if sheet_row is not None else None

        message = p.message
        if p.other_row is not None:
            message = message.replace(f"第{p.other_row}行", f"第{item_row(p.other_row)}行")
        told.add((item_row(p.row), "/".join(labels.get(part, part) for part in p.field.split("/")), message))
    return told


def _editor_terms(problems: list[Problem]) -> Told:
    return {(p.row, p.field, p.message) for p in problems}


@pytest.fixture
def editors(qtbot):  # type: ignore[no-untyped-def]
    """The editor itself, one per category, as the app shows an item."""
    from zwgk_desktop.ui.item_editor import ItemEditor

    made = {}
    for code in CATEGORIES:
        made[code] = ItemEditor(category(code))
        qtbot.addWidget(made[code])
    return made


@pytest.mark.parametrize("code", list(CATEGORIES))
@pytest.mark.slow
def test_import_refuses_what_the_editor_refuses(code: str, editors) -> None:  # type: ignore[no-untyped-def]
    """The same generated files: the editor's problem list and the import's are the same errors
    and the same warnings, and the import refuses every one that is an error."""
    editor = editors[code]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.sampled_from(BREAKERS[code]), st.data())
    def check(breaker: Breaker, data: st.DataObject) -> None:
        with tempfile.TemporaryDirectory() as folder:
            item, path = _bad_file(code, breaker, data.draw, Path(folder))
            plan = plan_import(path, code, item.period)
        editor.load(item)
        seen = editor.report
        assert seen.wrong, f"{breaker.__name__}: the editor finds nothing wrong"
        assert not plan.ok, f"{breaker.__name__}: imported although the editor says {seen.wrong}"
        assert _item_terms(plan, plan.errors) == _editor_terms(seen.wrong), breaker.__name__
        assert _item_terms(plan, plan.warnings) == _editor_terms(seen.warnings), breaker.__name__

    check()


@pytest.mark.parametrize("code", list(CATEGORIES))
def test_a_valid_file_is_valid_in_both(code: str, editors) -> None:  # type: ignore[no-untyped-def]
    """The other half of "the same checker": what the editor accepts, the import accepts, with the
    same warnings, leaving to fill in only what the file did not give."""
    editor = editors[code]

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data: st.DataObject) -> None:
        with tempfile.TemporaryDirectory() as folder:
            item, path = _bad_file(code, lambda item, draw, extra: None, data.draw, Path(folder))
            plan = plan_import(path, code, item.period)
        editor.load(item)
        assert editor.report.wrong == [] and plan.errors == [], plan.errors
        assert _item_terms(plan, plan.warnings) == _editor_terms(editor.report.warnings)
        assert plan.to_complete == []  # the export wrote every value of the item's own

    check()


def test_a_ledger_line_outside_the_quarter_is_refused_whatever_the_item_sheet_lacks(tmp_path: Path) -> None:
    """The case seen: no 期初余额, and a 公示结束 without its 公示开始 (the stand-in start used to
    make a publicity error that hid every rule over the lines)."""
    path = tmp_path / "ledger.xlsx"
    _book(("明细", [["日期", "凭证号", "摘要", "收入", "支出"], ["2026-04-01", "记-001", "出售树苗", 100, None],
                   ["2026-07-02", "记-002", "购买办公用品", 100, 50]]),
          (INFO_SHEET, [["公示结束", "2026-09-01"]])).save(path)
    plan = plan_import(path, "finance", Q3)
    told = [str(p) for p in plan.errors]
    assert any(t.startswith("第2行 A列“日期”") and "不在 2026年第三季度" in t for t in told), told
    assert any(t.startswith("第3行 D列“收入”/E列“支出”") and "只填一项" in t for t in told), told
    assert {p.field for p in plan.to_complete} == {"公示期", "期初余额", "期末余额"}


def test_a_choice_the_editor_cannot_hold_is_refused_too(tmp_path: Path) -> None:
    """The editor offers 采购方式 and 公告类别 only from their lists; a file may say anything, and is
    refused at the 事项信息 row that says it."""
    for code, label, key in (("bids", "采购方式", "method"), ("notice", "公告类别", "kind")):
        path = tmp_path / f"{code}.xlsx"
        write_workbook(code, path, getattr(factories, code)())
        book = load_workbook(path)
        row = next(r for r in book[INFO_SHEET].iter_rows() if r[0].value == label)
        row[1].value = "随便定"
        book.save(path)
        plan = plan_import(path, code, Q3)
        assert [(p.where, p.row, p.field) for p in plan.errors] == [(f"工作表“{INFO_SHEET}”", row[0].row, label)]
        assert "随便定" in plan.errors[0].message or "不是" in plan.errors[0].message, plan.errors
        assert key not in {p.field for p in plan.to_complete}


# ---------------------------------------------------------------------------------------------
# The command itself, once for every rule: exit 2, nothing stored, each problem by row and column.

@pytest.fixture(scope="module")
def village_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("village")
    db = folder / "archive.sqlite3"
    made = run_zwgk("init", "--db", str(db), "--township", "青山镇", "--village", "东岗村", cwd=folder)
    assert made.code == 0, made.err
    return db


def _items_in(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM disclosure_item").fetchone()[0])


@pytest.mark.slow
@pytest.mark.parametrize(("code", "breaker"), CASES, ids=[f"{c}-{b.__name__}" for c, b in CASES])
def test_zwgk_import_refuses_every_broken_rule(code: str, breaker: Breaker, village_db: Path, tmp_path: Path) -> None:
    # Each example is two processes: no shrinking (a failure is told as found).
    @settings(max_examples=2, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.data())
    def check(data: st.DataObject) -> None:
        with tempfile.TemporaryDirectory() as folder:
            item, path = _bad_file(code, breaker, data.draw, Path(folder))
            plan = plan_import(path, code, item.period)
            done = run_zwgk("import", str(path), "--db", str(village_db), "--village", "东岗村",
                            "--period", str(item.period),
                            "--category", code, "--accept-warnings", cwd=tmp_path)
        assert done.code == 2, (done.out, done.err)
        assert "什么也没有导入" in done.err and "Traceback" not in done.err
        assert plan.errors
        for problem in plan.errors:
            assert problem.row is not None and problem.field, problem  # named by row and field …
            assert f"  - {problem}" in done.err.splitlines(), (str(problem), done.err)  # … as the command says it
        assert _items_in(village_db) == 0

    check()


# ---------------------------------------------------------------------------------------------
# The same file imported twice at the same moment: the duplicate check is made inside the
# village's hold, so the second import sees the first.

def _bid_sheet(folder: Path) -> Path:
    path = folder / "bids.xlsx"
    item = factories.bids()
    item.status, item.reviewer, item.reviewed_on = "draft", None, None
    write_workbook("bids", path, item)
    return path


def _fresh_village(db: str, folder: Path) -> None:
    made = run_zwgk("init", "--db", db, "--township", "青山镇", "--village", "东岗村", cwd=folder)
    assert made.code == 0, made.err


def _bids_stored(db: str) -> int:
    from sqlalchemy import func, select

    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.db.models import DisclosureItem

    engine = open_engine(db)
    try:
        with session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(DisclosureItem)
                                      .where(DisclosureItem.category == "bids")) or 0)
    finally:
        engine.dispose()


def test_a_file_imported_meanwhile_is_found_inside_the_hold(empty_db: str, tmp_path: Path) -> None:
    """Checked while the archive had no such list, stored after another import put it there: the
    store refuses it, naming the item that now holds the same rows."""
    from zwgk_desktop.db import store
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.errors import BadInput
    from zwgk_desktop.io.importer import check_against_archive, store_import

    _fresh_village(empty_db, tmp_path)
    path = _bid_sheet(tmp_path)
    engine = open_engine(empty_db)
    sessions = session_factory(engine)
    try:
        mine, theirs = plan_import(path, "bids", Q3), plan_import(path, "bids", Q3)
        for plan in (mine, theirs):
            with sessions() as session:
                check_against_archive(session, plan, store.find_village(session, "东岗村"))
            assert plan.ok and plan.warnings == []  # neither sees the other yet
        with sessions() as session, session.begin():
            store_import(session, theirs, store.find_village(session, "东岗村"))
        with pytest.raises(BadInput, match="同时有人导入") as refused, sessions() as session, session.begin():
            store_import(session, mine, store.find_village(session, "东岗村"))
        assert any("完全相同" in p.message for p in refused.value.problems), refused.value
    finally:
        engine.dispose()
    assert _bids_stored(empty_db) == 1


@pytest.mark.slow
def test_two_imports_of_one_file_at_once_store_it_once(empty_db: str, tmp_path: Path) -> None:
    """Two `zwgk import` of the same file started together: exactly one stores it, the other exits
    2 saying the rows are already there (found when it checks the file, or, when both checked
    before either stored, inside the village's hold)."""
    _fresh_village(empty_db, tmp_path)
    path = _bid_sheet(tmp_path)
    command = [*zwgk_command(), "import", str(path), "--db", empty_db, "--village", "东岗村", "--period", "2026Q3",
               "--category", "bids"]
    running = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in running]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, _, err in results if code == 2)
    assert "完全相同" in refused and "Traceback" not in refused, refused
    assert _bids_stored(empty_db) == 1
