"""Checks that cost what changed: the editor's `Checker` re-checks only the rows and rules an edit
touched, and must say exactly what `validate` says of the whole item, after any sequence of
edits, in every category."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import factories
from conftest import run_zwgk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain import items as items_module
from zwgk_desktop.domain.categories import ALL_CATEGORIES, category
from zwgk_desktop.domain.fields import Field
from zwgk_desktop.domain.items import DRAFT, REVIEWED, Checker, Item, Report, validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import Problem

Q3 = Quarter(2026, 3)


def _correction_notice() -> Item:
    """A 更正公告 as made from a correction (never typed, but checked like any item)."""
    return Item("correction", Q3, "更正公告", fields={"original_title": "2026年第三季度低保对象公示",
                                                   "original_code": "ABCDEFGH23", "body": "第12户月保障金额录入有误"},
                publicity_start=date(2026, 10, 20), rows=[{"place": "第12行 月保障金额", "before": "434.00",
                                                           "after": "343.00"}])


def _objections_notice() -> Item:
    """A 异议处理情况 as the register makes it (office.objections.publish: never typed)."""
    return Item("objections", Q3, "2026年第三季度异议处理情况",
                fields={"body": "本季度共收到村民对公开事项的异议 2 件，已答复 1 件，待答复 1 件。"},
                publicity_start=date(2026, 11, 2), publicity_end=date(2026, 11, 11),
                rows=[{"received_on": date(2026, 10, 12), "about": "事项 15“2026年第三季度低保对象公示”第 5 行",
                       "gist": "第5户是否仍符合低保条件", "reply": "经入户核实，维持", "replied_on": date(2026, 10, 20),
                       "outcome": "维持"},
                      {"received_on": date(2026, 10, 14), "about": "事项 14“2026年第三季度财务收支明细”",
                       "gist": "办公用品支出请说明", "reply": None, "replied_on": None, "outcome": "逾期未答复"}])


def _sanzi(code: str) -> Item:
    """A 三资 table as the demo makes it (a few rows, its totals as the rows give them), posted."""
    import random

    from zwgk_desktop.office import demo_sanzi as demo

    rng = random.Random(7)
    fields: dict[str, Any] = {"report_date": Q3.last_day}
    if code == "assets":
        rows = demo._assets(rng, Q3, True)[-4:]
        held = [r for r in rows if r["change"] not in ("减少", "处置")]
        fields.update(total_original=sum(r["original"] for r in held), total_net=sum(r["net"] for r in held))
    elif code == "resources":
        rows = demo._resources(rng, Q3, True)[-5:]
    elif code == "contracts":
        rows = demo._contract_rows(rng, "DG")[:5]
    elif code == "debts":
        rows = demo._debt_rows(rng)[-1]
        fields.update(claims_total=sum(r["balance"] for r in rows if r["kind"] == "债权"),
                      debts_total=sum(r["balance"] for r in rows if r["kind"] == "债务"))
    else:
        extra, rows = demo._distribution(rng, 0)
        fields = {"total_income": sum(r["amount"] for r in rows), "resolution": "村民代表会议通过", **extra}
    return Item(code, Q3, "三资", fields=fields, rows=rows, publicity_start=date(2026, 10, 10),
                publicity_end=date(2026, 10, 19))


STARTS = {"assistance": lambda: factories.assistance(count=6, seed=3), "finance": factories.finance,
          "bids": factories.bids, "notice": factories.notice, "correction": _correction_notice,
          "objections": _objections_notice,
          **{code: (lambda code=code: _sanzi(code))
             for code in ("assets", "resources", "contracts", "debts", "distribution")}}

# Values a cell may be given: sound ones, ones that break it, ones that make two rows alike;
# (1, 2) is given as a list, which cannot be a key.
ODD = st.sampled_from([None, "", "abc", "  ", "其他支出", "0", "-5", 0, -5, 1, 2, 10**13, True, 3.5,
                       date(2026, 8, 1), date(2025, 1, 1), "2026-08-01", "张建国", "3组", "甲建筑公司",
                       "记-001", "\u200b隐", "13912345678", "农村低保", (1, 2)])


def _copy(item: Item) -> Item:
    return pickle.loads(pickle.dumps(item))  # what the editor hands over: a new item each time


def _said(report: Report) -> tuple[Any, ...]:
    return report.errors, report.warnings, report.incomplete, report.whole


@st.composite
def edits(draw: st.DrawFn, code: str) -> list[tuple[str, Any]]:
    schema = category(code)
    keys = [f.key for f in schema.row_fields]
    own = [f.key for f in schema.item_fields]
    step = st.one_of(
        st.tuples(st.just("cell"), st.integers(0, 20), st.sampled_from(keys), ODD),
        st.tuples(st.just("copy"), st.integers(0, 20), st.sampled_from(keys), st.integers(0, 20)),
        st.tuples(st.just("insert"), st.integers(0, 20), st.booleans()),
        st.tuples(st.just("remove"), st.integers(0, 20)),
        st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 20)),
        st.tuples(st.just("own"), st.sampled_from(own), ODD),
        st.tuples(st.just("status"), st.sampled_from([DRAFT, REVIEWED]), st.sampled_from([None, "王德明"])),
    )
    return draw(st.lists(step, min_size=1, max_size=12))


def _apply(item: Item, edit: tuple[Any, ...]) -> None:
    rows = item.rows
    kind, *args = edit
    if kind == "cell" and rows:
        rows[args[0] % len(rows)][args[1]] = list(args[2]) if isinstance(args[2], tuple) else args[2]
    elif kind == "copy" and rows:  # a value of another row: a duplicate household, voucher, rank
        rows[args[0] % len(rows)][args[1]] = rows[args[2] % len(rows)].get(args[1])
    elif kind == "insert":
        at = args[0] % (len(rows) + 1)
        rows.insert(at, dict(rows[at % len(rows)]) if rows and args[1] else {})
    elif kind == "remove" and rows:
        rows.pop(args[0] % len(rows))
    elif kind == "move" and rows:
        rows.insert(args[1] % len(rows), rows.pop(args[0] % len(rows)))
    elif kind == "own" and args[0] in item.fields:
        item.fields[args[0]] = args[1]
    elif kind == "status":
        item.status, item.reviewer = args


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(ALL_CATEGORIES)).flatmap(lambda code: st.tuples(st.just(code), edits(code))))
def test_an_edited_item_is_checked_exactly_as_a_whole_check_would(case: tuple[str, list[tuple[Any, ...]]]) -> None:
    code, steps = case
    schema = category(code)
    item = STARTS[code]()
    checker = Checker(schema)
    checker.check(_copy(item))
    for step in steps:
        _apply(item, step)
        kept, whole = _copy(item), _copy(item)
        assert _said(checker.check(kept)) == _said(validate(whole, schema)), step
        # Both put the values into canonical form alike (what is stored, printed and hashed).
        assert (kept.rows, kept.fields) == (whole.rows, whole.fields)


def test_every_category_has_its_start() -> None:
    assert set(STARTS) == set(ALL_CATEGORIES)
    for code, start in STARTS.items():  # each starts sound, so the edits are what break it
        assert validate(start(), category(code)).errors == [], code


def test_an_edit_of_one_cell_checks_that_row_alone(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A 1,000-household list: one amount changed, one row's cells are checked again and the
    rules across rows (duplicates: they read no amount) are not run again; a name changed, they are."""
    rules_run: list[int] = []
    plain = category("assistance")
    schema = replace(plain, rules=lambda view, report: rules_run.append(1) or plain.rules(view, report))
    item = factories.assistance(count=1000, seed=5)
    checker = Checker(schema)
    first = checker.check(_copy(item))
    checked: list[object] = []
    original = Field.check
    monkeypatch.setattr(Field, "check", lambda self, value: checked.append(value) or original(self, value))
    item.rows[500]["monthly_amount"] = 123_400
    again = checker.check(_copy(item))
    # One row's ten cells, the item's own value (保障标准说明), its title, clerk and reviewer.
    assert len(checked) == len(schema.row_fields) + len(schema.item_fields) + 3
    assert rules_run == [1] and _said(again) == _said(first)
    item.rows[500]["monthly_amount"] = "abc"
    broken = checker.check(_copy(item))
    assert [(p.row, p.field) for p in broken.errors] == [(501, "月保障金额")]
    assert rules_run == [1, 1]  # a row broken: the rules leave it out
    item.rows[500]["monthly_amount"] = 123_400
    item.rows[10]["id_number"] = item.rows[3]["id_number"]
    doubled = checker.check(_copy(item))
    assert [(p.row, p.other_row) for p in doubled.errors] == [(11, 4)] and len(rules_run) == 3


# ---------------------------------------------------------------------------------------------
# The result of checking a stored item is kept with it, and trusted only while it still holds.

def _stored(db: Path, item: Item) -> int:
    from zwgk_desktop.db import store
    from zwgk_desktop.db.engine import open_engine, session_factory

    engine = open_engine(str(db))
    with session_factory(engine)() as session, session.begin():
        item_id = store.save_item(session, item, store.find_village(session, "donggang"))
    engine.dispose()
    return item_id


def _checks_before_print(db: Path, item_id: int, monkeypatch) -> tuple[int, list[Problem]]:  # type: ignore[no-untyped-def]
    """How many items printing would check again, and what it would refuse (as `render_board` asks)."""
    from zwgk_desktop.db import store
    from zwgk_desktop.db.engine import open_engine, session_factory

    counted: list[int] = []
    monkeypatch.setattr(store, "validate", lambda item, schema: counted.append(1) or validate(item, schema))
    engine = open_engine(str(db))
    with session_factory(engine)() as session:
        village = store.find_village(session, "donggang")
        items = store.selected_items(session, village, Q3, None, store.number_of(session, item_id))
        problems = store.check_stored(items)
    engine.dispose()
    monkeypatch.undo()
    return len(counted), problems


def test_a_reviewed_list_is_printed_on_its_kept_check(demo_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    item_id = _stored(demo_copy, factories.assistance(count=50, seed=9))
    assert _checks_before_print(demo_copy, item_id, monkeypatch) == (0, [])
    # The checks of another version of the program: checked again, once.
    monkeypatch.setattr(items_module, "rules_version", lambda: "2-elsewhere")
    assert _checks_before_print(demo_copy, item_id, monkeypatch) == (1, [])


def test_a_list_changed_behind_the_programs_back_is_checked_again(demo_copy: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    item_id = _stored(demo_copy, factories.assistance(count=50, seed=9))
    changed = tmp_path / "changed.sqlite3"
    factories.changed_behind_the_back(demo_copy, changed, "UPDATE item_row SET data = json_set(data, "
                                      f"'$.monthly_amount', -500) WHERE item_id = {item_id} AND seq = 7")
    checked, problems = _checks_before_print(changed, item_id, monkeypatch)
    assert checked == 1 and [(p.row, p.field) for p in problems] == [(7, "月保障金额")]
    refused = run_zwgk("render", "--db", str(changed), "--village", "donggang", "--period", "2026Q3",
                       "--item", str(_number(changed, item_id)), "-o", str(tmp_path / "out.pdf"), cwd=tmp_path)
    assert refused.code == 2 and "第7行" in refused.err and "月保障金额" in refused.err, refused.err
    assert not (tmp_path / "out.pdf").exists()


def test_a_draft_with_errors_keeps_them_and_is_refused_on_print(demo_copy: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    draft = factories.assistance(count=5, seed=9, status=DRAFT)
    draft.rows[2]["monthly_amount"] = "abc"
    item_id = _stored(demo_copy, draft)
    checked, problems = _checks_before_print(demo_copy, item_id, monkeypatch)
    assert checked == 1 and [(p.row, p.field) for p in problems] == [(3, "月保障金额")]


def _number(db: Path, item_id: int) -> int:
    from zwgk_desktop.db import store
    from zwgk_desktop.db.engine import open_engine, session_factory

    engine = open_engine(str(db))
    with session_factory(engine)() as session:
        number = store.number_of(session, item_id)
    engine.dispose()
    return number
