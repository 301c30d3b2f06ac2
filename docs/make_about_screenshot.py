"""帮助 → 关于 as a clerk sees it: docs/about.png (a demo archive in a temporary data folder).

Run:  .venv/bin/python docs/make_about_screenshot.py
(docs/bundle-window.png is the frozen app's own picture, from `packaging/build.py --keep DIR`.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="zwgk-about-") as folder:
        os.environ["ZWGK_DATA_DIR"] = str(Path(folder) / "张三" / "村务公开栏")
        db = str(Path(os.environ["ZWGK_DATA_DIR"]) / "archive.sqlite3")
        zwgk = str(Path(sys.executable).with_name("zwgk"))
        subprocess.run([zwgk, "demo", "--db", db], check=True, capture_output=True)
        from PySide6.QtWidgets import QApplication

        app = QApplication([])
        from zwgk_desktop import paths
        from zwgk_desktop.ui import app as desktop
        from zwgk_desktop.ui.about_dialog import AboutDialog

        desktop.speak_chinese(app)  # 关闭, as in the app
        if desktop.register_qt_font():
            app.setFont(desktop.app_font(10))
        archive = desktop.open_archive(db)
        dialog = AboutDialog(archive, paths.log_file())
        dialog.show()
        app.processEvents()
        dialog.grab().save(str(DOCS / "about.png"))
        dialog.close()
        archive.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
