"""The bundled CJK font (文泉驿微米黑, TrueType outlines) registered with reportlab.

The app never relies on fonts installed on the machine: an old office PC may have none that
cover Chinese. reportlab embeds only the glyphs a document uses (a subset), which keeps a sheet
small.
"""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from zwgk_desktop.paths import font_file

FONT_NAME = "ZwgkCJK"


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
    """Width of `text` in points at `size`."""
    key = (text, size)
    width = _widths.get(key)
    if width is None:
        if len(_widths) >= _WIDTHS_KEPT:
            _widths.clear()
        width = _widths[key] = float(pdfmetrics.stringWidth(text, register(), size))
    return width


def missing_glyphs(text: str) -> set[str]:
    """Characters the font cannot draw (rare 生僻字 in names): they would print as blanks."""
    register()
    face = pdfmetrics.getFont(FONT_NAME).face
    return {ch for ch in set(text) if not ch.isspace() and ord(ch) not in face.charToGlyph}
