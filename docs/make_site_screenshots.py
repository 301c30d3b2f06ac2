"""Regenerate the online copy's screenshots in docs/: an item page (its top with the 验证码, and its
table scrolled into view) and a quarter index, in headless Chromium at 360 × 740 (a cheap phone);
then, the township renamed to 16 characters, the 审核与监督 block at 320 px.
Needs Debian's chromium and chromium-driver. Run: `.venv/bin/python docs/make_site_screenshots.py`.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

DOCS = Path(__file__).resolve().parent
ZWGK = str(Path(sys.executable).with_name("zwgk"))


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ZWGK_DATA_DIR": folder, "ZWGK_DB": str(Path(folder) / "demo.sqlite3")}
        subprocess.run([ZWGK, "demo"], check=True, capture_output=True, env=env)
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
        base = f"http://127.0.0.1:{server.server_port}"
        finance = next(p for p in sorted((root / "donggang" / "2026Q3").glob("*.json"))
                       if '"category": "finance"' in p.read_text(encoding="utf-8"))
        page = f"{base}/donggang/2026Q3/{finance.stem}.html"
        for url, name, scroll in ((page, "site-item.png", None), (page, "site-item-table.png", "table"),
                                  (f"{base}/donggang/2026Q3/index.html", "site-quarter.png", None)):
            driver.get(url)
            if scroll:
                driver.execute_script(f"document.querySelector('{scroll}').scrollIntoView()")
            driver.save_screenshot(str(DOCS / name))
            print(DOCS / name)
        subprocess.run([ZWGK, "init", "--township", "青山湖畔云岭东麓金沙河谷古渡新镇",
                        "--township-phone", "0371-62345678-12345"], check=True, capture_output=True, env=env)
        subprocess.run([ZWGK, "site", "-o", str(root)], check=True, capture_output=True, env=env)
        driver.get(page)
        # chromedriver's phone emulation comes back with each page load, so narrow it after loading.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 320, "height": 740, "deviceScaleFactor": 2, "mobile": True})
        driver.execute_script("document.querySelector('.signoff').scrollIntoView()")
        driver.save_screenshot(str(DOCS / "site-long-township.png"))
        print(DOCS / "site-long-township.png")
        driver.quit()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
