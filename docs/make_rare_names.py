"""Regenerate docs/poster-rare-names.png: the top of a 招投标 sheet whose bidders' names hold
生僻字 the main font lacks (䶮 in Extension A, 𠮷 and 𪚥 in Extension B), drawn by the fallback font;
and docs/window-rare-names.png: the editor showing such a name, and refusing one no font has.

Run from the repository root: `.venv/bin/python docs/make_rare_names.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pypdfium2

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))

from factories import bids  # noqa: E402

from zwgk_desktop.paths import standard_layouts_dir  # noqa: E402
from zwgk_desktop.render.layout import load_layouts  # noqa: E402
from zwgk_desktop.render.pdf import write_pdf  # noqa: E402
from zwgk_desktop.render.posters import RenderResult, posters_for  # noqa: E402
from zwgk_desktop.render.public import Place  # noqa: E402


def window() -> None:
    """The demo's 招投标 item in the app (offscreen, 1366×768), two bidders renamed."""
    import os
    import subprocess

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from make_screenshots import settle, wait
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from zwgk_desktop.db import store
    from zwgk_desktop.render import fonts
    from zwgk_desktop.ui import app as desktop
    from zwgk_desktop.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.sqlite3"
        zwgk = Path(sys.executable).with_name("zwgk")
        subprocess.run([str(zwgk), "demo", "--db", str(db)], check=True, capture_output=True)
        qapp = QApplication([])
        family = desktop.register_qt_font()  # with the fallback font: what the clerk's screen shows
        qapp.setFont(QFont(family, 10))
        fonts.register()
        main_window = MainWindow(desktop.open_archive(str(db)))
        main_window.resize(1366, 768)  # the usual office screen, as docs/make_screenshots.py
        main_window.show()
        with main_window.archive.sessions() as session:
            village = store.find_village(session, "donggang")
            ids = {i.category: i.id for i in reversed(store.list_items(session, village)) if i.period == "2026Q3"}
        main_window.navigator.setCurrentItem(main_window.navigator.find_item(ids["bids"]))
        wait(main_window.preview.rendered)
        editor = main_window.editor
        assert editor is not None
        column = next(c for c, f in enumerate(editor.model.fields) if f.key == "bidder")
        editor.model.setData(editor.model.index(0, column), "吉𠮷祥䶮工程队")  # Extension B and A: drawn
        editor.model.setData(editor.model.index(1, column), "乙\U00030000公司")  # Extension G: refused
        editor.flush()
        settle(qapp, 1.0)
        out = DOCS / "window-rare-names.png"
        main_window.grab().save(str(out))
        from PIL import Image

        Image.open(out).convert("RGB").quantize(colors=64).save(out, optimize=True)
        print(out)
        main_window.close()


def main() -> None:
    place = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk")
    item = bids()
    item.id = 5
    item.title = "村内道路硬化工程（䶮𠮷路段）招投标结果"
    item.fields["project"] = "䶮𠮷路段道路硬化工程"
    item.fields["winner"] = "王䶮建筑公司"
    for row, name in zip(item.rows, ("王䶮建筑公司", "吉𠮷祥工程队", "李𪚥丰市政公司"), strict=True):
        row["bidder"] = name
    result = RenderResult(base_url=place.base_url or "")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "rare.pdf"
        write_pdf(posters_for([item], load_layouts(standard_layouts_dir()), place, place.base_url or "", result), pdf)
        document = pypdfium2.PdfDocument(str(pdf))
        image = document[0].render(scale=120 / 72).to_pil().convert("RGB")
        document.close()
    width, height = image.size
    image = image.crop((0, 0, width, int(height * 0.40)))
    out = DOCS / "poster-rare-names.png"
    image.quantize(colors=64).save(out, optimize=True)
    print(out, image.size)


if __name__ == "__main__":
    main()
    window()
