"""Where a tiled sheet's seam runs: per sheet, between its lines of text (issue 15, the outside test:
one seam at 213.2 mm for every sheet crossed a table row on 27 of 45 sheets of the demo's 2026Q3).

Checked on the output with an independent reading: pypdfium2's text page of each A4 half gives
every character's box; the seam on that half (where its marks stand) must cross none of them, or
the tiling said which it crosses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import factories
import pypdfium2
import pypdfium2.raw as pdfium_c
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain.items import Item
from zwgk_desktop.domain.place import Place
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office.demo import VILLAGES as DEMO_VILLAGES
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import fonts
from zwgk_desktop.render.board import layout_board
from zwgk_desktop.render.packs import load_pack_layouts
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.public import build_public_item
from zwgk_desktop.render.tiling import MM, TOUCH_MM, Half, Ink, _seam_in, frame_of, tile

LAYOUTS = load_pack_layouts(standard_layouts_dir())
PHONES = (("村务监督委员会", "0371-62341101"),)
BASE = "https://zwgk.example.gov.cn"
VILLAGES = [code for _, code, *_ in DEMO_VILLAGES]


def crossed_on_page(page: pypdfium2.PdfPage, half: Half) -> str:
    """The characters whose (loose) box the seam runs through on this half, read from the page."""
    _, height = page.get_size()
    seam = half.seam_mm - half.offset_mm
    textpage = page.get_textpage()
    crossed = []
    try:
        for index in range(textpage.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index) or 32)
            if char.isspace():
                continue
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
            if top - bottom < 0.01:
                continue
            low, high = ((height - top) / MM, (height - bottom) / MM) if half.split == "horizontal" \
                else (left / MM, right / MM)
            if low + TOUCH_MM < seam < high - TOUCH_MM:  # abutting boxes: between two, not through
                crossed.append(char)
    finally:
        textpage.close()
    return "".join(crossed)


def _item(category: str, rows: int, seed: int) -> Item:
    if category == "assistance":
        return factories.assistance(rows, seed=seed)
    item = {"finance": factories.finance, "bids": factories.bids, "notice": factories.notice}[category]()
    if category == "finance":  # as many rows as asked: a long quarter's ledger
        item.rows = [dict(item.rows[i % 3], voucher=f"记-{i + 1:03d}") for i in range(rows)]
    if category == "notice":  # a long notice: paragraphs that wrap across the middle of the sheet
        item.fields = {**item.fields, "body": "经村民代表会议讨论决定，" * rows}
    return item


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(category=st.sampled_from(("assistance", "finance", "bids", "notice")),
       orientation=st.sampled_from(("portrait", "landscape")),
       body=st.floats(8, 16), header=st.floats(9, 16), min_row=st.floats(4, 15),
       per_sheet=st.one_of(st.none(), st.integers(3, 30)), rows=st.integers(3, 40), seed=st.integers(0, 99))
def test_every_sheets_seam_crosses_no_character(tmp_path: Path, category: str, orientation: str, body: float,
                                                header: float, min_row: float, per_sheet: int | None,
                                                rows: int, seed: int) -> None:
    base = LAYOUTS.for_category(category)
    layout = replace(base, orientation=orientation, min_row_height_mm=min_row, rows_per_sheet=per_sheet,
                     font_sizes={**base.font_sizes, "body": body, "header": header})
    item = _item(category, rows, seed)
    item.id = 1234
    place = Place("青山镇", "东岗村", "donggang", BASE, PHONES)
    public = build_public_item(item, layout, place)
    url = public.url(BASE)
    a3, a4 = tmp_path / "a3.pdf", tmp_path / "a4.pdf"
    write_pdf([Poster(layout_board(public, layout, fonts.text_width, PHONES, url), url)], a3)
    try:
        tiled = tile(a3.read_bytes(), [frame_of(layout)], a4)
    except BadInput:  # a format the loader would take but its margins cannot tile: said in words
        event("refused")
        return
    event(f"{orientation}: {'crossing said' if tiled.warnings else 'clear'}")
    document = pypdfium2.PdfDocument(str(a4))
    found = []
    try:
        for number, half in enumerate(tiled.halves):
            on_page = crossed_on_page(document[number], half)
            # What the page shows agrees with what tiling said; a top/bottom seam (A3 portrait)
            # crosses nothing: a reviewed sheet of these sizes always has a gap between its lines.
            assert on_page == half.crossed, (number, half)
            assert on_page == "" or orientation == "landscape", (number, half)
            found.append(on_page)
    finally:
        document.close()
    # A left/right seam may find no place between the characters of every line (a centred title
    # spans the middle): it crosses fewest, and the clerk is told.
    assert bool(tiled.warnings) == any(found)


def test_a_seam_prefers_a_rule_in_a_gap_and_keeps_clear_of_text() -> None:
    """Two lines of text with a gap between them holding a table rule: the seam is on the rule."""
    ink = Ink(text=((200.0, 204.0), (207.0, 211.0)), rules=(205.5,), chars="名号")
    assert _seam_in((199.0, 214.0), ink) == (205.5, "")
    # Without the rule: the middle of the gap.
    assert _seam_in((199.0, 214.0), Ink(text=ink.text, chars=ink.chars)) == (205.5, "")


def test_a_seam_through_one_huge_line_is_the_least_bad_and_named() -> None:
    """Text across the whole overlap (one huge character, two abutting characters beside it): the
    seam crosses as few as it can, between the two, and says which."""
    ink = Ink(text=((150.0, 260.0), (205.5, 215.0), (200.0, 205.5)), chars="大字号")
    assert _seam_in((201.0, 213.0), ink) == (205.5, "大")


def test_the_demo_boards_seams_cross_no_reviewed_text(demo_db: Path, tmp_path: Path) -> None:
    """The outside tester's case: the demo's 2026Q3 boards of its three villages, tiled. Every
    top/bottom seam (an A3 portrait sheet's) is clear of text, except where a draft's 草稿 watermark
    (150 pt, a third of the sheet tall) fills the whole overlap: there it crosses only the watermark,
    and says so. A left/right seam (an A3 landscape sheet's: the wide tables) may find no gap in its
    narrow overlap (a centred title spans the middle): it crosses what it must, and each such sheet
    is named to the clerk."""
    from test_tiling import render

    sheets = drawn = portrait = clean = 0
    for village in VILLAGES:
        whole, out = tmp_path / f"{village}-a3.pdf", tmp_path / f"{village}-a4.pdf"
        result = render(demo_db, whole, village=village)
        tiled = tile(whole.read_bytes(), result.frames, out)
        document = pypdfium2.PdfDocument(str(out))
        crossing: list[int] = []
        try:
            for number, half in enumerate(tiled.halves):
                on_page = crossed_on_page(document[number], half)
                assert on_page == half.crossed
                if not half.first:
                    continue
                sheets += 1
                if on_page:
                    crossing.append(half.sheet)
                if half.split == "horizontal":
                    portrait, clean = portrait + 1, clean + (not on_page)
                    if on_page:
                        assert set(on_page) <= set("草稿村务监督委员会审核未经不得张贴"), on_page
        finally:
            document.close()
        drawn += result.sheets
        assert result.sheets == len(tiled.halves) // 2
        assert len(tiled.warnings) == bool(crossing)
        if crossing:  # every sheet whose seam crosses text is named
            assert "第 " + "、".join(map(str, crossing)) + " 张" in tiled.warnings[0], tiled.warnings
    assert sheets == drawn and portrait >= len(VILLAGES)  # every sheet of every board tiled
    assert clean >= portrait - len(VILLAGES)  # one draft's watermarked sheet a village at most


def test_paper_is_read_whatever_its_case() -> None:
    """`--paper a4`, a layout's `size = "a4"`: paper names are read as a clerk types them."""
    from zwgk_desktop.office.printing import A4_EDITION, A4_TILED, Paper

    assert Paper("a4") == A4_TILED and Paper(" a4 ", fit=True) == A4_EDITION
    from zwgk_desktop.cli import build_parser

    args = build_parser().parse_args(["render", "--village", "donggang", "--period", "2026Q3",
                                      "--paper", "a4", "-o", "x.pdf"])
    assert args.paper == "A4"


def test_a_layouts_paper_size_is_read_whatever_its_case() -> None:
    from zwgk_desktop.render.layout import layout_from_text, layout_text

    path = standard_layouts_dir() / "notice.toml"
    text = layout_text(path).replace('size = "A3"', 'size = "a3"', 1)  # (an A4 format keeping [a4] is fixb's)
    assert layout_from_text(text, path).paper == "A3"


def test_the_batch_says_where_a_seam_crosses_text(demo_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The township batch tiled onto A4: each village's draft sheet (its watermark across the
    overlap) is named in that village's warnings, as `zwgk render` names it."""
    import tempfile

    from zwgk_desktop.domain.periods import Quarter
    from zwgk_desktop.office.handle import Archive
    from zwgk_desktop.office.printing import A4_TILED, print_villages

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    villages = [(name, code) for name, code, *_ in DEMO_VILLAGES]
    with Archive.open(str(demo_copy)) as archive:
        done = print_villages(archive, Quarter(2026, 3), villages, tmp_path / "each", one_file=False, workers=1,
                              paper=A4_TILED)
    assert len(done.printed) == 3
    for village in done.villages:
        (warning,) = village.warnings
        assert "接缝" in warning and "草" in warning


def test_the_paper_dialog_tells_of_a_seam_through_text(qtbot, demo_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The app's A4 两张拼一张 preview: the sheet whose seam must cross text (东岗村's draft sheet)
    says so beside its halves, before anything prints; a clean sheet says nothing of it."""
    from test_tiling import render

    from zwgk_desktop.office.printing import A4_TILED, PaperCopy
    from zwgk_desktop.ui.paper_choice import PaperDialog

    whole, out = tmp_path / "a3.pdf", tmp_path / "a4.pdf"
    result = render(demo_db, whole)
    tiled = tile(whole.read_bytes(), result.frames, out)
    crossing = [h.sheet for h in tiled.halves if h.first and h.crossed]
    dialog = PaperDialog(lambda paper: PaperCopy(out, paper, tiled.pages, tiled.split, tiled.halves), purpose="打印")
    qtbot.addWidget(dialog)
    dialog.choose(A4_TILED)
    qtbot.waitUntil(lambda: dialog.copy is not None, timeout=30000)
    dialog.show_sheet(crossing[0] - 1)
    assert "接缝穿过" in dialog.state.text() and "剪齐时请对准对齐线" in dialog.state.text()
    dialog.show_sheet(0)
    assert "接缝穿过" not in dialog.state.text()
