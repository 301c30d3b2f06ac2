"""The store and the archive on both backends: the same commands and the same guarantees on a
SQLite file and on a real PostgreSQL server (the township's)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from conftest import run_zwgk
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from zwgk_desktop.archive.bundle import export_bundle, import_bundle
from zwgk_desktop.archive.seal import seal_quarter, verify
from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, VillageKey
from zwgk_desktop.domain.categories import category
from zwgk_desktop.domain.items import REVIEWED, assign
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.office import online as online_copy
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts

LAYOUTS = load_layouts(standard_layouts_dir())


@contextmanager
def session_for(url: str, *, write: bool = False) -> Iterator[Session]:
    """A session on the database, its engine closed afterwards (a server counts connections)."""
    engine = open_engine(url)
    try:
        with session_factory(engine)() as session:
            if write:
                with session.begin():
                    yield session
            else:
                yield session
    finally:
        engine.dispose()


def raw(url: str):  # type: ignore[no-untyped-def]
    """An engine with none of the app's settings: someone working behind the app's back."""
    return create_engine(url if "://" in url else f"sqlite:///{url}")


def seal(url: str, village: str, period: str) -> None:
    with session_for(url, write=True) as session:
        seal_quarter(session, LAYOUTS, village, Quarter.parse(period), "王德明")


def item_id(url: str, category_code: str, period: str, village: int = 1) -> int:
    with session_for(url) as session:
        return int(session.scalar(select(DisclosureItem.id).where(  # type: ignore[arg-type]
            DisclosureItem.village_id == village, DisclosureItem.period == period,
            DisclosureItem.category == category_code)))


def in_quarter(url: str, period: str, village: int = 1) -> int:
    """How many items the demo has in a village's quarter (the 三资 tables add theirs)."""
    with session_for(url) as session:
        return len(session.scalars(select(DisclosureItem.id).where(
            DisclosureItem.village_id == village, DisclosureItem.period == period)).all())


@pytest.mark.slow
def test_every_command_works_on_the_backend(empty_db: str, tmp_path: Path) -> None:
    def zwgk(*args: str) -> str:
        done = run_zwgk(*args, "--db", empty_db, cwd=tmp_path, env={"ZWGK_DATA_DIR": str(tmp_path)})
        assert done.code == 0, (args, done.err)
        return done.out

    zwgk("init")
    loaded = re.search(r"(\d+) 个事项", zwgk("demo"))
    listed = json.loads(zwgk("list", "--json"))
    assert loaded and len(listed["villages"]) == 3 and len(listed["items"]) == int(loaded[1]) >= 54
    zwgk("render", "--village", "donggang", "--period", "2026Q2", "-o", str(tmp_path / "board.pdf"))
    zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明")
    assert "核验通过" in zwgk("verify")
    assert "村干部" in zwgk("search", "村干部")
    zwgk("site", "-o", str(tmp_path / "www"))
    zwgk("bundle", "export", "--village", "donggang", "-o", str(tmp_path / "d.zwgk"))


def test_the_database_itself_refuses_changes_to_the_sealed(demo_any: str) -> None:
    seal(demo_any, "donggang", "2026Q2")
    sealed = item_id(demo_any, "assistance", "2026Q2")
    engine = raw(demo_any)
    for statement in ("UPDATE item_row SET seq = seq + 1000 WHERE item_id = :i",
                      "DELETE FROM item_row WHERE item_id = :i",
                      "UPDATE disclosure_item SET title = 'x' WHERE id = :i",
                      "DELETE FROM sealed_item WHERE item_id = :i",
                      "UPDATE seal SET sealed_by = 'x'"):
        with pytest.raises(DBAPIError, match="sealed"), engine.begin() as connection:
            connection.execute(text(statement), {"i": sealed})
    engine.dispose()


def _disable_row_rules(url: str, connection) -> None:  # type: ignore[no-untyped-def]
    if url.startswith("postgresql"):
        connection.execute(text("ALTER TABLE item_row DISABLE TRIGGER row_sealed"))
    else:
        connection.execute(text("DROP TRIGGER row_sealed_update"))


def test_verify_names_a_change_made_behind_the_apps_back(demo_any: str) -> None:
    seal(demo_any, "donggang", "2026Q2")
    sealed = item_id(demo_any, "assistance", "2026Q2")
    with session_for(demo_any) as session:
        assert verify(session) == (in_quarter(demo_any, "2026Q2"), [])
        data = dict(session.scalars(select(store.ItemRow.data).where(store.ItemRow.item_id == sealed)).first() or {})
    data["monthly_amount"] += 1
    engine = raw(demo_any)
    with engine.begin() as connection:
        _disable_row_rules(demo_any, connection)
        connection.execute(text("UPDATE item_row SET data = :d WHERE item_id = :i AND seq = 1"),
                           {"d": json.dumps(data, ensure_ascii=False), "i": sealed})
    engine.dispose()
    with session_for(demo_any) as session:
        _, problems = verify(session)
    # The changed item is named; so is the protection taken off to change it (dropped or disabled).
    changed = [p for p in problems if "防改动保护" not in str(p)]
    assert len(changed) == 1 and f"事项 {sealed}" in str(changed[0]), problems
    assert any("防改动保护" in str(p) and "item_row" in str(p) for p in problems), problems


def test_corrections_and_search(demo_any: str) -> None:
    seal(demo_any, "donggang", "2026Q2")
    old = item_id(demo_any, "assistance", "2026Q2")
    with session_for(demo_any, write=True) as session:
        item = store.start_correction(session, old, "第3户月保障金额录入有误")
        assign(item, category("assistance"), "3.monthly_amount", "888")
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", date.today()
        store.save_item(session, item)
    seal(demo_any, "donggang", "2026Q2")
    with session_for(demo_any) as session:
        assert verify(session) == (in_quarter(demo_any, "2026Q2"), [])  # with the correction
        assert store.versions_of(session, old)[0] == old
        name = session.scalars(select(store.ItemRow.data).where(store.ItemRow.item_id == old)).first()["head_name"]
        for query in ("村干部", "报酬", name, name[1:]):
            hits = store.search(session, query)
            assert hits and all(query.lower() in h.text.lower() for h in hits), query


def test_a_bundle_moves_between_backends(demo_any: str, tmp_path: Path, backend: str) -> None:
    """A village's SQLite archive into the township's database, and back: it verifies either way."""
    seal(demo_any, "donggang", "2026Q1")
    seal(demo_any, "donggang", "2026Q2")
    bundle = tmp_path / "donggang.zwgk"
    with session_for(demo_any) as session:
        export_bundle(session, "donggang", bundle)
    other = str(tmp_path / "other.sqlite3")
    engine = open_engine(other, create=True)
    migrate.upgrade(engine)
    with session_factory(engine)() as session, session.begin():
        store.ensure_township(session, "青山镇")
        with session_for(demo_any) as village:  # the fingerprint the clerk reads to the township
            trust = list(village.scalars(select(VillageKey.fingerprint)))
        result = import_bundle(session, bundle, trust=trust)
    with session_factory(engine)() as session:
        assert result.seals == 2 and verify(session)[1] == []
    engine.dispose()


def test_the_online_copy_is_the_same_from_either_backend(demo_any: str, demo_db: Path, tmp_path: Path) -> None:
    def written(url: str, folder: Path) -> dict[str, str]:
        with session_for(url) as session:
            online_copy.write_site(session, LAYOUTS, folder, "https://qingshan.example/zwgk", today=date(2026, 11, 22))
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in folder.rglob("*") if p.is_file() and p.name != online_copy.MANIFEST}

    assert written(demo_any, tmp_path / "a") == written(str(demo_db), tmp_path / "b")


def test_the_auditors_read_only_engine_cannot_write(demo_any: str) -> None:
    engine = open_engine(demo_any, read_only=True)
    try:
        with session_factory(engine)() as session:
            assert session.scalar(select(DisclosureItem.id).limit(1)) is not None
            with pytest.raises(DBAPIError, match=r"(?i)read-only|readonly"):
                session.execute(text("DELETE FROM search_index"))
    finally:
        engine.dispose()


def test_an_item_added_while_a_quarter_is_sealed_waits_and_is_refused(demo_any: str) -> None:
    """A clerk imports into the quarter the township is sealing at that moment: the import waits
    for the seal and is then refused, rather than slipping in after the list was frozen."""
    from concurrent.futures import ThreadPoolExecutor

    from zwgk_desktop.domain.categories import new_item
    from zwgk_desktop.errors import BadInput

    def add_notice() -> None:
        with session_for(demo_any, write=True) as session:
            store.save_item(session, new_item("notice", Quarter(2026, 2)), store.find_village(session, "donggang"))

    with ThreadPoolExecutor(max_workers=1) as pool, session_for(demo_any, write=True) as sealing:
        seal_quarter(sealing, LAYOUTS, "donggang", Quarter(2026, 2), "王德明")
        adding = pool.submit(add_notice)
        with pytest.raises(TimeoutError):
            adding.result(timeout=1.0)  # held until the seal commits
        sealing.commit()
        with pytest.raises(BadInput, match="已封存"):
            adding.result(timeout=20)
    with session_for(demo_any) as session:
        assert verify(session)[1] == []


def test_a_seal_holds_nobody_up_while_it_prints_and_sees_a_change_made_meanwhile(
        demo_any: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The posters take a while to print: meanwhile another village's clerk can save (SQLite's lock
    is the whole file's), and an item of the quarter changed meanwhile stops the seal."""
    import zwgk_desktop.archive.seal as sealing
    from zwgk_desktop.errors import BadInput

    printing = sealing.write_pdf
    calls: list[str] = []

    def print_while_others_work(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not calls:
            with session_for(demo_any, write=True) as other:  # 柳树湾村's clerk saves: no waiting
                item, _ = store.load_item(other, item_id(demo_any, "notice", "2026Q3", village=2))
                item.title = "关于村民代表会议的通知（改）"
                store.save_item(other, item)
            calls.append("other village saved")
            with session_for(demo_any, write=True) as clerk:  # and 东岗村's list changes
                target = item_id(demo_any, "notice", "2026Q2")
                changed, _ = store.load_item(clerk, target)
                changed.title = changed.title + "（补）"
                store.save_item(clerk, changed)
        return printing(*args, **kwargs)

    monkeypatch.setattr(sealing, "write_pdf", print_while_others_work)
    with pytest.raises(BadInput, match="封存过程中被修改"), session_for(demo_any, write=True) as session:
        seal_quarter(session, LAYOUTS, "donggang", Quarter(2026, 2), "王德明")
    assert calls == ["other village saved"]
    monkeypatch.setattr(sealing, "write_pdf", printing)
    seal(demo_any, "donggang", "2026Q2")  # sealed as it now stands
    with session_for(demo_any) as session:
        assert verify(session)[1] == []
