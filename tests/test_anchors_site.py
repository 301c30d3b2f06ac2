"""The seals list on a phone (Debian's headless Chromium): every page of it fits 320–412 px with
the hashes whole and readable, the village's index leads to it, and an item page says what a
matching code proves (issue 14, parts 2 and 6)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ArchiveCache
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from test_anchors import _seal_three_quarters, write_site
from test_site import _Quiet
from test_site_phone import WIDTHS, _fits, _width, browser  # noqa: F401  (the fixture)

from zwgk_desktop.domain.periods import chinese_moment


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("anchors-site")
    cache = ArchiveCache(folder, demo_db)
    db = cache.copy("sealed", _seal_three_quarters, folder / "archive.sqlite3")
    root = write_site(db, folder / "www")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_the_seals_page_fits_a_phone_with_every_hash_whole(browser: Any, served: tuple[Path, str]) -> None:  # noqa: F811
    root, base = served
    listed = json.loads((root / "donggang" / "seals.json").read_bytes())
    for width in WIDTHS:
        _fits(browser, f"{base}/donggang/seals.html", width)
        # Under load chromedriver has handed pages back before they were whole (test_site_phone):
        # wait for the rows, up to 10 s, rather than read a page half there.
        with contextlib.suppress(TimeoutException):
            WebDriverWait(browser, 10, poll_frequency=0.05).until(
                lambda d: len(d.find_elements(By.CSS_SELECTOR, "tbody tr")) >= len(listed["seals"]))
        cards = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
        assert len(cards) == len(listed["seals"]) == 4  # the key made, then three quarters
        for card, seal in zip(cards, listed["seals"], strict=True):
            text = card.text
            # Wrapped anywhere, but every character there: compare it by eye or copy it.
            assert seal["chain_hash"] in text.replace("\n", ""), (width, text)
            if seal["kind"] == "key":  # a key record belongs to no quarter: its time says when
                assert "密钥记录" in text and seal["period"] not in text, (width, text)
            else:
                assert seal["period"] in text and "季度封存" in text, (width, text)
            shown = chinese_moment(seal["sealed_at"]).replace(" ", "")
            assert shown in text.replace("\n", "").replace(" ", ""), (width, text)
            assert card.rect["width"] <= width
    # The village's index leads there, and there back.
    browser.get(f"{base}/donggang/index.html")
    browser.find_element(By.LINK_TEXT, "档案封存记录").click()
    assert browser.current_url.endswith("/donggang/seals.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == "东岗村档案封存记录"
    said = browser.find_element(By.TAG_NAME, "main").text
    assert "zwgk verify --against" in said and "不导出网上公开件，就没有可以比对的记录" in said


@pytest.mark.slow
def test_an_item_page_says_what_a_matching_code_proves(browser: Any, served: tuple[Path, str],  # noqa: F811
                                                       tmp_path: Path) -> None:
    root, base = served
    page = next(p for p in sorted((root / "donggang" / "2026Q1").glob("*.html")) if p.stem.isdigit())
    _width(browser, 360)
    browser.get(f"{base}/donggang/2026Q1/{page.name}")
    note = browser.find_element(By.CLASS_NAME, "code-note").text
    assert "这张纸质公告声称自己就是本公告" in note and "本页所列就是本公告的内容" in note
    assert "请再对照纸上与本页的姓名和金额" in note and "内容相同" not in note
    shot = Path(os.environ.get("ZWGK_SCREENSHOT_DIR", tmp_path))
    browser.save_screenshot(str(shot / "item-code-note.png"))
    _width(browser, 320)
    browser.get(f"{base}/donggang/seals.html")
    browser.save_screenshot(str(shot / "seals-320.png"))
    browser.execute_script("document.querySelector('tbody tr:last-child').scrollIntoView()")
    browser.save_screenshot(str(shot / "seals-320-cards.png"))
    assert (shot / "seals-320.png").stat().st_size > 10_000
