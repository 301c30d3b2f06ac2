"""Regenerate the window screenshots in docs/ (offscreen, 1366×768, the usual office screen).

Run with the test extras installed: `.venv/bin/python docs/make_screenshots.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from zwgk_desktop.db import store
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.dialogs import FirstRunDialog, SettingsDialog
from zwgk_desktop.ui.main_window import MainWindow

DOCS = Path(__file__).resolve().parent


def settle(qapp: QApplication, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.01)


def wait(signal, timeout_ms: int = 30000) -> None:  # type: ignore[no-untyped-def]
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def save(widget: QWidget, name: str) -> None:
    path = DOCS / name
    widget.grab().save(str(path))
    print(path)


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
        with sessions() as session:
            village = store.find_village(session, "donggang")
            ids = {i.category: i.id for i in reversed(store.list_items(session, village)) if i.period == "2026Q3"}
        for category in ("assistance", "finance", "bids", "notice"):
            window.navigator.setCurrentItem(window.navigator.find_item(ids[category]))
            wait(window.preview.rendered)
            settle(qapp)
            save(window, f"window-{category}.png")

        # Finding a line in the archive, and opening its item at that row.
        window.search_panel.search("路灯")
        wait(window.search_panel.searched)
        first = window.search_panel.results.item(0)
        window.search_panel.results.setCurrentItem(first)
        window.search_panel.results.itemActivated.emit(first)
        wait(window.preview.rendered)
        settle(qapp)
        save(window, "window-search.png")
        window.search_panel.box.clear()

        # A mistake, marked where it is: a 身份证号 with a wrong check digit.
        window.navigator.setCurrentItem(window.navigator.find_item(ids["assistance"]))
        wait(window.preview.rendered)
        editor = window.editor
        assert editor is not None
        column = next(c for c, f in enumerate(editor.model.fields) if f.key == "id_number")
        number = editor.model.text(1, column)
        editor.model.setData(editor.model.index(1, column), number[:17] + ("1" if number[17] != "1" else "2"))
        editor.flush()
        editor.table.selectRow(4)
        settle(qapp)
        save(window, "window-error.png")
        editor.undo.undo()
        editor.flush()

        window.preview._zoom(2.5)  # the pages are drawn by a background renderer: give it time
        settle(qapp, 2.0)
        save(window.preview, "preview.png")

        with sessions() as session:
            settings = store.load_settings(session)
        dialog = SettingsDialog(settings, window)
        dialog.show()
        settle(qapp)
        save(dialog, "settings.png")
        dialog.close()

        first = FirstRunDialog()
        first.show()
        settle(qapp)
        save(first, "first-run.png")
        first.close()
        window.close()


if __name__ == "__main__":
    main()
