"""The online copy on a real phone browser (Debian's headless Chromium): whatever follows `?v=` in a
link, the red box shows only a code-shaped value or a fixed sentence and runs nothing; and long
township, village and reviewer names and phone lists never squeeze the 审核与监督 block (or any
other label/value list) into a column a character wide, at 320, 360 or 412 px.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_archive import LAYOUTS, sessions
from test_site import CHROMEDRIVER, CHROMIUM, _Quiet

from zwgk_desktop.db import store
from zwgk_desktop.office import online as online_copy
from zwgk_desktop.paths import font_file
from zwgk_desktop.render import site
from zwgk_desktop.render.public import PublicItem

TODAY = date(2025, 10, 1)  # before any publicity period ends: every list is still shown
WIDTHS = (320, 360, 412)
SAME = "您扫描的二维码所带验证码与本页一致：这张纸质公告声称的就是本公告。请再对照纸上与本页的姓名和金额。"
TAIL = " 不一致：纸质公告可能被改动过，或不是本村张贴的原件，请向村务监督委员会或乡镇纪委反映。"
LONG_TOWNSHIP = "青山湖畔云岭东麓金沙河谷古渡新镇"
assert len(LONG_TOWNSHIP) == 16


@pytest.fixture(scope="module")
def phone_site(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[tuple[Path, str]]:
    """The demo township renamed to a 16-character name, with both supervision phones, served."""
    folder = tmp_path_factory.mktemp("phone")
    db = folder / "archive.sqlite3"
    shutil.copy(demo_db, db)
    with sessions(db)() as session, session.begin():
        township = store.ensure_township(session, LONG_TOWNSHIP)
        store.set_phone(township, "0371-62345678-12345")
        for village in store.villages(session):
            store.set_phone(village, "13912345678")
    root = folder / "www"
    with sessions(db)() as session:
        online_copy.write_site(session, LAYOUTS, root, "https://qingshan.example/zwgk", today=TODAY)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium whose screen width each test sets (chromedriver's own phone emulation
    would put 360 px back on every page load), with a Chinese font as every phone has: without
    one, characters are drawn as boxes of another width and a squeezed column may not show."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    fonts = tmp_path_factory.mktemp("fontconfig")
    (fonts / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{font_file().parent}</dir><cachedir>{fonts}</cachedir></fontconfig>", encoding="utf-8")
    service = Service(str(CHROMEDRIVER), env={**os.environ, "FONTCONFIG_FILE": str(fonts / "fonts.conf")})
    driver = webdriver.Chrome(options=options, service=service)
    _width(driver, 360)
    yield driver
    driver.quit()


def _width(driver: Any, width: int) -> None:
    """A phone `width` CSS pixels wide (it stays so across page loads)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 740, "deviceScaleFactor": 2, "mobile": True})


# ---------------------------------------------------------------------------------------------
# ?v=: a link anyone can make.

_INJECTIONS = (
    '<img src=x onerror="window.__pwned=1">', '"><script>window.__pwned=1</script>', "';window.__pwned=1;//",
    "</script><svg onload=window.__pwned=1>", "javascript:window.__pwned=1", "${window.__pwned=1}",
    "\u2028window.__pwned=1", "%E0%A4%A", "%", "%ZZ", "%00", "%F0%9F", "+", "&v=ABCDEFGHIJ", "#x",
)
_ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
_PAYLOADS = st.one_of(
    _ANY_TEXT,
    st.text(st.characters(codec="utf-8"), min_size=300, max_size=3000),  # very long
    st.builds(lambda a, b, c: a + b + c, _ANY_TEXT, st.sampled_from(_INJECTIONS), _ANY_TEXT),
    st.from_regex(r"[A-Za-z2-7]{10}", fullmatch=True),  # shaped like a code
    st.from_regex(r"[A-Za-z2-7]{9}|[A-Za-z2-7]{11}|[A-Za-z0-9]{10}", fullmatch=True),  # nearly
)
# How the text gets into the address: encoded as a QR generator would, or typed and pasted raw
# (the browser itself then encodes what it must; % is left as typed, so %E0%A4 stays malformed).
_SPELLINGS = st.sampled_from(["encoded", "raw"])
_RAW = "%<>\"'`{}|^[]\\();=/+:@!$*,~"


def _url(page: str, payload: str, spelling: str) -> str:
    if spelling == "encoded":
        return f"{page}?v={quote(payload, safe='')}"
    return f"{page}?v={quote(payload, safe=_RAW)}"


@pytest.fixture(scope="module")
def item_page(phone_site: tuple[Path, str]) -> tuple[str, str]:
    root, base = phone_site
    data = next(p for p in sorted((root / "donggang" / "2026Q3").glob("*.json"))
                if json.loads(p.read_bytes()).get("category") == "finance")
    return f"{base}/donggang/2026Q3/{data.stem}.html", json.loads(data.read_bytes())["code"]


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=_PAYLOADS, spelling=_SPELLINGS, case=st.sampled_from(["as is", "the code", "the code, spaced"]))
@pytest.mark.slow
def test_the_code_box_never_shows_arbitrary_text_or_runs_it(
        browser: Any, item_page: tuple[str, str], payload: str, spelling: str, case: str) -> None:
    page, code = item_page
    _width(browser, 360)
    if case == "the code":
        payload = code.lower() if payload[:1].islower() else code
    elif case == "the code, spaced":
        payload = f" {code[:5]} {code[5:].lower()}\t"
    # From a blank page: asked for the page it already shows (the code twice in a row), chromedriver
    # may hand back the old document, or the new one before its script ran, under load.
    browser.get("about:blank")
    browser.get(_url(page, payload, spelling))
    # Chromium 150 under load has once handed the page back before its inline script had run (the
    # box still hidden, though the address held ?v=): wait until the document is whole and the
    # script has run, as a resident's phone would, for up to 10 s; a script that never runs fails.
    _until_shown(browser)
    search, shown, classes, children, scripts, pwned = browser.execute_script(
        "const box = document.getElementById('code-check');"
        "return [location.search, box.style.display === 'none' ? null : box.textContent, box.className,"
        " box.children.length, document.scripts.length, window.__pwned === undefined ? null : 1];")
    assert pwned is None and scripts == 1 and children == 0, (payload, search)
    assert re.match(r"\?v=", search), search
    echoed = re.fullmatch(f"注意：您扫描的二维码所带验证码是 ([A-Z2-7]{{10}})，与本页的 {code}{TAIL}", shown or "")
    fixed = f"注意：您扫描的二维码所带的不是有效的验证码，与本页的 {code}{TAIL}"
    assert shown in (SAME, fixed) or echoed, (payload, shown)
    if case != "as is":
        assert shown == SAME, (payload, shown)
    if echoed:
        # Only whitespace was dropped and the letters upper-cased: the value is the scanned one.
        sent = unquote(search.partition("v=")[2].partition("&")[0].replace("+", " "))
        assert re.sub(r"\s", "", sent).upper() == echoed[1] != code and "differs" in classes
    if re.fullmatch(r"[A-Za-z2-7]{10}", payload) and payload.upper() != code:
        assert echoed and echoed[1] == payload.upper(), (payload, shown)


def _until_shown(driver: Any) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    with contextlib.suppress(TimeoutException):  # the assertions below then say what the page shows
        WebDriverWait(driver, 10, poll_frequency=0.05).until(lambda d: d.execute_script(
            "const box = document.getElementById('code-check');"
            "return document.readyState === 'complete' && box !== null && box.style.display !== 'none';"))


def test_no_v_no_box(browser: Any, item_page: tuple[str, str]) -> None:
    page, _ = item_page
    browser.get(page)
    assert browser.execute_script("return document.getElementById('code-check').style.display") == "none"


# ---------------------------------------------------------------------------------------------
# Long names on a narrow screen.

_MEASURE = """
const em = parseFloat(getComputedStyle(document.body).fontSize);
const squeezed = [];
for (const el of document.querySelectorAll('dl.facts > dt, dl.facts > dd')) {
  const probe = el.cloneNode(true);  // the text on one line: how wide it would like to be
  probe.style.cssText = 'position:absolute;visibility:hidden;width:max-content;white-space:nowrap';
  el.parentNode.appendChild(probe);
  const natural = probe.getBoundingClientRect().width;
  probe.remove();
  const width = el.getBoundingClientRect().width;
  if (width + 0.5 < Math.min(natural, 4 * em)) {
    squeezed.push(el.tagName + ' ' + el.textContent.slice(0, 24) + ': ' + width.toFixed(1) + ' px');
  }
}
return [squeezed, document.documentElement.scrollWidth, window.innerWidth];
"""


def _fits(driver: Any, url: str, width: int) -> None:
    _width(driver, width)
    driver.get(url)
    squeezed, scroll, inner = driver.execute_script(_MEASURE)
    assert inner == width and scroll <= inner, f"{url} at {width} px: the page is {scroll} px wide"
    assert not squeezed, f"{url} at {width} px: {squeezed}"


@pytest.mark.slow
def test_a_16_character_township_fits_every_page_on_a_phone(
        browser: Any, phone_site: tuple[Path, str]) -> None:
    root, base = phone_site
    pages = sorted(p.relative_to(root).as_posix() for p in (root / "donggang").rglob("*.html"))
    assert len(pages) > 10 and f"{LONG_TOWNSHIP}纪委" in (root / pages[0]).read_text(encoding="utf-8")
    for width in WIDTHS:
        for page in pages:
            _fits(browser, f"{base}/{page}", width)


_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_NAME_CHARS = st.one_of(_HAN, st.sampled_from("·-（）ABCxyz"))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(township=st.text(_HAN, min_size=16, max_size=30), village=st.text(_HAN, min_size=2, max_size=24),
       reviewer=st.text(_NAME_CHARS, min_size=2, max_size=20),
       phones=st.lists(st.tuples(st.text(_HAN, min_size=2, max_size=34),
                                 st.from_regex(r"(0\d{3}-)?\d{8}(-\d{1,5})?|1[3-9]\d{9}", fullmatch=True)),
                       min_size=1, max_size=5),
       width=st.sampled_from(WIDTHS))
def test_long_names_never_squeeze_a_column(browser: Any, phone_site: tuple[Path, str], tmp_path_factory: Any,
                                           township: str, village: str, reviewer: str,
                                           phones: list[tuple[str, str]], width: int) -> None:
    root, _ = phone_site
    data = next(d for p in sorted(root.glob("donggang/*/*.json")) if p.stem.isdigit()
                for d in [json.loads(p.read_bytes())] if d["category"] == "assistance" and "rows" in d)
    known = {f.name for f in dataclasses.fields(PublicItem)}
    item = PublicItem.from_canonical({k: v for k, v in data.items() if k in known})
    item = dataclasses.replace(item, township=township, village=village, reviewer=reviewer,
                               heading=f"{village}{item.heading}", info=((f"{township}保障标准", "每人每月460元"),))
    entry = site.OnlineItem(public=item, phones=((f"{township}纪委", phones[0][1]), *phones[1:]))
    folder = tmp_path_factory.mktemp("page")
    (folder / site.STYLESHEET).write_bytes(site.stylesheet())
    page = folder / "v" / "2026Q3" / "1.html"
    page.parent.mkdir(parents=True)
    page.write_bytes(site.item_page(entry, township, "https://qingshan.example"))
    _fits(browser, page.as_uri(), width)
    # The indexes carry the same names: the township's villages, a village's quarters, a quarter's items.
    (folder / "index.html").write_bytes(site.township_page(township, [(village, "v", 4), (reviewer, "w", 1)]))
    (folder / "v" / "index.html").write_bytes(site.village_page(township, village, [("2026Q3", 1)]))
    (page.parent / "index.html").write_bytes(site.quarter_page(township, village, "2026Q3", [entry]))
    for index in (folder / "index.html", folder / "v" / "index.html", page.parent / "index.html"):
        _fits(browser, index.as_uri(), width)


def test_screenshot_of_a_long_township_at_320_px(browser: Any, phone_site: tuple[Path, str],
                                                tmp_path: Path) -> None:
    root, base = phone_site
    data = next(p for p in sorted((root / "donggang" / "2026Q3").glob("*.json"))
                if json.loads(p.read_bytes()).get("category") == "finance")
    _width(browser, 320)
    browser.get(f"{base}/donggang/2026Q3/{data.stem}.html?v=ABCDEFGHIJ")
    browser.execute_script("document.querySelector('.signoff').scrollIntoView()")
    shot = tmp_path / "signoff.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_the_open_data_page_fits_a_phone(browser: Any, phone_site: tuple[Path, str], tmp_path: Path) -> None:
    """data.html (render/open_data.py) with a 16-character township and a long licence line."""
    root, _ = phone_site
    licence = "本站数据可自由转载、引用和再利用，请注明来源“" + LONG_TOWNSHIP + "村务公开”，CC BY 4.0 https://creativecommons.org/licenses/by/4.0/"
    from zwgk_desktop.render import open_data

    schemas = [(c["category"], c["category_name"], len(c["fields"]))
               for c in json.loads((root / "schema.json").read_bytes())["categories"]]
    (tmp_path / site.STYLESHEET).write_bytes(site.stylesheet())
    page = tmp_path / open_data.PAGE
    page.write_bytes(site.data_page(LONG_TOWNSHIP, 51, open_data.INDEX_COLUMNS, schemas,
                                    open_data.TYPE_NAMES.items(), licence))
    for width in WIDTHS:
        _fits(browser, page.as_uri(), width)
    _width(browser, 360)
    browser.get(page.as_uri())
    shot = tmp_path / "data-360.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("ZWGK_SCREENSHOTS"):  # where a person looks at it
        shutil.copy(shot, Path(os.environ["ZWGK_SCREENSHOTS"]) / shot.name)
