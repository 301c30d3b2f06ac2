"""The online copy keeps pages naming private persons out of search engines: every page, data file
and sheet of a 低保 list (and of its 更正公告, and the quarter index listing it) is `noindex` and
disallowed by robots.txt, robots.txt follows from exactly the same decision, and says nothing else.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.robotparser import RobotFileParser

import html5lib
import pytest
from conftest import run_zwgk
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from test_archive import LAYOUTS, seal, sessions

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, public_number
from zwgk_desktop.domain.categories import ALL_CATEGORIES, NOTICE_KINDS, category
from zwgk_desktop.domain.items import REVIEWED, Item, assign
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office import online as online_copy
from zwgk_desktop.render import site

TODAY = date(2026, 11, 22)
BASE = "https://qingshan.example/zwgk"


def _correct(db: Path, village_id: int, period: str, kind: str, cell: str, value: str) -> int:
    with sessions(db)() as session, session.begin():
        old = int(session.scalar(select(DisclosureItem.id).where(  # type: ignore[arg-type]
            DisclosureItem.village_id == village_id, DisclosureItem.period == period,
            DisclosureItem.category == kind)))
        item = store.start_correction(session, old, "录入有误")
        assign(item, category(kind), cell, value)
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", TODAY
        store.save_item(session, item)
        return int(item.id or 0)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[tuple[Path, Path]]:
    """The demo township with a corrected 低保 list and a corrected ledger, published under /zwgk."""
    folder = tmp_path_factory.mktemp("private")
    db = folder / "archive.sqlite3"
    shutil.copy(demo_db, db)
    seal(db, "donggang", "2026Q2")
    _correct(db, 1, "2026Q2", "assistance", "1.保障人口", "2")
    _correct(db, 1, "2026Q2", "finance", "1.摘要", "购买办公用品（打印纸）")
    seal(db, "donggang", "2026Q2")
    root = folder / "www"
    with sessions(db)() as session:
        online_copy.write_site(session, LAYOUTS, root, BASE, today=TODAY)
    yield db, root


def _noindex(page: Path) -> bool:
    tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    robots = [m.get("content") for m in tree.iter("meta") if m.get("name") == "robots"]
    assert robots in ([], ["noindex, nofollow"]), f"{page}: {robots}"
    return bool(robots)


def _who_is_named(db: Path) -> tuple[set[str], set[str]]:
    """Where the items naming private persons are (`donggang/2026Q2/11`), decided here from the data,
    not by the code under test; and the household heads' names as the public sees them (masked)."""
    naming, names = set(), set()
    with sessions(db)() as session:
        records = list(session.scalars(select(DisclosureItem)))
        by_id = {r.id: r for r in records}
        for record in records:
            if record.category == "assistance":
                names |= {row.data["head_name"] for row in record.rows}
            version: DisclosureItem | None = record
            while version is not None:  # a correction quotes what any version it replaces said
                kind = version.fields.get("kind")
                # 集体资源, 经济合同, 债权债务: who contracts a plot, signs a contract or owes the village
                # may be a person (shown masked): kept out of search engines.
                if version.category in ("assistance", "resources", "contracts", "debts") or (
                        version.category == "notice" and kind != "会议决议"):
                    naming.add(f"{record.village.code}/{record.period}/{public_number(record)}")
                version = by_id[version.supersedes_id] if version.supersedes_id is not None else None
    masked = {n[0] + "*" * (len(n) - 2) + n[-1] if len(n) > 2 else n[0] + "*" for n in names}
    return naming, masked


def test_pages_naming_households_are_noindex_and_robots_txt_says_the_same(
        published: tuple[Path, Path]) -> None:
    db, root = published
    naming, masked = _who_is_named(db)
    robots = RobotFileParser()
    text = (root / "robots.txt").read_text(encoding="ascii")
    robots.parse(text.splitlines())
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".pdf", ".csv"))
    private_pages = corrections = 0
    for path in files:
        name = path.relative_to(root).as_posix()
        if name == online_copy.MANIFEST:
            continue
        if path.stem in ("items", "schema") and path.parent == root:
            # The township's open data: the index lists every title, as a quarter's index does; the
            # schema and its page name no item.
            private = path.stem == "items" and bool(naming)
            assert robots.can_fetch("*", f"{BASE}/{name}") is not private, name
            if path.stem == "items":
                listed = json.loads(path.with_suffix(".json").read_bytes())["items"]
                pages = {p.relative_to(root).with_suffix("").as_posix() for p in root.glob("*/*/*.html")
                         if p.stem.isdigit()}
                assert {f"{i['village_code']}/{i['period']}/{i['number']}" for i in listed} == pages
            if any(n in path.read_text(encoding="utf-8-sig") for n in masked):
                assert private, f"{name} shows a household's name but may be indexed"
            continue
        private = _noindex(path.with_suffix(".html"))  # n.json, n.csv, n.pdf belong to n.html
        # robots.txt is the same decision as the page's own tag, file by file (page, data, sheets).
        assert robots.can_fetch("*", f"{BASE}/{name}") is not private, name
        assert robots.can_fetch("Baiduspider", f"{BASE}/{name}?v=ABCDEFGHIJ") is not private, name
        if path.stem.isdigit():
            assert private is (name.rpartition(".")[0] in naming), name
            private_pages += private and path.suffix == ".html"
            corrections += private and path.suffix == ".json" and "corrects" in json.loads(path.read_bytes())
        elif path.name == "index.json" and path.parent.parent != root:  # a quarter's index lists them
            listed = json.loads(path.read_bytes())["items"]
            folder = path.parent.relative_to(root).as_posix()
            assert private is any(f"{folder}/{i['number']}" in naming for i in listed), name
        if path.suffix != ".pdf" and any(n in path.read_text(encoding="utf-8-sig") for n in masked):
            assert private, f"{name} shows a household's name but may be indexed"
    assert private_pages > 10 and corrections == 1
    # Indexes of villages and the township, and the ledger, bids and resolutions, stay findable.
    for public in ("index.html", "donggang/index.html", "shiqiao/index.html", "data.html"):
        assert not _noindex(root / public) and robots.can_fetch("*", f"{BASE}/{public}")
    # It names paths under the site's own address (/zwgk/…), and nothing else: no title, village, category.
    lines = text.splitlines()
    assert lines[0] == "User-agent: *" and len(lines) > 1
    assert all(re.fullmatch(r"Disallow: /zwgk/([a-z0-9-]+/\d{4}Q[1-4]/(\d+|index)|items)\.", line)
               for line in lines[1:])


def test_a_site_with_nothing_private_allows_everything(tmp_path: Path, demo_copy: Path) -> None:
    with sessions(demo_copy)() as session, session.begin():
        for record in session.scalars(select(DisclosureItem).where(
                DisclosureItem.category.in_(("assistance", "notice", "resources", "contracts", "debts")))):
            record.status = "draft"
    root = tmp_path / "www"
    with sessions(demo_copy)() as session:
        online_copy.write_site(session, LAYOUTS, root, "http://127.0.0.1:8000/", today=TODAY)
    assert (root / "robots.txt").read_text(encoding="ascii") == "User-agent: *\nDisallow:\n"
    assert not any(_noindex(page) for page in root.rglob("*.html"))


@pytest.mark.slow
def test_a_robots_txt_of_the_web_host_is_not_overwritten(tmp_path: Path, demo_copy: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    done = run_zwgk("site", "-o", str(root), "--base-url", BASE, cwd=tmp_path, env={"ZWGK_DB": str(demo_copy)})
    assert done.code == 2 and "robots.txt" in done.err and "Traceback" not in done.err
    assert (root / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /admin/\n"
    assert sorted(p.name for p in root.iterdir()) == ["robots.txt"]  # nothing written half-way
    (root / "robots.txt").rename(root / "robots.host.txt")
    assert run_zwgk("site", "-o", str(root), cwd=tmp_path, env={"ZWGK_DB": str(demo_copy)}).code == 0
    assert "Disallow: /zwgk/donggang/" in (root / "robots.txt").read_text(encoding="ascii")
    # Written by the export, it is the export's to rewrite, even once the manifest is lost.
    (root / online_copy.MANIFEST).unlink()
    assert run_zwgk("site", "-o", str(root), cwd=tmp_path, env={"ZWGK_DB": str(demo_copy)}).code == 0


@given(st.sampled_from(sorted(ALL_CATEGORIES)) | st.text(max_size=12),
       st.sampled_from(NOTICE_KINDS) | st.text(max_size=8) | st.none())
def test_only_ledgers_bids_and_resolutions_are_indexable(code: str, kind: str | None) -> None:
    """A kind nobody listed (a new 公告类别, an unknown category) counts as naming persons."""
    item = Item(category=code, period=Quarter(2026, 1), title="公告", fields={"kind": kind})
    indexable = code in ("finance", "bids", "assets", "distribution") or (code == "notice" and kind == "会议决议")
    assert online_copy.names_private_persons(item) is not indexable


def test_robots_txt_is_refused_through_a_link_too(tmp_path: Path, demo_copy: Path) -> None:
    outside = tmp_path / "host-robots.txt"
    outside.write_text("User-agent: *\n", encoding="utf-8")
    root = tmp_path / "www"
    root.mkdir()
    (root / "robots.txt").symlink_to(outside)
    with sessions(demo_copy)() as session, pytest.raises(BadInput, match=r"robots\.txt"):
        online_copy.write_site(session, LAYOUTS, root, BASE, today=TODAY)
    assert outside.read_text(encoding="utf-8") == "User-agent: *\n"


def test_robots_txt_paths_are_under_the_base_urls_path_and_plain_ascii() -> None:
    text = site.robots_txt("/村务/", ["donggang/2026Q1/3.", "donggang/2026Q1/index."]).decode("ascii")
    assert text.splitlines() == ["User-agent: *", "Disallow: /%E6%9D%91%E5%8A%A1/donggang/2026Q1/3.",
                                 "Disallow: /%E6%9D%91%E5%8A%A1/donggang/2026Q1/index."]
    robots = RobotFileParser()
    robots.parse(text.splitlines())
    assert not robots.can_fetch("*", "https://政务.中国/%E6%9D%91%E5%8A%A1/donggang/2026Q1/3.pdf")
    assert robots.can_fetch("*", "https://政务.中国/%E6%9D%91%E5%8A%A1/donggang/2026Q1/30.html")
