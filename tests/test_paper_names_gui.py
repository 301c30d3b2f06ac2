"""The app names the paper of the sheets it counts, with a township's formats on A4: the preview's
state line, the paper dialog (its first choice and the copy's count), the status bar after 另存为
PDF and after 批量打印 (a mixed folder says both papers). Halves handed to an A3 printer get a note
before anything prints, where the shrink question is asked; a print refused in words is logged as
one line (the CUPS cases skip without `.ci/cups`)."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pypdf
import pytest
from printers import PRINTER, needs_spooler
from PySide6.QtWidgets import QFileDialog
from test_gui import open_item
from test_paper_names import formats, pages_by_paper, said_papers
from test_print_gui import close_window, open_window, queue_printer, told  # noqa: F401  (the told fixture)

from zwgk_desktop.office.printing import A3, A4_EDITION, A4_TILED
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.paper_choice import PaperDialog


def _copy_of(qtbot, dialog: PaperDialog, paper) -> None:  # type: ignore[no-untyped-def]
    dialog.choose(paper)
    qtbot.waitUntil(lambda: dialog.copy is not None and dialog.copy.paper == paper, timeout=30000)


def test_a_format_on_a4_is_called_a4_everywhere_the_app_counts(qtbot, demo_copy: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, demo_copy, formats(tmp_path / "layouts"))
    try:
        open_item(qtbot, window, "finance")
        sheets = window.preview.sheet_count
        assert window.preview.state.text().startswith(f"共 {sheets} 张 A4") and "A3" not in window.preview.state.text()
        dialog = window.choose_paper("另存为 PDF", window._save_copy)
        qtbot.waitUntil(lambda: dialog.copy is not None, timeout=30000)
        assert dialog.buttons[A3].text().startswith("A4：原样打印（需要 A4 打印机）")
        assert not dialog.buttons[A4_TILED].isEnabled() and "已是 A4 纸" in dialog.buttons[A4_TILED].text()
        assert dialog.copy is not None and dialog.state.text().endswith(f"共 {sheets} 张 A4")
        if os.environ.get("ZWGK_KEEP_SCREENSHOTS"):  # remade by hand: the picture in the README
            dialog.grab().save(str(Path(__file__).resolve().parent.parent / "docs" / "paper-choice-format-on-a4.png"))
        # The format keeps its [a4] table (only `size` changed): its A4 版式 is offered and made.
        assert dialog.buttons[A4_EDITION].isEnabled()
        _copy_of(qtbot, dialog, A4_EDITION)
        copy = dialog.copy
        assert copy is not None and pages_by_paper(copy.pdf) == {"A4": copy.sheets}
        target = tmp_path / "saved.pdf"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))
        dialog.ok.click()
        said_papers(window.statusBar().currentMessage(), pages_by_paper(target))
        dialog = window.choose_paper("另存为 PDF", window._save_copy)
        qtbot.waitUntil(lambda: dialog.copy is not None, timeout=30000)
        dialog.ok.click()
        message = window.statusBar().currentMessage()
        assert message.endswith(f"共 {sheets} 张 A4") and "A3" not in message
    finally:
        close_window(window)


def test_the_dashboard_batch_names_both_papers_of_a_mixed_pack(qtbot, demo_copy: Path,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    window = open_window(qtbot, demo_copy, formats(tmp_path / "layouts", {"finance"}))
    try:
        dashboard = window.open_dashboard()
        with qtbot.waitSignal(dashboard.shown, timeout=20000):
            dashboard.choose("2026Q3")
        assert dashboard.paper.itemText(0) == "纸张：A3 和 A4"  # the formats' own papers, not always A3
        dashboard.grid.selectRow(0)
        with qtbot.waitSignal(dashboard.printed, timeout=120000):
            dashboard.print_boards(dashboard._chosen_villages(), tmp_path / "job.pdf", one_file=True, paper=A3)
        found = pages_by_paper(tmp_path / "job.pdf")
        assert set(found) == {"A3", "A4"}
        said_papers(dashboard.statusBar().currentMessage(), found)
    finally:
        close_window(window)


@needs_spooler
def test_halves_on_an_a3_printer_get_a_note_first(qtbot, demo_copy: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window: MainWindow = open_window(qtbot, demo_copy, None)
    try:
        open_item(qtbot, window, "notice")
        dialog = window.choose_paper("打印", lambda copy: None)
        _copy_of(qtbot, dialog, A4_TILED)
        copy = dialog.copy
        assert copy is not None
        dialog.reject()
        printer = queue_printer(window, PRINTER)  # the A3 queue, its paper A3 as the preview's
        job = window.print_to(printer, pdf=copy.pdf)
        assert job is not None and job.shrinking is None and job.roomier is not None
        question = window._shrink_question
        assert question.isVisible() and "这些海报是 A4 纸的" in question.text() and "A3" in question.text()
        with qtbot.waitSignal(job.cancelled, timeout=5000):
            next(b for b in question.buttons() if b.text().startswith("取消")).click()
        assert window.statusBar().currentMessage() == "没有打印。"
        job = window.print_to(printer, pdf=copy.pdf)
        assert job is not None
        with qtbot.waitSignal(job.finished, timeout=60000) as done:
            next(b for b in window._shrink_question.buttons() if b.text().startswith("照样印在 A3")).click()
        assert done.args[0].sheets == len(pypdf.PdfReader(copy.pdf).pages)
        assert re.match(r"已送出 \d+ 张 A3", window.statusBar().currentMessage())
    finally:
        close_window(window)


@needs_spooler
def test_a_refused_print_is_logged_in_one_line(qtbot, demo_copy: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch, told: list[str],  # noqa: F811
                                               caplog: pytest.LogCaptureFixture) -> None:
    window = open_window(qtbot, demo_copy, None)
    try:
        open_item(qtbot, window, "notice")
        printer = queue_printer(window, PRINTER)
        monkeypatch.setenv("PATH", str(tmp_path))  # no lp on this computer
        with caplog.at_level(logging.INFO):
            job = window.print_to(printer)
            assert job is not None
            with qtbot.waitSignal(job.failed, timeout=30000):
                pass
        refused = [r for r in caplog.records if "refused" in r.getMessage()]
        assert refused and "找不到打印命令 lp" in refused[0].getMessage() and refused[0].exc_info is None
        assert "Traceback" not in caplog.text and "background task failed" not in caplog.text
    finally:
        close_window(window)
