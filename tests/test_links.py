"""Links between items (关联事项, issue 16 part 5): a later item names an earlier one of the village
by number, and the online copy shows the chain from decision to settlement.

Refused where an item is saved (the command line's edit and import, the store's add for the demo
and bundles' makers, the app's save), in words naming the field: a number not there, another
village's, a category the field does not take, the item itself, one not earlier. A link is part of
the item's public content (sealed, in its 验证码), printed only where set, so no demo code changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from test_archive import LAYOUTS, sessions

from tests.conftest import run_zwgk
from tests.factories import bids, finance, notice
from zwgk_desktop.db import links, migrate, store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, public_number
from zwgk_desktop.domain.category_file import category_from_toml
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.public import build_public_item

PROJECT = "村西生产路硬化及排水工程"


def numbers(db: Path, village: str = "liushuwan") -> dict[str, int]:
    """The village's items by title (each demo title of the chain is the village's only one)."""
    with sessions(db)() as session:
        found = session.scalars(select(DisclosureItem).join(store.Village).where(store.Village.code == village))
        return {r.title: public_number(r) for r in found}


def chain_numbers(db: Path) -> dict[str, int]:
    titles = numbers(db)
    return {"decision": titles[f"关于实施{PROJECT}的决议公告"], "bid": titles[f"{PROJECT}中标结果公示"],
            "progress": titles[f"{PROJECT}项目进展公示"], "settlement": titles[f"{PROJECT}竣工决算公示"],
            "outcome": titles[f"关于{PROJECT}决议实施结果的公告"]}


def follows(db: Path, number: int, village: str = "liushuwan") -> Any:
    with sessions(db)() as session:
        return store.find_item(session, number, village).fields.get("follows")


def test_the_demo_chain_links_each_item_to_the_one_before(demo_db: Path) -> None:
    chain = chain_numbers(demo_db)
    assert follows(demo_db, chain["bid"]) == chain["decision"]
    assert follows(demo_db, chain["progress"]) == chain["bid"]
    assert follows(demo_db, chain["settlement"]) == chain["progress"]
    assert follows(demo_db, chain["outcome"]) == chain["decision"]  # 实施结果 names its resolution
    # Appended after every other demo item: the numbers before them are the demo's of before.
    assert min(chain.values()) > max(n for t, n in numbers(demo_db, "shiqiao").items())


# ---------------------------------------------------------------------------------------------
# Refused, in words naming the field, nothing stored.

@pytest.fixture
def env(demo_copy: Path, tmp_path: Path) -> dict[str, str]:
    return {"ZWGK_DATA_DIR": str(tmp_path / "data"), "ZWGK_DB": str(demo_copy)}


def _other_village_bid(db: Path) -> int:
    with sessions(db)() as session:
        return public_number(session.scalars(select(DisclosureItem).join(store.Village).where(
            store.Village.code == "donggang", DisclosureItem.category == "bids")).first())


def _finance_of_liushuwan(db: Path) -> int:
    with sessions(db)() as session:
        return public_number(session.scalars(select(DisclosureItem).join(store.Village).where(
            store.Village.code == "liushuwan", DisclosureItem.category == "finance",
            DisclosureItem.period == "2026Q3")).one())


@pytest.mark.parametrize("case", ["missing", "other village", "wrong category", "later", "itself", "deleted"])
def test_edit_refuses_a_link_in_words_naming_the_field(demo_copy: Path, env: dict[str, str], tmp_path: Path,
                                                       case: str) -> None:
    chain = chain_numbers(demo_copy)
    if case == "deleted":
        made = run_zwgk("new", "--village", "liushuwan", "--period", "2026Q3", "--category", "notice", "--json",
                        cwd=tmp_path, env=env)
        gone = json.loads(made.out)["item"]
        assert run_zwgk("delete", "--item", str(gone), cwd=tmp_path, env=env).code == 0
    target, words = {
        "missing": (max(numbers(demo_copy).values()) + 500, "不存在：柳树湾村没有这个编号的事项"),
        "other village": (_other_village_bid(demo_copy), "是东岗村的事项，不是柳树湾村的"),
        "wrong category": (_finance_of_liushuwan(demo_copy),
                           "是财务收支（“2026年第三季度财务收支明细”）：这里只能关联工程项目招投标、公告"),
        "later": (chain["settlement"], f"不早于本事项（第 {chain['progress']} 号）：只能关联更早的事项"),
        "itself": (chain["progress"], "就是本事项自己"),
        "deleted": (gone if case == "deleted" else 0, "一个已删除的事项，不能关联"),
    }[case]
    done = run_zwgk("edit", "--item", str(chain["progress"]), "--set", f"关联事项={target}", cwd=tmp_path, env=env)
    assert done.code == 2, done.err
    assert f"关联事项：第 {target} 号" in done.err and words in done.err, done.err
    assert "Traceback" not in done.err
    assert follows(demo_copy, chain["progress"]) == chain["bid"]  # nothing stored
    with sessions(demo_copy)() as session:
        assert store.find_item(session, chain["progress"]).status == "reviewed"


def test_a_bid_result_may_name_only_a_notice_and_a_quarter_not_later(demo_copy: Path, env: dict[str, str],
                                                                      tmp_path: Path) -> None:
    chain = chain_numbers(demo_copy)
    other_bid = next(n for t, n in numbers(demo_copy).items() if t.endswith("中标结果公示") and n < chain["bid"])
    done = run_zwgk("edit", "--item", str(chain["bid"]), "--set", f"关联事项={other_bid}", cwd=tmp_path, env=env)
    assert done.code == 2 and "这里只能关联公告" in done.err, done.err
    # An item of 2026Q2 made after one of 2026Q3 (a higher number) still may not name it.
    q3_decision = next(n for t, n in numbers(demo_copy).items() if t == "村民代表会议决议公告" and n < chain["decision"]
                       and _period(demo_copy, n) == "2026Q3")
    made = json.loads(run_zwgk("new", "--village", "liushuwan", "--period", "2026Q2", "--category", "bids",
                               "--json", cwd=tmp_path, env=env).out)
    late = made["item"]
    done = run_zwgk("edit", "--item", str(late), "--set", f"关联事项={q3_decision}", cwd=tmp_path, env=env)
    assert done.code == 2 and "属于 2026Q3，晚于本事项的 2026Q2" in done.err, done.err
    assert follows(demo_copy, late) is None
    ok = run_zwgk("edit", "--item", str(late), "--set", f"关联事项={chain['decision']}", cwd=tmp_path, env=env)
    assert ok.code == 0, ok.err
    assert follows(demo_copy, late) == chain["decision"]


def _period(db: Path, number: int) -> str:
    with sessions(db)() as session:
        return store.find_item(session, number, "liushuwan").period


def test_a_linked_item_cannot_be_deleted(demo_copy: Path, env: dict[str, str], tmp_path: Path) -> None:
    chain = chain_numbers(demo_copy)
    made = json.loads(run_zwgk("new", "--village", "liushuwan", "--period", "2026Q3", "--category", "notice",
                               "--json", cwd=tmp_path, env=env).out)["item"]
    later = json.loads(run_zwgk("new", "--village", "liushuwan", "--period", "2026Q3", "--category", "notice",
                                "--json", cwd=tmp_path, env=env).out)["item"]
    assert run_zwgk("edit", "--item", str(later), "--set", f"关联事项={made}", cwd=tmp_path, env=env).code == 0
    refused = run_zwgk("delete", "--item", str(made), cwd=tmp_path, env=env)
    assert refused.code == 2 and f"是第 {later} 号“公告”的关联事项，不能删除" in refused.err, refused.err
    assert not list((tmp_path / "data").glob("backups/**/*before-delete*"))  # refused before any backup
    assert run_zwgk("edit", "--item", str(later), "--set", "关联事项=", cwd=tmp_path, env=env).code == 0
    assert run_zwgk("delete", "--item", str(made), cwd=tmp_path, env=env).code == 0
    assert follows(demo_copy, chain["progress"]) == chain["bid"]


def test_import_refuses_a_bad_link_on_the_info_sheet_and_takes_a_good_one(demo_copy: Path, env: dict[str, str],
                                                                          tmp_path: Path) -> None:
    chain = chain_numbers(demo_copy)
    template = tmp_path / "notice.xlsx"
    assert run_zwgk("template", "notice", "-o", str(template), cwd=tmp_path, env=env).code == 0

    def filled(link: int) -> Path:
        book = openpyxl.load_workbook(template)
        book["明细"].append(("已完成工程量", "路面全部浇筑完成", None))
        values = {"公告类别": "项目进展", "正文": f"{PROJECT}路面已全部浇筑完成。", "关联事项": link,
                  "公示开始": "2026-09-01", "公示结束": "2026-09-07"}
        labels = []
        for row in book["事项信息"].iter_rows(min_row=2):
            label = str(row[0].value or "").rstrip("*")
            labels.append(label)
            if label in values:
                row[1].value = values[label]
        assert "关联事项" in labels  # the template asks for it, as for any item field
        path = tmp_path / f"notice-{link}.xlsx"
        book.save(path)
        return path

    before = len(numbers(demo_copy))
    refused = run_zwgk("import", str(filled(chain["settlement"] + 100)), "--village", "liushuwan", "--period",
                       "2026Q3", "--category", "notice", cwd=tmp_path, env=env)
    assert refused.code == 2 and "关联事项" in refused.err and "不存在" in refused.err, refused.err
    assert len(numbers(demo_copy)) == before
    done = run_zwgk("import", str(filled(chain["progress"])), "--village", "liushuwan", "--period", "2026Q3",
                    "--category", "notice", "--json", cwd=tmp_path, env=env)
    assert done.code == 0, done.err
    assert follows(demo_copy, json.loads(done.out)["item"]) == chain["progress"]


# ---------------------------------------------------------------------------------------------
# The rule as a property: over generated archives and links, refused exactly when it should be.

PERIODS = (Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3))
MAKERS = {"finance": finance, "bids": bids, "notice": notice}


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """Two villages, items of three categories in three quarters, in an order that mixes them."""
    path = tmp_path_factory.mktemp("links") / "links.sqlite3"
    engine = open_engine(str(path), create=True)
    migrate.upgrade(engine)
    made = session_factory(engine)
    plan = [(v, c, p) for p in (2, 0, 1) for v in ("甲村", "乙村") for c in ("notice", "bids", "finance")]
    records = []
    with made() as session, session.begin():
        township = store.ensure_township(session, "青山镇")
        places = {name: store.add_village(session, township, name) for name in ("甲村", "乙村")}
        for village, category, index in plan:
            period = PERIODS[index]
            item = replace(MAKERS[category](), period=period)
            if category == "finance":
                item.rows = [dict(row, date=row["date"].replace(month=period.months[row["date"].month - 7]))
                             for row in item.rows]
                item.fields = {"opening_balance": 1_000_000, "closing_balance": 1_000_000 + 10_000_000 - 1_545_000}
            item_id = store.add_item(session, places[village], item)
            records.append({"id": item_id, "village": village, "category": category, "period": period,
                            "number": store.number_of(session, item_id)})
    yield made, records
    engine.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(own=st.integers(0, 17), target=st.one_of(st.integers(0, 17), st.just(-1)), new=st.booleans())
def test_a_link_is_refused_exactly_when_it_breaks_the_rule(small_archive: tuple[Any, list[dict[str, Any]]],
                                                           own: int, target: int, new: bool) -> None:
    made, records = small_archive
    mine = records[own]
    if mine["category"] == "finance":
        return  # no link field
    number = records[target]["number"] if target >= 0 else 999
    allowed = {"bids": ("notice",), "notice": ("bids", "notice")}[mine["category"]]
    with made() as session:
        village = store.find_village(session, mine["village"])
        item = store.to_domain(session.get(DisclosureItem, mine["id"]))
        item.fields["follows"] = number
        if new:  # a new item (an import): later than every one stored
            item.id = item.number = None
        them = records[target] if target >= 0 else None
        expected_ok = (them is not None and them["village"] == mine["village"] and them["category"] in allowed
                       and (new or them["number"] < mine["number"]) and them["period"] <= mine["period"])
        try:
            links.check_links(session, village, item)
        except BadInput as refused:
            assert not expected_ok, refused.problems
            assert refused.problems and all(p.field == "关联事项" for p in refused.problems)
            assert f"第 {number} 号" in refused.problems[0].message
        else:
            assert expected_ok, (mine, them)


def test_chains_join_links_and_versions_and_leave_unlinked_items_out(
        small_archive: tuple[Any, list[dict[str, Any]]]) -> None:
    made, records = small_archive
    with made() as session:
        mine = [r for r in records if r["village"] == "甲村"]
        notices = sorted((r for r in mine if r["category"] == "notice"), key=lambda r: r["number"])
        assert not links.chains(session, store.find_village(session, "甲村").id)
        session.get(DisclosureItem, notices[1]["id"]).fields = {**session.get(DisclosureItem, notices[1]["id"]).fields,
                                                                "follows": notices[0]["number"]}
        found = links.chains(session, store.find_village(session, "甲村").id)
        assert set(found) == {notices[0]["id"], notices[1]["id"]}
        assert found[notices[0]["id"]] == found[notices[1]["id"]]
        session.rollback()


def test_a_reference_field_must_hold_an_items_number() -> None:
    text = (standard_layouts_dir() / "notice.category.toml").read_text(encoding="utf-8")
    broken = text.replace('field = "follows"\ncategories', 'field = "body"\ncategories')
    with pytest.raises(BadInput) as refused:
        category_from_toml(broken, "notice.category.toml")
    assert any(p.field == "rules[0].field" and "count" in p.message for p in refused.value.problems), \
        refused.value.problems


# ---------------------------------------------------------------------------------------------
# Printed where set, and part of the content (sealed, in the 验证码).

def test_the_link_prints_only_where_set_and_changes_the_code(demo_copy: Path, env: dict[str, str],
                                                               tmp_path: Path) -> None:
    demo_db = demo_copy
    chain = chain_numbers(demo_db)
    with sessions(demo_db)() as session:
        bid, village = store.load_item(session, store.find_item(session, chain["bid"], "liushuwan").id)
        place = store.place_of(village)
    layout = LAYOUTS.for_category("bids")
    linked = build_public_item(bid, layout, place)
    assert ("关联事项", f"第 {chain['decision']} 号") in linked.info
    unlinked = replace(bid, fields={**bid.fields, "follows": None})
    plain = build_public_item(unlinked, layout, place)
    assert all(label != "关联事项" for label, _ in plain.info)
    assert plain.code != linked.code
    # An item without the field at all (as stored before it existed) has the same content as one without a value.
    absent = replace(bid, fields={k: v for k, v in bid.fields.items() if k != "follows"})
    assert build_public_item(absent, layout, place).code == plain.code
    pdf = tmp_path / "bid.pdf"
    done = run_zwgk("render", "--village", "liushuwan", "--period", "2026Q2", "--item", str(chain["bid"]),
                    "-o", str(pdf), cwd=tmp_path, env=env)
    assert done.code == 0, done.err
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert f"第 {chain['decision']} 号" in text and "关联事项" in text and linked.code in text
