"""What a township may write in the texts of its formats and packs: the title pattern, headers,
labels, the footer note, signatures, a pack's name and version.

Every such text is printed on every village's sheets, so each one passes `text_problem` when a
format is loaded (`--layouts DIR`, an installed pack) and when a pack is exported or imported:
a sane length, no personal number (as in every public text), no control or invisible characters,
and braces only where the text is a template.
A template (the title pattern) may use only its own plain placeholders such as `{village}`:
`str.format` obeys a conversion (`!r`), a format spec (`:>100000000`, which pads every title to
a hundred million characters), an attribute (`.x`) or an index (`[0]`), so none is allowed.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Sequence

from zwgk_desktop.domain import glyphs
from zwgk_desktop.domain.identity import find_personal_numbers

# Lengths in characters. A title is one or two lines at 28 pt across an A3 sheet; a header or a
# label is a few words; the footer note is a paragraph.
NAME_LIMIT = 60  # a format's id and name, a pack's name and version
TEMPLATE_LIMIT = 200  # the title pattern
NOTE_LIMIT = 500  # the footer note
SHORT_LIMIT = 40  # headers, labels, signatures, the continued mark, field and format names
# A pack's name and version also make a folder's name and a line of pack.toml.
NAME_FORBIDDEN = "\"\\/"
_SEARCHED = 2 * NOTE_LIMIT


def excerpt(text: str, size: int = 40) -> str:
    """A text as a message may quote it: a hostile one can be a megabyte long."""
    return text if len(text) <= size else text[:size] + "…"


def text_problem(text: str, *, limit: int = SHORT_LIMIT, placeholders: Sequence[str] = (),
                 forbidden: str = "") -> str | None:
    """Why `text` cannot be one of a format's texts (in words), or None if it can.

    `placeholders` are the names the text may use as `{name}` if it is a template; a text that
    is not one is printed as written, so it may hold no braces at all."""
    # A personal number is said first: a number split by line breaks is a leak before it is a
    # control character, and a label holding one is too long only by the way. (A text past any
    # limit's size is plainly not a format's text, and is not searched.)
    for finding in find_personal_numbers(text) if len(text) <= _SEARCHED else ():
        return (f"含有{finding.label}“{excerpt(finding.text)}”：版式中的文字会印在每张公开栏海报和网上公开页上，"
                "不得写入个人证件号、手机号或账号（监督电话请在“设置”中填写）")
    if len(text) > limit:
        return f"太长：{len(text)} 个字，最多 {limit} 个"
    strange = next((c for c in text if unicodedata.category(c).startswith("C")), None)
    if strange is not None:
        return f"含有控制字符或不可见字符（U+{ord(strange):04X}），请删去"
    if (unprintable := glyphs.message(text)) is not None:  # every sheet would print it blank
        return unprintable
    bad = next((c for c in forbidden if c in text), None)
    if bad is not None:
        return f"不能含有“{bad}”"
    if not placeholders:
        if "{" in text or "}" in text:
            return "此处文字原样印出，不能含有花括号 { }（只有标题样式可用占位符）"
        return None
    return _template_problem(text, placeholders)


def _template_problem(text: str, placeholders: Sequence[str]) -> str | None:
    usable = "、".join("{" + name + "}" for name in placeholders)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return f"花括号不成对（占位符写成 {{village}} 这样；要印出花括号本身请写 {{{{ 或 }}}}）；可用：{usable}"
    for _, name, spec, conversion in parts:
        if name is None:  # literal text only
            continue
        shown = excerpt("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
        if conversion is not None:
            return f"占位符 {shown} 不能带转换（!{conversion}），只能写成 {{名称}}；可用：{usable}"
        if spec:
            return f"占位符 {shown} 不能带格式（冒号后的部分），只能写成 {{名称}}；可用：{usable}"
        if any(c in name for c in ".[]"):
            return f"占位符 {shown} 不能取属性或下标，只能写成 {{名称}}；可用：{usable}"
        if name not in placeholders:
            return f"不认识的占位符 {shown}；可用：{usable}"
    return None
