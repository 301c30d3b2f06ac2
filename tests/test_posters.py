"""A3 posters read back as a reader would: page size, embedded fonts, extractable Chinese text,
and a QR code that an independent decoder reads as the contract URL with the printed code."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp

from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, ZwgkError
from zwgk_desktop.office.printing import render_board
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.render.posters import RenderResult

A3_POINTS = (841.89, 1190.55)
LAYOUTS = load_layouts(standard_layouts_dir())
URL_RE = re.compile(r"^https://qingshan\.example/zwgk/donggang/2026Q3/(\d+)\.html\?v=([A-Z2-7]{10})$")


def render(db: Path, out: Path, **kwargs: object) -> RenderResult:
    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session:
            return render_board(session, LAYOUTS, "donggang", Quarter(2026, 3), out, **kwargs)  # type: ignore[arg-type]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def quarter_pdf(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderResult]:
    out = tmp_path_factory.mktemp("posters") / "board.pdf"
    return out, render(demo_db, out)


def decode_qr(pdf: Path, page: int) -> list[str]:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        image = document[page].render(scale=120 / 72).to_pil()
    finally:
        document.close()
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def test_every_page_is_a3_with_embedded_fonts(quarter_pdf: tuple[Path, RenderResult]) -> None:
    pdf, result = quarter_pdf
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == result.sheets >= 5
    for page in reader.pages:
        box = page.mediabox
        assert sorted((float(box.width), float(box.height))) == pytest.approx(A3_POINTS, abs=0.1)  # 三资: landscape
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            assert re.match(r"/[A-Z]{6}\+", font["/BaseFont"]), "font is not a subset"


def test_chinese_text_is_extractable(quarter_pdf: tuple[Path, RenderResult]) -> None:
    pdf, result = quarter_pdf
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    for expected in ("东岗村2026年第三季度财务收支公开", "本期合计", "期末余额（大写）",
                     "东岗村2026年第三季度低保及社会救助对象公示（续表）", "户主姓名",
                     "东岗村工程项目招投标结果公示", "中标单位", "东岗村公告", "村务监督委员会（签章）",
                     "东岗村村民委员会（盖章）", "监督电话", "0371-62341101", "草稿"):
        assert expected in text, expected
    assert {p.category for p in result.items} == {"finance", "assistance", "bids", "notice", "assets", "resources",
                                                  "contracts", "debts"}  # 收益分配: the year's last quarter


def test_qr_decodes_to_contract_url_and_printed_code_matches(quarter_pdf: tuple[Path, RenderResult]) -> None:
    pdf, result = quarter_pdf
    reader = pypdf.PdfReader(pdf)
    codes = {p.item_id: p.code for p in result.items}
    seen_items = set()
    for number, pdf_page in enumerate(reader.pages):
        text = pdf_page.extract_text()
        printed = re.search(r"验证码 ([A-Z2-7]{10})", text)
        assert printed, f"page {number + 1} has no printed verification code"
        urls = decode_qr(pdf, number)
        assert len(urls) == 1, f"page {number + 1}: {urls}"
        match = URL_RE.match(urls[0])
        assert match, urls[0]
        item_id, code = int(match.group(1)), match.group(2)
        assert code == printed.group(1) == codes[item_id]
        seen_items.add(item_id)
    assert seen_items == set(codes)


def test_same_content_same_code_and_any_change_a_new_one(demo_copy: Path, tmp_path: Path) -> None:
    first = render(demo_copy, tmp_path / "a.pdf", category="assistance")
    again = render(demo_copy, tmp_path / "b.pdf", category="assistance")
    assert [p.code for p in first.items] == [p.code for p in again.items]
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()  # reproducible output
    engine = open_engine(str(demo_copy))
    with session_factory(engine)() as session, session.begin():
        item_id = first.items[0].item_id
        row = session.get(store.DisclosureItem, item_id).rows[10]  # type: ignore[union-attr]
        row.data = {**row.data, "monthly_amount": row.data["monthly_amount"] + 100}
    engine.dispose()
    changed = render(demo_copy, tmp_path / "c.pdf", category="assistance")
    assert changed.items[0].code != first.items[0].code


def test_one_sheet_is_small(demo_db: Path, tmp_path: Path) -> None:
    result = render(demo_db, tmp_path / "bids.pdf", category="bids")
    assert result.sheets == 1
    assert (tmp_path / "bids.pdf").stat().st_size < 200_000


def test_base_url_override(demo_db: Path, tmp_path: Path) -> None:
    result = render(demo_db, tmp_path / "x.pdf", category="bids", base_url="https://gk.example.org/cun/")
    assert decode_qr(tmp_path / "x.pdf", 0)[0].startswith("https://gk.example.org/cun/donggang/2026Q3/")
    assert result.base_url == "https://gk.example.org/cun"


def test_items_not_proactively_public_never_reach_the_board(demo_copy: Path, tmp_path: Path) -> None:
    engine = open_engine(str(demo_copy))
    with session_factory(engine)() as session, session.begin():
        village = store.find_village(session, "donggang")
        bids_item = next(i for i in village.items if i.period == "2026Q3" and i.category == "bids")
        bids_item.disclosure = "依申请公开"
        withheld_id = bids_item.id
    engine.dispose()
    result = render(demo_copy, tmp_path / "q.pdf")
    assert withheld_id not in {p.item_id for p in result.items}
    assert [i.id for i in result.withheld] == [withheld_id]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "q.pdf").pages)
    assert "招投标" not in text
    with pytest.raises(BadInput, match="不是“主动公开”"):
        render(demo_copy, tmp_path / "r.pdf", item_id=withheld_id)
    assert not (tmp_path / "r.pdf").exists()


def test_unwritable_output_is_told_in_words(demo_db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ZwgkError, match=r"无法在 .* 写出文件"):
        render(demo_db, blocker / "out.pdf", category="bids")


def test_a_long_title_stays_on_the_sheet(tmp_path: Path) -> None:
    """A 60-character title (the longest allowed) is set smaller, not cut off by the paper's edge."""
    from datetime import date

    from zwgk_desktop.domain.categories import new_item
    from zwgk_desktop.render.posters import render_item
    from zwgk_desktop.render.public import Place

    item = new_item("notice", Quarter(2026, 3))
    item.id, item.publicity_start = 1, date(2026, 10, 10)
    item.title = ("关于" + "村内道路硬化工程及排水沟渠改造项目" * 3)[:60]
    item.fields.update(kind="其他", body="正文")
    out = tmp_path / "long.pdf"
    render_item(item, LAYOUTS, Place("青山镇", "东岗村", "donggang", "https://x.example"), out)
    document = pypdfium2.PdfDocument(str(out))
    try:
        page = document[0]
        width = page.get_width()
        text = page.get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars())]
        assert boxes and all(left >= 0 and right <= width for left, _, right, _ in boxes)
        assert item.title in text.get_text_range().replace("\r", "").replace("\n", "")
    finally:
        document.close()
