"""Sheet details a clerk notices (issue 15): the 经办人 in the sign-off block where the item names
one, the 招投标 sheet's subtitle naming its project; neither changes any 验证码. And what
`zwgk init` / `zwgk settings` print about an address's QR codes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import factories
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop import cli
from zwgk_desktop.domain.place import Place
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.render.posters import render_item
from zwgk_desktop.render.public import build_public_item

LAYOUTS = load_layouts(standard_layouts_dir())
PLACE = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk", (("村务监督委员会", "0371-62341101"),))
MAKERS = {"finance": factories.finance, "assistance": factories.assistance, "bids": factories.bids,
          "notice": factories.notice}


def text_of(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def test_the_sign_off_block_names_the_clerk_and_a_generic_bids_title_gives_way_to_the_project(
        tmp_path: Path) -> None:
    item = factories.bids()
    item.id, item.clerk, item.title = 7, "李秀芬", "工程项目中标结果公示"  # a new item's title
    render_item(item, LAYOUTS, PLACE, tmp_path / "bids.pdf")
    text = text_of(tmp_path / "bids.pdf")
    assert "经办人：李秀芬" in text
    assert "村内道路硬化工程中标结果公示" in text
    assert "工程项目中标结果公示" not in text.replace("村内道路硬化工程中标结果公示", "")


def test_without_a_clerk_the_line_stays_free_for_the_seal(tmp_path: Path) -> None:
    item = factories.notice()
    item.id = 8
    render_item(item, LAYOUTS, PLACE, tmp_path / "notice.pdf")
    assert "经办人" not in text_of(tmp_path / "notice.pdf")


def test_a_title_that_names_the_project_is_the_subtitle_and_an_unshown_project_is_not_printed() -> None:
    layout = LAYOUTS.for_category("bids")
    item = factories.bids()
    item.id = 9
    public = build_public_item(item, layout, PLACE)
    assert public.shown_subtitle == item.title == "村内道路硬化工程中标结果公示"
    item.title = "中标结果公示"
    hidden = replace(layout, info=tuple(e for e in layout.info if e.key != "project"))
    # A format that does not show the project gets no subtitle made of it: the code would not cover it.
    assert build_public_item(item, hidden, PLACE).shown_subtitle == "中标结果公示"
    assert build_public_item(item, layout, PLACE).shown_subtitle == "村内道路硬化工程中标结果公示"


@settings(max_examples=60, deadline=None)
@given(category=st.sampled_from(sorted(MAKERS)),
       clerk=st.one_of(st.none(), st.text("张王李赵刘秀英建国德明芬", min_size=1, max_size=8)),
       title=st.sampled_from(["工程项目中标结果公示", "公告", "2026年第三季度财务收支明细",
                              "村内道路硬化工程中标结果公示"]))
def test_neither_changes_the_verification_code(category: str, clerk: str | None, title: str) -> None:
    """For every category: an item's code is the one it had before 经办人 and subtitles were printed
    (its canonical form holds neither)."""
    layout = LAYOUTS.for_category(category)
    item = MAKERS[category]()
    item.id, item.title, item.clerk = 11, title, clerk
    public = build_public_item(item, layout, PLACE)
    canonical = public.canonical()
    assert "clerk" not in canonical and "subtitle" not in canonical
    item.clerk = None
    assert build_public_item(item, layout, PLACE).code == public.code
    assert public.clerk == (clerk or "")


def test_demo_codes_are_unchanged(demo_db: Path, tmp_path: Path) -> None:
    """The demo's sheets print the codes its items had before (the same content, by the canonical
    JSON of each, which holds neither 经办人 nor subtitle)."""
    from zwgk_desktop.db import store
    from zwgk_desktop.db.engine import open_engine, session_factory

    engine = open_engine(str(demo_db))
    try:
        with session_factory(engine)() as session:
            village = store.villages(session)[0]
            items = store.selected_items(session, village, factories.Q3, None, None)
            place = store.place_of(village)
    finally:
        engine.dispose()
    assert items
    for item in items:
        if item.category not in MAKERS:
            continue
        public = build_public_item(item, LAYOUTS.for_category(item.category), place)
        assert public.clerk  # the demo names its 文书 on every item
        assert build_public_item(replace(item, clerk=None), LAYOUTS.for_category(item.category), place).code \
            == public.code


@pytest.mark.parametrize("command", ["init", "settings"])
def test_the_command_line_says_what_an_address_does_to_the_codes(command: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "a.db")
    assert cli.main(["init", "--db", db, "--township", "青山镇", "--village", "东岗村",
                     "--base-url", "https://zwgk.cn"]) == 0
    assert "二维码" not in capsys.readouterr().err
    long = "https://www.zhongmou.gov.cn/zwgk/xiangzhen/qingshanzhen/cunwugongkai/" + "c" * 51
    assert cli.main([command, "--db", db, "--base-url", long]) == 0
    said = capsys.readouterr().err
    assert "二维码将放大（最大 49 毫米），页脚随之加高" in said


def test_the_online_copy_shows_the_same_subtitle_and_clerk_as_the_sheet() -> None:
    from zwgk_desktop.render import site

    item = factories.bids()
    item.id, item.clerk, item.title = 7, "李秀芬", "工程项目中标结果公示"
    public = build_public_item(item, LAYOUTS.for_category("bids"), PLACE)
    page = site.item_page(site.OnlineItem(public), "青山镇", PLACE.base_url).decode("utf-8")
    assert '<p class="subtitle">村内道路硬化工程中标结果公示</p>' in page
    assert "<dt>经办人</dt><dd>李秀芬</dd>" in page
    assert "clerk" not in site.item_data(site.OnlineItem(public))  # open data: the content only


@pytest.mark.parametrize("category", sorted(MAKERS))
def test_a_title_the_heading_already_says_prints_no_subtitle(category: str) -> None:
    """A new item's title (categories.new_item) under its heading: a generic line is left out,
    or replaced by the subject (招投标: the project); the item's title and code are unchanged."""
    from zwgk_desktop.domain.categories import new_item

    layout = LAYOUTS.for_category(category)
    item = MAKERS[category]()
    item.id, item.title = 5, new_item(category, factories.Q3).title
    public = build_public_item(item, layout, PLACE)
    assert public.title in ("", item.title)
    if category == "bids":
        assert public.shown_subtitle == "村内道路硬化工程中标结果公示"
    else:
        assert public.shown_subtitle == "" or public.shown_subtitle not in public.heading


@pytest.mark.parametrize(("title", "shown"), [
    ("工程项目中标结果公示", "村内道路硬化工程中标结果公示"), ("中标结果公示", "村内道路硬化工程中标结果公示"),
    ("2026年第三季度招投标结果公示", "村内道路硬化工程中标结果公示"),
    ("村内道路𠮷䶮硬化工程（𠮷家湾段）招投标结果", "村内道路𠮷䶮硬化工程（𠮷家湾段）招投标结果"),
    ("东岗村文化广场建设项目中标公示", "东岗村文化广场建设项目中标公示"),
])
def test_only_a_generic_title_gives_way_to_the_project(title: str, shown: str) -> None:
    """The 招投标 subtitle names the project only in place of a generic title; a title of the
    clerk's own that does not repeat the project's name is printed as written."""
    item = factories.bids()
    item.id, item.title = 9, title
    assert build_public_item(item, LAYOUTS.for_category("bids"), PLACE).shown_subtitle == shown
