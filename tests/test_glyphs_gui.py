"""A 生僻字 in the editor: one the fonts have is shown in the preview (the PDF it renders) and its
text; one no bundled font has is refused in the cell, in words naming it, and nothing prints."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextLayout
from PySide6.QtWidgets import QApplication
from test_gui import column, open_item, window  # noqa: F401  (the fixture)

from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.main_window import MainWindow


@pytest.fixture
def app_window(window: MainWindow) -> Iterator[MainWindow]:  # noqa: F811
    """The window in the font the app gives it (`desktop.main`: `app_font`, the bundled families
    in the order the sheet draws from them), not the system's default: with the default, Qt takes
    a character its families lack from whichever system font has it (Droid Sans Fallback …)."""
    before = QApplication.font()
    QApplication.setFont(desktop.app_font(10))
    yield window
    QApplication.setFont(before)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_editor_shows_previews_and_refuses_rare_characters(qtbot, app_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    open_item(qtbot, app_window, "bids")
    editor = app_window.editor
    assert editor is not None
    cell = editor.model.index(1, column(app_window, "投标单位"))
    with qtbot.waitSignal(app_window.preview.rendered, timeout=30000):
        editor.model.setData(cell, "吉𠮷祥䶮工程队")
        editor.flush()
    assert editor.report is not None and editor.report.ok, [str(p) for p in editor.report.errors]
    assert app_window.preview.pdf_path is not None
    shown = subprocess.run(["pdftotext", str(app_window.preview.pdf_path), "-"], capture_output=True, text=True).stdout
    assert "吉𠮷祥䶮工程队" in shown
    # The table's own font (the app's) draws them from the fallback, as the sheet does.
    assert editor.table.font().families() == desktop.app_font(10).families()
    layout = QTextLayout("𠮷䶮", QFont(editor.table.font()))
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    assert {run.rawFont().familyName() for run in layout.glyphRuns()} == {"Zwgk Fallback Han"}

    editor.model.setData(cell, "乙\U00030000公司")
    editor.flush()
    said = editor.model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert "U+30000" in said and "扩展 G 区" in said and "印成空白" in said
    assert any("第2行" in editor.problems.item(i).text() and "U+30000" in editor.problems.item(i).text()
               for i in range(editor.problems.count()))
    assert not app_window.print_action.isEnabled() and not app_window.pdf_action.isEnabled()
