"""Build `assets/fonts/zwgk-fallback.ttf`, the fallback font for the ideographs 文泉驿微米黑 lacks.

For the IT person who updates the fonts, not run by the app. The source is Debian's
fonts-hanazono (花園明朝 A and B, GlyphWiki, TrueType outlines): the only packaged font here
whose glyf outlines cover both CJK Extension A and Extension B. This script keeps of it only
the ideographs of the blocks below that the main font has no glyph for, drops hinting and the
tables a PDF never reads, merges both files into one font and names it anew: a trimmed copy
must not carry the reserved names (SIL OFL 1.1, "花園明朝A/B", "HanaMinA/B"), so it is "Zwgk
Fallback Han". The result is reproducible from the same package version.

    apt-get download fonts-hanazono && dpkg-deb -x fonts-hanazono_*.deb /tmp/hanazono
    .venv/bin/pip install fonttools
    .venv/bin/python scripts/build_fallback_font.py /tmp/hanazono/usr/share/fonts/truetype/hanazono

fontTools is needed only here, not by the app (reportlab reads the result).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "assets" / "fonts" / "wqy-microhei.ttc"
OUT = ROOT / "assets" / "fonts" / "zwgk-fallback.ttf"

# The blocks real names draw from: the basic block (a few the main font lacks), Extension A and B
# (GB 18030-2022's 生僻字 are mostly here), and the compatibility ideographs, which old household
# registers and ID-card systems sometimes store instead of the unified character.
BLOCKS = {
    "CJK Unified Ideographs": (0x4E00, 0x9FFF),
    "CJK Unified Ideographs Extension A": (0x3400, 0x4DBF),
    "CJK Unified Ideographs Extension B": (0x20000, 0x2A6DF),
    "CJK Compatibility Ideographs": (0xF900, 0xFAFF),
    "CJK Compatibility Ideographs Supplement": (0x2F800, 0x2FA1F),
}
FAMILY = "Zwgk Fallback Han"
NOTICE = (
    "Trimmed and renamed by the zwgk-desktop project (scripts/build_fallback_font.py) from "
    "HanaMinA and HanaMinB 2017-09-04 (Debian fonts-hanazono 20170904): only the CJK ideographs "
    "that WenQuanYi Micro Hei lacks, hinting and layout tables removed, both files merged. "
    "Copyright 2008-2017 GlyphWiki Project. Licensed under the Hanazono Font License or the "
    "SIL Open Font License 1.1 (see LICENSE-zwgk-fallback.txt)."
)


def wanted(source: Path) -> list[int]:
    """The code points of `BLOCKS` that `source` has and the main font has not."""
    main = TTFont(str(MAIN), fontNumber=0, lazy=True).getBestCmap()
    have = TTFont(str(source), lazy=True).getBestCmap()
    return sorted(code for low, high in BLOCKS.values() for code in range(low, high + 1)
                  if code in have and code not in main)


def trimmed(source: Path, codes: list[int], drop: tuple[str, ...] = ()) -> TTFont:
    """`source` with only the glyphs of `codes`, no hinting, no layout tables (also used by
    build_symbol_font.py), and without the tables `drop`."""
    options = subset.Options()
    options.hinting = False  # a sheet is printed at 600 dpi or more; hints only matter on screens
    options.layout_features = []  # no vertical forms or ligatures in a name
    options.drop_tables += ["BASE", "FFTM", "GDEF", "GSUB", "GPOS", "vhea", "vmtx", "prop", "gasp", *drop]
    options.name_IDs = []  # replaced below
    options.glyph_names = False
    options.notdef_outline = True
    font = TTFont(str(source))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    return font


def main(folder: Path) -> None:
    parts = []
    for name in ("HanaMinA.ttf", "HanaMinB.ttf"):
        source = folder / name
        codes = wanted(source)
        if parts:  # what the first file already gave
            given = set(parts[0][1])
            codes = [code for code in codes if code not in given]
        parts.append((source, codes))
    temps = []
    for index, (source, codes) in enumerate(parts):
        temp = OUT.with_suffix(f".part{index}.ttf")
        trimmed(source, codes).save(str(temp))
        temps.append(temp)
    merged = Merger().merge([str(temp) for temp in temps])
    for temp in temps:
        temp.unlink()
    names = merged["name"]
    names.names = []
    for record_id, text in ((0, "Copyright 2008-2017 GlyphWiki Project; trimmed by zwgk-desktop"),
                            (1, FAMILY), (2, "Regular"), (3, f"{FAMILY} 2017-09-04 trimmed"),
                            (4, FAMILY), (5, "Version 2017-09-04; trimmed"),
                            (6, FAMILY.replace(" ", "")), (10, NOTICE),
                            (13, "Hanazono Font License or SIL Open Font License 1.1"),
                            (14, "https://openfontlicense.org")):
        names.setName(text, record_id, 3, 1, 0x409)
    merged["post"].formatType = 3.0  # no glyph names: smaller, and reportlab does not read them
    # 1000 units to the em, as PDF widths are counted. reportlab (4.x, TTFontFace.extractInfo)
    # gives each glyph past the hmtx table's last full entry (all of them here: every ideograph is
    # one em wide, so fontTools stores one advance) the advance already scaled to 1000 units, and
    # writes that into the embedded subset as font units: at 1024 units the program's widths would
    # be 976.6 where /Widths says 1000, which PDF/A forbids (ISO 19005-2 6.2.11.5). At 1000 units
    # both are the same number.
    scale_upem(merged, 1000)
    merged.save(str(OUT))
    total = sum(len(codes) for _, codes in parts)
    print(f"{OUT.name}: {total} characters, {OUT.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
