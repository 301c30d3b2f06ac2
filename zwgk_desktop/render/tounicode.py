"""A correct text layer (ToUnicode) for characters beyond the Basic Multilingual Plane.

reportlab (4.x, `ttfonts.makeToUnicodeCMap`) writes each character of a font subset's text
layer as `<%04X>` of its code point: 𠮷 U+20BB7 becomes the five digits <20BB7>, which a reader
takes as the bytes 20 BB 7x, i.e. another character, so `pdftotext`, copy and search, and the
archive's text of the sealed sheet lose every Extension B name. A ToUnicode CMap holds UTF-16BE
(PDF 32000-1 9.10.3), so a character beyond U+FFFF is its surrogate pair: <20BB7> → <D842DFB7>.
This module replaces that one function with one that writes it so, and splits the entries into
blocks of at most 100, the most a `beginbfchar` may hold (Adobe Technical Note #5014, and
veraPDF checks it); everything else is reportlab's text, unchanged. `install` is called when
the fonts are registered; it is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.pdfbase import ttfonts

_BLOCK = 100  # entries per beginbfchar … endbfchar


def utf16_hex(code: int) -> str:
    """A code point as the UTF-16BE hex a ToUnicode entry holds: 4 digits, or 8 (a surrogate pair)."""
    if code < 0x10000:
        return f"{code:04X}"
    code -= 0x10000
    return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"


def to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's `makeToUnicodeCMap` with correct entries beyond U+FFFF (see the module's text)."""
    entries = [f"<{index:02X}> <{utf16_hex(code)}>" for index, code in enumerate(subset)]
    blocks = []
    for start in range(0, len(entries), _BLOCK):
        chunk = entries[start:start + _BLOCK]
        blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        *blocks,
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


def install() -> None:
    """Make reportlab write `to_unicode_cmap` for every TrueType subset from now on.

    `TTFont.addObjects` looks the function up in its module when a document is saved, so
    replacing the module's name is enough (no subclass of reportlab's fonts to keep in step)."""
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
