"""What the entry check says about characters a clerk meets in copied text (issue 15, fixc 3–5),
over whole Unicode blocks and categories: a radical is named with the standard character to use,
a variation selector as an invisible 异体字选择符 after its character, a private-use character as
私用区 with another way of writing it, every invisible character of a text with where it is; a
loose combining mark is composed into its letter or refused; compatibility ideographs are kept as
written; blocks this Python's Unicode database lacks are named from our own table.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest
from factories import Q3
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from zwgk_desktop.domain import glyphs
from zwgk_desktop.domain.fields import Field, FieldError, Kind
from zwgk_desktop.io.importer import plan_import

NAME = Field("name", "姓名", Kind.NAME)
TEXT = Field("text", "内容", Kind.LONGTEXT, max_length=500)
EVERY = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]


def refusal(field: Field, text: str) -> str:
    with pytest.raises(FieldError) as refused:
        field.parse(text)
    return str(refused.value)


@pytest.mark.parametrize("low, high", [(0x2F00, 0x2FD5), (0x2E80, 0x2EFF)])
def test_a_radical_is_named_with_the_standard_character(low: int, high: int) -> None:
    for code in range(low, high + 1):
        char = chr(code)
        if unicodedata.category(char) == "Cn":
            continue
        said = refusal(NAME, f"王{char}")
        assert f"“{char}”" in said and "部首" in said, said
        standard = unicodedata.normalize("NFKC", char)
        if standard != char:
            assert f"请改用“{standard}”" in said, said


def test_a_variation_selector_is_an_invisible_selector_after_its_character() -> None:
    for code in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]:
        said = refusal(NAME, f"葛{chr(code)}明")
        assert f"U+{code:04X}" in said and "异体字选择符" in said and "在“葛”之后" in said, said
        assert "“”" not in said


@given(st.one_of(st.integers(0xE000, 0xF8FF), st.integers(0xF0000, 0xFFFFD), st.integers(0x100000, 0x10FFFD)))
def test_a_private_use_character_is_said_to_be_one_with_another_way_to_write_it(code: int) -> None:
    said = refusal(NAME, f"王{chr(code)}明")
    assert f"U+{code:04X}" in said and "私用区（各单位自造的字）" in said and "拼音" in said, said
    assert "删除" not in said and "“”" not in said


INVISIBLE = [char for char in EVERY if unicodedata.category(char) in ("Cf", "Zl", "Zp")] + ["\u3164"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_every_invisible_character_is_named_with_where_it_is(char: str) -> None:
    said = refusal(TEXT, f"张{char}三，李{char}四\u200b")
    assert f"U+{ord(char):04X}" in said, said
    assert "在“张”之后" in said and "在“李”之后" in said, said
    assert "U+200B" in said  # every invisible character of the text, not only the first
    assert not glyphs.printable(char)


MARKS = [char for char in EVERY if unicodedata.category(char) in ("Mn", "Me")
         and not (0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF)]


def test_a_text_beginning_with_a_combining_mark_is_refused() -> None:
    for mark in MARKS:
        said = refusal(NAME, f"{mark}王")
        assert f"U+{ord(unicodedata.normalize('NFC', mark)[0]):04X}" in said, said  # U+0340 is U+0300


@given(st.sampled_from("aeiouvnmAEIOUzhc"), st.sampled_from(MARKS))
def test_a_combining_mark_is_composed_into_its_letter_or_refused_in_words(letter: str, mark: str) -> None:
    """One rule: a letter and mark Unicode composes (a + ̌ → ǎ) is kept as the composed letter,
    which the fonts draw; any other loose mark is refused, since a sheet sets it beside its letter."""
    try:
        kept = NAME.parse(f"Li {letter}{mark}")
    except FieldError as refused:
        # The mark named is one left loose once the letter and mark are composed (U+0344 is
        # U+0308 U+0301: a + U+0344 composes into ä and leaves U+0301).
        loose = [c for c in unicodedata.normalize("NFC", f"{letter}{mark}") if unicodedata.category(c).startswith("M")]
        assert any(f"U+{ord(c):04X}" in str(refused) for c in loose), (str(refused), loose)
    else:
        assert kept == unicodedata.normalize("NFC", f"Li {letter}{mark}") and mark not in kept
        assert glyphs.fits(kept)


COMPATIBILITY = [char for char in EVERY if 0xF900 <= ord(char) <= 0xFAFF or 0x2F800 <= ord(char) <= 0x2FA1F]


def test_compatibility_ideographs_are_kept_as_written() -> None:
    kept = [char for char in COMPATIBILITY if unicodedata.category(char) != "Cn" and glyphs.printable(char)]
    assert len(kept) > 900
    for char in kept:
        assert NAME.parse(f"王{char}") == f"王{char}", f"U+{ord(char):04X}"
        assert TEXT.parse(f"a\u0301{char}") == f"á{char}"  # the rest still composed


@pytest.mark.parametrize("code, block", [(0x31350, "扩展 H 区"), (0x2EBF0, "扩展 I 区"), (0x2FFC, "汉字结构描述符")])
def test_a_block_this_python_does_not_know_is_named(code: int, block: str) -> None:
    said = refusal(NAME, f"王{chr(code)}")
    assert f"“{chr(code)}”（U+{code:04X}" in said and block in said and "尚未分配" not in said, said


def test_import_keeps_a_compatibility_ideograph_as_the_editor_shows_it(tmp_path: Path) -> None:
    """An .xlsx cell holding U+F900 豈 and U+2F800 丽 is imported as written (it was U+8C48
    before), as the editor keeps it on saving (`Field.parse`, the one check both use)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["投标单位", "投标报价", "排名"])
    sheet.append(["\uf900\U0002f800建筑公司", 460000, 1])
    sheet.append(["Lu\u030c Wei 工作室", 470000, 2])  # a loose tone mark: composed, as before
    path = tmp_path / "投标.xlsx"
    book.save(path)
    plan = plan_import(path, "bids", Q3)
    assert plan.ok, plan.errors
    assert [row["bidder"] for row in plan.item.rows] == ["\uf900\U0002f800建筑公司", "Lǔ Wei 工作室"]
    assert NAME.parse("\uf900\U0002f800建筑公司") == "\uf900\U0002f800建筑公司"
