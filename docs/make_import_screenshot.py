"""Regenerate docs/import-wizard.png: the import wizard showing a clerk's list with mistakes.
Offscreen. Run: `.venv/bin/python docs/make_import_screenshot.py`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from make_screenshots import save, settle, wait
from openpyxl import Workbook
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from zwgk_desktop.domain.identity import id_check_char
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.import_wizard import ImportWizard


def valid(first17: str) -> str:
    return first17 + id_check_char(first17)


def main() -> None:
    qapp = QApplication([])
    qapp.setFont(QFont(desktop.register_qt_font(), 10))
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.sqlite3")
        os.environ["ZWGK_DATA_DIR"] = folder
        subprocess.run([str(Path(sys.executable).with_name("zwgk")), "demo", "--db", db], check=True,
                       capture_output=True)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["东岗村2026年第三季度低保对象花名册"])
        sheet.append(["填报单位：东岗村村委会", None, None, None, "填报日期：2026年10月8日"])
        sheet.append([])
        sheet.append(["组别", "户主", "公民身份号码", "享受人数", "保障类别", "月发放金额（元）", "联系电话"])
        rows = [
            ["1组", "王建国", valid("41012219560302001"), 2, "农村低保", 1120, "13838001234"],
            ["1组", "李秀英", valid("41012219480911002"), 1, "特困供养", 1040, None],
            ["2组", "赵金花", valid("41012219710605002")[:-1] + "0", 3, "农村低保", 1680, None],
            ["2组", "刘德明", valid("41012219650120003"), "三口", "农村低保", 1680, None],
            ["3组", "陈桂兰", valid("41012219590817002"), 1, "农村低保", -560, None],
            ["3组", "张卫东", valid("41012219800214001"), 4, "低保户", 2240, None],
            ["4组", "杨保国", valid("41012219620730003"), 2, "农村低保", "1.12千", None],
            ["4组", "王建国", valid("41012219770403001"), 1, "农村低保", 560, None],
        ]
        for row in rows:
            sheet.append(row)
        path = Path(folder) / "低保花名册（村里报送）.xlsx"
        book.save(path)
        wizard = ImportWizard(desktop.open_archive(db), 1, "2026Q3")
        wizard.choose_category("assistance")
        wizard.show()
        wizard.read(path)
        wait(wizard.planned)
        settle(qapp, 0.5)
        save(wizard, "import-wizard.png")


if __name__ == "__main__":
    main()
