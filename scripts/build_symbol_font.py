"""Build `assets/fonts/zwgk-fallback-sans.ttf`: the Latin letters and symbols 文泉驿微米黑 lacks or
draws empty (pinyin's ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ, ℃ ℉, Ⅴ Ⅹ, Å, ∼, ‾ …), trimmed from DejaVu Sans.

For the IT person who updates the fonts, not run by the app. DejaVu Sans (Debian's
fonts-dejavu-core, TrueType outlines) is a sans whose Latin and symbols sit well beside 文泉驿's
(which itself took its Latin from the same Bitstream Vera design). Its licence (Bitstream Vera
licence; DejaVu's changes public domain) allows trimming and redistribution if the result is not
named "Bitstream" or "Vera": it is "Zwgk Fallback Sans". Only the blocks below, only what the main
font does not draw (`build_glyph_table.draws`), and no scripts that need shaping (Arabic, Indic…:
reportlab sets one glyph per character) nor combining marks (reportlab cannot place them; the
entry check asks for the composed letter instead).

    .venv/bin/pip install fonttools
    .venv/bin/python scripts/build_symbol_font.py /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
    .venv/bin/python scripts/build_glyph_table.py
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_fallback_font  # sibling scripts: how a font is trimmed,
import build_glyph_table  # and the one rule of what a font draws

OUT = build_glyph_table.FONTS / "zwgk-fallback-sans.ttf"
FAMILY = "Zwgk Fallback Sans"
BLOCKS = (
    (0x0020, 0x02FF),  # Basic Latin to Spacing Modifier Letters (pinyin's tone letters, ˊ ˋ)
    (0x0370, 0x052F),  # Greek, Cyrillic
    (0x1D00, 0x1DBF),  # phonetic extensions
    (0x1E00, 0x1FFF),  # Latin Extended Additional (ḿ ǹ of pinyin), Greek Extended
    (0x2000, 0x2BFF),  # punctuation, letterlike (℃ Å), number forms (Ⅴ), arrows, maths, shapes
    (0x2C60, 0x2C7F), (0xA720, 0xA7FF),  # Latin Extended C and D
    (0xFB00, 0xFB06),  # Latin ligatures
)
NOTICE = (
    "Trimmed and renamed by the zwgk-desktop project (scripts/build_symbol_font.py) from DejaVu Sans "
    "2.37 (Debian fonts-dejavu-core): only Latin letters and symbols that WenQuanYi Micro Hei lacks "
    "or draws empty; hinting and layout tables removed. Copyright (c) 2003 by Bitstream, Inc. All "
    "Rights Reserved. Bitstream Vera is a trademark of Bitstream, Inc. DejaVu changes are in public "
    "domain. See LICENSE-zwgk-fallback-sans.txt."
)


def wanted(source: TTFont) -> list[int]:
    main = build_glyph_table.drawn_codes(build_glyph_table.FILES[0])
    return sorted(code for low, high in BLOCKS for code in range(low, high + 1)
                  if code not in main and not unicodedata.category(chr(code)).startswith(("M", "C"))
                  and build_glyph_table.draws(source, code))


def main(source_path: Path) -> None:
    codes = wanted(TTFont(str(source_path), lazy=True))
    font = build_fallback_font.trimmed(source_path, codes, drop=("kern", "MATH"))
    names = font["name"]
    names.names = []
    copyright = "Copyright (c) 2003 by Bitstream, Inc.; DejaVu changes public domain; trimmed by zwgk-desktop"
    for record_id, text in ((0, copyright),
                            (1, FAMILY), (2, "Book"), (3, f"{FAMILY} 2.37 trimmed"), (4, FAMILY),
                            (5, "Version 2.37; trimmed"), (6, FAMILY.replace(" ", "")), (10, NOTICE),
                            (13, "Bitstream Vera Fonts licence (see LICENSE-zwgk-fallback-sans.txt)")):
        names.setName(text, record_id, 3, 1, 0x409)
    font["post"].formatType = 3.0
    # 1000 units to the em, as PDF widths are counted (see build_fallback_font.py: reportlab's
    # embedded widths and /Widths must be the same numbers for PDF/A).
    scale_upem(font, 1000)
    font.save(str(OUT))
    print(f"{OUT.name}: {len(codes)} characters, {OUT.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
