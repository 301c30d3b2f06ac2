"""身份证号 checks (GB 11643), masking, and finding personal numbers in free text."""

import re
from datetime import date
from typing import Any

import pytest
from free_text import KINDS, LIST_MARKS, names, personal_numbers, realistic_line, separator_runs, spread, written
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain.fields import Field, FieldError, Kind
from zwgk_desktop.domain.identity import (
    IdentityError,
    ListedNames,
    check_id,
    check_mobile,
    check_phone,
    find_personal_numbers,
    id_check_char,
    is_separator,
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


# ---------------------------------------------------------------------------------------------
# Numbers split by any separator (tests/free_text.py generates them over whole Unicode categories).

_FOLD = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")


def digits_of(text: str) -> str:
    """Every digit (and X) of a text, in order: a number split by anything shows in here whole."""
    return "".join(c for c in text.translate(_FOLD) if c.isdigit() or c == "X")


words = st.text(alphabet=st.sampled_from(list("张王李村组户低保金额元经研究决定abc")), max_size=8)


@settings(max_examples=400, deadline=None)
@given(personal_numbers(), words, words)
def test_a_number_split_by_any_separators_is_found_and_masked(case: tuple[str, str], before: str, after: str) -> None:
    number, shown = case
    text = before + shown + after
    found = find_personal_numbers(text)
    assert found and any(f.start <= len(before) and f.end >= len(before) + len(shown) for f in found), (text, found)
    assert number not in digits_of(redact_text(text)), redact_text(text)


@settings(max_examples=200, deadline=None)
@given(personal_numbers(), words)
def test_the_entry_check_refuses_a_split_number_in_every_free_text_field(case: tuple[str, str], before: str) -> None:
    _, shown = case
    for spec in (Field("summary", "摘要", Kind.TEXT, max_length=200),
                 Field("body", "正文", Kind.LONGTEXT, max_length=500),
                 Field("bidder", "投标单位", Kind.NAME, max_length=200)):
        with pytest.raises(FieldError):
            spec.check(before + shown)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["卡号", "一卡通账号：", "银行账户 "]), st.integers(10**15, 10**19 - 1),
       st.sampled_from(LIST_MARKS))
def test_a_card_in_groups_joined_by_list_marks_is_found_after_words_that_name_it(
        words_before: str, card: int, mark: str) -> None:
    number = str(card)
    shown = mark.join(number[i:i + 4] for i in range(0, len(number), 4))
    assert number not in digits_of(redact_text(words_before + shown))


@settings(max_examples=60, deadline=None)
@given(mobiles := st.builds(lambda p, n: f"1{p}{n:09d}", st.sampled_from("3456789"), st.integers(0, 999_999_999)),
       separator_runs)
def test_a_mobile_after_a_landline_or_country_code_is_still_found(mobile: str, run: str) -> None:
    for text in (f"电话0371-62340000/{mobile}", f"+86-{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
                 f"0371 62340000，{mobile[:3]}{run}{mobile[3:7]}{run}{mobile[7:]}",
                 f"0371 62340000{run}{mobile}"):
        assert mobile not in digits_of(redact_text(text)), text


def test_every_space_line_break_dash_and_bracket_is_a_separator() -> None:
    import unicodedata

    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) in ("Zs", "Zl", "Zp", "Pd", "Ps", "Pe", "Pi", "Pf") or char in "\n\r\v\f\x85":
            assert is_separator(char), f"U+{code:04X}"
    assert not any(is_separator(c) for c in "0１a林X")


def test_whatever_is_neither_letter_nor_number_is_a_separator() -> None:
    """Symbols (the minus sign Word types, × ¥ ° →), combining and variation marks, format
    characters and the fillers that print blank: between digit groups they hide nothing."""
    import unicodedata

    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char)[0] not in "LN" and not 0xD800 <= code <= 0xDFFF:
            assert is_separator(char), f"U+{code:04X}"
    assert all(is_separator(c) for c in "\u3164\u115f\u2800\ufe0f\u034f\u0301")


@pytest.mark.parametrize("written_as", [
    "联系150−2505−7985", "卡6264ー6400ー0469ー6689ー769", "138一1234一5678", "138\u31641234\u31645678",
    "138\u28001234\u28005678", "138\ufe0f1234\ufe0f5678", "138<1234>5678", "138×1234×5678", "138￥1234￥5678",
    "1 3 8 1 2 3 4 5 6 7 8", "410 102 1990 0101 1234", "410102 1990 01 01 1234", "62220212 34567890 123",
    "138，，，，1234，，，，5678", "138。。1234。。5678", "138?!1234?!5678", "138）、（1234）、（5678",
])
def test_numbers_the_outside_test_found_hidden_are_found(written_as: str) -> None:
    assert find_personal_numbers(written_as), written_as
    assert not re.search(r"\d{11}", digits_of(redact_text(written_as))), redact_text(written_as)


@pytest.mark.parametrize("text", [
    "报销办公用品 数电发票号码 24412000000012345678", "支付工程款 合同编号HT2026071234567890",
    "银行回单号 20260718000123456789", "转账流水号 2026070112345678", "1500 2000 300",
    "票号61528222 20260725-20261006", "34766669 02150830735", "王一明领取", "2021.4.9—2021/01/29—2021/05/24",
])
def test_long_document_numbers_and_rows_of_figures_are_left_alone(text: str) -> None:
    assert find_personal_numbers(text) == [], text


@pytest.mark.parametrize("written_as", [
    "手机138\u202f1234\u202f5678", "身份证410102\n19900101\n1237", "户主410102\u2028" "19900101\u20291237",
    "卡号【6222】【0212】【3456】【7890】", "卡号(6222)(0212)(3456)(7890)123", "410102    19900101    1237",
    "138 - - - 1234 ~ ~ 5678", "410102\v19900101\f1237", "410102\x8519900101\r1237", "4101 0219 9001 0112 37",
    "联系人：1.张三13812345678", "身份证号：410102199001011237X", "13812345678X", "NO.410102 19900101 1237",
    "ID-410102-19900101-1237", "(+86)138-1234-5678",
])
def test_the_cases_of_the_issue_are_found(written_as: str) -> None:
    assert find_personal_numbers(written_as), written_as
    assert not re.search(r"\d{11}", digits_of(redact_text(written_as))), redact_text(written_as)


@pytest.mark.parametrize("text", [
    "0371 62340000", "0371-62340000", "(0371)62340000", "（0371）6234 0000", "0371\u202f62340000", "037162340000",
    "监督电话037162340000", "0371-62340000转8012", "0371-6234-0000", "12345", "400-123-4567",
    "发票代码144031900111，发票号码01234567", "发票代码 4100154130", "凭证号202607150001", "记-2026-07-015",
    "统一社会信用代码：91350100M000100Y43", "统一社会信用代码91410100170012345C", "12,345.00元、1 234 元",
    "2023、2024、2025、2026年度", "1500、2000、3000、1200元", "分别为147、1250、7448元",
    "0371-62340000转7730 0755-2234-0284", "项目编号：ZFCG-2025-8667 0371-6852-9727",
    "2026.7.1-2026.9.30", "20260701-20260930", "2026年7月1日至2026年9月30日",
])
def test_figures_that_are_not_personal_numbers_are_left_alone(text: str) -> None:
    assert find_personal_numbers(text) == [], text
    assert redact_text(text) == text


def test_a_document_number_is_known_by_the_field_it_is_in() -> None:
    voucher = Field("voucher", "凭证号", Kind.TEXT, max_length=20)
    assert voucher.check("202607150001") == "202607150001"
    assert find_personal_numbers("202607150001")  # without the label a 12-digit run may be an account
    with pytest.raises(FieldError, match="手机号"):
        voucher.check("13812345678")


FALSE_ALARM_LINES = 2000


@pytest.mark.parametrize("kind", [*KINDS, None])
def test_realistic_figures_raise_almost_no_false_alarms(kind: str | None) -> None:
    """Lines of amounts, dates, 发票代码/号码, landlines, 凭证号, 信用代码 and counts, as figures are
    written in summaries and notices (benchmarks/bench_false_alarms.py prints the rates)."""
    import random

    rng = random.Random(f"{kind}-12")
    alarms = [line for line in (realistic_line(rng, kind) for _ in range(FALSE_ALARM_LINES))
              if find_personal_numbers(line)]
    assert len(alarms) <= FALSE_ALARM_LINES * 0.002, alarms[:5]


@settings(max_examples=200, deadline=None)
@given(st.lists(names, min_size=1, max_size=6), st.data())
def test_a_listed_name_is_masked_in_free_text_however_it_is_spaced(listed: list[str], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(listed))
    run = data.draw(st.sampled_from(["", "\u3000", " ", "\u202f", "\n", "  "]))
    text = data.draw(words) + spread(name, run) + data.draw(words)
    masked = ListedNames(listed).mask(text)
    # The mask's own * is kept: 张金 before a 金 is 张*金, which is masked, though squeezing every
    # separator (* among them) out of it would read 张金 again.
    assert name not in "".join(c for c in masked if c == "*" or not is_separator(c)) or len(name) < 2
    assert mask_name(name) in masked


def test_names_mask_as_the_list_shows_them() -> None:
    listed = ListedNames(["林大田", "王五", "欧阳娜娜", "李"])
    masked = listed.mask("更正原因：林　大田户漏报，王五、欧阳 娜娜迁出；李家")
    assert masked == "更正原因：林*田户漏报，王*、欧**娜迁出；李家"
    assert ListedNames().mask("林大田") == "林大田"
    # An invisible filler or variation mark inside the name prints as a gap: 段 小红 is 段小红.
    assert listed.mask("林\u3164大田、林\ufe00大田、林\u2800大田") == "林*田、林*田、林*田"
    assert redact_text("林大田 138 1234 5678", names=listed) == "林*田 138****5678"


@given(written("13812345678", (3, 4, 4)))
def test_generated_writings_are_the_number(shown: str) -> None:
    assert digits_of(shown) == "13812345678"


# The 身份证号 check as it was written first (NFKC of every number, the weights summed digit by
# digit): the reference the faster one must equal on every text.
def _reference_check_id(text: str, today: date) -> str:
    import unicodedata

    number = unicodedata.normalize("NFKC", text).strip().replace(" ", "").upper()
    if len(number) == 15 and number.isdigit():
        raise IdentityError("15 位旧身份证号已停用，请填写 18 位号码")
    if len(number) != 18:
        raise IdentityError(f"身份证号应为 18 位，这里是 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityError("身份证号前 17 位须为数字，末位为数字或 X")
    if number[0] not in "12345678":
        raise IdentityError(f"身份证号的地区码 {number[:6]} 不存在")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(f"身份证号中的出生日期 {number[6:14]} 不是有效日期") from None
    if born > today or born.year < 1880:
        raise IdentityError(f"身份证号中的出生日期 {born:%Y-%m-%d} 不合理")
    total = sum(int(d) * w for d, w in zip(number[:17], (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2),
                                           strict=True))
    expected = "10X98765432"[total % 11]
    if number[17] != expected:
        raise IdentityError(f"身份证号校验码错误（末位应为 {expected}，填的是 {number[17]}），请核对是否抄错")
    return number


def _id_outcome(check: Any, text: str) -> tuple[str, str]:
    try:
        return ("ok", check(text))
    except IdentityError as exc:
        return ("error", str(exc))


def _with_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return first17 + "10X98765432"[total % 11]


_DIGITS_OF_EVERY_SCRIPT = st.characters(categories=["Nd"])  # ASCII, full-width, Arabic-Indic, Devanagari …


@settings(max_examples=600)
@given(st.one_of(
    st.text(alphabet="0123456789Xx ", min_size=14, max_size=20),
    st.from_regex(r"[1-8][0-9]{5}(19[0-9]{2}|20[0-2][0-9])(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}", fullmatch=True)
    .map(_with_check_char),
    st.text(alphabet=st.one_of(_DIGITS_OF_EVERY_SCRIPT, st.sampled_from("Xx０１２３４５６７８９ \u3000")),
            min_size=15, max_size=19),
    st.text(max_size=20)))
def test_the_id_check_is_the_reference_check_on_every_text(text: str) -> None:
    """`check_id` (its ASCII shortcuts: no NFKC for ASCII, the weights over the number's bytes)
    gives every text the value or the words the reference check gives: digits of every script,
    full-width, spaces, a lowercase x, and any other text."""
    today = date(2026, 7, 1)
    assert _id_outcome(lambda t: check_id(t, today=today), text) == _id_outcome(
        lambda t: _reference_check_id(t, today), text)
