"""A3 boards on an A4 printer, read back as a clerk's scissors and a resident's phone would meet them.

Tiled (`--paper A4`): twice the pages, each A4; the sheet's content at 1:1 (a table's width and the
QR code measured in mm on the halves, against the A3 sheet); the QR code decodes on its half; the
overlap band is the same picture on both halves and on the A3 sheet; a sealed sheet's own content
stream is what both halves show. The seam never cuts the QR code, for any format the loader accepts
(or the format is refused in words). A4 editions (`--paper A4 --fit`): body ≥ 10 pt, same 验证码 for
every item of the demo, sealed items too; a format without one is refused with words.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pikepdf
import pypdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from zwgk_desktop.archive.seal import seal_quarter
from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office.printing import A3, A4_EDITION, A4_TILED, Paper, render_board, sheets_said
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.board import qr_fit
from zwgk_desktop.render.layout import PAPER_MM, Layout, LayoutSet, load_layout
from zwgk_desktop.render.packs import load_pack_layouts
from zwgk_desktop.render.posters import RenderResult
from zwgk_desktop.render.public import PublicItem
from zwgk_desktop.render.qr import QUIET_ZONE, qr_matrix
from zwgk_desktop.render.sheet_papers import papers_of
from zwgk_desktop.render.tiling import EDGE_MM, MIN_OVERLAP_MM, Frame, frame_of, halves_of

# As the app and `zwgk` load them: with the 版式 line each sheet prints in its bottom margin.
LAYOUTS = load_pack_layouts(standard_layouts_dir())
DPMM = 10  # renders at 254 dpi: 10 pixels a millimetre, so offsets in tenths of a mm fall on pixels
A4_LANDSCAPE_PT = (841.89, 595.28)
A4_PORTRAIT_PT = (595.28, 841.89)


def render(db: Path, out: Path, layouts: LayoutSet = LAYOUTS, village: str = "donggang",
           period: Quarter = Quarter(2026, 3), **kwargs: object) -> RenderResult:  # noqa: B008
    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session:
            return render_board(session, layouts, village, period, out, **kwargs)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def page_image(pdf: Path, index: int) -> Image.Image:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return document[index].render(scale=DPMM * 25.4 / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def qr_codes(image: Image.Image) -> list[tuple[str, float]]:
    """The QR codes on a page image: their text and the symbol's side in mm (without quiet zone)."""
    found = []
    for result in zxingcpp.read_barcodes(image):
        if result.format != zxingcpp.BarcodeFormat.QRCode:
            continue
        p = result.position
        side = ((p.top_right.x - p.top_left.x) ** 2 + (p.top_right.y - p.top_left.y) ** 2) ** 0.5
        found.append((result.text, side / DPMM))
    return found


def table_width_mm(image: Image.Image, row_mm: float, from_mm: float = EDGE_MM + 9) -> float:
    """From the middle of the first to the middle of the last dark run along a line across the page
    (the table's outer rules when the line crosses a table row), leaving out the margins' marks."""
    y = round(row_mm * DPMM)
    left, right = round(from_mm * DPMM), image.width - round(from_mm * DPMM)
    dark = [x for x in range(left, right) if image.getpixel((x, y)) < 100]  # type: ignore[operator]
    first_run = [x for x in dark if x - dark[0] < 10 and all(d in dark for d in range(dark[0], x))]
    last_run = [x for x in dark if dark[-1] - x < 10 and all(d in dark for d in range(x, dark[-1]))]
    return ((last_run[0] + last_run[-1]) / 2 - (first_run[0] + first_run[-1]) / 2) / DPMM


# ---------------------------------------------------------------------------------------------
# A tiled board, A3 portrait and A3 landscape.


def _landscape_layouts(folder: Path) -> LayoutSet:
    """The standard formats with finance's sheet turned to A3 landscape (a township may)."""
    shutil.copytree(standard_layouts_dir(), folder)
    finance = folder / "finance.toml"
    finance.write_text(finance.read_text("utf-8").replace('orientation = "portrait"', 'orientation = "landscape"', 1),
                       "utf-8")
    return load_pack_layouts(folder)


@pytest.fixture(scope="module", params=["portrait", "landscape"])
def tiled(request: pytest.FixtureRequest, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[str, Path, RenderResult, Path, RenderResult]:
    folder = tmp_path_factory.mktemp(f"tiled-{request.param}")
    layouts = LAYOUTS if request.param == "portrait" else _landscape_layouts(folder / "layouts")
    whole, halves = folder / "a3.pdf", folder / "a4.pdf"
    a3 = render(demo_db, whole, layouts, category="finance")
    a4 = render(demo_db, halves, layouts, category="finance", paper=A4_TILED)
    return request.param, whole, a3, halves, a4


def test_tiling_doubles_the_pages_all_a4(tiled: tuple[str, Path, RenderResult, Path, RenderResult]) -> None:
    orientation, whole, a3, halves, a4 = tiled
    assert len(pypdf.PdfReader(whole).pages) == a3.sheets >= 2
    reader = pypdf.PdfReader(halves)
    assert len(reader.pages) == a4.sheets == 2 * a3.sheets and a4.split == a3.sheets
    wanted = A4_LANDSCAPE_PT if orientation == "portrait" else A4_PORTRAIT_PT
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(wanted, abs=0.1)
    assert sheets_said(papers_of(halves.read_bytes()), A4_TILED, a4.split) == \
        f"共 {a4.sheets} 张 A4（{a3.sheets} 张 A3 拼贴）"
    # Both halves name their sheet and which half they are, for the clerk putting them up.
    text = [page.extract_text() for page in reader.pages[:2]]
    first, second = ("上半", "下半") if orientation == "portrait" else ("左半", "右半")
    assert f"第 1/{a3.sheets} 张 {first}" in text[0] and f"第 1/{a3.sheets} 张 {second}" in text[1]


def test_qr_decodes_on_its_half_at_full_size(tiled: tuple[str, Path, RenderResult, Path, RenderResult]) -> None:
    """Every sheet's QR code is whole on exactly one of its halves, the same URL, the same size in mm
    as on the A3 sheet, and that size is the one the sheet was drawn with (1:1, not shrunk). The
    sheets are the items' in turn (the quarter's and each month's finance items), each its own code."""
    _, whole, a3, halves, _ = tiled
    layout = LAYOUTS.for_category("finance")
    urls = [item.url(a3.base_url) for item in a3.items]
    read: list[str] = []
    for sheet in range(a3.sheets):
        on_a3 = qr_codes(page_image(whole, sheet))
        found = [qr_codes(page_image(halves, 2 * sheet + i)) for i in (0, 1)]
        assert len(on_a3) == 1 and sorted(map(len, found)) == [0, 1], (sheet, found)
        (url, side), = found[0] or found[1]
        assert url == on_a3[0][0] and url in urls
        modules = len(qr_matrix(url))
        # The code's size is the layout's, grown for a long address (render.board.qr_fit): as drawn.
        expected = qr_fit(layout, url).size_mm * modules / (modules + 2 * QUIET_ZONE)
        assert side == pytest.approx(on_a3[0][1], abs=0.3)
        assert side == pytest.approx(expected, abs=0.5)
        if not read or read[-1] != url:
            read.append(url)
    assert read == urls  # every item's sheets, in the board's order


def test_table_is_its_own_width_on_both_halves(tiled: tuple[str, Path, RenderResult, Path, RenderResult]) -> None:
    """The finance table's outer rules, measured across a row on each half and on the A3 sheet:
    the format's content width, to a pixel (0.1 mm)."""
    orientation, whole, _, halves, _ = tiled
    if orientation == "landscape":
        pytest.skip("a landscape sheet is split across its table: its width is on neither half alone")
    layout = LAYOUTS.for_category("finance")
    content = PAPER_MM["A3"][0] - layout.margins_mm[1] - layout.margins_mm[3]
    top, bottom = halves_of(1, layout.page_size_mm, frame_of(layout))  # type: ignore[misc]
    image_a3 = page_image(whole, 0)
    for half, page, row_mm in ((top, 0, 120.0), (bottom, 1, 300.0)):
        on_half = table_width_mm(page_image(halves, page), row_mm - half.offset_mm)
        assert on_half == pytest.approx(content, abs=0.25)
        assert on_half == pytest.approx(table_width_mm(image_a3, row_mm), abs=0.15)


def test_halves_align_in_the_overlap(tiled: tuple[str, Path, RenderResult, Path, RenderResult]) -> None:
    """The overlap band, cut out of both halves at the offsets tiling used, is the same picture on
    both and on the A3 sheet (inside the content, away from the marks); moved by 1 mm it is not."""
    orientation, whole, _, halves, _ = tiled
    layouts = LAYOUTS if orientation == "portrait" else load_pack_layouts(whole.parent / "layouts")
    layout = layouts.for_category("finance")
    frame = frame_of(layout)
    first, second = halves_of(1, layout.page_size_mm, frame)  # type: ignore[misc]
    low, high = first.overlap_mm
    assert high - low >= MIN_OVERLAP_MM
    top, right, bottom, left = layout.margins_mm
    width, height = layout.page_size_mm
    across = (left, width - right) if orientation == "portrait" else (top, height - bottom)

    def band(image: Image.Image, offset: float, shift: float = 0) -> Image.Image:
        a, b = (round((v - offset + shift) * DPMM) for v in (low, high))
        c, d = (round(v * DPMM) for v in across)
        box = (c, a, d, b) if orientation == "portrait" else (a, c, b, d)
        return image.crop(box)

    images = [page_image(halves, 0), page_image(halves, 1), page_image(whole, 0)]
    one, two, sheet = band(images[0], first.offset_mm), band(images[1], second.offset_mm), band(images[2], 0)
    ink = sum(sheet.histogram()[:128]) / (sheet.width * sheet.height)
    assert ink > 0.005, "the overlap should hold some of the sheet (rules, text) to compare"

    def differing(a: Image.Image, b: Image.Image) -> float:
        diff = ImageChops.difference(a, b)
        return sum(diff.histogram()[97:]) / (diff.width * diff.height)

    same = [differing(one, two), differing(one, sheet), differing(two, sheet)]
    moved = differing(band(images[0], first.offset_mm, 1.0), two)
    print(f"overlap {high - low:.1f} mm, ink {ink:.3f}, differing {same}, moved by 1 mm {moved:.4f}")
    assert max(same) < 0.002
    assert moved > 10 * max(*same, 0.001)


# ---------------------------------------------------------------------------------------------
# The seam and the QR code, for every format the loader accepts.


@settings(max_examples=300, deadline=None)
@given(category=st.sampled_from(sorted({lay.category for lay in LAYOUTS.layouts})),
       orientation=st.sampled_from(("portrait", "landscape")),
       margins=st.tuples(*[st.floats(5, 60)] * 4), qr=st.floats(20, 80),
       position=st.sampled_from(("bottom-right", "bottom-left")), footer=st.floats(6, 72))
def test_seam_never_cuts_the_qr_code(category: str, orientation: str, margins: tuple[float, float, float, float],
                                     qr: float, position: str, footer: float) -> None:
    """Any format within the loader's limits: tiled, its halves together print all of the sheet
    inside the margins, overlap by at least MIN_OVERLAP_MM, and the QR code (with its captions) is
    clear of the overlap band; or it is refused in words, before anything prints."""
    base = LAYOUTS.for_category(category)
    layout = replace(base, orientation=orientation, margins_mm=margins, qr_size_mm=qr, qr_position=position,
                     font_sizes={**base.font_sizes, "footer": footer})
    frame = frame_of(layout)
    try:
        halves = halves_of(1, layout.page_size_mm, frame)
    except BadInput as exc:
        assert "页边距" in str(exc) or "二维码" in str(exc)
        return
    assert halves is not None
    first, second = halves
    low, high = first.overlap_mm
    assert high - low >= MIN_OVERLAP_MM - 1e-9
    length = layout.page_size_mm[1 if orientation == "portrait" else 0]
    blank = (margins[0], margins[1], margins[2] - frame.below_bottom_mm, margins[3])
    near, far = (blank[0], blank[2]) if orientation == "portrait" else (blank[3], blank[1])
    a4_long = PAPER_MM["A4"][0]
    assert first.offset_mm + EDGE_MM <= near + 1e-9 and first.offset_mm + a4_long - EDGE_MM >= high - 1e-9
    assert second.offset_mm + EDGE_MM <= low + 1e-9 and second.offset_mm + a4_long - EDGE_MM >= length - far - 1e-9
    for x, y, w, h in frame.keep_whole:
        a, b = (y, y + h) if orientation == "portrait" else (x, x + w)
        assert b <= low or a >= high


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("category", sorted({lay.category for lay in LAYOUTS.layouts}))
def test_every_standard_format_tiles(category: str, orientation: str) -> None:
    layout = replace(LAYOUTS.for_category(category), orientation=orientation)
    assert halves_of(1, layout.page_size_mm, frame_of(layout)) is not None


@pytest.mark.parametrize("category", ["finance", "notice"])
def test_kept_box_holds_the_qr_code_as_drawn(demo_db: Path, tmp_path: Path, category: str) -> None:
    """`frame_of` places the QR code where the footer draws it: the code found on the rendered
    sheet lies inside the box the seam keeps clear of (a change of the footer shows here)."""
    out = tmp_path / "a3.pdf"
    render(demo_db, out, category=category)
    layout = LAYOUTS.for_category(category)
    (x, y, w, h), = frame_of(layout).keep_whole
    (result,) = [r for r in zxingcpp.read_barcodes(page_image(out, 0)) if r.format == zxingcpp.BarcodeFormat.QRCode]
    for corner in (result.position.top_left, result.position.bottom_right):
        assert x - 0.5 <= corner.x / DPMM <= x + w + 0.5 and y - 0.5 <= corner.y / DPMM <= y + h + 0.5


def test_narrow_margins_are_refused_in_words() -> None:
    layout = replace(LAYOUTS.for_category("finance"), margins_mm=(8.0, 16.0, 9.5, 16.0))
    with pytest.raises(BadInput, match=r"版式“[^”]+”（finance\.toml）的上、下页边距为 8 和 9\.5 mm"
                                       r"（底边距中还印着 4\.5 mm 高的版式行），不能拼贴到两张 A4 上"
                                       r".*合计至少要 25\.3 mm.*“A4 版式”"):
        halves_of(1, layout.page_size_mm, frame_of(layout))
    layout = replace(layout, margins_mm=(16.0, 16.0, 6.0, 16.0))  # the 版式 line then reaches the edge
    with pytest.raises(BadInput, match=r"页边距（上 16、右 16、下 6、左 16 mm）.*比打印机边缘留白（4.2 mm）还窄"):
        halves_of(1, layout.page_size_mm, frame_of(layout))
    assert halves_of(1, (210.0, 297.0), Frame((5, 5, 5, 5))) is None  # an A4 sheet prints as it is


# ---------------------------------------------------------------------------------------------
# Sealed sheets: their own content is what both halves show.


def _seal_2025q4(db: Path) -> None:
    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session, session.begin():
            seal_quarter(session, LAYOUTS, "donggang", Quarter(2025, 4), "王德明")
    finally:
        engine.dispose()


@pytest.fixture
def sealed(archive_cache, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return archive_cache.copy("paper-sealed-2025q4", _seal_2025q4, tmp_path / "sealed.sqlite3")


def _sealed_pdfs(db: Path) -> dict[int, tuple[str, bytes]]:
    from zwgk_desktop.archive.browse import sealed_pdf

    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session:
            village = store.find_village(session, "donggang")
            items = store.selected_items(session, village, Quarter(2025, 4), None, None)
            return {item.public_number: (
                PublicItem.from_canonical(json.loads(store.sealed_content(session, item.id) or "{}")).code,
                sealed_pdf(session, item.id) or b"")
                    for item in items if item.id is not None}
    finally:
        engine.dispose()


def _content_streams(data: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [page.obj.Contents.read_bytes() if isinstance(page.obj.Contents, pikepdf.Stream)
                else b"".join(part.read_bytes() for part in page.obj.Contents) for page in pdf.pages]


def test_sealed_sheets_are_imposed_not_redrawn(sealed: Path, tmp_path: Path) -> None:
    stored = _sealed_pdfs(sealed)
    out = tmp_path / "a4.pdf"
    result = render(sealed, out, period=Quarter(2025, 4), paper=A4_TILED)
    sheets = sum(len(pypdf.PdfReader(io.BytesIO(pdf)).pages) for _, pdf in stored.values())
    assert result.sheets == 2 * sheets
    with pikepdf.open(out) as tiled:
        forms = {bytes(obj.read_bytes()) for obj in tiled.objects
                 if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Form"}
        claims = pdfa_claims(tiled)
    for _, pdf in stored.values():
        for stream in _content_streams(pdf):
            assert stream in forms  # the sealed page's drawing, byte for byte, as a form both halves show
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    for code, _ in stored.values():
        assert f"验证码 {code}" in text
    assert claims, "the sealed sheets are PDF/A, so is their tiled copy"


def pdfa_claims(pdf: pikepdf.Pdf) -> bool:
    from zwgk_desktop.render.pdfa import _claims_pdfa

    return _claims_pdfa(pdf)


# ---------------------------------------------------------------------------------------------
# A4 editions.


def _codes(result: RenderResult) -> dict[int, str]:
    return {item.item_id: item.code for item in result.items}


def _font_sizes_of(pdf: Path, text: str) -> set[float]:
    """The sizes (pt) at which `text` is drawn wherever it is found in the PDF, on one line or
    wrapped in its cell (a long text in a narrow column of a wide table)."""
    sizes: set[float] = set()
    wanted = "".join(text.split())
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        for page in document:
            textpage = page.get_textpage()
            whole = textpage.get_text_range()
            # The page's characters but the line breaks and spaces, each with its index on the page.
            at = [i for i, char in enumerate(whole) if not char.isspace()]
            ink = "".join(whole[i] for i in at)
            for match in re.finditer(re.escape(wanted), ink):
                sizes |= {round(pdfium_c.FPDFText_GetFontSize(textpage.raw, at[i]), 2)
                          for i in range(match.start(), match.end())}
    finally:
        document.close()
    return sizes


@pytest.mark.parametrize("village", ["donggang", "liushuwan", "shiqiao"])
@pytest.mark.slow
def test_a4_edition_keeps_every_code_with_body_of_10pt(demo_db: Path, tmp_path: Path, village: str) -> None:
    """The demo's every category, A3 and A4 edition: the same items, the same 验证码 (and each
    printed on the A4 sheets), body text drawn at ≥ 10 pt, more sheets, each on A4 turned as its
    format's A4 edition says (portrait, or landscape for the wide tables)."""
    for period in (Quarter(2025, 4), Quarter(2026, 3)):
        a3 = render(demo_db, tmp_path / "a3.pdf", village=village, period=period)
        a4 = render(demo_db, tmp_path / "a4.pdf", village=village, period=period, paper=A4_EDITION)
        assert _codes(a4) == _codes(a3) and len(a4.items) >= 4
        assert {item.category for item in a4.items} >= {"finance", "assistance", "bids", "notice"}
        assert a4.sheets > a3.sheets
        reader = pypdf.PdfReader(tmp_path / "a4.pdf")
        assert len(reader.pages) == a4.sheets
        _each_on_its_paper(tmp_path / "a4.pdf", a4.items, A4_EDITION)
        text = "".join(page.extract_text() for page in reader.pages)
        for code in _codes(a3).values():
            assert f"验证码 {code}" in text
        for item in a4.items:
            if item.rows:
                cell = max((c for c in item.rows[0] if not c.replace(".", "").replace(",", "").isdigit()), key=len)
                assert min(_font_sizes_of(tmp_path / "a4.pdf", cell)) >= 10, (item.category, cell)


def test_a4_edition_of_sealed_items_keeps_their_codes(sealed: Path, tmp_path: Path) -> None:
    stored = _sealed_pdfs(sealed)
    result = render(sealed, tmp_path / "a4.pdf", period=Quarter(2025, 4), paper=A4_EDITION)
    assert _codes(result) == {number: code for number, (code, _) in stored.items()}
    text = "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "a4.pdf").pages)
    assert all(f"验证码 {code}" in text for code, _ in stored.values())
    _each_on_its_paper(tmp_path / "a4.pdf", result.items, A4_EDITION)


def test_format_without_a4_edition_is_refused_in_words(demo_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "layouts"
    shutil.copytree(standard_layouts_dir(), folder)
    finance = folder / "finance.toml"
    text = finance.read_text("utf-8")
    finance.write_text(text[:text.index("\n[a4]")] + "\n", "utf-8")
    layouts = load_pack_layouts(folder)
    with pytest.raises(BadInput, match=r"村级财务收支明细公开（标准格式）.*finance\.toml.*没有 A4 版式.*A4 两张拼一张"):
        render(demo_db, tmp_path / "a4.pdf", layouts, paper=A4_EDITION)
    assert not (tmp_path / "a4.pdf").exists()
    render(demo_db, tmp_path / "a4.pdf", layouts, paper=A4_TILED)  # tiling needs no A4 edition


@pytest.mark.parametrize(("table", "key", "reason"), [
    ('[a4]\nfonts = { body = 8 }', "a4.fonts.body", "不小于 10 pt"),
    ('[a4]\nfonts = { header = 9.5 }', "a4.fonts.header", "不小于 10 pt"),
    ('[a4]\nwidths = { voucher = 1, payee = 2 }', "a4.widths.payee", "明细没有字段“payee”"),
    ('[a4]\nwidths = { voucher = 100 }', "a4.widths.voucher", "应在 0.2 到 50 之间"),
    ('[a4]\nwidth = [1, 2]', "a4.width", "未知的设置项"),
    ('[a4]\norientation = "sideways"', "a4.orientation", "portrait / landscape"),
    ('[a4]\nmargins_mm = { top = 2 }', "a4.margins_mm.top", "应在 5"),
])
def test_bad_a4_table_is_refused_naming_the_key(tmp_path: Path, table: str, key: str, reason: str) -> None:
    source = (standard_layouts_dir() / "finance.toml").read_text("utf-8")
    path = tmp_path / "finance.toml"
    path.write_text(source[:source.index("\n[a4]")] + "\n" + table + "\n", "utf-8")
    with pytest.raises(BadInput) as caught:
        load_layout(path)
    said = str(caught.value)
    assert str(path) in said and key in said and reason in said, said


def test_paper_choices() -> None:
    assert [p.name for p in (A3, A4_TILED, A4_EDITION)] == ["A3", "A4 两张拼一张", "A4 版式"]
    with pytest.raises(BadInput, match="--fit 只能与 --paper A4"):
        Paper("A3", fit=True)
    assert sheets_said((("A3", 17),), A3) == "共 17 张 A3"
    assert sheets_said((("A4", 23),), A4_EDITION) == "共 23 张 A4（A4 版式）"


def test_tiled_and_a4_boards_stay_pdfa(tiled: tuple[str, Path, RenderResult, Path, RenderResult]) -> None:
    """The tiled copy is PDF/A-2u, as the A3 board is: fonts embedded (the labels' too), every
    glyph with its text, described as the board (same 验证码 in its keywords)."""
    from zwgk_desktop.render.pdfa import pdfa_markers

    _, whole, _, halves, _ = tiled
    a3, a4 = pdfa_markers(whole.read_bytes()), pdfa_markers(halves.read_bytes())
    assert a4.level == a3.level == "PDF/A-2u", a4.problems
    assert not a4.unembedded_fonts and not a4.notdef_glyphs and not a4.unmapped_glyphs
    assert a4.codes == a3.codes and a4.metadata == a3.metadata
    assert halves.stat().st_size < 1.5 * whole.stat().st_size  # the sheets are shared, not drawn twice


def test_cli_names_the_paper_really_used(demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from zwgk_desktop.cli import main

    common = ["--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3"]
    assert main(["render", *common, "-o", str(tmp_path / "a3.pdf")]) == 0
    a3 = len(pypdf.PdfReader(tmp_path / "a3.pdf").pages)
    assert f"共 {a3} 张 A3" in capsys.readouterr().out
    assert main(["render", *common, "--paper", "A4", "-o", str(tmp_path / "tiled.pdf")]) == 0
    assert f"共 {2 * a3} 张 A4（{a3} 张 A3 拼贴）" in capsys.readouterr().out
    assert main(["render", *common, "--paper", "A4", "--fit", "--json", "-o", str(tmp_path / "fit.pdf")]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["paper"] == "A4" and said["fit"] is True
    assert said["sheets"] == len(pypdf.PdfReader(tmp_path / "fit.pdf").pages)
    assert main(["render", *common, "--fit", "-o", str(tmp_path / "x.pdf")]) == 2
    assert "--fit 只能与 --paper A4 一起用" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.slow
def test_township_batch_on_a4(demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from zwgk_desktop.cli import main

    out = tmp_path / "boards"
    assert main(["render", "--db", str(demo_copy), "--all-villages", "--period", "2026Q3", "--paper", "A4",
                 "-o", str(out)]) == 0
    said = capsys.readouterr()
    files = sorted(out.glob("*.pdf"))
    pages = sum(len(pypdf.PdfReader(f).pages) for f in files)
    assert len(files) == 3 and f"已打印 3 个村，共 {pages} 张 A4（{pages // 2} 张 A3 拼贴）" in said.out
    assert "张 A4" in said.err  # each village's line as it is done
    # Sheet for sheet, each village's A3 board tiled: each A3 sheet's two halves, turned.
    whole = tmp_path / "a3"
    assert main(["render", "--db", str(demo_copy), "--all-villages", "--period", "2026Q3", "-o", str(whole)]) == 0
    capsys.readouterr()
    assert [f.name for f in sorted(whole.glob("*.pdf"))] == [f.name for f in files]
    for f in files:
        sheets = [_size(page) for page in pypdf.PdfReader(whole / f.name).pages]
        assert set(sheets) <= {_size_of("A3", lay.orientation) for lay in LAYOUTS.layouts}
        assert [_size(page) for page in pypdf.PdfReader(f).pages] == \
            [_tiled_size(("portrait", "landscape")[w > h]) for w, h in sheets for _ in (1, 2)]
        assert _halves_on_their_paper(f)


def _size(page: pypdf.PageObject) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def _size_of(paper: str, orientation: str) -> tuple[int, int]:
    """A paper's page in pt, rounded, turned as said."""
    short, long = (round(mm / 25.4 * 72) for mm in sorted(PAPER_MM[paper]))
    return (long, short) if orientation == "landscape" else (short, long)


def _tiled_size(orientation: str) -> tuple[int, int]:
    """The A4 page an A3 sheet of this orientation is tiled onto: its halves, turned (a portrait
    sheet's top and bottom halves are A4 landscape, a landscape sheet's left and right portrait)."""
    return _size_of("A4", "landscape" if orientation == "portrait" else "portrait")


def _a4_size(layout: Layout, paper: Paper) -> tuple[int, int]:
    """The A4 page a sheet of the format prints on: its A4 edition's, or its A3 sheet's halves."""
    if paper.fit:
        assert layout.a4 is not None
        return _size_of("A4", layout.a4.orientation)
    return _tiled_size(layout.orientation)


def _each_on_its_paper(pdf: Path, items: list[PublicItem], paper: Paper) -> None:
    """Every page of the board on the A4 page its item's format makes (found by the 验证码 under its
    QR code; a 更正公告 names the corrected item's too, in brackets in its text)."""
    formats = {item.code: LAYOUTS.for_category(item.category) for item in items}
    for number, page in enumerate(pypdf.PdfReader(pdf).pages):
        code, = set(re.findall(r"(?<!（)验证码 ([0-9A-Z]{10})", page.extract_text()))
        assert _size(page) == _a4_size(formats[code], paper), (number + 1, code, formats[code].id)


def _halves_on_their_paper(pdf: Path) -> set[tuple[int, int]]:
    """A tiled board's page sizes, each page as its half's label says: 上半 / 下半 of an A3
    portrait sheet on A4 landscape, 左半 / 右半 of a landscape one on A4 portrait."""
    sizes = set()
    for number, page in enumerate(pypdf.PdfReader(pdf).pages):
        which, = set(re.findall(r"第 \d+/\d+ 张 (上半|下半|左半|右半)", page.extract_text()))
        assert _size(page) == _tiled_size("portrait" if which in ("上半", "下半") else "landscape"), (number + 1, which)
        sizes.add(_size(page))
    return sizes


_A4_TABLES = st.fixed_dictionaries({}, optional={
    "orientation": st.sampled_from(['"portrait"', '"landscape"']),
    "margins_mm": st.tuples(*[st.integers(5, 40)] * 4).map(
        lambda m: f"{{ top = {m[0]}, right = {m[1]}, bottom = {m[2]}, left = {m[3]} }}"),
    "fonts": st.tuples(st.integers(10, 40), st.integers(10, 20)).map(
        lambda f: f"{{ title = {f[0]}, body = {f[1]}, header = {f[1]} }}"),
    "min_row_height_mm": st.integers(4, 20).map(str),
    "rows_per_sheet": st.one_of(st.just('"auto"'), st.integers(1, 200).map(str)),
    "qr_size_mm": st.integers(20, 60).map(str),
})


@settings(max_examples=60, deadline=None)
@given(table=_A4_TABLES, category=st.sampled_from(["finance", "assistance", "bids", "notice"]), data=st.data())
def test_no_a4_table_changes_the_public_content(tmp_path_factory: pytest.TempPathFactory, table: dict[str, str],
                                               category: str, data: st.DataObject) -> None:
    """Whatever an `[a4]` table sets (paper, type, rows, QR, widths of any column), the item's
    public content through the A4 edition is byte for byte the A3 format's: the same 验证码."""
    import factories

    from zwgk_desktop.domain.place import Place
    from zwgk_desktop.render.public import build_public_item

    layout = LAYOUTS.for_category(category)
    widths = data.draw(st.dictionaries(st.sampled_from([c.field for c in layout.columns]), st.integers(1, 9)))
    lines = [f"{key} = {value}" for key, value in table.items()]
    if widths:
        lines.append("widths = { " + ", ".join(f"{k} = {v}" for k, v in widths.items()) + " }")
    source = (standard_layouts_dir() / f"{category}.toml").read_text("utf-8")
    path = tmp_path_factory.mktemp("a4") / f"{category}.toml"
    path.write_text(source[:source.index("\n[a4]")] + "\n[a4]\n" + "\n".join(lines) + "\n", "utf-8")
    edition = load_layout(path).a4
    assert edition is not None and edition.paper == "A4" and edition.font_sizes["body"] >= 10
    item = {"finance": factories.finance, "assistance": factories.assistance, "bids": factories.bids,
            "notice": factories.notice}[category]()
    item.id = 7
    place = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk")
    a3 = build_public_item(item, load_layout(path), place)
    a4 = build_public_item(item, edition, place)
    assert a4.canonical_json() == a3.canonical_json() and a4.code == a3.code


def test_sealed_sheets_are_framed_by_the_format_they_were_sealed_with(sealed: Path, tmp_path: Path) -> None:
    """The township changed its finance format's margins after the seal: the sealed sheets, drawn
    with the old ones, are tiled by the old ones (the seal records the format's text)."""
    folder = tmp_path / "layouts"
    shutil.copytree(standard_layouts_dir(), folder)
    finance = folder / "finance.toml"
    finance.write_text(finance.read_text("utf-8").replace("margins_mm = { top = 16, bottom = 14,",
                                                          "margins_mm = { top = 30, bottom = 30,", 1), "utf-8")
    now = load_pack_layouts(folder)
    assert now.for_category("finance").margins_mm[0] == 30
    result = render(sealed, tmp_path / "a4.pdf", now, period=Quarter(2025, 4), category="finance", paper=A4_TILED)
    assert {frame.margins_mm for frame in result.frames} == {LAYOUTS.for_category("finance").margins_mm}


def _sealed_correction(db: Path) -> None:
    from zwgk_desktop.cli import main

    _seal_2025q4(db)
    assert main(["correct", "--db", str(db), "--item", "4", "--reason", "补贴面积录入有误",
                 "--set", "1.amount=1234.50", "--reviewer", "王德明"]) == 0
    _seal_2025q4(db)


def test_a_sealed_correction_keeps_its_code_on_every_paper(archive_cache, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The 更正公告 sealed beside the item it corrects: A3, tiled and A4 edition print the same
    验证码 for every item, the 更正公告's too."""
    db = archive_cache.copy("paper-sealed-correction", _sealed_correction, tmp_path / "corrected.sqlite3")
    codes = []
    for paper in (A3, A4_TILED, A4_EDITION):
        out = tmp_path / f"{paper.size}{paper.fit}.pdf"
        result = render(db, out, period=Quarter(2025, 4), paper=paper)
        assert "correction" in {item.category for item in result.items}
        text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
        assert all(f"验证码 {item.code}" in text for item in result.items)
        if paper.size == "A4":
            _each_on_its_paper(out, result.items, paper)
        codes.append(_codes(result))
    # Every item sealed in the quarter, the 更正公告 among them.
    assert codes[0] == codes[1] == codes[2] and set(codes[0]) == set(_sealed_pdfs(db))


def _undefined_graphics_states(pdf: Path) -> list[str]:
    """Every `gs` operator, in pages and the forms they show, whose ExtGState its resources lack."""
    missing: list[str] = []
    with pikepdf.open(pdf) as document:
        def walk(content: pikepdf.Object, resources: pikepdf.Object, where: str) -> None:
            states = resources.get("/ExtGState", {}) if resources is not None else {}
            forms = resources.get("/XObject", {}) if resources is not None else {}
            for operands, operator in pikepdf.parse_content_stream(content):
                if str(operator) == "gs" and operands[0] not in states:
                    missing.append(f"{where} {operands[0]}")
                elif str(operator) == "Do" and operands[0] in forms:
                    form = forms[operands[0]]
                    walk(form, form.get("/Resources"), f"{where}/{operands[0]}")
        for number, page in enumerate(document.pages):
            walk(page.obj, page.obj.get("/Resources"), f"page {number + 1}")
    return missing


def test_draft_watermark_is_transparent_on_every_paper(demo_db: Path, tmp_path: Path) -> None:
    """A draft's 草稿 mark is drawn see-through (its ExtGState defined where it is used), so the
    sheet under it can be read on A3, tiled A4 and the A4 edition; it was undefined in a form, and
    readers drew the mark opaque."""
    for paper in (A3, A4_TILED, A4_EDITION):
        out = tmp_path / f"draft-{paper.size}{paper.fit}.pdf"
        result = render(demo_db, out, item_id=17, paper=paper)  # 东岗村 2026Q3's notice, not yet reviewed
        assert result.drafts == [17]
        assert _undefined_graphics_states(out) == []
