"""Which characters a sheet can print: those the bundled fonts have a glyph for.

A character no bundled font has (an ideograph of Extension C and beyond, an emoji, a code point
not yet assigned) would print as a blank or a box on a sealed sheet while the archive holds the
name; so it is refused where it is typed or imported, naming the character, its U+ code and
where it is. Every entry path calls `check` (fields through `Field.check`, names of the place and
people, the CLI's texts, layouts' texts, correction reasons). The table is generated from the
fonts (`glyph_table.py`: a character counts only where its font's glyph has ink, not merely a cmap
entry), so this needs neither reportlab nor the fonts themselves. `message` says what a refused
character is in words a clerk can act on: a radical with the standard character to use, an
invisible character or variation selector with where it stands, a private-use character as such.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from zwgk_desktop.domain.glyph_table import RANGES

# White space is laid out, not drawn: a sheet sets each kind (a narrow no-break space from a
# copied web page, an ideographic space) as a space. Python's `str.isspace` characters.
# The line and paragraph separators (U+2028/2029, from a copied web page or Word) are not among
# them: they show nothing where they are, and a sheet cannot tell which line they meant.
_LAID_OUT = ("\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
             "\u2007\u2008\u2009\u200a\u202f\u205f\u3000")


class Unprintable(ValueError):
    """Text holding a character no bundled font can print; the message names it in words."""


@cache
def _unprintable() -> re.Pattern[str]:
    # One character class of everything printable, negated: a regular expression tests a cell of
    # a 10,000-row list at C speed; the class has only 200 ranges.
    spans = "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in RANGES)
    return re.compile(f"[^{re.escape(_LAID_OUT)}{spans}]")


_search: Callable[[str], re.Match[str] | None] | None = None


def fits(text: str) -> bool:
    """Whether every character of `text` prints: the check every cell of an import passes (one
    call and one scan, 0.1 µs for a name)."""
    global _search
    if _search is None:
        _search = _unprintable().search
    return _search(text) is None


def printable(char: str) -> bool:
    """Whether a bundled font has a glyph for `char` (one character)."""
    return char in _LAID_OUT or _unprintable().match(char) is None


def unprintable(text: str) -> list[str]:
    """The characters of `text` no bundled font has, each once, in order of appearance."""
    if fits(text):  # nearly every text: one pass, no list made
        return []
    return list(dict.fromkeys(_unprintable().findall(text)))


def describe(char: str) -> str:
    """A character as a clerk can find it: “𪜀”（U+2A700，CJK 统一汉字扩展 C 区）."""
    code = ord(char)
    block = _block(code)
    if _invisible(char) and not (block and unicodedata.category(char) == "Cn"):  # nothing to show
        return f"U+{code:04X}（{block}）" if block else f"U+{code:04X}"
    return f"“{char}”（U+{code:04X}，{block}）" if block else f"“{char}”（U+{code:04X}）"


def _invisible(char: str) -> bool:
    return (unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Mn", "Me")
            or char == "\u3164")  # the Hangul filler: a letter that is blank by design


def _where(text: str, index: int) -> str:
    """Where the character at `index` is, by the visible character before it: 在“张”之后."""
    before = next((char for char in reversed(text[:index]) if not _invisible(char) and not char.isspace()), "")
    return f"在“{before}”之后" if before else "在开头"


def _radical(char: str) -> bool:
    return 0x2E80 <= ord(char) <= 0x2FDF  # CJK Radicals Supplement and Kangxi Radicals


def _private(char: str) -> bool:
    return unicodedata.category(char) == "Co"


def _selector(char: str) -> bool:
    return 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def _mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me") and not _selector(char)


def _said(text: str, char: str) -> str:
    """Why `char` (refused) cannot stand in `text`, in words a clerk can act on."""
    if _radical(char):
        standard = unicodedata.normalize("NFKC", char)
        if standard != char and fits(standard):
            return f"“{char}”是部首“{standard}”（U+{ord(char):04X}，常从公文 PDF 复制而来），请改用“{standard}”"
        return f"“{char}”（U+{ord(char):04X}）是部首，不是字，请改用对应的规范字"
    if _private(char):
        places = "、".join(dict.fromkeys(_where(text, at) for at, found in enumerate(text) if found == char))
        return (f"U+{ord(char):04X}（{places}）是私用区（各单位自造的字）里的字，别的电脑和公开栏上都印不出："
                "请改用规范字，或写作拆字（如“火+华”）、在括号里注上拼音")
    places = "、".join(dict.fromkeys(_where(text, at) for at, found in enumerate(text) if found == char))
    if _selector(char):
        return f"不可见的异体字选择符 U+{ord(char):04X}（{places}）：公开栏只印规范字形，请删去它"
    if _mark(char):
        if text and text[0] == char:
            return f"文字以单独的附加符号 U+{ord(char):04X}（{unicodedata.name(char, '')}）开头，请删去它"
        word = next(w for w in text.split() if char in w)
        composed = unicodedata.normalize("NFC", word)
        if char not in composed and fits(composed):
            return (f"单独的声调或附加符号 U+{ord(char):04X}（{places}）公开栏上印不到字母上，"
                    f"请改用合成的字母：“{composed}”")
        return f"单独的附加符号 U+{ord(char):04X}（{places}）公开栏上印不到字母上，请改用合成的字母或删去它"
    if _invisible(char) and unicodedata.category(char) != "Cn":
        return f"不可见的字符 U+{ord(char):04X}（{places}），公开栏上什么也不印，请删去它"
    return ""


def message(text: str) -> str | None:
    """Why `text` cannot be printed, in words, or None when it can: each refused character of a
    kind a clerk can act on (a radical, a private-use character, an invisible one, a loose mark)
    said for what it is and where it is; the rest named as characters no font has."""
    bad = unprintable(text)
    if not bad:
        return None
    said = [phrase for phrase in (_said(text, char) for char in bad) if phrase]
    lacking = [char for char in bad if not _said(text, char)]
    if lacking:
        shown = "、".join(describe(char) for char in lacking[:5]) + ("等" if len(lacking) > 5 else "")
        said.append(f"含有字体里没有的字 {shown}，公开栏上会印成空白：请换一种写法（例如规范字，"
                    "或在括号里注上拼音）后再填")
    return "；".join(said)


def check(text: str, where: str = "") -> str:
    """`text` unchanged when every character prints; else Unprintable naming each and `where`."""
    why = message(text)
    if why is not None:
        raise Unprintable(f"{where}：{why}" if where else why)
    return text


# Blocks a refused character most often comes from, to tell a clerk what kind of character it is.
_BLOCKS = (
    (0x2A700, 0x2B73F, "CJK 统一汉字扩展 C 区"), (0x2B740, 0x2B81F, "CJK 统一汉字扩展 D 区"),
    (0x2B820, 0x2CEAF, "CJK 统一汉字扩展 E 区"), (0x2CEB0, 0x2EBEF, "CJK 统一汉字扩展 F 区"),
    (0x2EBF0, 0x2EE5F, "CJK 统一汉字扩展 I 区"), (0x30000, 0x3134F, "CJK 统一汉字扩展 G 区"),
    (0x31350, 0x323AF, "CJK 统一汉字扩展 H 区"), (0x20000, 0x2A6DF, "CJK 统一汉字扩展 B 区"),
    (0x3400, 0x4DBF, "CJK 统一汉字扩展 A 区"), (0x4E00, 0x9FFF, "CJK 统一汉字"),
    (0x1F000, 0x1FAFF, "表情符号或图形符号"), (0xE000, 0xF8FF, "私用区，各单位自造的字"),
    (0xF0000, 0x10FFFF, "私用区，各单位自造的字"),
    # Blocks Python 3.11's Unicode 14 database does not know yet, so a character of them is
    # named for its block rather than called unassigned.
    (0x2FF0, 0x2FFF, "汉字结构描述符"), (0x31C0, 0x31EF, "CJK 笔画"),
)


def _block(code: int) -> str:
    for first, last, name in _BLOCKS:
        if first <= code <= last:
            return name
    return "" if unicodedata.category(chr(code)) != "Cn" else "尚未分配的编码"
