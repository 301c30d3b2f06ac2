"""One field's value, as a clerk types it into a cell or a spreadsheet holds it: read, checked and
told in words, and kept as JSON (domain/fields.py, a pure module held at 95 % coverage)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zwgk_desktop.domain import money
from zwgk_desktop.domain.fields import Field, FieldError, Kind, clean_text, parse_count, parse_date


def refused(field: Field, value: object, words: str, *, typed: bool = False) -> None:
    with pytest.raises(FieldError, match=words):
        field.parse(value) if typed else field.check(value)


def test_a_personal_number_field_cannot_be_made_public() -> None:
    for kind in (Kind.ID_NUMBER, Kind.MOBILE, Kind.ACCOUNT):
        with pytest.raises(ValueError, match="cannot be public"):
            Field("x", "x", kind)
        assert Field("x", "x", kind, public=False).public is False


def test_an_optional_field_left_empty_is_nothing_and_a_required_one_says_so() -> None:
    optional = Field("note", "备注", Kind.TEXT, required=False)
    for empty in (None, "", "   "):
        assert optional.parse(empty) is None
    assert optional.check(None) is None
    required = Field("name", "姓名", Kind.NAME)
    for empty in (None, "  "):
        refused(required, empty, "必填", typed=True)
    refused(required, None, "必填")
    refused(required, "\u3000 ", "必填")  # only an ideographic space: nothing after cleaning


def test_money_is_whole_fen_within_reason() -> None:
    amount = Field("amount", "金额", Kind.MONEY)
    assert amount.parse("1,234.50") == 123_450
    assert amount.check(0) == 0
    refused(amount, 12.5, "以分为单位的整数")
    refused(amount, True, "以分为单位的整数")
    refused(amount, -100, "不能为负数")
    refused(amount, money.MAX_FEN, "大得不合理")
    refused(amount, "abc", "abc", typed=True)
    refused(amount, "abc", "abc")  # a draft keeps what was typed; the check tells what is wrong with it
    assert amount.to_text(123_450) == "1234.50" and amount.to_text(None) == ""


def test_dates_are_real_days_in_a_plausible_year() -> None:
    day = Field("day", "日期", Kind.DATE)
    assert day.parse("2026年7月1日") == day.parse("20260701") == day.parse(datetime(2026, 7, 1, 9)) == date(2026, 7, 1)
    assert day.check(datetime(2026, 7, 1, 9, 30)) == date(2026, 7, 1)
    refused(day, 20260701, "不是日期")
    refused(day, date(1900, 1, 1), "不合理")
    refused(day, "2026-13-01", "不是有效日期", typed=True)
    refused(day, "明天", "不是日期", typed=True)
    assert day.to_text(date(2026, 7, 1)) == "2026-07-01"
    assert day.to_json(date(2026, 7, 1)) == "2026-07-01" and day.from_json("2026-07-01") == date(2026, 7, 1)
    assert day.from_json("2026-13-01") == "2026-13-01"  # kept as it was, for check() to tell in words
    refused(day, day.from_json("2026-13-01"), "不是有效日期")


def test_counts_are_whole_numbers_from_their_minimum() -> None:
    size = Field("size", "人口", Kind.COUNT, minimum=1)
    assert size.parse("3人") == size.parse(3.0) == size.parse(3) == 3
    refused(size, True, "必须是整数")
    refused(size, True, "必须是整数", typed=True)
    refused(size, 0, "不能小于 1")
    refused(size, 1_000_001, "大得不合理")
    refused(size, "三", "不是整数", typed=True)


def test_text_is_text_short_enough_without_personal_numbers() -> None:
    title = Field("title", "标题", Kind.TEXT, max_length=5)
    assert title.check("  村务  公开 ") == "村务 公开"
    refused(title, 12, "必须是文字")
    refused(title, "一二三四五六", "太长：最多 5 个字")
    refused(Field("t", "摘要", Kind.TEXT), "联系13912345678", "含有")
    assert Field("c", "联系方式", Kind.CONTACT).check("13912345678") == "13912345678"
    refused(Field("n", "户主", Kind.NAME), "张三12345", "长串数字")
    kind = Field("kind", "类别", Kind.CHOICE, choices=("农村低保", "特困供养"))
    assert kind.check("特困供养") == "特困供养"
    refused(kind, "五保", "不在可选项中（农村低保、特困供养）")


def test_a_spreadsheet_number_in_a_digits_field_keeps_its_digits() -> None:
    account = Field("account", "账号", Kind.ACCOUNT, public=False)
    assert account.parse(622212345678901.0) == "622212345678901"
    assert account.check("6222 1234-5678 901") == "622212345678901"
    refused(account, "12345", "12–25 位数字")
    refused(Field("id", "身份证号", Kind.ID_NUMBER, public=False), "410122199001011234", "身份证")
    refused(Field("m", "手机", Kind.MOBILE, public=False), "1391234", "手机")


def test_invisible_characters_are_refused_and_lines_kept_only_where_allowed() -> None:
    assert clean_text("甲\r\n乙  \r丙", multiline=True) == "甲\n乙\n丙"
    assert clean_text("甲\n乙\t丙") == "甲 乙 丙"
    for hidden in ("\u202e", "\u200b", "\x07", "\ue000"):
        with pytest.raises(FieldError, match=f"U\\+{ord(hidden):04X}"):
            clean_text(f"村务{hidden}公开")


@given(st.dates(min_value=date(1949, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["{:%Y-%m-%d}", "{:%Y/%m/%d}", "{:%Y.%m.%d}", "{:%Y%m%d}", "{d.year}年{d.month}月{d.day}日"]))
def test_every_way_a_clerk_writes_a_date_reads_as_that_date(day: date, spelling: str) -> None:
    typed = spelling.format(day, d=day)
    assert parse_date(typed) == parse_date(day) == day
    assert Field("d", "日期", Kind.DATE).parse(typed) == day


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_a_whole_number_reads_the_same_however_it_is_stored(number: int) -> None:
    assert parse_count(number) == parse_count(float(number)) == parse_count(f" {number} ") == number
    with pytest.raises(FieldError, match="不是整数"):
        parse_count(f"{number}.5")
