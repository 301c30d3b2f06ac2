"""The bundled fonts registered with reportlab: 文泉驿微米黑 and, per glyph, its fallback.

The app never relies on fonts installed on the machine: an old office PC may have none that
cover Chinese. 文泉驿微米黑 (a sans, TrueType outlines) draws nearly everything; the ideographs it
lacks (about 50,000: Extension A and B, where many 生僻字 of real names are, and a few of the
basic block) are drawn in Zwgk Fallback Han (`assets/fonts/zwgk-fallback.ttf`, trimmed from
花園明朝), and the Latin letters and symbols it lacks or maps to empty glyphs (pinyin's ǎ ǐ ǒ ǔ ǖ,
℃, Ⅴ…) in Zwgk Fallback Sans (`zwgk-fallback-sans.ttf`, trimmed from DejaVu Sans). Which font
draws a character is decided once, from the fonts' ink, by `scripts/build_glyph_table.py`
(`domain/glyph_table.py`): a cmap entry alone is not trusted. A line is split into runs of each
font (`runs`) that are drawn and measured one after the other, so wrapping and alignment stay
right. reportlab embeds only the glyphs a document uses (a subset) of each font, which keeps a
sheet small; a fallback is read only when a text needs it (the Han one is 25 MB, 0.3 s to
parse), so a list without such names costs nothing more.

A character no bundled font has is refused where it is typed or imported (`domain/glyphs.py`); should
one come through anyway (a stored item from before), it is drawn as □ (`drawable`), never with a
font's .notdef glyph.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from zwgk_desktop.domain import glyph_table, glyphs
from zwgk_desktop.paths import fallback_font_file, font_file, sans_font_file
from zwgk_desktop.render import tounicode

FONT_NAME = "ZwgkCJK"
FALLBACK_NAME = "ZwgkHan"
SANS_NAME = "ZwgkSans"
# What Chinese printing sets for a character it has no type for (缺字符); the clerk writes it in.
MISSING = "□"

Run = tuple[str, str]  # (reportlab font name, text drawn in it)


@cache
def register() -> str:
    """Register the main font once per process and return its reportlab name."""
    tounicode.install()  # before any document is saved with an Extension B character
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_file()), subfontIndex=0))
    return FONT_NAME


_fallback_lock = threading.Lock()
_registered: set[str] = set()


def _register_once(name: str, path: Path) -> str:
    """Register a fallback font (once, when a text first needs it) and return its name.

    Under a lock: two threads rendering at once (the app's workers) must not register two copies,
    since reportlab keeps each document's subsets on the font object it first drew with."""
    if name not in _registered:
        with _fallback_lock:
            if name not in _registered:
                register()
                pdfmetrics.registerFont(TTFont(name, str(path)))
                _registered.add(name)
    return name


def register_fallback() -> str:
    """Register the ideographs' fallback font (Zwgk Fallback Han) and return its name."""
    return _register_once(FALLBACK_NAME, fallback_font_file())


def register_sans() -> str:
    """Register the Latin letters' and symbols' fallback (Zwgk Fallback Sans) and return its name."""
    return _register_once(SANS_NAME, sans_font_file())


# Widths measured so far: a list repeats its names, groups and amounts, and laying it out measures
# each cell's text (and each line's, as it wraps). Forgotten when it grows large (a process that
# renders all day: the preview's).
_widths: dict[tuple[str, float], float] = {}
_WIDTHS_KEPT = 400_000


def text_width(text: str, size: float) -> float:
    """Width of `text` in points at `size`, as drawn: each run in its font (`runs`)."""
    key = (text, size)
    width = _widths.get(key)
    if width is None:
        if len(_widths) >= _WIDTHS_KEPT:
            _widths.clear()
        width = _widths[key] = float(sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in runs(text)))
    return width


def _chars(spans: tuple[tuple[int, int], ...]) -> frozenset[str]:
    return frozenset(chr(code) for first, last in spans for code in range(first, last + 1))


@cache
def _drawn() -> frozenset[str]:
    """The characters the main font draws (with ink, or white space it lays out)."""
    register()  # every text is measured and drawn through this set: the font is there by then
    return _chars(glyph_table.MAIN)


@cache
def _sans() -> frozenset[str]:
    """The characters Zwgk Fallback Sans draws for the main font."""
    return _chars(glyph_table.SANS)


def _font_of(char: str) -> str:
    """The font that draws `char`, or "" if none does."""
    if char in _drawn():
        return FONT_NAME
    if char in _sans():
        return register_sans()
    # The domain's table is every font's characters: what the others lack, the Han fallback has.
    return register_fallback() if glyphs.printable(char) and not char.isspace() else ""


def runs(text: str) -> tuple[Run, ...]:
    """`text` as drawn (`drawable`), cut into runs of one font each, in order."""
    if _drawn().issuperset(text):  # nearly every line: one run
        return ((FONT_NAME, text),)
    found: list[list[str]] = []
    for char in text:
        font = _font_of(char)
        if not font:
            font, char = FONT_NAME, " " if char.isspace() else MISSING
        if found and found[-1][0] == font:
            found[-1][1] += char
        else:
            found.append([font, char])
    return tuple((font, piece) for font, piece in found)


def draw(canvas: Canvas, x: float, y: float, text: str, size: float, align: str = "left", *,
         stroke: bool = False) -> None:
    """Draw one line at (x, y), aligned "left", "center" or "right" on x, each run in its font.

    `stroke`: filled and stroked (text render mode 2, a bold made of the one weight), with the
    canvas's stroke colour and line width."""
    font = register()
    line = runs(text)
    canvas.setFont(font, size)
    if not stroke and len(line) == 1 and line[0][0] == font:  # nearly every line: reportlab's own
        draw_one = {"center": canvas.drawCentredString, "right": canvas.drawRightString}.get(align, canvas.drawString)
        draw_one(x, y, line[0][1])
        return
    # One text object holding each run in its font, placed by the width of all of them, as
    # `text_width` measured the line (and a layout wrapped it).
    text_obj = canvas.beginText()
    if stroke:
        text_obj.setTextRenderMode(2)
    width = text_width(text, size)
    text_obj.setTextOrigin(x - width / 2 if align == "center" else x - width if align == "right" else x, y)
    for run_font, piece in line:
        text_obj.setFont(run_font, size)
        text_obj.textOut(piece)
    canvas.drawText(text_obj)


def drawable(text: str) -> str:
    """`text` as a sheet draws it: each character no bundled font has as □ (white space as a space).

    reportlab would draw such a character with the font's .notdef glyph, which PDF/A-2 forbids
    (ISO 19005-2 6.2.11.8) and which prints as a blank nobody notices. One character for one, so
    lines wrap where they were measured.
    """
    if _drawn().issuperset(text):
        return text
    return "".join(piece for _, piece in runs(text))


def missing_glyphs(text: str) -> set[str]:
    """Characters no bundled font can draw: they print as □ (entry refuses them; see the module)."""
    drawn = _drawn()
    return {ch for ch in set(text) if not ch.isspace() and ch not in drawn and not glyphs.printable(ch)}
