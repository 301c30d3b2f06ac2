"""Regenerate the monthly finance screenshots in docs/ (offscreen, the app's own font): 东岗村's
2026Q3 in the navigator with its months (2026年7月, 8月 with their statements, 9月 still empty),
the July statement open; and the 设置 dialog with the village's monthly setting.

Run with the test extras installed: `.venv/bin/python docs/make_monthly_screenshots.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from zwgk_desktop.db import store
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.dialogs import SettingsDialog
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.navigator import PLACE_ROLE, _walk

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_home_screenshots import save, settle


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
        settle(qapp, 1.0)
        listing = window.navigator
        july = next(s for s in window._listed.items if s.month == "2026-07") if window._listed else None
        assert july is not None
        for node in _walk(listing.invisibleRootItem()):
            place = node.data(0, PLACE_ROLE)
            if place and place[1] in ("2026Q3", "2026-07", "2026-08", "2026-09") and "东岗" in (
                    node.parent().text(0) if place[1] == "2026Q3" else node.parent().parent().text(0)):
                node.setExpanded(True)
        window._on_item_chosen(july.id)
        settle(qapp, 4.0)
        save(window, "monthly-navigator.png")
        with archive.sessions() as session:
            dialog = SettingsDialog(store.load_settings(session))
        dialog.show()
        settle(qapp, 0.5)
        save(dialog, "monthly-settings.png")
        window.close()


if __name__ == "__main__":
    main()
