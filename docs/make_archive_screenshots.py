"""Regenerate the archive screenshots in docs/: the archive browser with a sealed sheet, a
correction's version history and side-by-side changes, a failed verification, and the 更正公告
sheet itself. Offscreen, 1366×768. Run: `.venv/bin/python docs/make_archive_screenshots.py`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pypdfium2
from make_screenshots import DOCS, save, settle, wait
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.archive_browser import ArchiveBrowser
from zwgk_desktop.ui.dashboard import Dashboard

ZWGK = str(Path(sys.executable).with_name("zwgk"))


def zwgk(*args: str) -> str:
    return subprocess.run([ZWGK, *args], check=True, capture_output=True, text=True).stdout


def main() -> None:
    qapp = QApplication([])
    qapp.setFont(QFont(desktop.register_qt_font(), 10))
    fonts.register()
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.sqlite3")
        os.environ["ZWGK_DATA_DIR"] = folder
        zwgk("demo", "--db", db)
        # 柳树湾村 put its first-quarter accounts up late (deadline 10 April 2026): the dashboard shows it.
        connection = sqlite3.connect(db)
        connection.execute("UPDATE disclosure_item SET publicity_start = '2026-04-15', publicity_end = '2026-05-14' "
                           "WHERE village_id = 2 AND period = '2026Q1' AND category = 'finance'")
        connection.commit()
        connection.close()
        for village in ("donggang", "liushuwan"):
            for period in ("2025Q4", "2026Q1", "2026Q2"):
                zwgk("seal", "--db", db, "--village", village, "--period", period, "--by", "王德明")
        connection = sqlite3.connect(db)
        (item,) = connection.execute("SELECT id FROM disclosure_item WHERE village_id = 1 AND period = '2026Q2' "
                                     "AND category = 'assistance'").fetchone()
        connection.close()
        reason = "第5户月保障金额录入有误，第7户保障人口应为3人"
        out = zwgk("correct", "--db", db, "--item", str(item), "--reason", reason,
                   "--set", "5.月保障金额=1,050", "--set", "7.保障人口=3", "--reviewer", "李秀英", "--json")
        correction = int(json.loads(out)["item"])
        zwgk("seal", "--db", db, "--village", "donggang", "--period", "2026Q2", "--by", "王德明")
        zwgk("render", "--db", db, "--village", "donggang", "--period", "2026Q2", "--item", str(correction),
             "-o", str(Path(folder) / "correction.pdf"))
        document = pypdfium2.PdfDocument(str(Path(folder) / "correction.pdf"))
        document[0].render(scale=0.9).to_pil().save(DOCS / "poster-correction.png")
        document.close()
        print(DOCS / "poster-correction.png")

        dashboard = Dashboard(desktop.open_archive(db))
        dashboard.show()
        wait(dashboard.shown)
        dashboard.choose("2026Q1")
        wait(dashboard.shown)
        settle(qapp)
        save(dashboard, "dashboard.png")
        dashboard.close()

        browser = ArchiveBrowser(desktop.open_read_only(db))
        browser.show()
        wait(browser.listed)
        browser.period.setCurrentIndex(browser.period.findData("2026Q2"))
        wait(browser.listed)
        browser.select_item(correction)
        wait(browser.itemShown)
        settle(qapp, 0.8)
        save(browser, "archive-browser.png")
        browser.tabs.setCurrentIndex(1)
        settle(qapp)
        save(browser, "archive-versions.png")

        connection = sqlite3.connect(db)
        connection.execute("DROP TRIGGER row_sealed_update")
        connection.execute("UPDATE item_row SET data = json_set(data, '$.monthly_amount', 99999) "
                           "WHERE item_id = ? AND seq = 3", (item,))
        connection.execute("DROP TRIGGER sealed_item_append_only_update")
        entry, pdf = connection.execute("SELECT id, pdf FROM sealed_item ORDER BY id LIMIT 1").fetchone()
        connection.execute("UPDATE sealed_item SET pdf = ? WHERE id = ?", (pdf[:2000] + b"0" + pdf[2001:], entry))
        connection.commit()
        connection.close()
        browser.tabs.setCurrentIndex(0)
        browser.verify_archive()
        wait(browser.verified)
        settle(qapp)
        save(browser, "archive-verify-failed.png")
        browser.close()


if __name__ == "__main__":
    main()
