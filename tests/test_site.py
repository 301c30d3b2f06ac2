"""The online copy: every QR code on a board leads, in a real browser at phone width, to a page
with the code printed beside it; nothing private, nothing from outside, nothing rewritten for
nothing."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import html5lib
import pypdf
import pytest
from conftest import run_zwgk
from sqlalchemy import select
from test_archive import LAYOUTS, seal, sessions
from test_posters import decode_qr

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.domain.categories import category
from zwgk_desktop.domain.identity import is_valid_id
from zwgk_desktop.domain.items import REVIEWED, assign
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.office import online as online_copy
from zwgk_desktop.office.printing import render_board

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
TODAY = date(2026, 11, 22)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[tuple[Path, Path, str, int]]:
    """The demo township with 东岗村 2026Q1–Q2 sealed and a sealed correction, published and served."""
    folder = tmp_path_factory.mktemp("site")
    db = folder / "archive.sqlite3"
    shutil.copy(demo_db, db)
    seal(db, "donggang", "2026Q1")
    seal(db, "donggang", "2026Q2")
    with sessions(db)() as session, session.begin():
        old = int(session.scalar(select(DisclosureItem.id).where(  # type: ignore[arg-type]
            DisclosureItem.village_id == 1, DisclosureItem.period == "2026Q2", DisclosureItem.category == "bids")))
        item = store.start_correction(session, old, "第2家投标报价录入有误")
        assign(item, category("bids"), "2.投标报价", "998,000")
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", TODAY
        store.save_item(session, item)
        correction = item.id
    seal(db, "donggang", "2026Q2")
    root = folder / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_port}"
    with sessions(db)() as session:
        online_copy.write_site(session, LAYOUTS, root, base, today=TODAY)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield db, root, base, int(correction or 0)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"):
        options.add_argument(flag)
    # A cheap phone: 360 × 740 CSS pixels.
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 740,
                                                                          "pixelRatio": 2}})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    yield driver
    driver.quit()


def test_every_qr_code_on_the_board_leads_to_a_page_with_the_printed_code(
        served: tuple[Path, Path, str, int], browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    db, _, base, correction = served
    out = tmp_path / "board.pdf"
    with sessions(db)() as session:
        result = render_board(session, LAYOUTS, "donggang", Quarter(2026, 2), out, base_url=base)
    reader = pypdf.PdfReader(out)
    seen = set()
    for number, page in enumerate(reader.pages):
        # The code printed beside the QR code (a 更正公告 also names the old sheet's code above it).
        printed = re.findall(r"验证码 ([A-Z2-7]{10})", page.extract_text())[-1]
        (url,) = decode_qr(out, number)
        assert url.startswith(base + "/donggang/2026Q2/") and url.endswith(f"?v={printed}")
        if url in seen:
            continue
        seen.add(url)
        browser.get(url)
        assert browser.find_element(By.ID, "code").text == printed, url
        assert "与本页一致" in browser.find_element(By.ID, "code-check").text, url
        assert browser.execute_script("return document.documentElement.lang") == "zh-CN"
        width, inner = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert inner == 360 and width <= inner, f"{url}: the page is {width} px wide on a 360 px screen"
    assert len(seen) == len(result.items) >= 5  # the quarter's items and the correction's notice
    forged = next(iter(seen)).split("?v=")[0] + "?v=ABCDEFGHIJ"  # a QR on a forged sheet, say
    browser.get(forged)
    told = browser.find_element(By.ID, "code-check")
    assert "ABCDEFGHIJ" in told.text and "不一致" in told.text and "differs" in told.get_attribute("class")
    # The corrected bid says so and leads to its correction, which leads back.
    original = next(p for p in result.items if p.category == "bids")
    browser.get(f"{base}/donggang/2026Q2/{original.item_id}.html")
    browser.find_element(By.LINK_TEXT, "更正公告").click()
    assert browser.current_url.endswith(f"/{correction}.html")
    assert "998,000.00" in browser.find_element(By.TAG_NAME, "main").text


def test_quarter_and_wide_pages_fit_a_phone(served: tuple[Path, Path, str, int], browser: Any,
                                            tmp_path: Path) -> None:
    _, root, base, _ = served
    pages = ["index.html", "donggang/index.html", "donggang/2026Q3/index.html"]
    pages += [str(p.relative_to(root)) for p in sorted((root / "shiqiao").glob("*/*.html"))]
    pages += [str(p.relative_to(root)) for p in sorted((root / "donggang").glob("2026Q3/*.html"))]
    for page in pages:
        browser.get(f"{base}/{page}")
        width, inner = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, f"{page}: {width} px on a {inner} px screen"
        hidden = browser.execute_script(  # a column cut off inside its table's box is as good as missing
            "return [...document.querySelectorAll('.table-wrap')].filter(b => b.scrollWidth > b.clientWidth + 1)"
            ".map(b => b.scrollWidth + ' > ' + b.clientWidth)")
        assert not hidden, f"{page}: {hidden}"
    browser.get(f"{base}/donggang/2026Q3/index.html")
    shot = tmp_path / "index.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def _site_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".css")]


def test_pages_are_valid_html_and_need_nothing_from_outside(served: tuple[Path, Path, str, int]) -> None:
    _, root, base, _ = served
    parser = html5lib.HTMLParser(strict=True)
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        parser.parse(text)  # raises on any parse error
        assert '<html lang="zh-CN">' in text and "<script src" not in text  # at most the code check, inline
        for reference in re.findall(r'(?:src|href)="([^"]+)"', text):
            outside = reference.startswith(("http:", "https:", "//"))
            assert not outside or reference.startswith(base), f"{path}: {reference}"
        for reference in re.findall(r'<link rel="stylesheet" href="([^"]+)"', text):
            assert (path.parent / reference).resolve().is_file()
    assert "@import" not in (root / "site.css").read_text(encoding="utf-8")
    assert "url(" not in (root / "site.css").read_text(encoding="utf-8")


def test_no_full_id_phone_or_account_in_any_exported_file(served: tuple[Path, Path, str, int]) -> None:
    db, root, _, _ = served
    with sessions(db)() as session:
        secrets = set()
        for (data,) in session.execute(select(store.ItemRow.data)):
            secrets |= {str(data[k]) for k in ("id_number", "phone", "account") if data.get(k)}
    assert len(secrets) > 1000
    for path in _site_files(root):
        text = path.read_text(encoding="utf-8")
        squeezed = re.sub(r"\s", "", text)
        for candidate in re.findall(r"\d{17}[\dX]", squeezed):
            assert not is_valid_id(candidate), f"{path}: a full ID"
        for number in re.findall(r"\d{11,25}", squeezed):
            assert number not in secrets, f"{path}: {number}"


def test_a_list_whose_publicity_ended_is_withdrawn_from_the_site(served: tuple[Path, Path, str, int]) -> None:
    db, root, _, _ = served
    with sessions(db)() as session:
        record = session.scalars(select(DisclosureItem).where(
            DisclosureItem.village_id == 1, DisclosureItem.period == "2026Q1",
            DisclosureItem.category == "assistance")).one()
        names = [row.data["head_name"] for row in record.rows]
        assert record.publicity_end is not None and record.publicity_end < TODAY
    page = (root / "donggang" / "2026Q1" / f"{record.id}.html").read_text(encoding="utf-8")
    data = json.loads((root / "donggang" / "2026Q1" / f"{record.id}.json").read_text(encoding="utf-8"))
    assert "公示已结束" in page and 'id="code"' in page
    assert not (root / "donggang" / "2026Q1" / f"{record.id}.pdf").exists()
    assert "rows" not in data and data["withdrawn"]
    masked = {n[0] + "*" * (len(n) - 2) + n[-1] if len(n) > 2 else n[0] + "*" for n in names}
    assert not any(name in page for name in masked)


def test_exporting_again_rewrites_only_what_changed(demo_copy: Path, tmp_path: Path) -> None:
    root = tmp_path / "www"
    base = "https://qingshan.example/zwgk"
    with sessions(demo_copy)() as session:
        first = online_copy.write_site(session, LAYOUTS, root, base, today=TODAY)
    assert first.items >= 40 and len(first.written) == first.files
    with sessions(demo_copy)() as session:
        again = online_copy.write_site(session, LAYOUTS, root, base, today=TODAY)
    assert again.written == [] and again.removed == []
    with sessions(demo_copy)() as session, session.begin():
        record = session.scalars(select(DisclosureItem).where(
            DisclosureItem.village_id == 2, DisclosureItem.period == "2026Q3",
            DisclosureItem.category == "finance")).one()
        item, _ = store.load_item(session, record.id)
        item.rows[0]["summary"] = item.rows[0]["summary"] + "（补记）"
        store.save_item(session, item)
    with sessions(demo_copy)() as session:
        changed = online_copy.write_site(session, LAYOUTS, root, base, today=TODAY)
    folder = f"liushuwan/2026Q3/{record.id}"
    # The item's page, data, table and sheets, its quarter's index, and the township's index (its 验证码).
    assert sorted(changed.written) == sorted([f"{folder}.html", f"{folder}.json", f"{folder}.csv", f"{folder}.pdf",
                                              "liushuwan/2026Q3/index.html", "liushuwan/2026Q3/index.json",
                                              "liushuwan/2026Q3/index.csv", "items.json", "items.csv"])


def test_check_names_altered_missing_and_stale_files(demo_copy: Path, tmp_path: Path) -> None:
    root = tmp_path / "www"
    env = {"ZWGK_DB": str(demo_copy)}
    done = run_zwgk("site", "-o", str(root), cwd=tmp_path, env=env)
    assert done.code == 0 and "个事项" in done.out, done.err
    modes = {path.stat().st_mode & 0o777 for path in root.rglob("*") if path.is_file()}
    assert all(mode & 0o044 == 0o044 for mode in modes), modes  # a web server running as another user reads them
    assert run_zwgk("site", "-o", str(root), "--check", cwd=tmp_path, env=env).code == 0
    page = next(root.glob("donggang/2026Q2/*.html"))
    planted = page.with_name("98.html")
    planted.write_bytes(page.read_bytes())  # a forged notice beside the real ones
    (root / "xiaocun" / "2026Q2").mkdir(parents=True)
    (root / "xiaocun" / "2026Q2" / "1.html").write_text("<p>伪造</p>", encoding="utf-8")
    # The web host's own files are not ours to judge; robots.txt is ours (it keeps 低保 lists unindexed).
    (root / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (root / "404.html").write_text("<p>找不到</p>", encoding="utf-8")
    (root / ".well-known").mkdir()
    (root / ".well-known" / "security.json").write_text("{}", encoding="utf-8")
    checked = run_zwgk("site", "-o", str(root), "--check", cwd=tmp_path, env=env)
    assert checked.code == 1 and "donggang/2026Q2/98.html" in checked.out and "xiaocun/2026Q2/1.html" in checked.out
    assert "robots.txt：内容与档案不符" in checked.out
    assert "404.html" not in checked.out and "security.json" not in checked.out
    planted.unlink()
    shutil.rmtree(root / "xiaocun")
    page.write_text(page.read_text(encoding="utf-8").replace("验证码", "验证吗", 1), encoding="utf-8")
    (root / "shiqiao" / "index.html").unlink()
    checked = run_zwgk("site", "-o", str(root), "--check", cwd=tmp_path, env=env)
    assert checked.code == 1
    assert str(page.relative_to(root)) in checked.out and "shiqiao/index.html" in checked.out
    assert "缺少" in checked.out and "不符" in checked.out
    assert run_zwgk("site", "-o", str(root), cwd=tmp_path, env=env).code == 0
    assert run_zwgk("site", "-o", str(root), "--check", cwd=tmp_path, env=env).code == 0
    bad = run_zwgk("site", "-o", str(root), "--base-url", "ftp://x", cwd=tmp_path, env=env)
    assert bad.code == 2 and "http" in bad.err


def test_a_sealed_sheet_changed_behind_the_apps_back_is_not_published(demo_copy: Path, tmp_path: Path) -> None:
    """Another item's sealed PDF put in place of one's own: it is not published, and the export says why."""
    import sqlite3

    from test_archive import seal

    seal(demo_copy, "donggang", "2026Q1")
    db = sqlite3.connect(demo_copy)
    db.execute("DROP TRIGGER sealed_item_append_only_update")
    (first, second) = db.execute("SELECT id FROM sealed_item WHERE pdf IS NOT NULL ORDER BY id LIMIT 2").fetchall()
    db.execute("UPDATE sealed_item SET pdf = (SELECT pdf FROM sealed_item WHERE id = ?) WHERE id = ?",
               (second[0], first[0]))
    db.commit()
    db.close()
    root = tmp_path / "www"
    done = run_zwgk("site", "-o", str(root), "--db", str(demo_copy), cwd=tmp_path)
    assert done.code == 2 and "东岗村 事项" in done.err and "zwgk verify" in done.err, (done.out, done.err)
    assert not (root / "zwgk-site.json").exists()
    bundle = run_zwgk("bundle", "export", "--village", "donggang", "-o", str(tmp_path / "d.zwgk"),
                      "--db", str(demo_copy), cwd=tmp_path)
    assert bundle.code == 2 and "核验未通过" in bundle.err and not (tmp_path / "d.zwgk").exists()
