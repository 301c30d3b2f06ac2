"""The 密钥 dialog and the 密钥恢复单 as a clerk sees them: docs/key-dialog.png, docs/key-sheet.png.

Run:  .venv/bin/python docs/make_key_screenshots.py   (a demo archive with one seal, in a temporary folder)
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
    with tempfile.TemporaryDirectory(prefix="zwgk-keys-") as folder:
        os.environ["ZWGK_DATA_DIR"] = folder
        db = str(Path(folder) / "demo.sqlite3")
        zwgk = str(Path(sys.executable).with_name("zwgk"))
        for args in (("demo",), ("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明"),
                     ("key", "print", "--village", "donggang", "-o", str(Path(folder) / "sheet.pdf"))):
            subprocess.run([zwgk, *args, "--db", db], check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(Path(folder) / "sheet.pdf"),
                        str(DOCS / "key-sheet")], check=True)
        from PySide6.QtGui import QFont
        from PySide6.QtWidgets import QApplication

        app = QApplication([])
        from zwgk_desktop.office.handle import Archive
        from zwgk_desktop.ui import app as desktop
        from zwgk_desktop.ui.key_dialog import KeyDialog

        app.setFont(QFont(desktop.register_qt_font(), 10))
        archive = Archive.open(db)
        dialog = KeyDialog(archive, "donggang")
        dialog.show()
        app.processEvents()
        dialog.grab().save(str(DOCS / "key-dialog.png"))
        dialog.close()
        archive.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
