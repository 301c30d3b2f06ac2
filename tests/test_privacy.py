"""No public output ever holds a full 身份证号, phone or bank number (property-based)."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pypdf
import pytest
from free_text import filler, personal_numbers, spread
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain.categories import ASSISTANCE_KINDS, category
from zwgk_desktop.domain.identity import id_check_char, is_valid_id, mask_name
from zwgk_desktop.domain.items import REVIEWED, Item, validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import fonts, open_data
from zwgk_desktop.render.board import layout_board
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.public import Place, build_public_item

LAYOUT = load_layouts(standard_layouts_dir()).for_category("assistance")
PLACE = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk")

id_numbers = st.builds(
    lambda region, born, seq: (lambda s: s + id_check_char(s))(f"{region}{born:%Y%m%d}{seq:03d}"),
    st.sampled_from(["110105", "410102", "410122", "440304", "653101", "810000"]),
    st.dates(min_value=date(1925, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
mobiles = st.builds(lambda p, n: f"1{p}{n:09d}", st.sampled_from("3456789"), st.integers(0, 999_999_999))
accounts = st.builds(lambda n, length: str(n).zfill(length)[:length], st.integers(10**11, 10**25),
                     st.integers(12, 25)).filter(lambda a: a[0] != "0")
names = st.text(alphabet=st.sampled_from(list("张王李赵刘陈杨黄周吴建国秀英桂兰德明欧阳")), min_size=2, max_size=4)
households = st.fixed_dictionaries({
    "group": st.sampled_from(["一组", "2组", "三组", "", "十二组"]),
    "head_name": names,
    "id_number": id_numbers,
    "household_size": st.integers(1, 9),
    "kind": st.sampled_from(ASSISTANCE_KINDS),
    "monthly_amount": st.integers(0, 10**8),
    "phone": mobiles,
    "account": accounts,
    "address": st.just("三组12号"),
    "reason": st.sampled_from(["因病", "因残", "年老"]),
    # The columns a roster has and the category lacks, kept by an import in the private 其他信息.
    "note": st.builds(lambda tier, n: f"分类施保：{tier}；低保证号：DB{n:06d}", st.sampled_from(["A类", "B类", "C类"]),
                      st.integers(0, 999_999)),
})


def pdf_text(item: Item) -> str:
    public = build_public_item(item, LAYOUT, PLACE)
    board = layout_board(public, LAYOUT, fonts.text_width, PLACE.supervision_phones)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "p.pdf"
        write_pdf([Poster(board, public.url(PLACE.base_url))], out)
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(out).pages)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(households, min_size=1, max_size=45, unique_by=lambda h: h["id_number"]))
def test_no_full_id_phone_or_account_in_the_pdf(rows: list[dict[str, object]]) -> None:
    item = Item(category="assistance", period=Quarter(2026, 3), title="低保对象公示", id=1,
                publicity_start=date(2026, 10, 10), publicity_end=date(2026, 10, 16), status=REVIEWED,
                reviewer="王德明", reviewed_on=date(2026, 10, 9), rows=[dict(r) for r in rows])
    assert validate(item, category("assistance")).ok
    text = pdf_text(item)
    squeezed = re.sub(r"\s", "", text)
    for row in rows:
        for secret in (row["id_number"], row["phone"], row["account"]):
            assert secret not in text and secret not in squeezed, f"{secret} leaked"
        assert row["address"] not in text
        assert str(row["note"]).split("；")[1] not in squeezed  # 其他信息 is private
    for candidate in re.findall(r"\d{17}[\dX]", squeezed):
        assert not is_valid_id(candidate), f"a full ID {candidate} is in the PDF"


@settings(max_examples=25, deadline=None)
@given(id_numbers, mobiles, accounts)
def test_numbers_slipped_into_free_text_are_masked_anyway(number: str, phone: str, account: str) -> None:
    """Even an item that skipped validation (edited behind the app's back) prints masked."""
    row = {"group": f"{number} {phone} {account}", "head_name": f"张{number}", "id_number": number,
           "household_size": 1, "kind": "农村低保", "monthly_amount": 100}
    item = Item(category="assistance", period=Quarter(2026, 3), title=f"公示 {number}", id=1,
                publicity_start=date(2026, 10, 10), rows=[row])
    public = build_public_item(item, LAYOUT, PLACE)
    flat = public.canonical_json().decode("utf-8")
    for secret in (number, phone, account):
        assert secret not in flat


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(households, min_size=1, max_size=30, unique_by=lambda h: h["id_number"]))
def test_no_full_id_phone_or_account_in_the_online_copy(rows: list[dict[str, object]]) -> None:
    """The item's web page and its open data pass through the same guard as the sheet."""
    from zwgk_desktop.render import site

    item = Item(category="assistance", period=Quarter(2026, 3), title="低保对象公示", id=7,
                publicity_start=date(2026, 10, 10), publicity_end=None, status=REVIEWED,
                reviewer="王德明", reviewed_on=date(2026, 10, 9), rows=[dict(r) for r in rows])
    entry = site.OnlineItem(build_public_item(item, LAYOUT, PLACE), phones=(("村务监督委员会", "0371-62341101"),))
    assert open_data.item_values(entry.public, LAYOUT) is not None  # typed: every cell is in the data
    for output in (site.item_page(entry, "青山镇", PLACE.base_url), site.to_json(site.item_data(entry)),
                   *open_data_outputs(entry, LAYOUT).values()):
        text = output.decode("utf-8-sig")
        squeezed = re.sub(r"\s", "", text)
        for row in rows:
            for secret in (row["id_number"], row["phone"], row["account"]):
                assert secret not in squeezed, f"{secret} leaked"
            assert row["address"] not in text and row["reason"] not in text and row["note"] not in text
        for candidate in re.findall(r"\d{17}[\dX]", squeezed):
            assert not is_valid_id(candidate)


# ---------------------------------------------------------------------------------------------
# Free text written any way (tests/free_text.py): numbers split by any separators, and the names of
# the item's own masked list, never reach a public output in full.

NOTICE_LAYOUT = load_layouts(standard_layouts_dir()).for_category("notice")
_FOLD = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")


def digits_of(text: str) -> str:
    return "".join(c for c in text.translate(_FOLD) if c.isdigit() or c == "X")


def squeezed(text: str) -> str:
    """The text without its spaces and line breaks: a name padded (林　大田) or wrapped shows whole."""
    return re.sub(r"\s", "", text)


def open_data_outputs(entry: object, layout: object) -> dict[str, bytes]:
    """The item's open data files beyond its page (render/open_data.py): its data with the typed
    values, its table, its line of the township's index, the schema of its category."""
    from zwgk_desktop.render import site

    public = entry.public  # type: ignore[attr-defined]
    values = open_data.item_values(public, layout)  # type: ignore[arg-type]
    row = open_data.index_row(public, public.url(PLACE.base_url), corrected_by=None, corrects=None, withdrawn=False)
    schema = open_data.schema_document([open_data.category_schema(category(public.category), layout)], "")  # type: ignore[arg-type]
    return {"data": open_data.to_json({**site.item_data(entry), "values": values}),  # type: ignore[arg-type]
            "csv": open_data.item_csv(public, layout, values, withdrawn=False),  # type: ignore[arg-type]
            "index": open_data.to_json(open_data.index_document("青山镇", "", [row])),
            "index.csv": open_data.csv_table(open_data.INDEX_COLUMNS, [row]),
            "schema": open_data.to_json(schema), "schema.csv": open_data.schema_csv(schema)}


def public_outputs(item: Item, layout: object) -> dict[str, str]:
    """The sheet's text as a reader's PDF tool extracts it, the item's web page and its open data."""
    from zwgk_desktop.render import site

    public = build_public_item(item, layout, PLACE)  # type: ignore[arg-type]
    board = layout_board(public, layout, fonts.text_width, PLACE.supervision_phones)  # type: ignore[arg-type]
    entry = site.OnlineItem(public, phones=(("村务监督委员会", "0371-62341101"),))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "p.pdf"
        write_pdf([Poster(board, public.url(PLACE.base_url))], out)
        pdf = "\n".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    return {"pdf": pdf, "html": site.item_page(entry, "青山镇", PLACE.base_url).decode("utf-8"),
            "json": site.to_json(site.item_data(entry)).decode("utf-8"),
            **{where: data.decode("utf-8-sig") for where, data in open_data_outputs(entry, layout).items()}}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(personal_numbers(), min_size=4, max_size=4), filler)
def test_a_number_split_any_way_in_free_text_reaches_no_public_output(
        cases: list[tuple[str, str]], words: str) -> None:
    """An item edited behind the app's back (the entry check refuses these): title, 正文 and the
    table's free text, on the sheet, the web page and the open data."""
    (a, title), (b, body), (c, matter), (d, detail) = cases
    item = Item(category="notice", period=Quarter(2026, 3), title=f"通知{title}", id=3,
                publicity_start=date(2026, 10, 10), publicity_end=date(2026, 10, 16), status=REVIEWED,
                reviewer="钱审核", reviewed_on=date(2026, 10, 9),
                fields={"kind": "其他", "body": f"{words}{body}\n{words}", "contact": "村委会 0371-62341101"},
                rows=[{"matter": f"事项{matter}", "detail": f"{detail}{words}", "amount": 100}])
    assert not validate(Item(**{**item.__dict__, "rows": [dict(r) for r in item.rows],
                                "fields": dict(item.fields)}), category("notice")).ok
    for where, text in public_outputs(item, NOTICE_LAYOUT).items():
        for number in (a, b, c, d):
            assert number not in digits_of(text), f"{number} in the {where}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(households, min_size=2, max_size=8, unique_by=lambda h: h["id_number"]), st.data())
def test_a_listed_name_is_masked_wherever_the_items_free_text_holds_it(
        rows: list[dict[str, object]], data: st.DataObject) -> None:
    listed = [str(r["head_name"]) for r in rows]
    named = data.draw(st.sampled_from(listed))
    run = data.draw(st.sampled_from(["", "\u3000", " ", "\u202f"]))
    fixed = public_outputs(Item(category="assistance", period=Quarter(2026, 3), title="低保对象公示", id=1,
                                publicity_start=date(2026, 10, 10), rows=[dict(rows[0])]), LAYOUT)["pdf"]
    assume(named not in fixed and all(named not in other or named == other for other in listed))
    rows[0]["group"] = spread(named, run)[:12]
    item = Item(category="assistance", period=Quarter(2026, 3), title=f"{spread(named, run)}等户公示", id=1,
                publicity_start=date(2026, 10, 10), publicity_end=date(2026, 10, 16), status=REVIEWED,
                reviewer="钱审核", reviewed_on=date(2026, 10, 9), rows=[dict(r) for r in rows],
                fields={"standard": f"按{spread(named, run)}户实际人口计"})
    for where, text in public_outputs(item, LAYOUT).items():
        assert named not in squeezed(text), f"{named} in the {where}"
        if not where.startswith(("index", "schema")):  # the index shows the heading, the schema no item
            assert mask_name(named) in text


@pytest.mark.slow
def test_a_correction_reason_naming_a_household_prints_the_name_as_the_list_does(
        demo_copy: Path, tmp_path: Path) -> None:
    """Seen end to end: zwgk correct, review, seal, render and site."""
    import json as json_

    from conftest import run_zwgk
    from sqlalchemy import select
    from test_archive import sessions

    from zwgk_desktop.db import store
    from zwgk_desktop.db.models import DisclosureItem

    env = {"ZWGK_DB": str(demo_copy)}
    assert run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明", cwd=tmp_path,
                    env=env).code == 0
    with sessions(demo_copy)() as session:
        old_id = int(session.scalar(select(DisclosureItem.id).where(DisclosureItem.village_id == 1,
                     DisclosureItem.period == "2026Q2", DisclosureItem.category == "assistance")))
        old, _ = store.load_item(session, old_id)
        name, first = str(old.rows[2]["head_name"]), str(old.rows[0]["head_name"])
    # A number split by a narrow no-break space is refused in the reason, and nothing is kept.
    leaky = run_zwgk("correct", "--item", str(old_id), "--reason", "户主手机138\u202f1234\u202f5678有误",
                     "--set", "3.月保障金额=888", "--reviewer", "钱审核", cwd=tmp_path, env=env)
    assert leaky.code == 2 and "更正原因" in leaky.err and "手机号" in leaky.err, leaky.err
    reason = f"第3户{name}月保障金额录入有误；{first[0]}\u3000{first[1:]}户核对无误"
    done = run_zwgk("correct", "--item", str(old_id), "--reason", reason, "--set", "3.月保障金额=888",
                    "--reviewer", "钱审核", "--json", cwd=tmp_path, env=env)
    assert done.code == 0, done.err
    number = json_.loads(done.out)["item"]
    assert run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明", cwd=tmp_path,
                    env=env).code == 0
    out = tmp_path / "notice.pdf"
    assert run_zwgk("render", "--village", "donggang", "--period", "2026Q2", "--item", str(number), "-o", str(out),
                    cwd=tmp_path, env=env).code == 0
    site_dir = tmp_path / "www"
    assert run_zwgk("site", "-o", str(site_dir), cwd=tmp_path, env=env).code == 0
    outputs = {"pdf": "\n".join(p.extract_text() for p in pypdf.PdfReader(out).pages)}
    for suffix in ("html", "json"):
        outputs[suffix] = (site_dir / "donggang" / "2026Q2" / f"{number}.{suffix}").read_text(encoding="utf-8")
    for where, text in outputs.items():
        assert "更正原因" in text and mask_name(name) in text and mask_name(first) in text, where
        for full in (name, first):
            assert full not in squeezed(text), f"{full} in the {where}"


@settings(max_examples=40, deadline=None)
@given(personal_numbers(), st.sampled_from(["东岗村", "青山镇", "三组"]))
def test_a_place_name_holding_a_number_is_refused(case: tuple[str, str], place: str) -> None:
    """Township and village names print on every sheet, page and the status report."""
    from zwgk_desktop.db.store import _checked_name
    from zwgk_desktop.errors import BadInput

    with pytest.raises(BadInput):
        _checked_name(place + case[1], "村名")


@pytest.mark.slow
def test_the_status_report_holds_no_personal_number(demo_copy: Path, tmp_path: Path) -> None:
    """The demo's township report (xlsx, read back) holds none, and a village named with a phone is refused."""
    import openpyxl
    from conftest import run_zwgk

    from zwgk_desktop.domain.identity import find_personal_numbers

    env = {"ZWGK_DB": str(demo_copy)}
    named = run_zwgk("init", "--village", "小岗村\u202f138\u202f1234\u202f5678", cwd=tmp_path, env=env)
    assert named.code == 2 and "手机号" in named.err and "Traceback" not in named.err
    out = tmp_path / "status.xlsx"
    assert run_zwgk("status", "--period", "2026Q2", "--xlsx", str(out), cwd=tmp_path, env=env).code == 0
    cells = [str(c.value) for sheet in openpyxl.load_workbook(out) for row in sheet.iter_rows() for c in row
             if c.value is not None]
    assert cells and not [c for c in cells if find_personal_numbers(c)]
    assert "小岗村" not in " ".join(cells)


def test_a_household_removed_by_a_correction_stays_masked_in_its_reason() -> None:
    """The reason may name a household of the version it replaces that is no longer on the list."""
    from zwgk_desktop.render.correction import Previous, public_item

    layouts = load_layouts(standard_layouts_dir())
    households_ = (("林大田", "410102199001011237"), ("周小红", "11010519491231002X"))
    rows = [{"group": "一组", "head_name": name, "id_number": number, "household_size": 1, "kind": "农村低保",
             "monthly_amount": 50000} for name, number in households_]
    old = Item(category="assistance", period=Quarter(2026, 3), title="低保对象公示", id=1,
               publicity_start=date(2026, 10, 10), rows=rows)
    sealed = build_public_item(old, LAYOUT, PLACE)
    correction = Item(category="assistance", period=Quarter(2026, 3), title="低保对象公示", id=2, supersedes=1,
                      publicity_start=date(2026, 11, 1), rows=[dict(rows[1])],
                      correction_reason="林大田户已迁出，周 小红户保留")
    previous = Previous(sealed.canonical_json().decode("utf-8"), sealed.code, ("林大田", "周小红"))
    notice = public_item(correction, layouts, PLACE, previous)
    flat = notice.canonical_json().decode("utf-8")
    assert "林*田户已迁出" in flat and "周*红户保留" in flat
    assert "林大田" not in flat and "周小红" not in re.sub(r"\s", "", flat)
