"""Money is exact: integer 分 in, the same 分 out, and 大写 as accountants write it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zwgk_desktop.domain.money import MAX_FEN, MoneyError, capitals, format_fen, parse_fen


@pytest.mark.parametrize(("fen", "expected"), [
    (0, "零元整"),
    (5, "伍分"),
    (50, "伍角整"),
    (55, "伍角伍分"),
    (105, "壹元零伍分"),
    (1000, "壹拾元整"),
    (1050, "壹拾元伍角整"),
    (1234500, "壹万贰仟叁佰肆拾伍元整"),
    (1000500, "壹万零伍元整"),
    (10050000, "壹拾万零伍佰元整"),
    (1001000000, "壹仟零壹万元整"),
    (10000000100, "壹亿零壹元整"),
    (100000000000, "壹拾亿元整"),
    (-150, "负壹元伍角整"),
])
def test_capitals(fen: int, expected: str) -> None:
    assert capitals(fen) == expected


@pytest.mark.parametrize(("text", "fen"), [
    ("1,234.5", 123450), ("￥1234.50元", 123450), ("１２３", 12300), (" 12 ", 1200), (0.1, 10),
    (1234.56, 123456), (7, 700), ("RMB 3.2", 320), (".5", 50),
])
def test_parse_what_clerks_type(text: object, fen: int) -> None:
    assert parse_fen(text) == fen


@pytest.mark.parametrize(("text", "reason"), [
    ("12.345", "两位小数"), ("-5", "负数"), ("abc", "不是数字"), ("", "为空"), ("1.2.3", "不是数字"),
    (float("nan"), "有限"), (True, "不是金额"), ("99999999999999", "不合理"),
])
def test_parse_refuses_with_reason(text: object, reason: str) -> None:
    with pytest.raises(MoneyError, match=reason):
        parse_fen(text)


def test_negative_allowed_when_asked() -> None:
    assert parse_fen("-5", allow_negative=True) == -500


@given(st.integers(min_value=-(MAX_FEN - 1), max_value=MAX_FEN - 1))
def test_format_and_parse_round_trip(fen: int) -> None:
    assert parse_fen(format_fen(fen), allow_negative=True) == fen


@given(st.integers(min_value=0, max_value=MAX_FEN - 1))
def test_capitals_well_formed(fen: int) -> None:
    text = capitals(fen)
    assert "零零" not in text
    assert text.endswith(("整", "分"))
    assert not text.startswith("零") or fen == 0
