"""The app's paper choice, driven as a clerk with an A4 printer would: 打印 asks A3 / A4 两张拼一张 /
A4 版式, shows the sheets on that paper (a tiled sheet as its two halves, as they are posted), and
hands the very copy to the print path (`MainWindow.print_to(printer, pdf=…)`) or the file saved.
No modal dialog blocks: the paper dialog is opened, the system print dialog's `exec` is stubbed."""

from __future__ import annotations

import os
from pathlib import Path

import pypdf
import pytest
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog
from test_gui import item_id, open_item, window  # noqa: F401  (the window fixture)

from zwgk_desktop.office.printing import A3, A4_EDITION, A4_TILED
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.paper_choice import GAP, SHOWN_HEIGHT, PaperDialog

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _ready(qtbot, dialog: PaperDialog, paper) -> None:  # type: ignore[no-untyped-def]
    dialog.choose(paper)
    qtbot.waitUntil(lambda: dialog.copy is not None and dialog.copy.paper == paper, timeout=30000)


def _sizes(pdf: Path) -> set[tuple[float, float]]:
    return {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pypdf.PdfReader(pdf).pages}


def test_print_asks_the_paper_and_prints_the_tiled_halves(qtbot, window: MainWindow, monkeypatch,  # noqa: F811
                                                          tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "finance")
    sheets = window.preview.sheet_count
    assert window.preview.state.text().startswith(f"共 {sheets} 张 A3")
    handed: list[tuple[QPrinter, Path | None]] = []
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QPrintDialog.DialogCode.Accepted)
    monkeypatch.setattr(window, "print_to", lambda printer, pdf=None: handed.append((printer, pdf)))

    dialog = window.choose_paper("打印", window._print_copy)
    qtbot.waitUntil(lambda: dialog.copy is not None, timeout=30000)
    assert dialog.copy is not None and dialog.copy.paper == A3 and dialog.copy.pdf == window.preview.pdf_path
    assert dialog.isVisible() and dialog.ok.text() == "打印…"

    _ready(qtbot, dialog, A4_TILED)
    copy = dialog.copy
    assert copy is not None and copy.sheets == 2 * sheets and copy.split == sheets
    assert _sizes(copy.pdf) == {(842, 595)}  # A4 landscape halves of the A3 portrait sheets
    assert dialog.state.text() == (f"第 1 张 A3 的上半和下半，剪齐后拼成一张　·　"
                                   f"共 {2 * sheets} 张 A4（{sheets} 张 A3 拼贴）")
    # The preview shows both halves of the sheet, one above the other as they are posted.
    image = dialog.sheet_image(0)
    assert image.height() == 2 * (SHOWN_HEIGHT // 2) + GAP
    assert image.width() == pytest.approx((SHOWN_HEIGHT // 2) * 297 / 210, abs=2)
    dialog.next.click()
    assert dialog.state.text().startswith("第 2 张 A3 的上半和下半")
    if os.environ.get("ZWGK_KEEP_SCREENSHOTS"):  # remade by hand: the picture in the README
        dialog.show_sheet(0)
        dialog.grab().save(str(DOCS / "paper-choice-a4-tiled.png"))
    dialog.grab().save(str(tmp_path / "dialog.png"))

    dialog.ok.click()  # → the system print dialog (stubbed: 打印) → the print path, with the tiled copy
    assert not dialog.isVisible()
    assert len(handed) == 1 and handed[0][1] == copy.pdf
    printer = handed[0][0]
    assert printer.pageLayout().fullRectPoints().width() == pytest.approx(842, abs=2)  # the halves' paper


def test_a4_edition_and_save_as_pdf(qtbot, window: MainWindow, monkeypatch, tmp_path: Path  # noqa: F811
                                    ) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, window, "assistance")
    sheets = window.preview.sheet_count
    result = window.preview.result
    assert result is not None
    code = result.items[0].code
    target = tmp_path / "低保（A4 版式）.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))

    dialog = window.choose_paper("另存为 PDF", window._save_copy)
    _ready(qtbot, dialog, A4_EDITION)
    copy = dialog.copy
    assert copy is not None and copy.sheets > sheets
    assert _sizes(copy.pdf) == {(595, 842)}
    assert dialog.state.text().endswith(f"共 {copy.sheets} 张 A4（A4 版式）")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(copy.pdf).pages)
    assert text.count(f"验证码 {code}") == copy.sheets  # the same content: the same code on every sheet
    if os.environ.get("ZWGK_KEEP_SCREENSHOTS"):
        dialog.grab().save(str(DOCS / "paper-choice-a4-edition.png"))
    dialog.ok.click()
    assert target.read_bytes() == copy.pdf.read_bytes()
    assert window.statusBar().currentMessage() == f"已保存到 {target}，共 {copy.sheets} 张 A4（A4 版式）"


def test_a4_edition_offered_only_where_the_format_has_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = PaperDialog(lambda paper: (_ for _ in ()).throw(AssertionError("not asked")), purpose="打印",
                         no_a4_edition="版式“某版式”（x.toml）没有 A4 版式")
    qtbot.addWidget(dialog)
    edition = dialog.buttons[A4_EDITION]
    assert not edition.isEnabled() and "没有 A4 版式" in edition.text() and "x.toml" in edition.toolTip()
    assert dialog.buttons[A3].isEnabled() and dialog.buttons[A4_TILED].isEnabled()


def test_a_paper_that_cannot_be_made_is_said_in_words(qtbot) -> None:  # type: ignore[no-untyped-def]
    from zwgk_desktop.errors import BadInput

    def refuse(paper):  # type: ignore[no-untyped-def]
        raise BadInput("版式 finance.toml的上、下页边距为 8 和 5 mm，不能拼贴到两张 A4 上")

    dialog = PaperDialog(refuse, purpose="打印")
    qtbot.addWidget(dialog)
    dialog.choose(A4_TILED)
    qtbot.waitUntil(lambda: "不能拼贴" in dialog.state.text(), timeout=10000)
    assert not dialog.ok.isEnabled() and dialog.picture.text() == "不能按此纸张准备"


def test_township_batch_from_the_dashboard_on_a4(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """批量打印 with the paper chosen beside it: one print job of the villages' boards tiled on A4,
    and the status bar names the paper."""
    dashboard = window.open_dashboard()
    with qtbot.waitSignal(dashboard.shown, timeout=20000):
        dashboard.choose("2026Q1")
    dashboard.paper.setCurrentIndex(dashboard.paper.findData(A4_TILED))
    dashboard.grid.selectRow(0)
    with qtbot.waitSignal(dashboard.printed, timeout=120000) as printed:
        dashboard.print_boards(dashboard._chosen_villages(), tmp_path / "job.pdf", one_file=True)
    result = printed.args[0]
    pages = len(pypdf.PdfReader(tmp_path / "job.pdf").pages)
    assert result.sheets == pages >= 20 and pages == 2 * sum(v.split for v in result.villages)
    # Each page an A4 half of its A3 sheet, turned as the sheet's format is: 上半 / 下半 of a
    # portrait sheet on A4 landscape, 左半 / 右半 of a landscape one (the wide tables) on A4 portrait.
    from test_tiling import LAYOUTS, _halves_on_their_paper, _tiled_size

    assert _halves_on_their_paper(tmp_path / "job.pdf") <= {_tiled_size(lay.orientation) for lay in LAYOUTS.layouts}
    assert f"共 {pages} 张 A4（{pages // 2} 张 A3 拼贴）" in dashboard.statusBar().currentMessage()


def test_preview_names_the_paper_of_the_sheets(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """"共 N 张 A3" is read off the sheets themselves: sheets on A4 (a township's format on A4) say A4."""
    open_item(qtbot, window, "notice")
    assert window.preview.papers == (("A3", window.preview.sheet_count),)
    assert window.preview.state.text().startswith(f"共 {window.preview.sheet_count} 张 A3")
    dialog = window.choose_paper("打印", lambda copy: None)
    _ready(qtbot, dialog, A4_EDITION)
    assert dialog.copy is not None
    window.preview.document.load(str(dialog.copy.pdf))
    assert window.preview.papers == (("A4", window.preview.sheet_count),)
    dialog.reject()
