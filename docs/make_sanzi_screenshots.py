"""Regenerate docs/window-debts.png: the editor on the demo's 债权债务 of 2026Q3, with a balance
typed wrong on its first row (offscreen, 1366×768), as a clerk sees the editor serve a category
file's table.

Run with the test extras installed: `.venv/bin/python docs/make_sanzi_screenshots.py`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from make_screenshots import DOCS, save, settle, wait
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from zwgk_desktop.db import store
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.main_window import MainWindow


def main() -> None:
    qapp = QApplication([])
    qapp.setFont(QFont(desktop.register_qt_font(), 10))
    fonts.register()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.sqlite3"
        subprocess.run([str(Path(sys.executable).with_name("zwgk")), "demo", "--db", str(db)], check=True,
                       capture_output=True)
        sessions = desktop.open_archive(str(db))
        window = MainWindow(sessions)
        window.resize(1366, 768)
        window.show()
        with window.archive.sessions() as session:
            village = store.find_village(session, "donggang")
            number = next(i.id for i in store.list_items(session, village, category="debts") if i.period == "2026Q3")
        window.navigator.setCurrentItem(window.navigator.find_item(number))
        wait(window.preview.rendered)
        editor = window.editor
        assert editor is not None
        column = next(c for c, f in enumerate(editor.model.fields) if f.key == "balance")
        editor.model.setData(editor.model.index(0, column), "1.00")
        editor.flush()
        settle(qapp)
        save(window, "window-debts.png")
        window.close()
    print(DOCS / "window-debts.png")


if __name__ == "__main__":
    main()
