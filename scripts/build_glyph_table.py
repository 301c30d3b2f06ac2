"""Write `zwgk_desktop/domain/glyph_table.py`: the characters the bundled fonts can print, and which
font draws each.

For the IT person who changes a bundled font (run it after `build_fallback_font.py` and
`build_symbol_font.py`); the app never runs it. The domain checks every text a clerk types or
imports against this table (`domain/glyphs.py`) and the sheet picks each character's font from it
(`render/fonts.py`), without loading the fonts (25 MB) or fontTools to do so;
`tests/test_glyphs.py` fails when the table and the fonts disagree.

A font's cmap is not proof that it draws a character: 文泉驿微米黑 maps ǎ ǐ ǒ ǔ, ℃, Ⅴ and a few
more to glyphs with no outlines, and its ǖ is only the macron. So a character counts as drawn by a
font only when that glyph has ink (`draws`): outlines (its own contours or its components'), and,
for a letter with marks (ǖ = u + ¨ + ¯), ink down to where its base letter's is.

    .venv/bin/pip install fonttools   # only here and in the tests, not in the app
    .venv/bin/python scripts/build_glyph_table.py
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "assets" / "fonts"
OUT = ROOT / "zwgk_desktop" / "domain" / "glyph_table.py"
# In the order a sheet tries them (render/fonts.py): the main font, then the sans for the Latin
# letters and symbols it lacks or draws empty, then the ideographs' fallback.
FILES = ("wqy-microhei.ttc", "zwgk-fallback-sans.ttf", "zwgk-fallback.ttf")


@cache
def _font(name: str) -> TTFont:
    return TTFont(str(FONTS / name), fontNumber=0, lazy=True)


def _bounds(font: TTFont, glyph: str) -> tuple[float, float, float, float] | None:
    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[glyph].draw(pen)
    return pen.bounds  # type: ignore[no-any-return]


def _inked(font: TTFont, glyph: str) -> bool:
    """Whether `glyph` has outlines: contours of its own, or a component that has (glyf's
    numberOfContours is -1 for a glyph made of others, 0 for an empty one)."""
    found = _ink_found.setdefault(id(font), {})
    if glyph not in found:
        shape = font["glyf"][glyph]
        found[glyph] = shape.numberOfContours > 0 or (
            shape.isComposite() and any(_inked(font, part.glyphName) for part in shape.components))
    return found[glyph]


_ink_found: dict[int, dict[str, bool]] = {}


def draws(font: TTFont, code: int) -> bool:
    """Whether `font` puts ink where `code` is: its glyph has outlines and, for a character made
    of a letter and marks, reaches down to that letter's lower half (ǖ's glyph in 文泉驿微米黑 is
    a macron alone). White space is laid out, not drawn: drawn when mapped."""
    char = chr(code)
    glyph = font.getBestCmap().get(code)
    if glyph is None or glyph == ".notdef" or unicodedata.category(char)[0] in "CM" or char in "\u2028\u2029":
        # Format characters (soft hyphen, zero-width space, BOM…) print nothing; combining marks
        # would be set beside their letter, not over it (reportlab places one glyph after another):
        # the entry check asks for the composed letter instead (ǎ, not a + ̌). The line and
        # paragraph separators show nothing where they stand (domain/glyphs.py).
        return False
    if char.isspace():
        return True
    if not _inked(font, glyph):
        return False
    parts = unicodedata.normalize("NFD", char)
    if len(parts) > 1 and unicodedata.category(parts[0]).startswith("L"):
        base = font.getBestCmap().get(ord(parts[0]))
        box, base_box = _bounds(font, glyph), _bounds(font, base) if base else None
        if box is not None and base_box is not None and box[1] > (base_box[1] + base_box[3]) / 2:
            return False
    return True


def drawn_codes(name: str) -> set[int]:
    """Every code point the font `name` draws (`draws`), but control characters (the main font
    maps U+0000 and a carriage return to invisible glyphs)."""
    font = _font(name)
    return {code for code in font.getBestCmap()
            if not (code < 0x20 or 0x7F <= code < 0xA0) and draws(font, code)}


def tables() -> dict[str, list[int]]:
    """Each font's characters, each character in the first font of `FILES` that draws it."""
    taken: set[int] = set()
    found: dict[str, list[int]] = {}
    for name in FILES:
        codes = drawn_codes(name) - taken
        found[name] = sorted(codes)
        taken |= codes
    return found


def printable_codes() -> list[int]:
    """Every code point one of the bundled fonts draws."""
    return sorted(code for codes in tables().values() for code in codes)


def ranges(codes: list[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for code in codes:
        if found and found[-1][1] == code - 1:
            found[-1] = (found[-1][0], code)
        else:
            found.append((code, code))
    return found


def _table(name: str, spans: list[tuple[int, int]]) -> list[str]:
    lines = [f"{name}: tuple[tuple[int, int], ...] = ("]
    row: list[str] = []
    for first, last in spans:
        row.append(f"(0x{first:X}, 0x{last:X}),")
        if len(row) == 6:
            lines.append("    " + " ".join(row))
            row = []
    if row:
        lines.append("    " + " ".join(row))
    return [*lines, ")"]


def main() -> None:
    by_font = tables()
    spans = ranges(sorted(code for codes in by_font.values() for code in codes))
    lines = ['"""Code points the bundled fonts can print, as (first, last) ranges: `RANGES` all of them,',
             "`MAIN` those 文泉驿微米黑 draws, `SANS` those Zwgk Fallback Sans draws (the rest of `RANGES`",
             "is Zwgk Fallback Han's). Generated by scripts/build_glyph_table.py from assets/fonts: do not",
             'edit by hand.', '"""', ""]
    lines += [*_table("RANGES", spans), "", *_table("MAIN", ranges(by_font[FILES[0]])), "",
              *_table("SANS", ranges(by_font[FILES[1]]))]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(spans)} ranges, {sum(b - a + 1 for a, b in spans)} characters "
          + ", ".join(f"{name} {len(codes)}" for name, codes in by_font.items()))


if __name__ == "__main__":
    main()
