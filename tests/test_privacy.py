"""No public output ever holds a full 身份证号, phone or bank number (property-based)."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pypdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain.categories import ASSISTANCE_KINDS, category
from zwgk_desktop.domain.identity import id_check_char, is_valid_id
from zwgk_desktop.domain.items import REVIEWED, Item, validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import fonts
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
    for output in (site.item_page(entry, "青山镇", PLACE.base_url), site.to_json(site.item_data(entry))):
        text = output.decode("utf-8")
        squeezed = re.sub(r"\s", "", text)
        for row in rows:
            for secret in (row["id_number"], row["phone"], row["account"]):
                assert secret not in squeezed, f"{secret} leaked"
            assert row["address"] not in text and row["reason"] not in text
        for candidate in re.findall(r"\d{17}[\dX]", squeezed):
            assert not is_valid_id(candidate)
