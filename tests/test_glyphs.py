"""Every character of a real name prints and stays in the text (issue 15, part 3).

Names drawn from CJK Extension A, Extension B and the basic block are drawn by the bundled fonts
(文泉驿微米黑, or per glyph its fallback) and come back from `pdftotext`, an independent reader, exactly;
a character no bundled font has is refused where it is typed or imported, in words naming it, its
U+ code and where it is. The domain's table of printable characters is the fonts' own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from itertools import pairwise
from pathlib import Path

import pypdfium2
import pytest
from conftest import run_zwgk
from factories import Q3, bids
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from reportlab.pdfbase.ttfonts import TTFontFace
from sqlalchemy import select

from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.db.store import load_item
from zwgk_desktop.domain import glyph_table, glyphs
from zwgk_desktop.domain.categories import CATEGORIES, category
from zwgk_desktop.domain.fields import Field, FieldError, Kind
from zwgk_desktop.domain.items import REVIEWED, Item, validate
from zwgk_desktop.io.importer import plan_import
from zwgk_desktop.paths import fallback_font_file, font_file, standard_layouts_dir
from zwgk_desktop.render import fonts, tounicode
from zwgk_desktop.render.correction import public_item
from zwgk_desktop.render.key_sheet import KeySheet, write_key_sheet
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.render.pack_text import text_problem
from zwgk_desktop.render.pdf import write_pdf
from zwgk_desktop.render.pdfa import pdfa_markers
from zwgk_desktop.render.posters import RenderResult, posters_for
from zwgk_desktop.render.public import Place
from zwgk_desktop.render.site import OnlineItem, item_data, item_page, to_json

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import build_glyph_table

LAYOUTS = load_layouts(standard_layouts_dir())
PLACE = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk")
pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")

BASIC, EXT_A, EXT_B = (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF)
# Characters no bundled font has, one of each kind a clerk could meet: Extension C, G and H
# ideographs, an emoji, an unassigned code point, a letter of Uyghur and of Tibetan script (which
# also need shaping that the sheets do not do).
GLYPHLESS = ["\U0002A700", "\U00030000", "\U00031350", "😀", "\U0003FFFD", "ئ", "ཀ"]


def _ideographs(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(chr).filter(glyphs.printable)


def _names() -> st.SearchStrategy[str]:
    """A company's name of 2–6 characters with at least one from Extension A or B."""
    rare = st.one_of(_ideographs(*EXT_A), _ideographs(*EXT_B))
    common = st.one_of(_ideographs(*BASIC), rare)
    return st.tuples(rare, st.lists(common, min_size=1, max_size=5), st.integers(0, 5)).map(
        lambda parts: "".join([*parts[1][:parts[2]], parts[0], *parts[1][parts[2]:]]))


@pytest.mark.slow
def test_the_table_is_the_fonts() -> None:
    """`domain/glyph_table.py` holds exactly what the fonts draw (regenerate it when they change),
    and every character the check accepts is drawn with ink by the font the sheet takes it from:
    a cmap entry whose glyph has no outlines (文泉驿's ǎ, ℃, Ⅴ) or lacks its letter (its ǖ) is
    not trusted. Every code point the table holds is checked."""
    by_font = build_glyph_table.tables()
    every = sorted(code for codes in by_font.values() for code in codes)
    assert tuple(build_glyph_table.ranges(every)) == glyphs.RANGES
    main, sans, han = build_glyph_table.FILES
    assert tuple(build_glyph_table.ranges(by_font[main])) == glyph_table.MAIN
    assert tuple(build_glyph_table.ranges(by_font[sans])) == glyph_table.SANS
    files = {fonts.FONT_NAME: main, fonts.SANS_NAME: sans, fonts.FALLBACK_NAME: han}
    accepted = [code for first, last in glyphs.RANGES for code in range(first, last + 1)]
    assert len(accepted) > 86_000
    empty = [f"U+{code:04X}" for code in accepted if not chr(code).isspace()
             and not build_glyph_table.draws(build_glyph_table._font(files[fonts._font_of(chr(code))]), code)]
    assert not empty, empty[:20]
    assert all(glyphs.printable(char) for char in "ǎǐǒǔǖǘǚǜˊˋ℃℉ⅤⅩ\u212b∼‾")
    assert not any(glyphs.printable(char) for char in "\u3164\u00ad\ufeff\u200b\u200d\u0301")
    main_cmap = TTFontFace(str(font_file()), subfontIndex=0).charToGlyph
    fallback = TTFontFace(str(fallback_font_file())).charToGlyph
    # Hanazono (2017) lacks only the few ideographs Unicode 10-14 added at the ends of the blocks
    # (U+9FEB-9FFF, U+4DB6-4DBF, U+2A6D7-2A6DF): those are refused at entry, like Extension C on.
    for (low, high), lacking in ((BASIC, 21), (EXT_A, 10), (EXT_B, 9)):
        absent = [code for code in range(low, high + 1)
                  if unicodedata.category(chr(code)) != "Cn" and code not in main_cmap and code not in fallback]
        assert len(absent) <= lacking and all(code >= high - 30 for code in absent), (hex(low), absent)
    repeated = set(fallback) & {code for code, glyph in main_cmap.items() if glyph}
    assert not repeated, "the fallback repeats the main font"
    # The sans holds only what the main font does not draw, outside the ideographs.
    assert not set(by_font[sans]) & set(by_font[main])
    assert not any(0x3400 <= code <= 0x9FFF or code >= 0x20000 for code in by_font[sans])


def test_white_space_prints_as_space() -> None:
    spaces = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
    # But the line and paragraph separators, which show nothing (refused: tests/test_entry_words.py).
    assert spaces.replace("\u2028", "").replace("\u2029", "") == glyphs._LAID_OUT
    assert not glyphs.unprintable(glyphs._LAID_OUT)
    assert set(fonts.drawable(spaces)) <= {" ", *glyphs._LAID_OUT} and not fonts.missing_glyphs(spaces)


def test_utf16_entries_of_the_text_layer() -> None:
    assert tounicode.utf16_hex(0x4E00) == "4E00"
    assert tounicode.utf16_hex(0x20BB7) == "D842DFB7"  # 𠮷
    assert tounicode.utf16_hex(0x10FFFF) == "DBFFDFFF"
    cmap = tounicode.to_unicode_cmap("X", [0, *range(0x20000, 0x20000 + 250)])
    counts = [int(line.split()[0]) for line in cmap.splitlines() if line.endswith("beginbfchar")]
    assert counts == [100, 100, 51] and "<01> <D840DC00>" in cmap


def test_runs_and_widths() -> None:
    assert fonts.runs("张三") == ((fonts.FONT_NAME, "张三"),)
    assert fonts.runs("吉𠮷祥䶮") == ((fonts.FONT_NAME, "吉"), (fonts.FALLBACK_NAME, "𠮷"),
                                   (fonts.FONT_NAME, "祥"), (fonts.FALLBACK_NAME, "䶮"))
    # Each run measured in its own font: the line is as wide as its pieces.
    assert fonts.text_width("吉𠮷祥", 12) == pytest.approx(
        fonts.text_width("吉", 12) + fonts.text_width("𠮷", 12) + fonts.text_width("祥", 12))
    assert fonts.text_width("𠮷", 12) > 6  # a full-width ideograph, not the width of nothing
    assert fonts.drawable("a\tb\x00c𠀀\U0002A700") == "a b□c𠀀□"
    assert fonts.missing_glyphs("𠮷䶮\U0002A700") == {"\U0002A700"}


# Pinyin with tone marks (the README advises 注上拼音 for a character no font has), ü's four tones,
# ḿ and ǹ, and the symbols a notice or a bid writes: 文泉驿 maps many of them to empty glyphs.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿÅ"
_SYMBOLS = "℃℉ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ∼‾ˊˋ"


def _pinyin() -> st.SearchStrategy[str]:
    syllable = st.tuples(st.sampled_from("bpmfdtnlgkhjqxzcsryw"), st.sampled_from(_TONED),
                         st.sampled_from(["", "n", "ng"]))
    return st.lists(syllable.map("".join), min_size=1, max_size=3).map(lambda parts: "".join(parts).capitalize())


def _ink_at_every_character(pdf: Path, wanted: str) -> None:
    """Each character of `wanted` on the first page has ink inside its own box (PDFium's text page
    and a 150 dpi rendering): not a blank where an empty glyph was drawn."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[0]
        scale = 150 / 72
        image = page.render(scale=scale, grayscale=True).to_pil()
        height = page.get_size()[1]
        text = page.get_textpage()
        seen = set()
        for index in range(text.count_chars()):
            char = text.get_text_range(index, 1)
            if not char or char not in wanted:
                continue
            left, bottom, right, top = text.get_charbox(index)
            box = (int(left * scale), int((height - top) * scale),
                   int(right * scale) + 1, int((height - bottom) * scale) + 1)
            crop = image.crop(box)
            assert crop.getextrema()[0] < 128, (char, f"U+{ord(char):04X}", box)
            seen.add(char)
    finally:
        document.close()
    assert seen == set(wanted) - {" "}, set(wanted) - seen


@pdftotext
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_pinyin(), min_size=3, max_size=3, unique=True))
def test_pinyin_and_symbols_print_with_ink_and_come_back(names: list[str]) -> None:
    """Names in pinyin with tone marks, and ℃ Ⅴ ∼ in a project's name, come back from pdftotext
    exactly and show ink where each character is (some are drawn from Zwgk Fallback Sans)."""
    item = bids()
    item.id = 12
    for row, name in zip(item.rows, names, strict=True):
        row["bidder"] = f"{name}（𠮷）"
    item.fields["winner"] = item.rows[0]["bidder"]
    item.fields["project"] = project = f"第Ⅴ标段{_SYMBOLS}{_TONED}"
    assert validate(item, category("bids")).ok
    with tempfile.TemporaryDirectory() as folder:
        text, pdf = _sheet_text(item, Path(folder))
        for name in names:
            assert name in text, (name, text)
        assert project in text.replace("\n", "")
        _ink_at_every_character(Path(folder) / "sheet.pdf", "".join(names) + _SYMBOLS + _TONED)
    markers = pdfa_markers(pdf)
    assert markers.level == "PDF/A-2u" and markers.notdef_glyphs == markers.unmapped_glyphs == 0, markers.problems


def _sheet_text(item, folder: Path) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    result = RenderResult(base_url=PLACE.base_url or "")
    out = folder / "sheet.pdf"
    write_pdf(posters_for([item], LAYOUTS, PLACE, PLACE.base_url or "", result), out)
    assert not result.warnings, result.warnings
    done = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True)
    return done.stdout, out.read_bytes()


@pdftotext
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_names(), min_size=3, max_size=3, unique=True), _names())
def test_rare_names_print_and_come_back_from_pdftotext(bidders: list[str], project: str) -> None:
    """In the table's fast row path (投标单位), in a block of the item's fields (项目名称), right-aligned
    and bold (the header's), the names come back exactly: no □, no U+0000, no other character."""
    item = bids()
    item.id = 11
    for row, name in zip(item.rows, bidders, strict=True):
        row["bidder"] = name
    item.fields["project"] = project
    item.fields["winner"] = bidders[0]
    assert validate(item, category("bids")).ok
    with tempfile.TemporaryDirectory() as folder:
        text, pdf = _sheet_text(item, Path(folder))
    for name in [*bidders, project]:
        assert name in text, (name, [hex(ord(c)) for c in name])
    assert text.count(bidders[0]) >= 2, "the winner's line (one text of its own, not a table row)"
    assert "□" not in text and "\x00" not in text
    markers = pdfa_markers(pdf)
    assert markers.level == "PDF/A-2u" and markers.notdef_glyphs == markers.unmapped_glyphs == 0


@pytest.mark.parametrize("char", GLYPHLESS)
def test_a_glyphless_character_is_refused_in_every_text_field(char: str) -> None:
    for kind in (Kind.TEXT, Kind.NAME, Kind.LONGTEXT, Kind.CONTACT):
        with pytest.raises(FieldError) as refused:
            Field("x", "投标单位", kind).check(f"王{char}公司")
        said = str(refused.value)
        assert f"U+{ord(char):04X}" in said and "印成空白" in said
    assert text_problem(f"村务{char}公开") is not None  # a format's texts (layouts, packs)


def test_the_message_names_each_character_once_and_at_most_five() -> None:
    assert glyphs.check("张𠮷䶮") == "张𠮷䶮" and glyphs.message("a\n\tb\u3000") is None
    many = "".join(chr(0x2A700 + n) for n in range(7)) + "\U0002A700"
    with pytest.raises(glyphs.Unprintable) as refused:
        glyphs.check(many, "标题")
    said = str(refused.value)
    assert said.startswith("标题：") and said.count("U+2A7") == 5 and "等" in said
    assert glyphs.unprintable(many) == list(many[:7])
    assert glyphs.describe("\U000E0001") == "U+E0001" and "私用区" in glyphs.describe("\U000F0000")


def test_the_editor_and_import_name_the_character_row_and_field(tmp_path: Path) -> None:
    item = bids()
    item.rows[1]["bidder"] = "乙\U0002A700公司"
    report = validate(item, category("bids"))
    assert not report.ok and any("U+2A700" in str(p) and p.field == "投标单位" and p.row == 2 for p in report.errors)

    book = Workbook()
    sheet = book.active
    sheet.append(["投标单位", "投标报价", "排名"])
    sheet.append(["甲𠮷建筑公司", 460000, 1])  # Extension B: imported
    sheet.append(["乙\U00030000公司", 475000, 2])  # Extension G: refused
    path = tmp_path / "投标.xlsx"
    book.save(path)
    plan = plan_import(path, "bids", Q3)
    assert not plan.ok
    wrong = [p for p in plan.errors if "U+30000" in p.message]
    assert len(wrong) == 1 and wrong[0].row == 3 and "投标单位" in wrong[0].field, plan.errors
    assert not any("𠮷" in p.message for p in plan.errors)


@pytest.mark.slow
def test_the_command_line_refuses_names_it_cannot_print(tmp_path: Path) -> None:
    db = str(tmp_path / "a.sqlite3")
    village = run_zwgk("init", "--db", db, "--township", "青山镇", "--village", "东\U0002A700村", cwd=tmp_path)
    assert village.code != 0 and "U+2A700" in village.err and "村名" in village.err, village
    assert run_zwgk("init", "--db", db, "--township", "青山镇", "--village", "东𠮷村=dongji", cwd=tmp_path).code == 0
    made = run_zwgk("new", "--db", db, "--village", "dongji", "--category", "notice", "--period", "2026Q3",
                    "--title", "关于\U00030000的通知", cwd=tmp_path)
    assert made.code != 0 and "U+30000" in made.err and "标题" in made.err, made


def test_the_online_copy_serves_rare_names_as_text() -> None:
    """The item's page and its open data hold the characters themselves (UTF-8, not entities)."""
    item = bids()
    item.id = 12
    item.rows[0]["bidder"] = "吉𠮷祥䶮工程队"
    entry = OnlineItem(public_item(item, LAYOUTS, PLACE))
    page = item_page(entry, "青山镇", PLACE.base_url or "").decode("utf-8")
    assert "吉𠮷祥䶮工程队" in page and '<meta charset="utf-8">' in page
    data = json.loads(to_json(item_data(entry)))
    assert "吉𠮷祥䶮工程队" in json.dumps(data, ensure_ascii=False)


@pdftotext
def test_the_key_sheet_prints_a_village_named_with_a_rare_character(tmp_path: Path) -> None:
    sheet = KeySheet("东𠮷村", "䶮山镇", "东𠮷村", "ABCD EFGH", "ABCDEFGH" * 8, " ".join(["ABCD"] * 14),
                     "2026年10月12日", "2026年12月2日")
    out = write_key_sheet(sheet, tmp_path / "key.pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "东𠮷村密钥恢复单" in text and "䶮山镇" in text


def test_a_line_with_fallback_runs_is_centred_as_measured(tmp_path: Path) -> None:
    """The subtitle, centred on the sheet, holds runs of both fonts: read back by PDFium, its ink
    is centred on the page (each run measured in its own font, so none overlaps or leaves a gap)."""
    item = bids()
    item.id = 13
    item.title = "村内道路𠮷䶮𪚥硬化工程（𠮷家湾段）招投标结果"
    _sheet_text(item, tmp_path)
    document = pypdfium2.PdfDocument(str(tmp_path / "sheet.pdf"))
    try:
        page = document[0]
        width = page.get_size()[0]
        text = page.get_textpage()
        boxes = [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]
    finally:
        document.close()
    # PDFium counts a character beyond U+FFFF as two (UTF-16) with one box and no text of its own.
    line_y = next((box[1] + box[3]) / 2 for char, box in boxes if char == "䶮")
    line = sorted({box for char, box in boxes if abs((box[1] + box[3]) / 2 - line_y) < 4 and char not in ("\r", "\n")})
    left, right = min(box[0] for box in line), max(box[2] for box in line)
    assert len(line) == len(item.title) and abs((left + right) / 2 - width / 2) < 1.5, (len(line), left, right)
    # Each character's box follows the one before it: no overlap where the fonts change.
    assert all(later[0] >= earlier[2] - 0.5 for earlier, later in pairwise(line))


def _demo_item(demo_db: Path, code: str) -> Item:
    """A sound reviewed item of the category as the demo writes it: every category the registry
    holds has one there, its totals and cross-references agreeing (a category file's examples
    alone give no item whose sums hold)."""
    with session_factory(open_engine(str(demo_db)))() as session:
        found = session.scalars(select(DisclosureItem.id).where(DisclosureItem.category == code)
                                .order_by(DisclosureItem.id)).all()
        for item_id in found:
            item, _ = load_item(session, item_id)
            if item.status == REVIEWED and (item.rows or not category(code).row_fields):
                return item
    raise AssertionError(f"the demo has no reviewed item of the category {code}")


@pdftotext
@pytest.mark.parametrize("code", list(CATEGORIES))
def test_every_public_text_of_every_category_keeps_a_rare_character(code: str, demo_db: Path,
                                                                    tmp_path: Path) -> None:
    """Each public text field of each category (the item's, the first row's) and the title, given a
    character of its own from Extension A or B at its start (so a masked name keeps it), comes back
    from the sheet's text: the table's row path, the info block, the body paragraphs, the heading.
    Which fields those are is the category's own (its fields' kinds and `public`); the item is the
    demo's. A text the item holds twice (a 中标单位 is one of the 投标单位) is changed alike
    everywhere, so the item stays sound."""
    item = _demo_item(demo_db, code)
    item.id = 20
    schema = category(code)
    rare = iter([*"䶮㐀㑇㒨㓁㔾㕛㖞㗊㘝㙍㚑㛏㜊㝵㞢㟧㠭㡌㢧",
                 "𠮷", "𠀋", "𠂤", "𠃌", "𠆢", "𠈓", "𠊎", "𠍱", "𠏹", "𠔉"])
    texts = (Kind.TEXT, Kind.NAME, Kind.CONTACT, Kind.LONGTEXT)
    item_texts = [spec.key for spec in schema.item_fields if spec.public and spec.kind in texts]
    row_texts = [spec.key for spec in schema.row_fields if spec.public and spec.kind in texts]
    chars: dict[str, str] = {}  # a text as the demo wrote it → the character it now starts with
    given: dict[str, str] = {}
    for key in item_texts:
        if isinstance(value := item.fields.get(key), str) and value:
            given[key] = chars.setdefault(value, next(rare))
    for key in row_texts:
        if item.rows and isinstance(value := item.rows[0].get(key), str) and value:
            given[key] = chars.setdefault(value, next(rare))
    assert given, f"no public text of {code} is filled in the demo's item"
    for values, keys in ((item.fields, item_texts), *((row, row_texts) for row in item.rows)):
        for key in keys:
            if isinstance(value := values.get(key), str) and value in chars:
                values[key] = chars[value] + value
    item.title = (title_char := next(rare)) + item.title
    report = validate(item, schema)
    assert report.ok, [str(p) for p in report.errors]
    text, pdf = _sheet_text(item, tmp_path)
    shown = {key: char for key, char in given.items() if char not in text}
    assert not shown, f"not in the sheet's text: {shown}"
    markers = pdfa_markers(pdf)
    assert markers.level == "PDF/A-2u" and markers.notdef_glyphs == markers.unmapped_glyphs == 0, markers.problems
    assert title_char in text or not LAYOUTS.for_category(code).show_item_title
