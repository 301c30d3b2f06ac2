"""Regenerate the objection register's screenshots in docs/ (offscreen, the app's own font): the
demo village's 2026Q3 quarter view scrolled to its 异议登记 (one objection answered in time, one
late, one open and overdue), the 答复 dialog of the open one, and the quarter's 异议处理情况 sheet.

Run with the test extras installed: `.venv/bin/python docs/make_objection_screenshots.py`.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from make_home_screenshots import DOCS, demo_window, save, settle, wait
from PySide6.QtWidgets import QWidget

from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.items import review
from zwgk_desktop.office.objections import publish
from zwgk_desktop.office.printing import print_board
from zwgk_desktop.ui.objection_dialogs import ReplyDialog


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        qapp, window = demo_window(folder, (1366, 900))
        archive = window.archive
        if window.home.data is None:
            wait(window.home.shown)
        window.show_home(1, "2026Q3")
        wait(window.home.shown)
        settle(qapp)
        page = window.home.widget()
        assert page is not None
        anchor = next(w for w in page.findChildren(QWidget) if str(w.property("action")).startswith("objection-add"))
        window.home.ensureWidgetVisible(anchor, 0, 420)
        window.home.verticalScrollBar().setValue(anchor.mapTo(page, anchor.rect().topLeft()).y() - 40)
        settle(qapp)
        save(window, "objections-register.png")

        data = window.home.data
        entry = next(o for o in data.objections if o.objection.replied_on is None)  # type: ignore[union-attr]
        dialog = ReplyDialog(archive, entry, data.today, window)  # type: ignore[union-attr]
        dialog.text.setPlainText("9月办公用品支出为村委会全年复印纸、墨盒和档案盒的集中采购，明细已张贴。")
        dialog.by.setText("刘建国")
        dialog.resize(620, 420)
        dialog.show()
        settle(qapp)
        save(dialog, "objections-reply-dialog.png")
        dialog.reject()
        window.close()
        _sheet(archive, Path(folder))
        archive.close()


def _sheet(archive: Archive, folder: Path) -> None:
    """The demo quarter's 异议处理情况, made from the register, reviewed and printed: its first page."""
    import pypdfium2

    done = publish(archive, "donggang", Quarter(2026, 3))
    review(archive, done.item_id, "李秀英", date(2026, 11, 20))
    pdf = folder / "objections.pdf"
    print_board(archive, "donggang", Quarter(2026, 3), pdf, item=done.number)
    page = pypdfium2.PdfDocument(str(pdf))[0]
    path = DOCS / "objections-sheet.png"
    page.render(scale=0.9).to_pil().save(path)
    print(path)


if __name__ == "__main__":
    main()
