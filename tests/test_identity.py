"""身份证号 checks (GB 11643), masking, and finding personal numbers in free text."""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zwgk_desktop.domain.identity import (
    IdentityError,
    check_id,
    check_mobile,
    check_phone,
    find_personal_numbers,
    id_check_char,
    is_valid_id,
    mask_account,
    mask_id,
    mask_name,
    mask_phone,
    redact_text,
)

VALID = "11010519491231002X"  # the standard's own example


def test_standard_example_and_normalisation() -> None:
    assert check_id(VALID) == VALID
    assert check_id("11010519491231002x") == VALID
    assert check_id("１１０１０５１９４９１２３１００２Ｘ") == VALID


@pytest.mark.parametrize(("number", "reason"), [
    ("110105194912310021", "校验码错误（末位应为 X"),
    ("110105194913310020", "出生日期"),
    ("11010519491231002", "18 位"),
    ("110105491231002", "15 位旧身份证号"),
    ("910105194912310029", "地区码"),
    ("11010520991231002X", "不合理"),
    ("1101051949123100AX", "前 17 位须为数字"),
])
def test_bad_ids_are_refused_with_reason(number: str, reason: str) -> None:
    with pytest.raises(IdentityError, match=reason.replace("(", r"\(").replace("（", "（")):
        check_id(number, today=date(2026, 11, 22))


def test_masks() -> None:
    assert mask_id(VALID) == "110105********002X"
    assert mask_id(VALID, keep_head=3, keep_tail=2) == "110*************2X"
    assert mask_name("张三明") == "张*明"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("王") == "王"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_account("6222020200001234567") == "***************4567"


def test_phones() -> None:
    assert check_mobile("+86 138-1234-5678") == "13812345678"
    with pytest.raises(IdentityError):
        check_mobile("12812345678")
    assert check_phone("0371-62340000") == "0371-62340000"
    assert check_phone("12345") == "12345"
    with pytest.raises(IdentityError):
        check_phone("打电话")


def test_finding_numbers_in_text() -> None:
    text = (f"户主身份证{VALID}，手机 138 1234 5678，一卡通 6222 0202 0000 1234 567，"
            "监督电话 0371-62340000，凭证 2026-07-015")
    kinds = [f.kind for f in find_personal_numbers(text)]
    assert kinds == ["id", "mobile", "account"]
    redacted = redact_text(text)
    assert VALID not in redacted and "110105********002X" in redacted
    assert "0371-62340000" in redacted and "2026-07-015" in redacted
    assert redact_text("联系 13812345678", allow_mobile=True) == "联系 13812345678"
    # Full-width punctuation around the number stays as the clerk wrote it.
    assert redact_text("（13812345678）") == "（138****5678）"


ids = st.builds(
    lambda region, born, seq: (lambda s: s + id_check_char(s))(f"{region}{born:%Y%m%d}{seq:03d}"),
    st.sampled_from(["110105", "410102", "410122", "440304", "653101"]),
    st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
filler = st.text(alphabet=st.sampled_from(list("张王李村组户低保金额元，。：、 （）abcX-")), max_size=12)


@given(ids, filler, filler, st.booleans())
def test_no_valid_id_survives_redaction(number: str, before: str, after: str, full_width: bool) -> None:
    assert is_valid_id(number)
    shown = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")) if full_width else number
    redacted = redact_text(before + shown + after)
    assert number not in redacted and shown not in redacted


@pytest.mark.parametrize("written", [
    "户主身份证 410102  19900101  1237 填错", "410102.1990.0101.1237", "410102/19900101/1237",
    "联系王会计138.1234.5678", "手机 138·1234·5678", "卡号6222–0212–3456–7890", "卡号 6222—0212—3456—7890",
    "账号 6222_0212_3456_7890",
])
def test_numbers_written_with_any_separator_are_found(written: str) -> None:
    assert find_personal_numbers(written), written
    assert not re.search(r"\d{6}\D{0,3}\d{4}\D{0,3}\d{4}", redact_text(written)), redact_text(written)


@pytest.mark.parametrize("written", ["支付2026.7.1-2026.9.30保洁费", "2026-07-01至2026-07-15", "监督电话 0371-62341101",
                                     "支出 12,345.60 元"])
def test_dates_amounts_and_office_lines_are_not_personal_numbers(written: str) -> None:
    assert find_personal_numbers(written) == []
