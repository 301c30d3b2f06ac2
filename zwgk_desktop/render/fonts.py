"""The bundled CJK font (文泉驿微米黑, TrueType outlines) registered with reportlab.

The app never relies on fonts installed on the machine: an old office PC may have none that
cover Chinese. reportlab embeds only the glyphs a document uses (a subset), which keeps a sheet
small. A character the font lacks is drawn as □ (`drawable`), never with the font's .notdef glyph.
"""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from zwgk_desktop.paths import font_file

FONT_NAME = "ZwgkCJK"
# What Chinese printing sets for a character it has no type for (缺字符); the clerk writes it in.
MISSING = "□"


@cache
def register() -> str:
    """Register the font once per process and return its reportlab name."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_file()), subfontIndex=0))
    return FONT_NAME


# Widths measured so far: a list repeats its names, groups and amounts, and laying it out measures
# each cell's text (and each line's, as it wraps). Forgotten when it grows large (a process that
# renders all day: the preview's).
_widths: dict[tuple[str, float], float] = {}
_WIDTHS_KEPT = 400_000


def text_width(text: str, size: float) -> float:
    """Width of `text` in points at `size`, as drawn (`drawable`)."""
    key = (text, size)
    width = _widths.get(key)
    if width is None:
        if len(_widths) >= _WIDTHS_KEPT:
            _widths.clear()
        width = _widths[key] = float(pdfmetrics.stringWidth(drawable(text), register(), size))
    return width


@cache
def _drawn() -> frozenset[str]:
    """The characters the font has a glyph for, but control characters: the font maps U+0000 and
    a carriage return to its invisible .null and return glyphs, whose text is no text."""
    register()
    face = pdfmetrics.getFont(FONT_NAME).face
    return frozenset(chr(code) for code, glyph in face.charToGlyph.items()
                     if glyph and not (code < 0x20 or 0x7F <= code < 0xA0))


def drawable(text: str) -> str:
    """`text` as a sheet draws it: each character the font lacks as □ (white space as a space).

    reportlab would draw such a character with the font's .notdef glyph, which PDF/A-2 forbids
    (ISO 19005-2 6.2.11.8) and which prints as a blank nobody notices. One character for one, so
    lines wrap where they were measured.
    """
    drawn = _drawn()
    if drawn.issuperset(text):
        return text
    return "".join(ch if ch in drawn else " " if ch.isspace() else MISSING for ch in text)


def missing_glyphs(text: str) -> set[str]:
    """Characters the font cannot draw (rare 生僻字 in names): they print as □."""
    drawn = _drawn()
    return {ch for ch in set(text) if not ch.isspace() and ch not in drawn}
