"""Sheets as PDF/A-2u, read back with pikepdf (no veraPDF here): each requirement of ISO 19005-2 we
implement is checked on the sealed sheets themselves, together with what the archive relies on (the
wall copy is the sealed copy byte for byte, text extracts in reading order, QR codes decode), and
`pdfa_markers` is shown to see what it claims to and never to fail on bytes that are no PDF."""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pikepdf
import pypdf
import pypdfium2
import pytest
import zxingcpp
from conftest import ArchiveCache, run_zwgk, sqlite_copy
from factories import bids, notice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, SealedItem, public_number
from zwgk_desktop.domain.items import DRAFT
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import fonts
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.render.pdf import write_pdf
from zwgk_desktop.render.pdfa import Description, _cmap, make_archival, pdfa_markers, plain
from zwgk_desktop.render.posters import RenderResult, posters_for, write_with_sealed
from zwgk_desktop.render.public import Place

LAYOUTS = load_layouts(standard_layouts_dir())
PLACE = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk")
PERIOD = "2026Q2"


@dataclass(frozen=True)
class Sheet:
    """A sealed item's PDF and what the archive knows of it."""

    number: int
    title: str
    heading: str
    code: str
    reviewed_on: date
    pdf: bytes
    filed_title: str = ""  # the item's title as the 归档清单 lists it (SealedItem.title)
    category: str = ""  # the category code the item was sealed as (its canonical form's `category`)
    headers: tuple[str, ...] = ()  # the table's column headers as sealed (none for a 公告 without a table)


def _seal(db: Path) -> None:
    """Seal as the clerk does (`zwgk seal`: the archive's formats, the label they print)."""
    done = run_zwgk("seal", "--db", str(db), "--village", "donggang", "--period", PERIOD, "--by", "王德明",
                    cwd=db.parent)
    assert done.code == 0, done.err


@pytest.fixture(scope="module")
def wall_copies(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, bytes]:
    """Each item of 东岗村 2026Q2 as `zwgk render --item N` prints it for the wall, before sealing
    (on a copy: printing records when each item first went out, which other tests count)."""
    folder = tmp_path_factory.mktemp("wall")
    demo_db = sqlite_copy(demo_db, folder / "demo.sqlite3")
    with session_factory(open_engine(str(demo_db)))() as session:
        numbers = [public_number(r) for r in session.scalars(select(DisclosureItem).where(
            DisclosureItem.village_id == 1, DisclosureItem.period == PERIOD, DisclosureItem.disclosure == "主动公开"))]
    copies = {}
    for number in numbers:
        out = folder / f"{number}.pdf"
        done = run_zwgk("render", "--db", str(demo_db), "--village", "donggang", "--period", PERIOD,
                        "--item", str(number), "-o", str(out), cwd=folder)
        assert done.code == 0, done.err
        copies[number] = out.read_bytes()
    return copies


@pytest.fixture(scope="module")
def sheets(archive_cache: ArchiveCache, tmp_path_factory: pytest.TempPathFactory) -> list[Sheet]:
    db = archive_cache.copy("pdfa-sealed-2026Q2", _seal, tmp_path_factory.mktemp("pdfa") / "demo.sqlite3")
    with session_factory(open_engine(str(db)))() as session:
        found = []
        for entry in session.scalars(select(SealedItem).where(SealedItem.pdf.is_not(None))):
            record = session.get(DisclosureItem, entry.item_id)
            assert record is not None and record.reviewed_on is not None
            content = json.loads(entry.canonical_json)
            found.append(Sheet(public_number(record), content["title"], content["heading"],
                               _code(entry.content_hash), date.fromisoformat(str(record.reviewed_on)), entry.pdf,
                               entry.title, content["category"], tuple(content["headers"])))
    assert {"finance", "assistance", "bids"} <= {s.category for s in found}
    assert any(not s.title and s.filed_title != s.heading for s in found)  # the case that matters
    return found


def _code(content_hash: str) -> str:
    return base64.b32encode(bytes.fromhex(content_hash)).decode("ascii")[:10]


# ---------------------------------------------------------------------------------------------
# What the archive relies on


def test_sealed_sheets_are_pdfa_2u_with_their_true_description(sheets: list[Sheet]) -> None:
    for sheet in sheets:
        markers = pdfa_markers(sheet.pdf)
        assert markers.problems == (), (sheet.number, markers.problems)
        assert markers.level == "PDF/A-2u"
        assert (markers.part, markers.conformance, markers.lang) == (2, "U", "zh-CN")
        assert markers.output_intent == "sRGB IEC61966-2.1"
        assert markers.unembedded_fonts == () and markers.fonts and markers.notdef_glyphs == 0
        assert markers.unmapped_glyphs == 0
        info = markers.metadata
        # The item's title, as the 归档清单 lists it, even where the sheet prints only the heading
        # (财务收支, 低保: "东岗村2026年第二季度财务收支公开" on the sheet, the item "2026年第二季度财务收支明细").
        assert info["title"] == sheet.filed_title, (sheet.number, info["title"], sheet.heading)
        assert info["author"] == "东岗村村民委员会"
        assert info["subject"] == sheet.heading
        assert markers.codes == (sheet.code,) and info["keywords"] == f"验证码 {sheet.code}"
        assert info["created"] == info["modified"] == f"D:{sheet.reviewed_on:%Y%m%d}000000+08'00'"
        assert "anonymous" not in info.values() and not info["created"].startswith("D:2000")


def test_the_wall_copy_printed_before_sealing_is_the_sealed_copy(sheets: list[Sheet], wall_copies: dict[int, bytes],
                                                                  tmp_path: Path) -> None:
    assert {s.number for s in sheets} <= set(wall_copies)
    for sheet in sheets:
        assert wall_copies[sheet.number] == sheet.pdf, f"事项 {sheet.number}: the wall copy is another file"


def test_a_sealed_item_reprints_as_the_very_file_sealed(archive_cache: ArchiveCache, sheets: list[Sheet],
                                                         tmp_path: Path) -> None:
    db = archive_cache.copy("pdfa-sealed-2026Q2", _seal, tmp_path / "demo.sqlite3")
    sheet = sheets[0]
    out = tmp_path / "again.pdf"
    done = run_zwgk("render", "--db", str(db), "--village", "donggang", "--period", PERIOD,
                    "--item", str(sheet.number), "-o", str(out), cwd=tmp_path)
    assert done.code == 0, done.err
    assert out.read_bytes() == sheet.pdf


def test_a_sealed_quarter_reprinted_whole_is_one_pdfa_file(archive_cache: ArchiveCache, sheets: list[Sheet],
                                                           tmp_path: Path) -> None:
    db = archive_cache.copy("pdfa-sealed-2026Q2", _seal, tmp_path / "demo.sqlite3")
    out = tmp_path / "quarter.pdf"
    done = run_zwgk("render", "--db", str(db), "--village", "donggang", "--period", PERIOD, "-o", str(out),
                    cwd=tmp_path)
    assert done.code == 0, done.err
    markers = pdfa_markers(out.read_bytes())
    assert markers.level == "PDF/A-2u", markers.problems
    assert set(markers.codes) == {s.code for s in sheets}
    assert markers.pages == sum(pdfa_markers(s.pdf).pages for s in sheets)
    assert markers.metadata["created"] == f"D:{max(s.reviewed_on for s in sheets):%Y%m%d}000000+08'00'"


def test_a_board_joining_a_sheet_sealed_before_pdfa_claims_nothing(tmp_path: Path) -> None:
    item = bids()
    item.id = 5
    result = RenderResult(base_url=PLACE.base_url or "")
    posters = posters_for([item], LAYOUTS, PLACE, PLACE.base_url or "", result)
    old = _plain_pdf()
    old_item = replace(result.items[0], item_id=4)
    sheets = write_with_sealed([old, *posters], tmp_path / "board.pdf", None, [old_item, *result.items])
    markers = pdfa_markers((tmp_path / "board.pdf").read_bytes())
    assert sheets == markers.pages == 2 and markers.part is None and markers.level == ""
    text = [page.extract_text() for page in pypdf.PdfReader(tmp_path / "board.pdf").pages]
    assert "东岗村" in text[0] and f"验证码 {result.items[0].code}" in text[1]


def test_text_extracts_in_reading_order(sheets: list[Sheet]) -> None:
    for sheet in sheets:
        text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(sheet.pdf)).pages)
        first_page = pypdf.PdfReader(io.BytesIO(sheet.pdf)).pages[0].extract_text()
        # Every column header the item was sealed with (any category's: none for a 公告 without a
        # table), in the table's order, after the sheet number and before the footer. Each word is
        # looked for after the one before it: a header is often a word the info block has already
        # (日期 in 公开日期), and what matters is that the header row comes where the table is.
        expected = [sheet.heading, *([sheet.title] if sheet.title else []), "第 1 张", *sheet.headers, "监督电话",
                    "村务监督委员会（签章）", "东岗村村民委员会（盖章）", f"验证码 {sheet.code}"]
        at, start = [], 0
        for word in expected:
            at.append(first_page.find(word, start))
            assert at[-1] != -1, (sheet.number, sheet.category, list(zip(expected, at, strict=False)),
                                 first_page[:600])
            start = at[-1] + len(word)
        assert "\x00" not in text and "\ufffd" not in text


def test_qr_codes_still_decode_to_the_sealed_code(sheets: list[Sheet]) -> None:
    for sheet in sheets:
        document = pypdfium2.PdfDocument(sheet.pdf)
        try:
            image = document[0].render(scale=120 / 72).to_pil()
        finally:
            document.close()
        urls = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
        assert len(urls) == 1 and urls[0].endswith(f"/{sheet.number}.html?v={sheet.code}"), urls


def test_same_content_same_bytes_and_another_review_date_another_file(tmp_path: Path) -> None:
    item = bids()
    item.id = 7
    made = [_pdf(item, tmp_path / f"{n}.pdf") for n in range(2)]
    assert made[0] == made[1]
    item.reviewed_on = date(2026, 8, 3)
    later = _pdf(item, tmp_path / "later.pdf")
    assert later != made[0] and pdfa_markers(later).metadata["created"] == "D:20260803000000+08'00'"
    ids = [pikepdf.open(io.BytesIO(pdf)).trailer.ID for pdf in (made[0], later)]
    assert bytes(ids[0][0]) != bytes(ids[1][0]), "the file identifier is not derived from the content"


def _pdf(item, out: Path, **kwargs: object) -> bytes:  # type: ignore[no-untyped-def]
    result = RenderResult(base_url=PLACE.base_url or "")
    write_pdf(posters_for([item], LAYOUTS, PLACE, PLACE.base_url or "", result), out, **kwargs)  # type: ignore[arg-type]
    return out.read_bytes()


def test_a_draft_keeps_its_mark_and_claims_no_review(tmp_path: Path) -> None:
    item = notice()
    item.id, item.status, item.reviewer, item.reviewed_on = 3, DRAFT, None, None
    pdf = _pdf(item, tmp_path / "draft.pdf")
    markers = pdfa_markers(pdf)
    assert markers.level == "PDF/A-2u"  # the same file format: the preview is the very PDF that prints
    assert "created" not in {k for k, v in markers.metadata.items() if v}
    assert "草稿" in markers.metadata["keywords"] and "未经村务监督委员会审核" in markers.metadata["subject"]
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "草稿" in text and "未经村务监督委员会审核，不得张贴" in text
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert b"CreateDate" not in document.Root.Metadata.read_bytes()


def test_a_character_no_font_has_prints_as_a_box_never_as_notdef(tmp_path: Path) -> None:
    """Entry refuses such a character (tests/test_glyphs.py); one stored before that still never
    reaches the PDF as .notdef. An Extension B one is drawn by the fallback font, in the text too."""
    item = bids()
    item.id = 9
    item.rows[0]["bidder"] = "甲𠀀建筑\U0002A700公司"  # CJK Extension B (drawn) and C (no font has it)
    result = RenderResult(base_url=PLACE.base_url or "")
    posters = posters_for([item], LAYOUTS, PLACE, PLACE.base_url or "", result)
    assert any("\U0002A700" in w.message and "□" in w.message and "𠀀" not in w.message for w in result.warnings)
    write_pdf(posters, tmp_path / "x.pdf")
    pdf = (tmp_path / "x.pdf").read_bytes()
    markers = pdfa_markers(pdf)
    assert markers.notdef_glyphs == markers.unmapped_glyphs == 0 and markers.level == "PDF/A-2u"
    assert "甲𠀀建筑□公司" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert fonts.drawable("a\tb\x00c\U0002A700") == "a b□c□"
    assert fonts.text_width("\U0002A700", 10) == fonts.text_width("□", 10)


# ---------------------------------------------------------------------------------------------
# ISO 19005-2, requirement by requirement, on the sealed sheets


def test_file_structure(sheets: list[Sheet]) -> None:
    for sheet in sheets:
        raw = sheet.pdf
        # 6.1.2: the header, then a comment of at least four bytes above 127.
        header = re.match(rb"%PDF-1\.[0-7]\r?\n%([^\r\n]*)\r?\n", raw)
        assert header and sum(b > 127 for b in header.group(1)) >= 4
        # 6.1.3: an ID in the trailer, no encryption, nothing after %%EOF but an end of line.
        with pikepdf.open(io.BytesIO(raw)) as pdf:
            assert "/ID" in pdf.trailer and len(bytes(pdf.trailer.ID[0])) == 16
            assert "/Encrypt" not in pdf.trailer and not pdf.is_encrypted
            assert pdf.check_pdf_syntax() == []  # qpdf's own checks of syntax, xref and stream lengths
            # 6.1.7.1: no external stream data; 6.1.7.2: only standard filters (no LZW), none on metadata.
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    assert not {"/F", "/FFilter", "/FDecodeParms"} & set(obj.keys())
                    filters = obj.get("/Filter", pikepdf.Array())
                    assert {str(f) for f in (filters if isinstance(filters, pikepdf.Array) else [filters])} \
                        <= {"/FlateDecode"}
            assert "/Filter" not in pdf.Root.Metadata
            # 6.3–6.5, 6.8–6.11: no annotations, forms, actions, JavaScript, embedded files, optional
            # content, alternate presentations, requirements.
            assert not {"/OpenAction", "/AA", "/Names", "/OCProperties", "/AcroForm", "/Requirements",
                        "/NeedsRendering"} & set(pdf.Root.keys())
            assert all(not {"/Annots", "/AA", "/PresSteps"} & set(page.obj.keys()) for page in pdf.pages)
            # 6.2.2: every content stream names its own resources (a form inherits none from its page).
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Form":
                    assert isinstance(obj.get("/Resources"), pikepdf.Dictionary)
                    assert not {"/OPI", "/Subtype2", "/PS", "/Ref"} & set(obj.keys())  # 6.2.9
            # 6.1.13: page boundaries within 3–14,400 units.
            assert all(3 <= float(page.mediabox[2]) - float(page.mediabox[0]) <= 14400 for page in pdf.pages)
        assert re.search(rb"%%EOF\r?\n?\Z", raw)
        # 6.1.7.1: `stream` followed by CRLF or LF, `endstream` preceded by an end of line.
        assert raw.count(b"endstream") == len(re.findall(rb"[\r\n]endstream", raw)) > 0
        assert len(re.findall(rb"(?<!end)stream\r?\n", raw)) == raw.count(b"endstream")


def test_xmp_metadata_identifies_pdfa_2u_and_says_what_the_info_says(sheets: list[Sheet]) -> None:
    ns = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
          "dc": "http://purl.org/dc/elements/1.1/", "pdf": "http://ns.adobe.com/pdf/1.3/",
          "xmp": "http://ns.adobe.com/xap/1.0/"}
    for sheet in sheets:
        with pikepdf.open(io.BytesIO(sheet.pdf)) as pdf:
            stream = pdf.Root.Metadata
            assert (stream.Type, stream.Subtype) == ("/Metadata", "/XML")
            packet = stream.read_bytes()
            info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        # 6.6.2.1: a well-formed XMP packet (its header and trailer) in UTF-8.
        assert packet.startswith(b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>')
        assert re.search(rb'<\?xpacket end="[rw]"\?>\Z', packet)
        assert b"bytes=" not in packet.split(b"?>", 1)[0] and b"encoding=" not in packet.split(b"?>", 1)[0]
        tree = ET.fromstring(packet.decode("utf-8").split("?>", 1)[1].rsplit("<?xpacket", 1)[0])
        described = tree.find("rdf:RDF/rdf:Description", ns)
        assert described is not None

        def value(path: str, described: ET.Element = described) -> str:
            found = described.find(path, ns)
            assert found is not None, path
            return found.text or ""

        # 6.6.4: the PDF/A identification schema.
        assert (value("pdfaid:part"), value("pdfaid:conformance")) == ("2", "U")
        # 6.6.2.3.1: each Info entry equals its XMP property.
        assert value("dc:title/rdf:Alt/rdf:li") == info["/Title"]
        assert value("dc:creator/rdf:Seq/rdf:li") == info["/Author"]
        assert value("dc:description/rdf:Alt/rdf:li") == info["/Subject"]
        assert value("pdf:Keywords") == info["/Keywords"]
        assert value("pdf:Producer") == info["/Producer"] and value("xmp:CreatorTool") == info["/Creator"]
        assert value("xmp:CreateDate") == value("xmp:ModifyDate") == f"{sheet.reviewed_on}T00:00:00+08:00"
        assert info["/CreationDate"] == info["/ModDate"] == f"D:{sheet.reviewed_on:%Y%m%d}000000+08'00'"
        # Only the predefined schemas (6.6.2.3.2 would ask for an extension schema otherwise).
        used = {el.tag.split("}")[0][1:] for el in described.iter() if el.tag.startswith("{")}
        assert used <= set(ns.values())
        assert "/Trapped" not in info


def test_output_intent_is_an_embedded_srgb_display_profile(sheets: list[Sheet]) -> None:
    profiles = set()
    for sheet in sheets:
        with pikepdf.open(io.BytesIO(sheet.pdf)) as pdf:
            intents = list(pdf.Root.OutputIntents)
            assert len(intents) == 1  # 6.2.3: one PDF/A intent
            intent = intents[0]
            assert (intent.Type, intent.S) == ("/OutputIntent", "/GTS_PDFA1")
            assert str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
            icc = intent.DestOutputProfile.read_bytes()
            assert intent.DestOutputProfile.N == 3
        # 6.2.3: an ICC profile of version 4 or lower, a display (mntr) profile in RGB.
        assert icc[36:40] == b"acsp" and icc[12:16] == b"mntr" and icc[16:20] == b"RGB " and icc[8] <= 4
        assert struct.unpack(">I", icc[:4])[0] == len(icc)
        profiles.add(icc)
    assert len(profiles) == 1, "the profile's bytes change from sheet to sheet"


def test_colours_are_rgb_or_gray_only(sheets: list[Sheet]) -> None:
    """6.2.4.3: with an RGB intent, DeviceCMYK may not be used; 6.2.10: transparency only through
    constant alpha in the normal blend mode (the draft mark), no soft masks."""
    for sheet in sheets:
        with pikepdf.open(io.BytesIO(sheet.pdf)) as pdf:
            drawings = [page.obj for page in pdf.pages] + [
                obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Form"]
            for drawing in drawings:
                operators = {str(i.operator) for i in pikepdf.parse_content_stream(drawing)}
                assert operators and not {"k", "K", "sh", "BI"} & operators
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary) and "/ExtGState" in obj:
                    for state in obj.ExtGState.values():
                        assert str(state.get("/BM", "/Normal")) in ("/Normal", "/Compatible")
                        assert str(state.get("/SMask", "/None")) == "/None" and "/TR" not in state
            assert b"/DeviceCMYK" not in sheet.pdf


def test_every_font_is_an_embedded_symbolic_truetype_with_true_widths(sheets: list[Sheet]) -> None:
    """6.2.11.2–6.2.11.6: every font's program embedded, its widths those of the program, and (a
    symbolic TrueType font) no /Encoding and a single cmap subtable."""
    for sheet in sheets:
        _fonts_embedded_with_true_widths(sheet.pdf)


def test_the_fallback_fonts_subsets_are_embedded_with_true_widths(tmp_path: Path) -> None:
    """The same for a sheet with names the main font lacks: the fallback font's subsets too."""
    item = bids()
    item.id = 14
    item.rows[0]["bidder"] = "王䶮建筑公司"
    item.rows[1]["bidder"] = "吉𠮷祥工程队"
    pdf = _pdf(item, tmp_path / "rare.pdf")
    assert pdfa_markers(pdf).level == "PDF/A-2u"
    assert len(_fonts_embedded_with_true_widths(pdf)) >= 2  # the main font's and the fallback's


def _fonts_embedded_with_true_widths(raw: bytes) -> list[str]:
    """Check every font of `raw` as the test above says; returns their names."""
    names = []
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        fonts_seen = {}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
                fonts_seen[obj.objgen] = obj
        assert fonts_seen
        for font in fonts_seen.values():
            assert font.Subtype == "/TrueType" and "/Encoding" not in font
            descriptor = font.FontDescriptor
            assert int(descriptor.Flags) & 4 and not int(descriptor.Flags) & 32  # symbolic, not nonsymbolic
            program = descriptor.FontFile2.read_bytes()
            assert int(descriptor.FontFile2.Length1) == len(program)
            tables = {program[12 + 16 * i:16 + 16 * i]: struct.unpack(">II", program[20 + 16 * i:28 + 16 * i])
                      for i in range(struct.unpack(">H", program[4:6])[0])}
            cmap_at = tables[b"cmap"][0]
            assert struct.unpack(">H", program[cmap_at + 2:cmap_at + 4])[0] == 1
            glyph_of, _ = _cmap(program)
            units = struct.unpack(">H", program[tables[b"head"][0] + 18:tables[b"head"][0] + 20])[0]
            metrics = struct.unpack(">H", program[tables[b"hhea"][0] + 34:tables[b"hhea"][0] + 36])[0]
            hmtx = tables[b"hmtx"][0]
            first = int(font.FirstChar)
            assert len(font.Widths) == int(font.LastChar) - first + 1  # 6.2.11.2
            for offset, width in enumerate(font.Widths):
                glyph = glyph_of.get(first + offset, 0)
                at = hmtx + 4 * min(glyph, metrics - 1)
                advance = struct.unpack(">H", program[at:at + 2])[0] * 1000 / units
                assert abs(float(width) - advance) <= 1, (font.BaseFont, first + offset)
            names.append(str(font.BaseFont))
    return names


# ---------------------------------------------------------------------------------------------
# pdfa_markers sees what it claims to, and takes any bytes


def _plain_pdf() -> bytes:
    """A sheet as reportlab alone writes it (as every sheet sealed before PDF/A was)."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True, initialFontName=fonts.register())
    canvas.drawString(100, 700, "东岗村")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_markers_of_a_sheet_sealed_before_pdfa_say_what_it_lacks() -> None:
    markers = pdfa_markers(_plain_pdf())
    assert markers.opened and markers.level == "" and markers.part is None
    assert markers.output_intent == "" and markers.lang == "" and markers.metadata["author"] == "anonymous"
    words = "\n".join(markers.problems)
    for expected in ("没有 PDF/A 标识", "没有声明文档语言", "没有 PDF/A 输出意图", "文档信息与 XMP 元数据不一致"):
        assert expected in words


def test_markers_find_a_notdef_glyph_and_an_unembedded_font(sheets: list[Sheet]) -> None:
    shortest = min(sheets, key=lambda sheet: len(sheet.pdf))
    with pikepdf.open(io.BytesIO(shortest.pdf)) as pdf:
        page = pdf.pages[0]
        # A code past the end of a subset's character map: the font draws .notdef for it.
        font_name, code = next((name, code) for name, font in page.Resources.Font.items()
                               for code in range(255, 0, -1)
                               if _cmap(font.FontDescriptor.FontFile2.read_bytes())[0].get(code, 0) == 0)
        helvetica = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                         BaseFont=pikepdf.Name.Helvetica))
        page.Resources.Font["/Fx"] = helvetica
        page.contents_add(pdf.make_stream(f"BT {font_name} 12 Tf 10 10 Td <{code:02X}> Tj /Fx 9 Tf (a) Tj ET".encode()))
        out = io.BytesIO()
        pdf.save(out)
    markers = pdfa_markers(out.getvalue())
    assert markers.notdef_glyphs == 1 and markers.unmapped_glyphs == 1
    assert markers.unembedded_fonts == ("Helvetica",) and markers.level == ""
    assert any(".notdef" in p for p in markers.problems) and any("Helvetica" in p for p in markers.problems)


def test_markers_of_another_claim_a_missing_intent_and_a_changed_title(sheets: list[Sheet]) -> None:
    with pikepdf.open(io.BytesIO(sheets[0].pdf)) as pdf:
        packet = pdf.Root.Metadata.read_bytes().replace(b"<pdfaid:part>2<", b"<pdfaid:part>1<")
        pdf.Root.Metadata = pdf.make_stream(packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
        del pdf.Root.OutputIntents
        pdf.docinfo["/Title"] = "另一个标题"
        out = io.BytesIO()
        pdf.save(out)
    markers = pdfa_markers(out.getvalue())
    assert markers.part == 1 and markers.level == "" and markers.metadata_disagrees == ("title",)
    assert {"PDF/A 标识为 1u，不是 PDF/A-2b/2u", "没有 PDF/A 输出意图（sRGB 等色彩配置）",
            "文档信息与 XMP 元数据不一致：title"} == set(markers.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_markers_never_fail_whatever_the_bytes(data: st.DataObject) -> None:
    good = _GOOD.get("pdf") or _GOOD.setdefault("pdf", _one_pdfa())
    how = data.draw(st.sampled_from(["truncate", "flip", "splice", "junk"]))
    if how == "truncate":
        pdf = good[:data.draw(st.integers(0, len(good)))]
    elif how == "flip":
        at = data.draw(st.integers(0, len(good) - 1))
        pdf = good[:at] + bytes([good[at] ^ data.draw(st.integers(1, 255))]) + good[at + 1:]
    elif how == "splice":
        at = data.draw(st.integers(0, len(good)))
        pdf = good[:at] + data.draw(st.binary(max_size=64)) + good[at:]
    else:
        pdf = data.draw(st.binary(max_size=2048))
    markers = pdfa_markers(pdf)
    assert markers.opened or markers.problems


_GOOD: dict[str, bytes] = {}


def _one_pdfa() -> bytes:
    item = notice()
    item.id = 4
    with tempfile.TemporaryDirectory() as folder:
        return _pdf(item, Path(folder) / "n.pdf")


@settings(max_examples=80, deadline=None)
@given(title=st.text(), author=st.text(min_size=1), subject=st.text(), keywords=st.text(),
       created=st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
def test_any_description_is_said_alike_in_info_and_xmp(tmp_path_factory: pytest.TempPathFactory, title: str,
                                                       author: str, subject: str, keywords: str,
                                                       created: date | None) -> None:
    out = tmp_path_factory.mktemp("desc") / "d.pdf"
    make_archival(_plain_pdf(), Description(title, author, subject, keywords, created), out)
    markers = pdfa_markers(out.read_bytes())
    assert markers.metadata_disagrees == () and markers.part == 2, markers.problems
    assert markers.metadata["title"] == plain(title) and markers.metadata["keywords"] == plain(keywords)
    created_text = f"D:{created:%Y%m%d}000000+08'00'" if created else ""
    assert markers.metadata["created"] == created_text
