"""Item numbers are never given twice (a QR code on any sheet ever printed leads to its item or to
"withdrawn", never to another), sealed items get a 件号 of their own, and what a restore or a
backup does to them: on real SQLite files, on PostgreSQL, through the `zwgk` command."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import run_zwgk
from factories import changed_behind_the_back, notice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from zwgk_desktop.archive import backup
from zwgk_desktop.archive.seal import seal_quarter, verify
from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import ItemNumber, SealedItem, VillageKey
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, NotFound
from zwgk_desktop.io.workbook import write_workbook
from zwgk_desktop.office import online as online_copy
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts

LAYOUTS = load_layouts(standard_layouts_dir())


@contextmanager
def session_for(url: str) -> Iterator[Session]:
    engine = open_engine(url)
    try:
        with session_factory(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()


@pytest.fixture
def initialised(empty_db: str) -> str:
    engine = open_engine(empty_db, create=True)
    migrate.upgrade(engine)
    engine.dispose()
    with session_for(empty_db) as session:
        store.ensure_township(session, "青山镇")
    return empty_db


# Sequences of what a clerk does: import a new item into one of two villages, delete one of the
# items there (the newest most often: that is the number an old max+1 gave again), seal nothing.
operations = st.lists(st.one_of(
    st.tuples(st.just("import"), st.integers(0, 1)),
    st.tuples(st.just("delete"), st.integers(0, 1), st.integers(0, 50)),
    st.tuples(st.just("delete-newest"), st.integers(0, 1)),
), min_size=1, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_a_number_is_never_given_twice(initialised: str, steps: list[tuple]) -> None:
    run = uuid.uuid4().hex[:8]  # each example its own villages, in the one database of the test
    with session_for(initialised) as session:
        township = store.get_township(session)
        assert township is not None
        codes = [store.add_village(session, township, f"村{run}{n}={run}-{n}").code for n in (0, 1)]
    given_to: dict[tuple[str, int], str] = {}  # every (village, number) ever given → the item's title
    live: dict[str, list[int]] = {code: [] for code in codes}
    highest: dict[str, int] = {code: 0 for code in codes}
    for step in steps:
        code = codes[step[1]]
        with session_for(initialised) as session:
            village = store.find_village(session, code)
            if step[0] == "import":
                title = f"公告 {uuid.uuid4().hex[:10]}"
                item = dataclasses.replace(notice(), title=title, status="draft")
                number = store.number_of(session, store.add_item(session, village, item))
                assert number > highest[code], (step, number, highest)  # numbers only go up
                assert (code, number) not in given_to
                given_to[code, number] = title
                highest[code] = number
                live[code].append(number)
            elif live[code]:
                number = live[code][-1] if step[0] == "delete-newest" else live[code][step[2] % len(live[code])]
                store.delete_item(session, store.find_item(session, number, code).id)
                live[code].remove(number)
    with session_for(initialised) as session:
        for (code, number), title in given_to.items():
            if number in live[code]:
                assert store.find_item(session, number, code).title == title  # never another item
            else:
                with pytest.raises(NotFound, match="已删除，编号不再使用"):
                    store.find_item(session, number, code)
                retired = [r.number for r in store.retired_numbers(session, store.find_village(session, code))]
                assert number in retired


def _tables_refuse(url: str, statements: list[str]) -> list[str]:
    """The statements the database let through (each tried in a transaction of its own)."""
    allowed = []
    engine = open_engine(url)
    try:
        for statement in statements:
            try:
                with engine.begin() as connection:
                    connection.execute(text(statement))
                allowed.append(statement)
            except DBAPIError:
                pass
    finally:
        engine.dispose()
    return allowed


def test_the_database_keeps_the_register(initialised: str, backend: str) -> None:
    """Behind the program's back too: no deleting a number, moving it, or giving a retired one again."""
    with session_for(initialised) as session:
        township = store.get_township(session)
        assert township is not None
        village = store.add_village(session, township, "东岗村")
        kept = store.add_item(session, village, notice())
        gone = store.add_item(session, village, notice())
    with session_for(initialised) as session:
        store.delete_item(session, gone)
    statements = ["DELETE FROM item_number",
                  "UPDATE item_number SET number = number + 100",
                  f"UPDATE item_number SET item_id = {kept} WHERE item_id IS NULL",
                  "UPDATE item_number SET period = '2020Q1'"]
    if backend == "sqlite":
        statements.append("INSERT OR REPLACE INTO item_number (village_id, number, item_id, period) "
                          "SELECT village_id, number, NULL, period FROM item_number")
    assert _tables_refuse(initialised, statements) == []
    with session_for(initialised) as session:
        assert len(session.scalars(select(ItemNumber)).all()) == 2


def _notice_workbook(folder: Path) -> Path:
    path = folder / "公告.xlsx"
    write_workbook("notice", path, notice())
    return path


def test_delete_then_import_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "archive.sqlite3")
    assert run_zwgk("init", "--db", db, "--township", "青山镇", "--village", "东岗村", "--base-url",
                    "https://qingshan.example/zwgk", cwd=tmp_path).code == 0
    book = _notice_workbook(tmp_path)

    def imported() -> int:
        done = run_zwgk("import", str(book), "--db", db, "--village", "东岗村", "--period", "2026Q3",
                        "--category", "notice", "--json", cwd=tmp_path)
        assert done.code == 0, done.err
        return int(json.loads(done.out)["item"])

    first, second, third = imported(), imported(), imported()
    assert run_zwgk("delete", "--db", db, "--item", str(third), cwd=tmp_path).code == 0
    fourth = imported()
    assert fourth > third > second > first  # the deleted draft's number is not given again
    gone = run_zwgk("export", "--db", db, "--item", str(third), "-o", str(tmp_path / "x.xlsx"), cwd=tmp_path)
    assert gone.code == 2 and "已删除，编号不再使用" in gone.err
    listed = json.loads(run_zwgk("list", "--db", db, "--json", cwd=tmp_path).out)
    assert [i["number"] for i in listed["items"]] == [first, second, fourth]
    site = tmp_path / "site"
    written = run_zwgk("site", "--db", db, "-o", str(site), "--base-url", "https://qingshan.example/zwgk",
                       cwd=tmp_path)
    assert written.code == 0, written.err
    page = (site / "donggang" / "2026Q3" / f"{third}.html").read_text(encoding="utf-8")
    assert "该公告已撤回" in page and "村民代表会议决议公告" not in page  # nothing of what was withdrawn
    assert json.loads((site / "donggang" / "2026Q3" / f"{third}.json").read_text())["withdrawn"]


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(["import", "delete-newest", "delete-oldest"]), min_size=2, max_size=6))
def test_the_command_never_gives_a_number_twice(tmp_path: Path, steps: list[str]) -> None:
    """The same, as a clerk does it: `zwgk import` and `zwgk delete` on a real file, in any order."""
    db = str(tmp_path / f"{uuid.uuid4().hex[:8]}.sqlite3")
    assert run_zwgk("init", "--db", db, "--township", "青山镇", "--village", "东岗村", cwd=tmp_path).code == 0
    book = _notice_workbook(tmp_path)
    live: list[int] = []
    ever: list[int] = []
    for step in steps:
        if step == "import":
            done = run_zwgk("import", str(book), "--db", db, "--village", "东岗村", "--period", "2026Q3",
                            "--category", "notice", cwd=tmp_path)
            assert done.code == 0, done.err
            number = int(done.out.strip())
            assert all(number > earlier for earlier in ever), (steps, ever, number)
            ever.append(number)
            live.append(number)
        elif live:
            number = live.pop(-1 if step == "delete-newest" else 0)
            assert run_zwgk("delete", "--db", db, "--item", str(number), cwd=tmp_path).code == 0
    listed = json.loads(run_zwgk("list", "--db", db, "--json", cwd=tmp_path).out)
    assert [i["number"] for i in listed["items"]] == live


def in_quarter(db: Path, village: str, *periods: str) -> int:
    """How many items the demo has in a village's quarters (the 三资 tables add theirs)."""
    with session_for(str(db)) as session:
        found = store.find_village(session, village)
        return sum(len(store.list_items(session, found, Quarter.parse(p))) for p in periods)


def test_numbers_and_jianhao_travel_to_the_township(demo_copy: Path, tmp_path: Path) -> None:
    """The township keeps the village's numbers, knows its retired ones (its online copy says
    withdrawn for them, its own new items never take them), and gives the same 件号."""
    from zwgk_desktop.archive.bundle import export_bundle, import_bundle

    with session_for(str(demo_copy)) as session:
        for period in ("2025Q4", "2026Q1"):
            seal_quarter(session, LAYOUTS, "东岗村", Quarter.parse(period), "王德明")
        village = store.find_village(session, "东岗村")
        draft = store.add_item(session, village, dataclasses.replace(notice(), status="draft"))
        retired = store.number_of(session, draft)
    with session_for(str(demo_copy)) as session:
        store.delete_item(session, draft)
    with session_for(str(demo_copy)) as session:
        export_bundle(session, "东岗村", tmp_path / "donggang.zwgk")
        filed = {store.number_of(session, e.item_id): e.archive_number for e in session.scalars(select(SealedItem))}
    assert sorted(filed.values()) == list(range(1, in_quarter(demo_copy, "东岗村", "2025Q4", "2026Q1") + 1))
    township = str(tmp_path / "township.sqlite3")
    engine = open_engine(township, create=True)
    migrate.upgrade(engine)
    engine.dispose()
    with session_for(township) as session:
        store.ensure_township(session, "青山镇")
    with session_for(str(demo_copy)) as session:  # the fingerprint the clerk reads to the township
        fingerprint = session.scalar(select(VillageKey.fingerprint))
    with session_for(township) as session:
        import_bundle(session, tmp_path / "donggang.zwgk", trust=[str(fingerprint)])
    with session_for(township) as session:
        there = {store.number_of(session, e.item_id): e.archive_number for e in session.scalars(select(SealedItem))}
        assert there == filed
        village = store.find_village(session, "donggang")
        assert retired in [r.number for r in store.retired_numbers(session, village)]
        made_here = store.number_of(session, store.add_item(session, village, notice()))
        assert made_here > retired
        assert verify(session)[1] == []


def test_jianhao_is_given_in_sealing_order_and_checked(demo_copy: Path, tmp_path: Path) -> None:
    with session_for(str(demo_copy)) as session:
        for village, period in (("石桥村", "2026Q1"), ("东岗村", "2025Q4"), ("石桥村", "2025Q4")):
            seal_quarter(session, LAYOUTS, village, Quarter.parse(period), "王德明")
    listed = run_zwgk("list", "--db", str(demo_copy), "--village", "shiqiao", "--json", cwd=tmp_path)
    items = [i for i in json.loads(listed.out)["items"] if i["sealed"]]
    by_period = {p: sorted(i["archive_number"] for i in items if i["period"] == p) for p in ("2026Q1", "2025Q4")}
    q1, q4 = in_quarter(demo_copy, "石桥村", "2026Q1"), in_quarter(demo_copy, "石桥村", "2025Q4")
    assert by_period["2026Q1"] == list(range(1, q1 + 1)) and by_period["2025Q4"] == list(range(q1 + 1, q1 + q4 + 1))
    text_list = run_zwgk("list", "--db", str(demo_copy), "--village", "shiqiao", cwd=tmp_path).out
    assert "件号 1）" in text_list
    # A 件号 changed behind the program's back is named by verify.
    tampered = tmp_path / "tampered.sqlite3"
    changed_behind_the_back(demo_copy, tampered, "DROP TRIGGER sealed_item_append_only_update",
               "UPDATE sealed_item SET archive_number = archive_number + 1 WHERE id = "
               "(SELECT max(id) FROM sealed_item)")
    checked = run_zwgk("verify", "--db", str(tampered), cwd=tmp_path)
    assert checked.code == 1 and "件号" in checked.out



def test_an_archive_from_before_the_register_is_numbered_by_the_upgrade(demo_copy: Path, tmp_path: Path) -> None:
    """Made as 0008 left it (no register, no 件号): the upgrade registers every item's number and
    numbers the sealed items in sealing order, and the archive still verifies."""
    with session_for(str(demo_copy)) as session:
        for village, period in (("东岗村", "2026Q1"), ("东岗村", "2025Q4")):
            seal_quarter(session, LAYOUTS, village, Quarter.parse(period), "王德明")
        expected = {e.id: e.archive_number for e in session.scalars(select(SealedItem))}
    old = tmp_path / "old.sqlite3"
    changed_behind_the_back(demo_copy, old, *[f"DROP TRIGGER {name}" for name in
                                 ("number_register_delete", "number_register_update", "number_register_replace")],
               "DROP TABLE item_number", "DROP TRIGGER sealed_item_append_only_update",
               "ALTER TABLE sealed_item DROP COLUMN archive_number", "UPDATE alembic_version SET version_num = '0008'")
    with sqlite3.connect(old) as db:  # put the guard back as 0003 made it
        db.execute("CREATE TRIGGER sealed_item_append_only_update BEFORE UPDATE ON sealed_item BEGIN "
                   "SELECT RAISE(ABORT, 'sealed: 已封存的档案不能修改或删除'); END")
    assert run_zwgk("init", "--db", str(old), cwd=tmp_path).code == 0
    with session_for(str(old)) as session:
        assert {e.id: e.archive_number for e in session.scalars(select(SealedItem))} == expected
        numbers = {(n.village_id, n.number) for n in session.scalars(select(ItemNumber))}
        assert len(numbers) == len(store.list_items(session)) and verify(session)[1] == []
    assert backup._protection_missing(open_engine(str(old))) == []
    # Nor is anything missing from an archive made by the first schema and upgraded since.
    first = open_engine(str(tmp_path / "first.sqlite3"), create=True)
    migrate.upgrade(first, "0001")
    migrate.upgrade(first)
    assert backup._protection_missing(first) == []
    first.dispose()


# ---------------------------------------------------------------------------------------------
# Restore


def _protective_rules() -> list[str]:
    return sorted(name for name in backup._reference_schema() if not name.startswith(("ix_", "sqlite_")))


@pytest.mark.parametrize("rule", _protective_rules())
def test_a_backup_without_any_one_protective_rule_is_refused(demo_copy: Path, tmp_path: Path, rule: str) -> None:
    kind = "TRIGGER" if rule in {n for n, s in backup._reference_schema().items() if s.startswith("CREATE TRIGGER")} \
        else "INDEX"
    stripped = tmp_path / "stripped.sqlite3"
    changed_behind_the_back(demo_copy, stripped, f"DROP {kind} {rule}")
    with pytest.raises(BadInput, match=rule):
        backup.check_backup(stripped, tmp_path / "checked.sqlite3")


def test_restore_refuses_a_backup_with_its_triggers_dropped_or_failing_verify(demo_copy: Path, tmp_path: Path) -> None:
    with session_for(str(demo_copy)) as session:
        seal_quarter(session, LAYOUTS, "东岗村", Quarter.parse("2025Q4"), "王德明")
    before = demo_copy.read_bytes()
    names = [n for (n,) in sqlite3.connect(demo_copy).execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    triggerless = tmp_path / "triggerless.sqlite3"
    changed_behind_the_back(demo_copy, triggerless, *[f"DROP TRIGGER {name}" for name in names])
    altered = tmp_path / "altered.sqlite3"  # its guard lifted for one change, then put back as it was
    guard = sqlite3.connect(demo_copy).execute("SELECT sql FROM sqlite_master WHERE name = 'item_sealed_update'")
    changed_behind_the_back(demo_copy, altered, "DROP TRIGGER item_sealed_update",
               "UPDATE disclosure_item SET title = '改过的标题' WHERE id = 1", guard.fetchone()[0])
    for bad, told in ((triggerless, "缺少保护封存档案的数据库规则"), (altered, "核验未通过")):
        refused = run_zwgk("restore", "--db", str(demo_copy), str(bad), "--yes", cwd=tmp_path)
        assert refused.code == 2 and told in refused.err and "未恢复" in refused.err, refused.err
        assert "Traceback" not in refused.err
    assert demo_copy.read_bytes() == before


def test_restoring_an_older_backup_names_the_seals_it_would_lose(demo_copy: Path, tmp_path: Path) -> None:
    with session_for(str(demo_copy)) as session:
        seal_quarter(session, LAYOUTS, "东岗村", Quarter.parse("2025Q4"), "王德明")
    older = backup.take_backup(demo_copy, "manual").path
    sealed_since = [("东岗村", "2026Q1"), ("柳树湾村", "2025Q4"), ("柳树湾村", "2026Q1"), ("石桥村", "2025Q4"),
                    ("石桥村", "2026Q1")]
    with session_for(str(demo_copy)) as session:
        for village, period in sealed_since:
            seal_quarter(session, LAYOUTS, village, Quarter.parse(period), "王德明")
        village = store.find_village(session, "东岗村")
        since = store.number_of(session, store.add_item(session, village, dataclasses.replace(notice(),
                                                                                         status="draft")))
    asked = run_zwgk("restore", "--db", str(demo_copy), str(older), cwd=tmp_path)  # stdin is not a terminal
    assert asked.code == 2 and "--yes" in asked.err, asked.err
    named = [line.strip("- ").strip() for line in asked.out.splitlines() if line.startswith("  - ")]
    quarters = [line for line in named if not line.endswith("密钥记录")]  # each village's key made since, too
    assert sorted(quarters) == sorted(f"{v} {p} 季度封存" for v, p in sealed_since)
    assert sorted(line.split()[0] for line in named if line.endswith("密钥记录")) == ["柳树湾村", "石桥村"]
    assert "1 个备份之后录入的事项" in asked.out
    with session_for(str(demo_copy)) as session:
        assert len(verify(session)[1]) == 0 and store.find_item(session, since).id  # nothing restored
    done = run_zwgk("restore", "--db", str(demo_copy), str(older), "--yes", cwd=tmp_path)
    assert done.code == 0, done.err
    with session_for(str(demo_copy)) as session:
        assert verify(session) == (in_quarter(demo_copy, "东岗村", "2025Q4"), [])
        village = store.find_village(session, "东岗村")
        # The draft made after the backup may have been printed: its number stays retired.
        assert since in [r.number for r in store.retired_numbers(session, village)]
        assert store.number_of(session, store.add_item(session, village, notice())) > since
    undo = [b for b in backup.list_backups(demo_copy) if b.reason == "before-restore"]
    assert len(undo) == 1  # and the archive as it was can be put back
    with session_factory(open_engine(str(undo[0].path)))() as session:
        assert verify(session)[0] > 4


def test_same_named_archives_keep_their_own_backups(tmp_path: Path) -> None:
    """Two `archive.sqlite3` (the default name, a USB copy): neither lists nor prunes the other's."""
    first, second = tmp_path / "office" / "archive.sqlite3", tmp_path / "usb" / "archive.sqlite3"
    for db in (first, second):
        assert run_zwgk("init", "--db", str(db), "--township", "青山镇", cwd=tmp_path).code == 0
    # Where an earlier version kept every archive.sqlite3's backups together: whose, nobody knows.
    unsorted = backup.paths.data_dir() / "backups" / "archive" / "archive-20250101T000000000000Z-manual.sqlite3"
    unsorted.parent.mkdir(parents=True)
    unsorted.write_bytes(first.read_bytes())
    made: dict[Path, list[Path]] = {first: [], second: []}
    for db in (first, second, first, second, first, first):
        made[db].append(backup.take_backup(db, "manual", keep=3).path)
    assert [b.path for b in backup.list_backups(first)] == made[first][-3:]
    assert [b.path for b in backup.list_backups(second)] == made[second]
    assert all(path.exists() for path in made[second])  # the first's pruning left them alone
    listed = run_zwgk("backup", "--db", str(second), "--list", cwd=tmp_path)
    assert sorted(line.split()[-1] for line in listed.out.splitlines()) == sorted(map(str, made[second]))
    assert "旧版本程序留下的备份" in listed.err and unsorted.exists()
    # Reached by another spelling of the same path, it is the same archive.
    assert backup.backup_folder(first.parent / ".." / "office" / "archive.sqlite3") == backup.backup_folder(first)


def test_withdrawn_page_on_both_backends(initialised: str, tmp_path: Path) -> None:
    with session_for(initialised) as session:
        township = store.get_township(session)
        assert township is not None
        store.set_base_url(township, "https://qingshan.example/zwgk")
        village = store.add_village(session, township, "东岗村")
        kept = store.number_of(session, store.add_item(session, village, notice()))
        gone_id = store.add_item(session, village, notice())
        gone = store.number_of(session, gone_id)
    with session_for(initialised) as session:
        store.delete_item(session, gone_id)
    with session_for(initialised) as session:
        result = online_copy.write_site(session, LAYOUTS, tmp_path / "site", "https://qingshan.example/zwgk")
    folder = tmp_path / "site" / "donggang" / "2026Q3"
    assert "该公告已撤回" in (folder / f"{gone}.html").read_text(encoding="utf-8")
    assert "该公告已撤回" not in (folder / f"{kept}.html").read_text(encoding="utf-8")
    assert result.items == 1  # the withdrawn number is not counted as an item


def test_the_app_checks_the_backup_names_the_lost_seals_and_asks(qtbot, demo_copy: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from zwgk_desktop.render import fonts
    from zwgk_desktop.ui import app as desktop
    from zwgk_desktop.ui.main_window import MainWindow
    from zwgk_desktop.ui.workers import wait_for_all

    older = backup.take_backup(demo_copy, "manual").path
    with session_for(str(demo_copy)) as session:
        seal_quarter(session, LAYOUTS, "东岗村", Quarter.parse("2025Q4"), "王德明")
    stripped = tmp_path / "stripped.sqlite3"
    changed_behind_the_back(older, stripped, "DROP TRIGGER seal_append_only_delete")
    desktop.register_qt_font()
    fonts.register()
    main = MainWindow(desktop.open_archive(str(demo_copy)))
    qtbot.addWidget(main)
    asked: list[str] = []
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])

    def question(_parent, _title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return next(answers)

    refused: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "critical", lambda *args, **kwargs: refused.append(str(args[2])))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kwargs: refused.append(str(args[2])))
    try:
        with qtbot.waitSignal(main.restore_ended, timeout=60000) as ended:
            main.check_restore(stripped)
        assert ended.args == [False] and asked == [] and any("seal_append_only_delete" in t for t in refused)
        with qtbot.waitSignal(main.restore_ended, timeout=60000) as ended:
            main.check_restore(older)  # declined
        assert ended.args == [False] and "东岗村 2025Q4 季度封存" in asked[0]
        with session_for(str(demo_copy)) as session:
            assert verify(session)[0] == in_quarter(demo_copy, "东岗村", "2025Q4")
        with qtbot.waitSignal(main.restore_ended, timeout=60000) as ended:
            main.check_restore(older)
        assert ended.args == [True]
        with session_for(str(demo_copy)) as session:
            assert verify(session) == (0, [])
    finally:
        main._autosave.stop()
        wait_for_all()
        main.preview.stop()
        main.close()
