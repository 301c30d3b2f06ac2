"""Regenerate the figures of a project from decision to settlement (关联事项) in docs/: the demo's
竣工决算 notice page in headless Chromium at 360 × 740 with its chain scrolled into view, the bid
result's A3 sheet (its 关联事项 line), and the app's editor with the chooser of the earlier item open.
Needs Debian's chromium and chromium-driver. Run: `.venv/bin/python docs/make_chain_figures.py`.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DOCS = Path(__file__).resolve().parent
ZWGK = str(Path(sys.executable).with_name("zwgk"))
PROJECT = "村西生产路硬化及排水工程"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def numbers(env: dict[str, str]) -> dict[str, int]:
    listed = json.loads(subprocess.run([ZWGK, "list", "--village", "liushuwan", "--json"], check=True,
                                       capture_output=True, env=env, text=True).stdout)
    return {item["title"]: item["number"] for item in listed["items"]}


def site_figure(env: dict[str, str], folder: str, settlement: int) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    root = Path(folder) / "www"
    subprocess.run([ZWGK, "site", "-o", str(root)], check=True, capture_output=True, env=env)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 740,
                                                                          "pixelRatio": 2}})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.get(f"http://127.0.0.1:{server.server_port}/liushuwan/2026Q3/{settlement}.html")
    driver.execute_script("document.querySelector('section.chain').scrollIntoView()")
    driver.save_screenshot(str(DOCS / "site-chain.png"))
    print(DOCS / "site-chain.png")
    driver.quit()
    server.shutdown()
    server.server_close()


def poster_figure(env: dict[str, str], folder: str, bid: int) -> None:
    import pypdfium2

    pdf = Path(folder) / "bid.pdf"
    subprocess.run([ZWGK, "render", "--village", "liushuwan", "--period", "2026Q2", "--item", str(bid),
                    "-o", str(pdf)], check=True, capture_output=True, env=env)
    document = pypdfium2.PdfDocument(str(pdf))
    document[0].render(scale=1.0).to_pil().save(DOCS / "poster-bids-linked.png")
    print(DOCS / "poster-bids-linked.png")


def window_figure(env: dict[str, str], progress: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QFont, QPainter
    from PySide6.QtWidgets import QApplication

    from zwgk_desktop.render import fonts
    from zwgk_desktop.ui import app as desktop
    from zwgk_desktop.ui.main_window import MainWindow

    qapp = QApplication([])
    qapp.setFont(QFont(desktop.register_qt_font(), 10))
    fonts.register()
    archive = desktop.open_archive(env["ZWGK_DB"])
    window = MainWindow(archive)
    window.resize(1366, 768)
    window.show()
    with archive.sessions() as session:
        from zwgk_desktop.db import store

        wanted = store.find_item(session, progress, "liushuwan").id
    loop = QEventLoop()
    window.preview.rendered.connect(loop.quit)
    QTimer.singleShot(30000, loop.quit)
    window.navigator.setCurrentItem(window.navigator.find_item(wanted))
    loop.exec()
    editor = window.editor
    assert editor is not None
    chooser = editor._inputs["follows"]
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        qapp.processEvents()
    chooser.showPopup()
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        qapp.processEvents()
    # Offscreen, the open list is a window of its own: drawn onto the window's picture where it opened.
    shot = window.grab()
    popup = chooser.view().window()
    painter = QPainter(shot)
    painter.drawPixmap(window.mapFromGlobal(popup.pos()), popup.grab())
    painter.end()
    shot.save(str(DOCS / "window-chain-chooser.png"))
    print(DOCS / "window-chain-chooser.png")
    chooser.hidePopup()
    window._autosave.stop()
    window.preview.stop()
    window.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ZWGK_DATA_DIR": folder, "ZWGK_DB": str(Path(folder) / "demo.sqlite3")}
        subprocess.run([ZWGK, "demo"], check=True, capture_output=True, env=env)
        titles = numbers(env)
        site_figure(env, folder, titles[f"{PROJECT}竣工决算公示"])
        poster_figure(env, folder, titles[f"{PROJECT}中标结果公示"])
        os.environ.update(ZWGK_DATA_DIR=folder, ZWGK_DB=env["ZWGK_DB"])
        window_figure(env, titles[f"{PROJECT}项目进展公示"])


if __name__ == "__main__":
    main()
