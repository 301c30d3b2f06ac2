"""Full-text search of the archive: any part of a name, summary or project; never a private number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_zwgk

from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput


@pytest.fixture
def sessions(demo_copy: Path):  # type: ignore[no-untyped-def]
    engine = open_engine(str(demo_copy))
    yield session_factory(engine)
    engine.dispose()


def test_finds_summaries_names_and_companies(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        summaries = store.search(session, "村干部基本报酬", limit=500)
        company = store.search(session, "宏达建筑")
        name = store.search(session, "卫东")  # two characters: found without the trigram index
    assert summaries and all("村干部基本报酬" in h.text and h.category == "finance" for h in summaries)
    # A bidder, and the counterparty of contracts and debts (the 三资 tables) that name it.
    assert {"bids", "debts"} <= {h.category for h in company} <= {"bids", "contracts", "debts"}
    assert name and all("卫东" in h.text for h in name)


def test_filters_and_limits(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        village = store.find_village(session, "shiqiao")
        hits = store.search(session, "电费", village=village, period=Quarter(2026, 2), category="finance", limit=3)
        with pytest.raises(BadInput, match="请输入"):
            store.search(session, "  ")
    assert len(hits) == 3 and {(h.village, h.period) for h in hits} == {("石桥村", "2026Q2")}


def test_private_numbers_are_not_searchable_and_odd_text_is_safe(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        item, _ = store.load_item(session, next(s.id for s in store.list_items(session) if s.category == "assistance"))
        number = item.rows[0]["id_number"]
        assert store.search(session, number) == [] and store.search(session, number[:8]) == []
        assert store.search(session, item.rows[0]["phone"]) == []
        for odd in ('"', "100%", "a_b", "\\", "OR 1=1 --", "电费\"OR"):
            store.search(session, odd)  # no SQL or FTS syntax error, whatever is typed


def test_edits_are_searchable_at_once(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, session.begin():
        item_id = next(s.id for s in store.list_items(session) if s.category == "bids")
        item, _ = store.load_item(session, item_id)
        item.rows[0]["bidder"] = "新星钢结构工程有限公司"
        item.status = "draft"
        store.save_item(session, item)
    with sessions() as session:
        assert [h.item_id for h in store.search(session, "新星钢结构")] == [item_id]


def test_search_from_the_command_line(demo_copy: Path, tmp_path: Path) -> None:
    run = run_zwgk("search", "--db", str(demo_copy), "路灯", "--village", "东岗村", "--json", cwd=tmp_path)
    assert run.code == 0, run.err
    hits = json.loads(run.out)
    assert hits and all(h["village"] == "东岗村" and "路灯" in h["text"] for h in hits)
    plain = run_zwgk("search", "--db", str(demo_copy), "不存在的词语", cwd=tmp_path)
    assert plain.code == 0 and "没有找到" in plain.out


def test_one_and_two_character_queries(sessions) -> None:  # type: ignore[no-untyped-def]
    from zwgk_desktop.db.search_text import pairs

    assert pairs("王卫东 农村低保") == "王卫 卫东 农村 村低 低保"
    with sessions() as session:
        two = store.search(session, "电费", limit=1000)
        one = store.search(session, "费", limit=1000)
    assert two and all("电费" in h.text for h in two)
    assert len(one) >= len(two) and all("费" in h.text for h in one)
