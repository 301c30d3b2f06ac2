"""The QR code a phone reads from where people stand (issue 15): every module ≥ 0.8 mm whatever the
online address, measured on the printed page by an independent decoder (zxing-cpp's corners and
version on a rendering at known dpi), the code decoding to its URL, the footer growing with it;
and what `init` / 设置 say about an address."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import factories
import pypdfium2
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from zwgk_desktop.domain.categories import CATEGORIES, category, new_item
from zwgk_desktop.domain.fields import Kind
from zwgk_desktop.domain.items import REVIEWED, Item
from zwgk_desktop.domain.place import Place
from zwgk_desktop.domain.web_address import MAX_LENGTH, checked_base_url
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office import setup
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import fonts, qr_address
from zwgk_desktop.render.board import MM, layout_board, qr_fit
from zwgk_desktop.render.layout import PAPER_MM, Layout, load_layouts
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.public import build_public_item
from zwgk_desktop.render.qr import MIN_MODULE_MM, QUIET_ZONE, UNREADABLE_MODULE_MM

LAYOUTS = load_layouts(standard_layouts_dir())
SHORT = "https://qingshan.example/zwgk"  # the demo's
TINY = "https://zwgk.cn"  # short enough for the layouts' own 34 mm with any item's path
# A county portal's address as long as the worst: 120 characters before the item's path.
LONG = "https://www.zhongmou.gov.cn/zwgk/xiangzhen/qingshanzhen/cunwugongkai/" + "c" * 51
assert len(LONG) == 120 and checked_base_url(LONG) == LONG
PHONES = (("村务监督委员会", "0371-62341101"),)
DPI = 200


def correction() -> Item:
    return Item(category="correction", period=factories.Q3, title="关于更正低保公示的公告",
                publicity_start=date(2026, 10, 20), publicity_end=date(2026, 10, 26), reviewer="王德明",
                reviewed_on=date(2026, 10, 19), status=REVIEWED,
                fields={"original_title": "2026年第三季度低保对象公示", "original_code": "ABCDEFGHIJ",
                        "body": "经核实，原公示中一户保障人口有误，现更正如下。"},
                rows=[{"place": "第3行 保障人口", "before": "3", "after": "2"}])


# The value an item field of each kind gets in an item made from its category alone.
_FILLED = {Kind.MONEY: 128_600_00, Kind.DATE: date(2026, 9, 30), Kind.COUNT: 12, Kind.DECIMAL: 35_60}


def from_its_category(code: str) -> Item:
    """An item of any category, from what its category file says: a value of each item field's
    kind (its first choice, a date, an amount, the field's label for a text) and the template's
    example row, as many times as the category asks."""
    schema = category(code)
    item = new_item(code, factories.Q3)
    for spec in schema.item_fields:
        if item.fields.get(spec.key) is None:
            item.fields[spec.key] = _FILLED.get(spec.kind, spec.label)
    item.rows = [schema.example_row() for _ in range(max(1, schema.min_rows))]
    return item


# An item of every category a standard format prints: the factories' where there is one.
OWN: dict[str, Callable[[], Item]] = {"finance": factories.finance, "assistance": factories.assistance,
                                      "bids": factories.bids, "notice": factories.notice, "correction": correction}
ITEMS: dict[str, Callable[[], Item]] = {lay.category: OWN.get(lay.category, partial(from_its_category, lay.category))
                                        for lay in LAYOUTS.layouts}
assert set(ITEMS) >= set(CATEGORIES)


def sheet_pdf(layout: Layout, base_url: str, out: Path, village_code: str = "donggang") -> tuple[Path, str]:
    item = ITEMS[layout.category]()
    item.id, item.clerk = 10_000_123, "李秀芬"  # eight digits: the longest number an item gets
    place = Place("青山镇", "东岗村", village_code, base_url, PHONES)
    public = build_public_item(item, layout, place)
    url = public.url(base_url)
    board = layout_board(public, layout, fonts.text_width, PHONES, url)
    write_pdf([Poster(board, url)], out, first=1)
    return out, url


def page_image(pdf: Path, dpi: int = DPI) -> Image.Image:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()


def measured(image: Image.Image, dpi: int = DPI) -> tuple[str, float, str, tuple[int, int, int, int]]:
    """(text, module size in mm, EC level, symbol box in px) of the one QR code on the page, all as
    zxing-cpp reads them: the module from the symbol's corners and its version (17 + 4v modules)."""
    found = [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(found) == 1, f"{len(found)} QR codes read on the page"
    code = found[0]
    p = code.position
    corners = [(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
               (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)]
    across = (math.dist(corners[0], corners[1]) + math.dist(corners[3], corners[2])) / 2
    # zxing's corners are the outer corners of the outermost modules' centres' grid, one pixel short.
    modules = 17 + 4 * int(code.extra["Version"])
    module_mm = (across + 1) / modules / dpi * 25.4
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return code.text, module_mm, code.ec_level, (min(xs), min(ys), max(xs) + 1, max(ys) + 1)


def quiet_zone_is_white(image: Image.Image, box: tuple[int, int, int, int], module_px: float) -> bool:
    """Four modules of white all round the symbol (nothing of the footer drawn into them)."""
    left, top, right, bottom = box
    margin = math.floor(QUIET_ZONE * module_px) - 2
    ring = image.crop((left - margin, top - margin, right + margin, bottom + margin)).load()
    width, height = right - left + 2 * margin, bottom - top + 2 * margin
    inner = 1
    for y in range(height):
        for x in range(width):
            inside = margin - inner <= x < width - margin + inner and margin - inner <= y < height - margin + inner
            if not inside and ring[x, y] < 200:  # type: ignore[index]
                return False
    return True


@pytest.mark.parametrize("base_url", [SHORT, LONG], ids=["short", "120-character"])
@pytest.mark.parametrize("layout", LAYOUTS.layouts, ids=lambda lay: lay.id)
def test_printed_modules_are_at_least_0_8_mm_and_the_code_decodes(layout: Layout, base_url: str,
                                                                   tmp_path: Path) -> None:
    pdf, url = sheet_pdf(layout, base_url, tmp_path / "sheet.pdf")
    image = page_image(pdf)
    text, module_mm, level, box = measured(image)
    assert text == url
    assert level == "M"
    assert module_mm >= MIN_MODULE_MM - 0.01, f"{module_mm:.3f} mm modules"
    # Grown only as far as the module needs, or kept at the layout's own size.
    fitted = qr_fit(layout, url)
    assert module_mm == pytest.approx(fitted.module_mm, abs=0.01)
    assert fitted.size_mm == pytest.approx(max(layout.qr_size_mm, fitted.wanted_mm))
    assert quiet_zone_is_white(image, box, module_mm / 25.4 * DPI)


def test_a_long_address_grows_the_code_and_the_footer_not_the_short_one() -> None:
    layout = LAYOUTS.for_category("bids")
    public = build_public_item(numbered(factories.bids()), layout, Place("青山镇", "东岗村", "donggang"))
    short = layout_board(public, layout, fonts.text_width, PHONES, public.url(SHORT))
    long = layout_board(public, layout, fonts.text_width, PHONES, public.url(LONG))
    # The demo's 66-character URL had 0.76 mm modules on the layout's 34 mm: now 36 mm, 0.8 mm.
    assert len(public.url(SHORT)) == 66 and short.qr_size == pytest.approx(36 * MM)
    tiny = layout_board(public, layout, fonts.text_width, PHONES, public.url(TINY))
    assert tiny.qr_size == pytest.approx(layout.qr_size_mm * MM)  # the layout's own size holds it
    assert long.qr_size > short.qr_size
    assert long.footer_band - short.footer_band == pytest.approx(long.qr_size - short.qr_size)
    assert long.body_height == pytest.approx(short.body_height - (long.qr_size - short.qr_size))
    # The figure: a 157-character URL needs about 49 mm at level M.
    assert qr_fit(layout, "https://x.example/" + "a" * 139).size_mm == pytest.approx(48.8)


def numbered(item: Item) -> Item:
    item.id = 12
    return item


@st.composite
def base_urls(draw: st.DrawFn, longest: int = MAX_LENGTH) -> str:
    """A valid online address of any length the address check accepts."""
    host = draw(st.sampled_from(["qingshan.example", "www.zhongmou.gov.cn", "a.cn", "zwgk.henan.gov.cn"]))
    start = f"https://{host}"
    length = draw(st.integers(len(start), longest))
    segments = draw(st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=30),
                             min_size=1, max_size=12))
    path = "/" + "/".join(segments)
    url = (start + path * (1 + length // max(len(path), 1)))[:length].rstrip("/.")
    return checked_base_url(url)


def every_paper(layout: Layout) -> list[Layout]:
    return [replace(layout, paper=paper, orientation=turn) for paper in PAPER_MM for turn in ("portrait", "landscape")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base_url=base_urls(), village=st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=40))
def test_every_address_and_paper_keeps_readable_modules_or_is_told(base_url: str, village: str) -> None:
    """Over every address length, village code, format and paper: the code keeps ≥ 0.8 mm modules
    when its footer can hold it, is otherwise as large as the footer holds (and `init` warns),
    and never falls to what no phone reads; the footer always holds the code and its caption."""
    url = qr_address.longest_url(base_url, [village])
    for layout in (lay for standard in LAYOUTS.layouts for lay in every_paper(standard)):
        fitted = qr_fit(layout, url)
        assert fitted.size_mm >= layout.qr_size_mm
        assert fitted.module_mm >= UNREADABLE_MODULE_MM
        if fitted.wanted_mm <= fitted.largest_mm:
            assert fitted.readable
            assert fitted.size_mm == pytest.approx(max(layout.qr_size_mm, fitted.wanted_mm))
        else:
            assert fitted.size_mm == pytest.approx(fitted.largest_mm)
            notes = qr_address.address_notes(base_url, [village], [layout])
            assert notes and notes[0].startswith("注意") and "0.8 毫米" in notes[0]
        public = build_public_item(numbered(ITEMS[layout.category]()), layout,
                                   Place("青山镇", "东岗村", village))
        board = layout_board(public, layout, lambda text, size: len(text) * size, PHONES, url)
        left, _, right, top = board.qr_box
        assert board.body_height > board.page_height / 3
        assert right <= board.content_left + board.content_width + 0.01 and left >= board.content_left - 0.01
        assert top <= layout.margins_mm[2] * MM + board.footer_band  # inside the footer band


def test_a3_and_a4_portrait_keep_0_8_mm_for_the_longest_address_the_check_accepts() -> None:
    longest = checked_base_url("https://www.zhongmou.gov.cn/" + "z" * (MAX_LENGTH - 28))
    url = qr_address.longest_url(longest, ["v" * 40])
    for standard in LAYOUTS.layouts:
        for paper in ("A3", "A4"):
            assert qr_fit(replace(standard, paper=paper, orientation="portrait"), url).readable, paper


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base_url=base_urls(longest=140), category=st.sampled_from(sorted(ITEMS)))
def test_rendered_codes_over_address_lengths_decode_with_modules_measured(base_url: str, category: str,
                                                                           tmp_path: Path) -> None:
    layout = LAYOUTS.for_category(category)
    pdf, url = sheet_pdf(layout, base_url, tmp_path / f"{category}.pdf")
    text, module_mm, _, _ = measured(page_image(pdf))
    assert text == url
    assert module_mm >= MIN_MODULE_MM - 0.01


# -- what init and 设置 say -------------------------------------------------------------------------

def test_init_tells_how_a_long_address_grows_the_codes(tmp_path: Path) -> None:
    with setup.open_or_create(tmp_path / "a.db") as archive:
        done = setup.init(archive, township="青山镇", villages=["东岗村"], base_url=TINY)
        assert done.notes == ()
        done = setup.init(archive, base_url=LONG)
        assert len(done.notes) == 1 and "放大" in done.notes[0] and "毫米" in done.notes[0]
        assert setup.qr_notes(archive) == list(done.notes)


def test_a_format_that_cannot_hold_a_readable_code_is_warned_about(tmp_path: Path) -> None:
    landscape = [replace(lay, paper="A4", orientation="landscape") for lay in LAYOUTS.layouts]
    notes = qr_address.address_notes(LONG, ["donggang"], landscape)
    assert notes[0].startswith("注意")
    assert "0.8 毫米" in notes[0] and "扫不出" in notes[0]
    assert qr_address.address_notes(TINY, ["donggang"], landscape) == []


def test_an_address_no_format_can_print_readably_is_refused_and_not_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with setup.open_or_create(tmp_path / "a.db") as archive:
        setup.init(archive, township="青山镇", villages=["东岗村"], base_url=SHORT)
        # No address the check accepts is that long, so the floor is raised to see the refusal.
        monkeypatch.setattr("zwgk_desktop.render.qr.UNREADABLE_MODULE_MM", 0.9)
        with pytest.raises(BadInput, match="网上公开地址太长"):
            setup.init(archive, base_url=LONG)
        with pytest.raises(BadInput, match="手机无法扫出"):
            setup.change_settings(archive, base_url=LONG)
        assert setup.settings(archive).base_url == SHORT


def test_signatures_stay_in_their_columns_beside_the_largest_code(tmp_path: Path) -> None:
    """Three signatures and a 40-character village name beside the code a 200-character address
    makes on A4: every signature line ends before the next column begins."""
    base = checked_base_url("https://www.zhongmou.gov.cn/" + "z" * (MAX_LENGTH - 28))
    standard = LAYOUTS.for_category("notice")
    layout = replace(standard, paper="A4", signatures=("村务监督委员会", "村民委员会", "乡镇人民政府农村经济管理站"))
    village = "东岗" * 19 + "村"
    item = factories.notice()
    item.id, item.clerk = 10_000_123, "欧阳秀英"
    public = build_public_item(item, layout, Place("青山镇", village, "donggang", base, PHONES))
    url = public.url(base)
    board = layout_board(public, layout, fonts.text_width, PHONES, url)
    assert board.qr is not None and board.qr.readable
    write_pdf([Poster(board, url)], tmp_path / "sheet.pdf")
    document = pypdfium2.PdfDocument(str(tmp_path / "sheet.pdf"))
    try:
        text = document[0].get_textpage()
        chars = text.count_chars()
        whole = text.get_text_range(0, chars)
        column = (board.content_width - board.qr_size - 6 * MM) / 3
        # (line, its column): the clerk's line sits under the 村民委员会, in the second column.
        for line, at_column in ((f"{village}村民委员会（盖章）", 1), ("经办人：欧阳秀英", 1),
                                ("乡镇人民政府农村经济管理站（签章）", 2)):
            at = whole.index(line)
            right = max(text.get_charbox(i)[2] for i in range(at, at + len(line)))
            assert right <= board.content_left + (at_column + 1) * column, line
    finally:
        document.close()


def test_a_sheet_that_cannot_hold_a_readable_code_is_told_when_it_is_printed() -> None:
    from zwgk_desktop.render.layout import LayoutSet
    from zwgk_desktop.render.posters import RenderResult, posters_for

    landscape = LayoutSet(LAYOUTS.folder, tuple(replace(lay, paper="A4", orientation="landscape")
                                                for lay in LAYOUTS.layouts))
    place = Place("青山镇", "东岗村", "donggang", LONG, PHONES)
    said = RenderResult(base_url=LONG)
    posters = posters_for([numbered(factories.bids())], landscape, place, LONG, said)
    assert posters[0].board.qr is not None and not posters[0].board.qr.readable
    assert len(said.warnings) == 1 and "0.8 毫米" in str(said.warnings[0]) and "扫不出" in str(said.warnings[0])
    fine = RenderResult(base_url=LONG)
    posters_for([numbered(factories.bids())], LAYOUTS, place, LONG, fine)
    assert fine.warnings == []


def test_init_with_a_broken_formats_folder_still_sets_the_address(tmp_path: Path) -> None:
    """The formats are checked where they are used (printing): init does not fail for them."""
    (tmp_path / "formats").mkdir()
    with setup.open_or_create(tmp_path / "a.db", tmp_path / "formats") as archive:
        done = setup.init(archive, township="青山镇", villages=["东岗村"], base_url=LONG)
        assert done.base_url == LONG and done.notes == ()


def test_the_demo_board_for_a_120_character_address_reads_on_every_sheet(demo_copy: Path, tmp_path: Path) -> None:
    """The whole quarter's board as `zwgk render --base-url` prints it: every sheet's code decodes to
    its item's URL with modules ≥ 0.8 mm, and the footer grew (fewer rows to a sheet, same codes)."""
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.domain.periods import Quarter
    from zwgk_desktop.office.printing import render_board

    engine = open_engine(str(demo_copy))
    try:
        with session_factory(engine)() as session:
            long = render_board(session, LAYOUTS, "donggang", Quarter(2026, 3), tmp_path / "long.pdf", base_url=LONG)
            short = render_board(session, LAYOUTS, "donggang", Quarter(2026, 3), tmp_path / "short.pdf",
                                 base_url=SHORT)
    finally:
        engine.dispose()
    assert [p.code for p in long.items] == [p.code for p in short.items]
    assert long.sheets >= short.sheets
    urls = {p.url(LONG) for p in long.items}
    document = pypdfium2.PdfDocument(str(tmp_path / "long.pdf"))
    try:
        read = set()
        for page in document:
            text, module_mm, _, _ = measured(page.render(scale=150 / 72).to_pil().convert("L"), dpi=150)
            assert module_mm >= MIN_MODULE_MM - 0.015, f"{module_mm:.3f} mm"
            read.add(text)
    finally:
        document.close()
    assert read == urls


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_a_code_on_the_left_grows_too_and_the_text_moves_right_of_it(paper: str, tmp_path: Path) -> None:
    layout = replace(LAYOUTS.for_category("finance"), paper=paper, qr_position="bottom-left")
    pdf, url = sheet_pdf(layout, LONG, tmp_path / "left.pdf")
    image = page_image(pdf)
    text, module_mm, _, box = measured(image)
    assert text == url and module_mm >= MIN_MODULE_MM - 0.01
    assert quiet_zone_is_white(image, box, module_mm / 25.4 * DPI)
    assert box[0] < image.width / 3  # on the left
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page_text = document[0].get_textpage()
        whole = page_text.get_text_range(0, page_text.count_chars())
        at = whole.index("村务监督委员会（签章）")
        code_right = (box[2] + QUIET_ZONE * module_mm / 25.4 * DPI) / DPI * 72  # pt from the left edge
        assert page_text.get_charbox(at)[0] > code_right  # the signatures begin right of the code
    finally:
        document.close()
