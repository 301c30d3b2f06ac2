"""Regenerate the home view's screenshots in docs/ (offscreen, the app's own font): the demo village's
quarter as the app opens on it, an earlier quarter with a draft waiting for review, and the
township's quarter for all its villages; at 1366×768 (the usual office screen) and 1024×768.

Run with the test extras installed: `.venv/bin/python docs/make_home_screenshots.py`.
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

from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
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


def demo_window(folder: str, size: tuple[int, int] = (1366, 768)) -> tuple[QApplication, MainWindow]:
    """The app on a new demo archive in `folder`, shown offscreen at `size` with its own font."""
    qapp = QApplication([])
    qapp.setFont(QFont(desktop.register_qt_font(), 10))
    fonts.register()
    db = Path(folder) / "demo.sqlite3"
    subprocess.run([str(Path(sys.executable).with_name("zwgk")), "demo", "--db", str(db)], check=True,
                   capture_output=True)
    window = MainWindow(desktop.open_archive(str(db)))
    window.resize(*size)
    window.show()
    return qapp, window


def main() -> None:
    qapp = QApplication([])
    qapp.setFont(QFont(desktop.register_qt_font(), 10))
    fonts.register()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.sqlite3"
        subprocess.run([str(Path(sys.executable).with_name("zwgk")), "demo", "--db", str(db)], check=True,
                       capture_output=True)
        archive = desktop.open_archive(str(db))
        window = MainWindow(archive)
        window.resize(1366, 768)
        window.show()
        if window.home.data is None:
            wait(window.home.shown)
        settle(qapp)
        save(window, "home-village.png")  # as the app opens: the first village, the quarter of today

        window.resize(1024, 768)
        settle(qapp)
        save(window, "home-village-1024.png")
        window.resize(1366, 768)

        window.show_home(1, "2026Q3")
        wait(window.home.shown)
        settle(qapp)
        save(window, "home-village-2026Q3.png")

        window.resize(1024, 768)
        window.navigator.setCurrentItem(window.navigator.topLevelItem(0))  # the township at the root
        wait(window.home.shown)
        settle(qapp)
        save(window, "home-township-1024.png")
        window.resize(1366, 768)
        window.show_home(township=True, period="2026Q3")  # the last quarter the demo holds
        wait(window.home.shown)
        settle(qapp)
        save(window, "home-township-2026Q3.png")
        window.close()
        archive.close()


if __name__ == "__main__":
    main()
