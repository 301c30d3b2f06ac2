"""The desktop app driven as a clerk would, offscreen: open the demo township, edit, check,
undo, and print through the print path."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from zwgk_desktop import paths
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, FirstPublic
from zwgk_desktop.domain.identity import id_check_char
from zwgk_desktop.domain.items import REVIEWED
from zwgk_desktop.render import fonts
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.dialogs import SettingsDialog
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.printing import printer_for

A3_POINTS = (841.89, 1190.55)


@pytest.fixture
def window(qtbot, demo_copy: Path):  # type: ignore[no-untyped-def]
    desktop.register_qt_font()
    fonts.register()
    sessions = desktop.open_archive(str(demo_copy))
    main = MainWindow(sessions)
    qtbot.addWidget(main)
    main.show()
    yield main
    main._autosave.stop()
    from zwgk_desktop.ui.workers import wait_for_all

    wait_for_all()
    main.preview.stop()


def item_id(window: MainWindow, category: str, village: str = "donggang", period: str = "2026Q3") -> int:
    with window.archive.sessions() as session:
        record = session.scalars(select(DisclosureItem).join(store.Village).where(
            store.Village.code == village, DisclosureItem.period == period,
            DisclosureItem.category == category)).first()
        assert record is not None
        return record.id


def open_item(qtbot, window: MainWindow, category: str) -> int:  # type: ignore[no-untyped-def]
    wanted = item_id(window, category)
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        window.navigator.setCurrentItem(window.navigator.find_item(wanted))
    assert window.editor is not None and window.editor.item is not None and window.editor.item.id == wanted
    return wanted


def column(window: MainWindow, label: str) -> int:
    assert window.editor is not None
    return next(c for c, f in enumerate(window.editor.model.fields) if f.label == label)


def test_opens_demo_township_with_tree_and_preview(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    root = window.navigator.topLevelItem(0)
    assert root.text(0) == "青山镇" and root.childCount() == 3
    open_item(qtbot, window, "assistance")
    assert window.preview.sheet_count == 10  # 320 households
    assert window.editor is not None and window.editor.model.rowCount() == 320
    # Full IDs are masked on screen unless asked for.
    cell = window.editor.model.index(0, column(window, "身份证号"))
    assert "********" in window.editor.model.data(cell)
    window.editor.reveal.setChecked(True)
    assert "*" not in window.editor.model.data(cell)


def test_edit_amount_is_stored_and_preview_rerendered(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    wanted = open_item(qtbot, window, "assistance")
    editor = window.editor
    assert editor is not None
    before = window.preview.result.items[0].code  # type: ignore[union-attr]
    amount = editor.model.index(4, column(window, "月保障金额"))
    with qtbot.waitSignal(window.preview.rendered, timeout=20000) as rendered, \
            qtbot.waitSignal(window.saved, timeout=20000):
        editor.model.setData(amount, "1234.50")
    assert rendered.args[0].items[0].code != before
    with window.archive.sessions() as session:
        item, _ = store.load_item(session, wanted)
    assert item.rows[4]["monthly_amount"] == 123450
    assert item.status == "draft"  # an edited list needs a new review


def test_invalid_id_is_marked_and_printing_refused(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "assistance")
    editor = window.editor
    assert editor is not None
    cell = editor.model.index(2, column(window, "身份证号"))
    good = editor.model.text(2, cell.column())
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    editor.model.setData(cell, bad)
    editor.flush()
    from PySide6.QtCore import Qt

    assert "校验码错误" in editor.model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert editor.model.data(cell, Qt.ItemDataRole.BackgroundRole) is not None
    assert any("第3行" in editor.problems.item(i).text() for i in range(editor.problems.count()))
    assert not window.print_action.isEnabled() and not window.pdf_action.isEnabled()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *args: warnings.append(args[2]))
    assert window.mark_reviewed() is False
    assert "错误" in warnings[-1]
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        pass  # the preview catches up with the edit; the item still cannot be printed
    assert window._printable() is False and "错误" in warnings[-1]


def test_add_and_undo_a_row(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "bids")
    editor = window.editor
    assert editor is not None
    rows = editor.model.rowCount()
    editor.model.add_rows(rows)
    assert editor.model.rowCount() == rows + 1
    editor.model.setData(editor.model.index(rows, 0), "丁建设工程公司")
    window.undo_action.trigger()
    assert editor.model.text(rows, 0) == ""
    window.undo_action.trigger()
    assert editor.model.rowCount() == rows
    window.redo_action.trigger()
    assert editor.model.rowCount() == rows + 1


def test_paste_from_a_spreadsheet(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "assistance")
    editor = window.editor
    assert editor is not None
    count = editor.model.rowCount()
    first17 = "41012219800101123"
    number = first17 + id_check_char(first17)
    editor.table.setCurrentIndex(editor.model.index(count - 1, 0))
    editor.model.add_rows(count)
    editor.table.setCurrentIndex(editor.model.index(count, 0))
    editor.table.paste_clipboard(f"3组\t王大山\t{number}\t2\t农村低保\t￥1,040.00\r\n"
                                 f"4组\t李小河\t{number[:17]}0\t1\t农村低保\t五百\r\n")
    editor.flush()
    assert editor.model.rowCount() == count + 2
    values = editor.model.values()
    assert values[count]["monthly_amount"] == 104000 and values[count]["id_number"] == number
    problems = {(p.row, p.field) for p in editor.model.cell_problems()}
    assert (count + 2, "月保障金额") in problems
    window.undo_action.trigger()  # one paste is one step
    assert editor.model.rowCount() == count + 1


def test_print_path_writes_a3_pages_matching_the_preview(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wanted = open_item(qtbot, window, "finance")
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer_for(window.preview.document, printer)
    job = window.print_to(printer)  # "print to file": the preview's own pages, copied
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60000) as done:
        pass
    assert done.args[0].sheets == 4 and window.preview.sheet_count == 4
    # The reviewed item went out to the public: noted, the first time only (saving a PDF later
    # leaves it as it was).
    with window.archive.sessions() as session:
        noted = session.execute(select(FirstPublic.how, FirstPublic.at).where(FirstPublic.item_id == wanted)).all()
    assert window.editor is not None and window.editor.item is not None
    assert window.editor.item.status == REVIEWED and [how for how, _ in noted] == ["print"]
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 4
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A3_POINTS, abs=1.5)
    # The printed pages are the preview's pages: rendered small by an independent renderer, each
    # printed sheet is far closer to its own preview sheet than to any other.
    printed, previewed = (pypdfium2.PdfDocument(str(p)) for p in (out, window.preview.pdf_path))
    try:
        def thumb(document: pypdfium2.PdfDocument, number: int) -> Image.Image:
            """The page's ink at 60 dpi, black and white."""
            image = ImageOps.grayscale(document[number].render(scale=60 / 72).to_pil()).resize((700, 990))
            return image.point(lambda v: 255 if v < 200 else 0)

        def distance(a: Image.Image, b: Image.Image) -> float:
            return float(ImageStat.Stat(ImageChops.difference(a, b)).mean[0])

        shown = [thumb(previewed, n) for n in range(4)]
        for number in range(4):
            on_paper = thumb(printed, number)
            distances = [distance(on_paper, s) for s in shown]
            assert min(distances) == distances[number] < 12, (number, distances)
    finally:
        printed.close()
        previewed.close()
    saved = tmp_path / "saved.pdf"
    window.save_pdf(saved)
    assert saved.read_bytes() == window.preview.pdf_path.read_bytes()  # type: ignore[union-attr]
    with window.archive.sessions() as session:
        again = session.execute(select(FirstPublic.how, FirstPublic.at).where(FirstPublic.item_id == wanted)).all()
    assert again == noted


def test_new_item_and_review(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "notice")
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        new_id = window.new_item("notice")
    assert new_id is not None and window.editor is not None
    editor = window.editor
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    assert window.mark_reviewed() is False  # no body, no reviewer yet
    editor.title.setText("关于召开村民代表会议的公告")
    editor._inputs["body"].setPlainText("定于下周召开村民代表会议。")  # type: ignore[attr-defined]
    for edit, text in ((editor.publicity_start, "2026-09-01"), (editor.publicity_end, "2026-09-07"),
                       (editor.reviewer, "王德明"), (editor.reviewed_on, "2026-08-31")):
        edit.setText(text)
        edit.textEdited.emit(text)
    editor.flush()
    assert editor.report.ok, [str(p) for p in editor.report.errors]
    assert window.mark_reviewed() is True
    with window.archive.sessions() as session:
        item, _ = store.load_item(session, new_id)
    assert item.status == "reviewed" and item.fields["body"] == "定于下周召开村民代表会议。"


def test_settings_round_trip_and_refusal(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with window.archive.sessions() as session:
        current = store.load_settings(session)
    dialog = SettingsDialog(current)
    qtbot.addWidget(dialog)
    assert dialog.settings() == current
    dialog.base_url.setText("not a url")
    from zwgk_desktop.errors import BadInput

    with pytest.raises(BadInput, match="网上公开地址"), window.archive.sessions() as session, session.begin():
        store.save_settings(session, dialog.settings())
    dialog.base_url.setText("https://gk.example.org/qs")
    dialog._add_row(store.VillageSettings("新丰村", "", "0371-62341104"))
    with window.archive.sessions() as session, session.begin():
        store.save_settings(session, dialog.settings())
    with window.archive.sessions() as session:
        saved = store.load_settings(session)
    assert saved.base_url == "https://gk.example.org/qs"
    assert saved.villages[-1].name == "新丰村" and saved.villages[-1].code == "xinfeng"


def test_first_run_offers_the_demo(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from zwgk_desktop.ui.dialogs import FirstRunDialog

    archive = desktop.open_archive(str(tmp_path / "new.sqlite3"))
    sessions = archive.sessions
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: (self._on_demo(), FirstRunDialog.DialogCode.Accepted)[1])
    assert desktop.first_run(archive) is True
    with sessions() as session:
        assert [v.code for v in store.villages(session)] == ["donggang", "liushuwan", "shiqiao"]


def test_first_run_creates_the_township(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from zwgk_desktop.ui.dialogs import FirstRunDialog

    def fill_and_create(dialog: FirstRunDialog) -> int:
        dialog.township.setText("红旗镇")
        dialog.villages.setPlainText("前进村\n\n胜利村=shengli\n")
        dialog._on_create()
        return FirstRunDialog.DialogCode.Accepted

    archive = desktop.open_archive(str(tmp_path / "new.sqlite3"))
    sessions = archive.sessions
    monkeypatch.setattr(FirstRunDialog, "exec", fill_and_create)
    assert desktop.first_run(archive) is True
    with sessions() as session:
        assert store.get_township(session).name == "红旗镇"  # type: ignore[union-attr]
        assert [(v.name, v.code) for v in store.villages(session)] == [("前进村", "qianjin"), ("胜利村", "shengli")]


def test_unexpected_error_shows_a_dialog_and_is_logged(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import logging
    import sys

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    log_path = tmp_path / "zwgk.log"
    handler = logging.FileHandler(log_path, encoding="utf-8")
    logging.getLogger().addHandler(handler)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    try:
        desktop.install_crash_handler(log_path)
        try:
            raise RuntimeError("磁盘坏了")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert "磁盘坏了" in shown[0] and str(log_path) in shown[0] and "没有丢失" in shown[0]
    assert "Traceback" in log_path.read_text(encoding="utf-8")


def stored_amount(window: MainWindow, item: int, row: int) -> int:
    with window.archive.sessions() as session:
        loaded, _ = store.load_item(session, item)
    return int(loaded.rows[row]["monthly_amount"])


def test_switching_items_saves_first_and_locks_the_old_editor(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    first = open_item(qtbot, window, "assistance")
    editor = window.editor
    assert editor is not None
    editor.model.setData(editor.model.index(7, column(window, "月保障金额")), "777.00")
    other = item_id(window, "finance")
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        window.navigator.setCurrentItem(window.navigator.find_item(other))
        assert not editor.isEnabled()  # nothing typed while the next item loads can get lost
    assert stored_amount(window, first, 7) == 77700
    assert window.editor is not None and window.editor.item.id == other  # type: ignore[union-attr]
    assert window.navigator.currentItem().data(0, 256) == other


def test_saves_land_in_order(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    item = open_item(qtbot, window, "assistance")
    editor = window.editor
    assert editor is not None
    cell = editor.model.index(3, column(window, "月保障金额"))
    for value in range(5):
        editor.model.setData(cell, f"{300 + value}.00")
        editor.flush()
        window.save_current()  # in the background
        editor.model.setData(cell, f"{600 + value}.00")
        assert window.save_current(wait=True)
        assert stored_amount(window, item, 3) == (600 + value) * 100
    assert not editor.is_dirty


def test_a_failed_save_keeps_the_edits(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError

    item = open_item(qtbot, window, "assistance")
    editor = window.editor
    assert editor is not None
    editor.model.setData(editor.model.index(2, column(window, "月保障金额")), "888.00")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    real_save = store.save_item

    def locked(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(store, "save_item", locked)
    assert window.save_current(wait=True) is False
    assert editor.is_dirty and "修改仍在屏幕上" in shown[-1]
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.No)
    window.close()
    assert window.isVisible()  # the clerk chose not to lose the edits
    monkeypatch.setattr(store, "save_item", real_save)
    assert window.save_current(wait=True) is True
    assert stored_amount(window, item, 2) == 88800 and not editor.is_dirty


def test_printing_waits_for_the_preview_of_what_is_on_screen(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "bids")
    assert window.print_action.isEnabled()
    editor = window.editor
    assert editor is not None
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        editor.model.setData(editor.model.index(0, 1), "640000.00")
        editor.flush()
        assert not window.print_action.isEnabled() and not window.pdf_action.isEnabled()
    assert window.print_action.isEnabled()


def test_undo_shortcut_works_in_the_table(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    open_item(qtbot, window, "bids")
    editor = window.editor
    assert editor is not None
    before = editor.model.text(1, 0)
    editor.model.setData(editor.model.index(1, 0), "改过的名字")
    window.activateWindow()
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.model.text(1, 0) == before


def test_paste_keeps_blank_rows_inside_the_block(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "bids")
    editor = window.editor
    assert editor is not None
    rows = editor.model.rowCount()
    editor.table.setCurrentIndex(editor.model.index(0, 0))
    editor.table.paste_clipboard("甲公司\t100\t1\n\t\t\n丙公司\t300\t3\n\n")
    # As in a spreadsheet: the block lands as copied, its blank line included, and the
    # trailing empty line of the clipboard adds no row.
    assert [editor.model.text(r, 0) for r in range(3)] == ["甲公司", "", "丙公司"]
    assert editor.model.rowCount() == rows


def test_settings_refuse_a_duplicate_village(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from zwgk_desktop.errors import BadInput

    with window.archive.sessions() as session:
        settings = store.load_settings(session)
    settings.villages[1].name = settings.villages[0].name
    with pytest.raises(BadInput, match="已经有了"), window.archive.sessions() as session, session.begin():
        store.save_settings(session, settings)
    settings.villages[1].name = "柳树湾村"
    settings.villages.append(store.VillageSettings("东岗村"))
    with pytest.raises(BadInput, match="已经有了"), window.archive.sessions() as session, session.begin():
        store.save_settings(session, settings)


def test_a_sealed_item_opens_read_only(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from zwgk_desktop.archive.seal import seal_quarter
    from zwgk_desktop.domain.periods import Quarter

    with window.archive.sessions() as session, session.begin():
        seal_quarter(session, load_layouts(paths.standard_layouts_dir()), "donggang", Quarter(2026, 2), "王德明")
    wanted = item_id(window, "bids", period="2026Q2")
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        window.navigator.setCurrentItem(window.navigator.find_item(wanted))
    editor = window.editor
    assert editor is not None and editor.sealed and "已封存" in editor.status.text()
    before = editor.model.text(0, 0)
    editor.table.setCurrentIndex(editor.model.index(0, 0))
    editor.table.paste_clipboard("改动\t1\t1")
    assert editor.model.text(0, 0) == before and editor.title.isReadOnly()
    assert not window.save_action.isEnabled() and not window.review_action.isEnabled()
    assert window.print_action.isEnabled()  # a sealed item can still be printed


def test_seal_and_verify_from_the_app(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    wanted = item_id(window, "finance", period="2026Q1")
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        window.navigator.setCurrentItem(window.navigator.find_item(wanted))
    assert window.chosen_place is not None
    with qtbot.waitSignal(window.sealed, timeout=30000), qtbot.waitSignal(window.preview.rendered, timeout=30000):
        window.seal(window.chosen_place[0], "2026Q1", "王德明")
    assert window.editor is not None and window.editor.sealed
    assert window.navigator.find_item(wanted).text(1) == "已封存"  # told apart from 已审核 in the tree
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    with qtbot.waitSignal(window.verified, timeout=30000) as verified:
        window.verify_archive()
    assert verified.args == [[]] and "核验通过" not in shown[0] and "一致" in shown[0]


def test_the_auditors_read_only_view(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    desktop.register_qt_font()
    fonts.register()
    before = demo_copy.read_bytes()
    main = MainWindow(desktop.open_read_only(str(demo_copy)))
    qtbot.addWidget(main)
    main.show()
    try:
        wanted = item_id(main, "assistance")
        with qtbot.waitSignal(main.preview.rendered, timeout=20000):
            main.navigator.setCurrentItem(main.navigator.find_item(wanted))
        editor = main.editor
        assert editor is not None and editor.sealed and "只读" in editor.status.text()
        assert not editor.model.setData(editor.model.index(0, 0), "改")
        assert not main.save_action.isEnabled() and not main.settings_action.isEnabled()
        assert not main.seal_action.isEnabled() and not main.new_menu.isEnabled()
        assert main.print_action.isEnabled() and main.verify_action.isEnabled()
        with main.archive.sessions() as session, pytest.raises(Exception, match="readonly"):
            session.execute(select(DisclosureItem).limit(1))
            session.execute(DisclosureItem.__table__.delete())
    finally:
        main.close()
    assert demo_copy.read_bytes() == before


def test_search_in_the_app_opens_the_item_at_the_row(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.search_panel
    with qtbot.waitSignal(panel.searched, timeout=20000) as found:
        panel.search("宏达建筑")
    assert found.args[0] > 0 and panel.results.isVisible()
    entry = next(panel.results.item(i) for i in range(panel.results.count())
                 if "第" in panel.results.item(i).text())
    wanted, row = entry.data(256)
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        panel.results.itemActivated.emit(entry)
    assert window.editor is not None and window.editor.item.id == wanted  # type: ignore[union-attr]
    assert window.editor.table.currentIndex().row() == row - 1 or \
        [i.row() for i in window.editor.table.selectionModel().selectedRows()] == [row - 1]
    with qtbot.waitSignal(panel.searched, timeout=20000) as none:
        panel.search("不存在的词语")
    assert none.args == [0] and "没有找到" in panel.summary.text()


def test_a_value_still_being_typed_is_saved(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The clerk types an amount and, without pressing Enter, clicks 保存 (or closes the window)."""
    from PySide6.QtWidgets import QLineEdit

    wanted = open_item(qtbot, window, "assistance")
    editor = window.editor
    assert editor is not None
    cell = editor.model.index(2, column(window, "月保障金额"))
    editor.table.setCurrentIndex(cell)
    editor.table.edit(cell)
    typing = next(w for w in editor.table.viewport().findChildren(QLineEdit) if w.isVisible())
    typing.setText("626.00")
    assert window.save_current(wait=True)
    with window.archive.sessions() as session:
        item, _ = store.load_item(session, wanted)
    assert item.rows[2]["monthly_amount"] == 62600
    assert editor.table.state() != editor.table.State.EditingState


def test_a_draft_made_by_mistake_can_be_deleted(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window.chosen_place = (1, "2026Q3")
    stray = window.new_item("notice")  # clicked by mistake
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.item is not None
                    and window.editor.item.id == stray, timeout=20000)
    assert window.delete_action.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.delete_action.trigger()
    with window.archive.sessions() as session:
        assert session.get(DisclosureItem, stray) is None
    assert window.editor is None and window.navigator.find_item(stray) is None


def test_the_command_line_deletes_a_draft_but_never_a_sealed_item(demo_copy: Path, tmp_path: Path) -> None:
    from conftest import run_zwgk
    from test_archive import seal

    from zwgk_desktop.db.engine import open_engine, session_factory

    seal(demo_copy, "donggang", "2026Q2")
    with session_factory(open_engine(str(demo_copy)))() as session:
        sealed = session.scalar(select(DisclosureItem.id).where(DisclosureItem.period == "2026Q2",
                                                                DisclosureItem.village_id == 1))
        draft = session.scalar(select(DisclosureItem.id).where(DisclosureItem.period == "2026Q3",
                                                               DisclosureItem.status == "draft"))
    backups = paths.data_dir() / "backups"
    before = set(backups.rglob("*.sqlite3")) if backups.exists() else set()
    refused = run_zwgk("delete", "--db", str(demo_copy), "--item", str(sealed), cwd=tmp_path)
    assert refused.code == 2 and "已封存" in refused.err
    assert (set(backups.rglob("*.sqlite3")) if backups.exists() else set()) == before  # nothing backed up in vain
    done = run_zwgk("delete", "--db", str(demo_copy), "--item", str(draft), cwd=tmp_path)
    assert done.code == 0 and "已删除" in done.out, done.err
    with session_factory(open_engine(str(demo_copy)))() as session:
        assert session.get(DisclosureItem, draft) is None and session.get(DisclosureItem, sealed) is not None


def test_a_bad_value_pauses_the_preview_in_words(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "assistance")
    editor = window.editor
    assert editor is not None
    with qtbot.waitSignal(window.preview.failed, timeout=20000) as failed:
        editor.model.setData(editor.model.index(1, column(window, "月保障金额")), "abc")
    assert failed.args[0].startswith("表中还有填错的值"), failed.args
    assert "“abc”不是数字金额" in "\n".join(str(p) for p in editor.report.errors)


def test_first_run_with_a_bad_village_code_stays_open(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A code in Chinese is refused in words; the dialog comes back with what was typed, the clerk
    corrects the line, and the township is made, all of it at once."""
    from zwgk_desktop.ui.dialogs import FirstRunDialog

    shown: list[str] = []
    warned: list[str] = []

    def clerk(dialog: FirstRunDialog) -> int:
        shown.append(dialog.villages.toPlainText())
        if len(shown) == 1:
            dialog.township.setText("红旗镇")
            dialog.villages.setPlainText("前进村\n李家湾=李家湾\n")
        else:
            dialog.villages.setPlainText(dialog.villages.toPlainText().replace("=李家湾", "=lijiawan"))
        dialog._on_create()
        return FirstRunDialog.DialogCode.Accepted

    archive = desktop.open_archive(str(tmp_path / "new.sqlite3"))
    sessions = archive.sessions
    monkeypatch.setattr(FirstRunDialog, "exec", clerk)
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    assert desktop.first_run(archive) is True
    assert len(shown) == 2 and "李家湾=李家湾" in shown[1]  # what was typed is still there
    assert warned and "村代码“李家湾”无效" in warned[0]
    with sessions() as session:
        assert [v.code for v in store.villages(session)] == ["qianjin", "lijiawan"]


def test_sealing_says_what_stops_it_before_asking_anything(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QInputDialog

    open_item(qtbot, window, "assistance")  # 2026Q3 holds drafts in the demo
    asked: list[str] = []
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append("confirm"))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append("name") or ("", False))
    monkeypatch.setattr("zwgk_desktop.ui.main_window.show_error", lambda _w, title, exc, *_: errors.append(str(exc)))
    window._on_seal()
    assert asked == [] and errors and "草稿" in errors[0] and "事项" in errors[0]
    assert "正在封存" not in window.statusBar().currentMessage()


def test_qt_s_own_buttons_speak_chinese(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    translator = desktop.speak_chinese(app)  # type: ignore[arg-type]
    try:
        box = QMessageBox(QMessageBox.Icon.Question, "批量打印", "合成一个 PDF？",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        qtbot.addWidget(box)
        texts = {box.button(b).text() for b in (QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No)}
        assert all(not any(c.isascii() and c.isalpha() and c not in "YN" for c in t) for t in texts), texts
        assert any("是" in t for t in texts) and any("否" in t for t in texts), texts
    finally:
        if translator is not None:
            app.removeTranslator(translator)  # type: ignore[union-attr]
