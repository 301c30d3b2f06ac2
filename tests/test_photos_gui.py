"""The archive browser's 照片和凭证 tab: a quarter's photos of the posted board with the camera's
time beside the product's own record of printing, its vouchers, and photos dropped on it added
(all or none). Offscreen; no modal dialog is ever left open."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from pictures import board_photo, heic_file, invoice_picture, phone_photo
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel, QMessageBox
from test_gui import open_item, window  # noqa: F401  (the fixture)

from zwgk_desktop.cli import main
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.archive_browser import ArchiveBrowser
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.voucher_dialog import VoucherDialog

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _one(db: Path, sql: str, *params: object) -> tuple[object, ...]:
    raw = sqlite3.connect(db)
    try:
        return raw.execute(sql, params).fetchone()
    finally:
        raw.close()


def _drop(widget, files: list[Path]) -> None:  # type: ignore[no-untyped-def]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


def test_the_archive_browser_shows_photos_beside_the_print_record_and_takes_dropped_ones(  # type: ignore[no-untyped-def]
        qtbot, demo_copy: Path, tmp_path: Path, monkeypatch) -> None:
    village, period = "donggang", None
    (period,) = _one(demo_copy, "SELECT i.period FROM disclosure_item i JOIN village v ON v.id = i.village_id "
                                "WHERE v.code = ? GROUP BY i.period HAVING sum(i.status != 'reviewed') = 0 "
                                "ORDER BY i.period DESC", village)
    (finance,) = _one(demo_copy, "SELECT coalesce(i.number, i.id) FROM disclosure_item i JOIN village v "
                                 "ON v.id = i.village_id WHERE v.code = ? AND i.period = ? AND i.category = 'finance' "
                                 "AND i.month IS NULL", village, period)
    db = str(demo_copy)
    sheet = tmp_path / "sheet.pdf"  # printed: the product's own record of when it went out
    assert main(["render", "--db", db, "--village", village, "--period", str(period), "--item", str(finance),
                 "-o", str(sheet)]) == 0
    photo = board_photo(sheet.read_bytes(), tmp_path / "IMG_20260708_164210.jpg")
    assert main(["photo", "add", "--db", db, "--village", village, "--period", str(period), str(photo)]) == 0
    invoice = invoice_picture(tmp_path / "发票-记003.jpg")
    assert main(["voucher", "add", "--db", db, "--village", village, "--item", str(finance), "--row", "3",
                 str(invoice)]) == 0
    assert main(["seal", "--db", db, "--village", village, "--period", str(period), "--by", "王文书"]) == 0
    desktop.register_qt_font()
    fonts.register()
    browser = ArchiveBrowser(desktop.open_archive(db))
    qtbot.addWidget(browser)
    browser.show()
    qtbot.waitUntil(lambda: bool(browser.entries), timeout=20000)
    entry = next(e for e in browser.entries if e.period == period)
    panel = browser.photo_panel
    with qtbot.waitSignal(panel.shown, timeout=20000) as shown:
        browser.select_item(entry.item_id)
    found = shown.args[0]
    assert [a.name for a, _ in found.photos] == ["IMG_20260708_164210.jpg"]
    assert panel.photos.count() == 1
    text = panel.photos.item(0).text()
    assert "拍摄 2026-07-08 16:42（相机时钟）" in text and "已封存" in text
    assert not panel.photos.item(0).icon().isNull()  # the thumbnail
    assert "首次打印/导出时间" in panel.record.text() and f"事项 {finance}" in panel.record.text()
    assert "不能证明" in panel.caveat.text()
    assert panel.vouchers.count() == 1 and "第 3 行：发票-记003.jpg（不公开" in panel.vouchers.item(0).text()
    browser.tabs.setCurrentWidget(panel)
    if folder := os.environ.get("ZWGK_SCREENSHOTS"):
        browser.resize(1366, 768)
        qtbot.wait(200)
        browser.grab().save(str(Path(folder) / "archive-photos.png"))

    # A HEIC and a good photo dropped together: refused in words, neither kept.
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(f"{title}：{text}"))
    second = phone_photo(tmp_path / "IMG_0002.jpg", colour="teal")
    _drop(panel, [second, heic_file(tmp_path / "IMG_0003.HEIC")])
    qtbot.waitUntil(lambda: bool(said), timeout=20000)
    assert "IMG_0003.HEIC" in said[0] and "HEIC" in said[0]
    assert _one(demo_copy, "SELECT count(*) FROM attachment WHERE kind = 'photo'") == (1,)
    # The good one alone: added, waiting for the next seal.
    with qtbot.waitSignal(panel.added, timeout=20000), qtbot.waitSignal(panel.shown, timeout=20000):
        _drop(panel, [second])
    assert panel.photos.count() == 2
    assert "待封存" in panel.photos.item(1).text()
    browser.close()


def test_a_read_only_archive_takes_no_drops(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    browser = ArchiveBrowser(desktop.open_read_only(str(demo_copy)))
    qtbot.addWidget(browser)
    assert not browser.photo_panel.acceptDrops()
    assert not browser.photo_panel.add_button.isEnabled()
    browser.close()


def test_the_editor_shows_a_finance_lines_vouchers_and_takes_more(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]  # noqa: F811
                                                                  tmp_path: Path) -> None:
    finance = open_item(qtbot, window, "finance")
    editor = window.editor
    assert editor is not None and editor.vouchers.isVisibleTo(editor)
    editor.table.setCurrentIndex(editor.model.index(1, 0))  # the second line
    editor.vouchers.click()
    dialog = window.voucher_dialog
    assert isinstance(dialog, VoucherDialog) and dialog.row == 2 and dialog.item_id == finance
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=20000)
    assert "还没有凭证" in dialog.list.item(0).text()
    invoice = invoice_picture(tmp_path / "发票.jpg")
    receipt = invoice_picture(tmp_path / "收据.jpg", ("收款收据", "今收到东岗村村委会", "路灯安装人工费", "¥ 2,600.00"))
    with qtbot.waitSignal(dialog.added, timeout=20000), qtbot.waitSignal(dialog.shown, timeout=20000) as shown:
        _drop(dialog, [invoice, receipt])
    assert [(v.name, v.public, v.sealed) for v, _ in shown.args[0]] == [("发票.jpg", False, False),
                                                                         ("收据.jpg", False, False)]
    assert all(thumb for _, thumb in shown.args[0])
    assert "不公开 · 待封存" in dialog.list.item(0).text() and not dialog.list.item(0).icon().isNull()
    if folder := os.environ.get("ZWGK_SCREENSHOTS"):
        qtbot.wait(200)
        dialog.grab().save(str(Path(folder) / "editor-vouchers.png"))
    dialog.close()
    # Another line's vouchers are its own.
    editor.table.setCurrentIndex(editor.model.index(0, 0))
    editor.vouchers.click()
    qtbot.waitUntil(lambda: window.voucher_dialog.list.count() == 1, timeout=20000)
    assert "还没有凭证" in window.voucher_dialog.list.item(0).text()
    window.voucher_dialog.close()


def test_categories_without_vouchers_show_no_button(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_item(qtbot, window, "assistance")
    assert window.editor is not None and not window.editor.vouchers.isVisibleTo(window.editor)


def test_photos_dropped_on_the_quarters_home_are_added_and_counted(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]  # noqa: F811
                                                                   tmp_path: Path) -> None:
    with qtbot.waitSignal(window.home.shown, timeout=20000) as done:
        assert window.show_home(1, "2026Q3")
    quarter = done.args[0]
    assert quarter.photos == (0, 0)
    texts = [label.text() for label in window.home.findChildren(QLabel)]
    assert any("还没有张贴后拍的照片" in t for t in texts)
    assert window.home.acceptDrops()
    photos = [phone_photo(tmp_path / f"IMG_{n}.jpg", colour=c) for n, c in enumerate(("red", "blue"))]
    with qtbot.waitSignal(window.home.photosAdded, timeout=20000) as added, \
            qtbot.waitSignal(window.home.shown, timeout=20000) as again:
        _drop(window.home, photos)
    assert [a.name for a in added.args[0].attachments] == ["IMG_0.jpg", "IMG_1.jpg"]
    assert again.args[0].photos == (2, 2)
    assert any("本季度有 2 张张贴后拍的照片，其中 2 张待封存" in label.text()
               for label in window.home.findChildren(QLabel))
