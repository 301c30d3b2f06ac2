"""A project from decision to settlement through the command line, sealed, verified, corrected and
read online in a real phone browser at 360 px: each item's page lists the whole chain, each item
with its 验证码 (the one its own page and sheet carry), and a link to it."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from test_links import PROJECT, chain_numbers, numbers
from test_site import _Quiet
from test_site_phone import _width, browser  # noqa: F401  (the browser fixture)

from tests.conftest import run_zwgk
from zwgk_desktop.db.models import SealedItem

PHONE = 360


@pytest.mark.slow
def test_a_chain_made_on_the_command_line_is_sealed_verified_and_shown_whole_online(
        demo_copy: Path, tmp_path: Path, browser: Any) -> None:  # noqa: F811
    env = {"ZWGK_DATA_DIR": str(tmp_path / "data"), "ZWGK_DB": str(demo_copy)}

    def zwgk(*args: str) -> str:
        done = run_zwgk(*args, cwd=tmp_path, env=env)
        assert done.code == 0, (args, done.err)
        return done.out

    chain = chain_numbers(demo_copy)
    # A second progress notice, named after the first, made as a clerk would from the command line.
    made = json.loads(zwgk("new", "--village", "liushuwan", "--period", "2026Q3", "--category", "notice",
                           "--title", f"{PROJECT}项目进展公示（二）", "--json"))["item"]
    zwgk("edit", "--item", str(made), "--set", "公告类别=项目进展", "--set", f"正文={PROJECT}路面已全部浇筑完成。",
         "--set", "公示开始=2026-08-20", "--set", "公示结束=2026-08-26", "--set", f"关联事项={chain['progress']}")
    zwgk("review", "--item", str(made), "--reviewer", "赵建军", "--on", "2026-08-19")
    draft = next(n for t, n in numbers(demo_copy).items() if t == "关于2026年耕地地力保护补贴发放情况的公告"
                 and _status(demo_copy, n) == "draft")
    zwgk("review", "--item", str(draft), "--reviewer", "赵建军", "--on", "2026-10-09")
    for period in ("2026Q2", "2026Q3"):
        zwgk("seal", "--village", "liushuwan", "--period", period, "--by", "张丽")
    # The bid result, sealed, corrected: the chain shows both versions; the correction keeps its link.
    corrected = json.loads(zwgk("correct", "--item", str(chain["bid"]), "--reason", "工期录入有误",
                                "--set", "工期=65日历天", "--reviewer", "赵建军", "--json"))
    correction = corrected["item"]
    assert run_zwgk("verify", "--village", "liushuwan", cwd=tmp_path, env=env).code == 0

    with _sessions(demo_copy) as session:
        sealed = {n: json.loads(session.query(SealedItem).filter(SealedItem.item_id == _id(session, n))
                                .one().canonical_json) for n in (chain["bid"], made)}
    assert ["关联事项", f"第 {chain['decision']} 号"] in sealed[chain["bid"]]["info"]
    assert ["关联事项", f"第 {chain['progress']} 号"] in sealed[made]["info"]

    site = tmp_path / "www"
    zwgk("site", "-o", str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}/liushuwan"
        _width(browser, PHONE)
        browser.get(f"{base}/2026Q3/{made}.html")
        listed = browser.find_elements(By.CSS_SELECTOR, "ol.chain li")
        shown = [(int(_number(li.text)), li.find_element(By.CSS_SELECTOR, "code").text) for li in listed]
        expected = [chain["decision"], chain["bid"], correction, chain["progress"], chain["settlement"],
                    chain["outcome"], made]
        assert sorted(n for n, _ in shown) == sorted(expected), shown
        assert [n for n, _ in shown][:2] == [chain["decision"], chain["bid"]]  # oldest first
        here = browser.find_element(By.CSS_SELECTOR, "ol.chain li.here")
        assert "（本页）" in here.text and here.find_element(By.CSS_SELECTOR, "code").text == \
            browser.find_element(By.ID, "code").text
        assert f"更正第 {chain['bid']} 号" in next(li.text for li in listed if _number(li.text) == str(correction))
        assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE
        # Each link leads to that item's page, whose 验证码 is the one the chain lists.
        hrefs = [(int(_number(li.text)), a.get_attribute("href"))
                 for li in listed for a in li.find_elements(By.TAG_NAME, "a")]
        assert len(hrefs) == len(expected) - 1
        codes = dict(shown)
        for number, href in hrefs:
            browser.get(href)
            assert browser.find_element(By.ID, "code").text == codes[number], href
            assert browser.find_element(By.CSS_SELECTOR, "ol.chain li.here").text.startswith(f"第 {number} 号")
            assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE, href
        browser.save_screenshot(str(tmp_path / "chain-360.png"))
    finally:
        server.shutdown()
        server.server_close()
    data = json.loads((site / "liushuwan" / "2026Q3" / f"{made}.json").read_bytes())
    assert [link["number"] for link in data["chain"]] == [n for n, _ in shown]
    # An item linked to nothing lists no chain.
    lone = next(n for t, n in numbers(demo_copy).items() if t == "2026年第三季度财务收支明细")
    assert "ol class=\"chain\"" not in (site / "liushuwan" / "2026Q3" / f"{lone}.html").read_text(encoding="utf-8")


def _number(text: str) -> str:
    return text.split("第 ", 1)[1].split(" 号", 1)[0]


def _sessions(db: Path) -> Any:
    from test_archive import sessions

    return sessions(db)()


def _id(session: Any, number: int) -> int:
    from zwgk_desktop.db import store

    return store.find_item(session, number, "liushuwan").id


def _status(db: Path, number: int) -> str:
    with _sessions(db) as session:
        return str(_item(session, number).status)


def _item(session: Any, number: int) -> Any:
    from zwgk_desktop.db import store

    return store.find_item(session, number, "liushuwan")
