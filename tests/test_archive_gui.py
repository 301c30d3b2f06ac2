"""The archive in the app: a correction made from a sealed item, and the auditor's archive browser
(filters, search, the sealed PDF, version history, the side-by-side of a correction, verify)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from factories import went_out_on
from sqlalchemy import select
from test_archive import seal, sessions
from test_gui import item_id, window  # noqa: F401  (the fixture)
from test_township import read_only_archive  # noqa: F401  (the fixture)

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.domain.categories import category
from zwgk_desktop.domain.items import REVIEWED, assign
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.archive_browser import ArchiveBrowser
from zwgk_desktop.ui.main_window import MainWindow


def test_a_correction_from_the_app_previews_as_its_notice(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    seal(Path(window.archive.sessions.kw["bind"].url.database), "donggang", "2026Q2")
    old = item_id(window, "assistance", period="2026Q2")
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        window.navigator.setCurrentItem(window.navigator.find_item(old))
    assert window.correct_action.isEnabled()
    with qtbot.waitSignal(window.preview.rendered, timeout=30000):
        window.start_correction(old, "第1户月保障金额录入有误")
    editor = window.editor
    assert editor is not None and editor.item is not None and editor.item.supersedes == old
    assert not editor.sealed and editor.correction_box.isVisible()
    assert editor.correction_reason.text() == "第1户月保障金额录入有误"
    amount = next(c for c, f in enumerate(editor.model.fields) if f.label == "月保障金额")
    with qtbot.waitSignal(window.preview.rendered, timeout=30000):
        editor.model.setData(editor.model.index(0, amount), "777")
    assert window.preview.pdf_path is not None
    import pypdf

    text = pypdf.PdfReader(window.preview.pdf_path).pages[0].extract_text()
    assert "东岗村更正公告" in text and "777.00" in text
    with qtbot.waitSignal(window.saved, timeout=20000):
        window.save_current()
    with window.archive.sessions() as session:
        assert store.load_item(session, old)[0].rows[0]["monthly_amount"] != 77700  # the original stays


def files(db: Path) -> list[bytes]:
    return [path.read_bytes() for path in (db, Path(f"{db}-wal")) if path.exists()]


def item_id_of(session, category: str, period: str) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(DisclosureItem.id).where(
        DisclosureItem.village_id == 1, DisclosureItem.period == period, DisclosureItem.category == category)))


def in_quarter(db: Path, period: str, village: str = "donggang") -> int:
    """How many items the demo has in a village's quarter (other tables add theirs)."""
    with sessions(db)() as session:
        return len(store.list_items(session, store.find_village(session, village), Quarter.parse(period)))


def _archive_with_a_correction(db: Path) -> int:
    seal(db, "donggang", "2026Q1")
    seal(db, "donggang", "2026Q2")
    with sessions(db)() as session, session.begin():
        old = item_id_of(session, "assistance", "2026Q2")
        item = store.start_correction(session, old, "第2户保障人口应为3人")
        assign(item, category("assistance"), "2.保障人口", "3")
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", date.today()
        store.save_item(session, item)
        new = item.id
    seal(db, "donggang", "2026Q2")
    assert new is not None
    return new


def test_the_archive_browser_shows_pdf_versions_and_what_changed(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    correction = _archive_with_a_correction(demo_copy)
    desktop.register_qt_font()
    fonts.register()
    before = files(demo_copy)
    browser = ArchiveBrowser(desktop.open_read_only(str(demo_copy)))  # as the auditor opens it
    qtbot.addWidget(browser)
    browser.show()
    q1, q2 = in_quarter(demo_copy, "2026Q1"), in_quarter(demo_copy, "2026Q2")  # the correction is Q2's too
    qtbot.waitUntil(lambda: len(browser.entries) == q1 + q2, timeout=20000)
    # Filters and search narrow the list.
    with qtbot.waitSignal(browser.listed, timeout=20000) as listed:
        browser.period.setCurrentIndex(browser.period.findData("2026Q1"))
    assert listed.args == [q1] and {e.period for e in browser.entries} == {"2026Q1"}
    with qtbot.waitSignal(browser.listed, timeout=20000):
        browser.period.setCurrentIndex(0)
    with sessions(demo_copy)() as session:
        bids = store.load_item(session, item_id_of(session, "bids", "2026Q1"))[0]
    winner = bids.fields["winner"]
    with qtbot.waitSignal(browser.listed, timeout=20000):
        browser.text.setText(winner)
        browser.refresh()
    assert bids.id in {e.item_id for e in browser.entries}
    assert all(e.category == "bids" for e in browser.entries)
    with qtbot.waitSignal(browser.listed, timeout=20000):
        browser.text.setText("")
        browser.refresh()
    # The correction: its 更正公告 as sealed, both versions, and the change side by side.
    with qtbot.waitSignal(browser.itemShown, timeout=20000):
        browser.select_item(correction)
    assert browser.document.pageCount() == 1
    assert browser.versions.rowCount() == 2
    assert browser.versions.item(0, 0).text() == "原公告" and browser.versions.item(1, 0).text() == "第1次更正"
    changes = [(browser.comparison.item(r, 0).text(), browser.comparison.item(r, 1).text(),
                browser.comparison.item(r, 2).text()) for r in range(browser.comparison.rowCount())]
    assert any(place.startswith("第2行") and "保障人口" in place and after == "3" for place, _, after in changes)
    with qtbot.waitSignal(browser.verified, timeout=30000) as verified:
        browser.verify_archive()
    assert verified.args == [[]] and "核验通过" in browser.verdict.text()
    assert files(demo_copy) == before  # browsing and verifying wrote nothing
    # Someone changes an amount behind the app's back: the same button now says so, naming the item.
    raw = sqlite3.connect(demo_copy)
    raw.execute("DROP TRIGGER row_sealed_update")
    raw.execute("UPDATE item_row SET data = json_set(data, '$.monthly_amount', 1) WHERE item_id = ? AND seq = 1",
                (correction,))
    raw.commit()
    raw.close()
    with qtbot.waitSignal(browser.verified, timeout=30000) as verified:
        browser.verify_archive()
    assert verified.args[0] and "核验未通过" in browser.verdict.text()
    assert any(f"事项 {correction}" in browser.problems.item(r).text() for r in range(browser.problems.count()))
    browser.close()


def test_the_read_only_app_opens_the_archive_browser(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    seal(demo_copy, "donggang", "2026Q2")
    desktop.register_qt_font()
    main = MainWindow(desktop.open_read_only(str(demo_copy)))
    qtbot.addWidget(main)
    try:
        browser = main.open_archive_browser()
        sealed = in_quarter(demo_copy, "2026Q2")
        qtbot.waitUntil(lambda: len(browser.entries) == sealed, timeout=20000)
        assert not main.correct_action.isEnabled()
        first, second = browser.entries[0], browser.entries[1]
        with qtbot.waitSignal(browser.itemShown, timeout=20000):
            browser.select_item(first.item_id)
        browser.close()
        again = main.open_archive_browser()  # the auditor opens it a second time
        qtbot.waitUntil(lambda: len(again.entries) == sealed, timeout=20000)
        with qtbot.waitSignal(again.itemShown, timeout=20000):
            again.select_item(second.item_id)
        assert again.document.pageCount() > 0 and second.title in again.pdf_note.text()
        assert f"共 {again.document.pageCount()} 张 A3；" in again.pdf_note.text()  # the sealed sheets' paper
    finally:
        main.close()


def test_the_app_prints_every_village_from_read_only_media(qtbot, read_only_archive: Path,  # type: ignore[no-untyped-def]  # noqa: F811
                                                          tmp_path: Path, monkeypatch) -> None:
    """The auditor's app on an archive nobody can write (a read-only mount, as the CD it stands
    for): the dashboard's batch printing reopens it read-only in every worker, prints each
    village, says the record could not be noted, and verify and the online copy work too."""
    from PySide6.QtWidgets import QMessageBox

    told: list[str] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _parent, _title, text, *_a, **_k: told.append(text))
    before = read_only_archive.read_bytes()
    desktop.register_qt_font()
    archive = desktop.open_read_only(str(read_only_archive))
    main = MainWindow(archive)
    qtbot.addWidget(main)
    try:
        dashboard = main.open_dashboard()
        with qtbot.waitSignal(dashboard.shown, timeout=20000):
            dashboard.choose("2026Q1")
        with qtbot.waitSignal(dashboard.printed, timeout=120000) as printed:
            dashboard.print_boards(dashboard._chosen_villages(), tmp_path / "each", one_file=False)
        result = printed.args[0]
        assert len(result.printed) == 3 and not result.recorded
        assert len(list((tmp_path / "each").glob("*-2026Q1.pdf"))) == 3
        assert "没有记下首次公开的时间" in dashboard.statusBar().currentMessage()
        with qtbot.waitSignal(main.verified, timeout=60000) as verified:
            main.verify_archive()
        assert verified.args[0] == [] and "核验" not in "".join(told[:-1]) and "一致" in told[-1]
        with qtbot.waitSignal(main.site_exported, timeout=120000) as exported:
            main.export_site(tmp_path / "www", "https://qingshan.example/zwgk")
        assert exported.args[0].items >= 40 and not exported.args[0].recorded
    finally:
        main.close()
        archive.close()
    assert read_only_archive.read_bytes() == before


def test_the_online_copy_exported_from_the_app(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with qtbot.waitSignal(window.site_exported, timeout=60000) as exported:
        window.export_site(tmp_path / "www", "https://qingshan.example/zwgk")
    result = exported.args[0]
    assert result.items >= 40 and len(result.written) == result.files
    assert (tmp_path / "www" / "donggang" / "2026Q3" / "index.html").is_file()


def test_the_township_dashboard(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from openpyxl import load_workbook

    db = Path(window.archive.sessions.kw["bind"].url.database)
    # 东岗村 printed its quarter on the days it typed (the record the table is judged from), and sealed later.
    with window.archive.sessions() as session, session.begin():
        village = store.find_village(session, "donggang")
        for record in session.scalars(select(DisclosureItem).where(
                DisclosureItem.village_id == village.id, DisclosureItem.period == "2026Q1")):
            went_out_on(session, record.id, record.publicity_start or date(2026, 4, 1))
    seal(db, "donggang", "2026Q1")
    dashboard = window.open_dashboard()
    qtbot.waitUntil(lambda: dashboard.table_data is not None, timeout=20000)
    with qtbot.waitSignal(dashboard.shown, timeout=20000) as shown:
        dashboard.choose("2026Q1")
    table = shown.args[0]
    assert [name for name, _, _ in table.rows] == ["东岗村", "柳树湾村", "石桥村"]
    assert dashboard.grid.item(0, 0).text() in ("按时", "逾期 1 个工作日", "逾期 2 个工作日", "逾期 3 个工作日")
    assert dashboard.grid.item(2, 0).text() == "未公开"
    dashboard.export(tmp_path / "status.xlsx")
    assert load_workbook(tmp_path / "status.xlsx")["公开情况"]["A3"].value == "东岗村"
    with qtbot.waitSignal(window.navigator.placeChosen, timeout=5000) as chosen:
        dashboard.grid.cellDoubleClicked.emit(1, 0)
    assert chosen.args == [2, "2026Q1"]
    # A quarter where nothing was entered is offered too (all 未公开), and double-clicking its row
    # says so and makes it the place where new items go.
    empty = "2024Q4"
    assert dashboard.period.findData(empty) < 0  # older than the recent quarters offered
    recent = Quarter.containing(date.today())
    assert dashboard.period.findData(str(recent)) >= 0
    with qtbot.waitSignal(dashboard.shown, timeout=20000):
        dashboard.choose(str(recent))
    dashboard.grid.cellDoubleClicked.emit(0, 0)
    assert window.chosen_place == (1, str(recent))
    assert "还没有任何事项" in window.statusBar().currentMessage()
    with qtbot.waitSignal(dashboard.shown, timeout=20000):
        dashboard.choose("2026Q1")
    dashboard.grid.selectRow(0)
    with qtbot.waitSignal(dashboard.printed, timeout=60000) as printed:
        dashboard.print_boards(dashboard._chosen_villages(), tmp_path / "job.pdf", one_file=True)
    assert printed.args[0].sheets >= 10 and (tmp_path / "job.pdf").is_file()


def test_the_dashboard_shows_the_quarter_chosen_last(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Quarters chosen quickly one after another: each is counted in the background, and an answer
    that arrives after the clerk moved on is not shown (it would be what 批量打印 prints)."""
    import time

    from PySide6.QtCore import QCoreApplication

    from zwgk_desktop.ui import dashboard as dashboard_module
    from zwgk_desktop.ui.workers import wait_for_all

    chosen = ["2026Q3", "2025Q4", "2026Q2", "2026Q1"]
    counted = dashboard_module.status_table

    def slow_at_first(archive, period):  # type: ignore[no-untyped-def]
        if str(period) == chosen[0]:
            time.sleep(1.5)  # in the worker: the first answer comes last, as on a busy township server
        return counted(archive, period)

    monkeypatch.setattr(dashboard_module, "status_table", slow_at_first)
    dashboard = window.open_dashboard()
    for period in chosen:
        dashboard.choose(period)  # each starts a count; none waits for the one before
    wait_for_all()
    qtbot.waitUntil(lambda: dashboard.table_data is not None and str(dashboard.table_data.period) == chosen[-1],
                    timeout=20000)
    wait_for_all()
    QCoreApplication.processEvents()  # every answer still queued for the GUI thread arrives
    assert str(dashboard.table_data.period) == chosen[-1] == dashboard.period.currentData()
    assert dashboard.summary.text().startswith(Quarter.parse(chosen[-1]).chinese)


def test_the_app_on_either_backend(qtbot, demo_any: str) -> None:  # type: ignore[no-untyped-def]
    """The desktop app opens the township's PostgreSQL archive as it opens a village's SQLite file."""
    from zwgk_desktop.db import store
    from zwgk_desktop.ui.workers import wait_for_all

    desktop.register_qt_font()
    fonts.register()
    main = MainWindow(desktop.open_archive(demo_any))
    qtbot.addWidget(main)
    main.show()
    try:
        wanted = item_id(main, "notice")
        with qtbot.waitSignal(main.preview.rendered, timeout=30000):
            main.navigator.setCurrentItem(main.navigator.find_item(wanted))
        editor = main.editor
        assert editor is not None
        editor.title.setText("关于村道维修的公告")
        editor._on_edited()
        editor.flush()
        with qtbot.waitSignal(main.saved, timeout=20000):
            main.save_current()
        with main.archive.sessions() as session:
            assert store.load_item(session, wanted)[0].title == "关于村道维修的公告"
    finally:
        main._autosave.stop()
        wait_for_all()
        main.preview.stop()
        main.close()
