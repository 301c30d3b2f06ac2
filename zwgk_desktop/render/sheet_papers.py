"""Which paper a PDF's pages are set for, and how a message counts them: "共 30 张 A4",
"共 20 张（17 张 A3、3 张 A4）", "共 34 张 A4（17 张 A3 拼贴）".

Every message that counts sheets (the CLI's render, batch and seal, the app's preview line, paper
dialog, status bar and dashboard, the JSON) names the paper from the pages themselves, never from
the paper a board was asked for: a township's format may be set on A4, and a board may mix both.
Pure of Qt; reads the media boxes with pikepdf.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable

from zwgk_desktop.render.layout import PAPER_MM

POINT_MM = 25.4 / 72
SAME_PAPER_MM = 1.5  # a PDF's A3 is 841.89 × 1190.55 pt: sizes round

# Pages per paper name, in PAPER_MM's order (A3 before A4), other sizes after as "W×H mm".
Papers = tuple[tuple[str, int], ...]


def paper_named(width_mm: float, height_mm: float) -> str:
    """The paper of a page of this size, either way up: "A3", "A4", or its size in mm."""
    short, long = sorted((width_mm, height_mm))
    for name, (w, h) in PAPER_MM.items():
        if abs(short - w) <= SAME_PAPER_MM and abs(long - h) <= SAME_PAPER_MM:
            return name
    return f"{short:.0f}×{long:.0f} mm"


def papers(names: Iterable[str]) -> Papers:
    """Pages counted per paper, in a fixed order (so "17 张 A3、3 张 A4" always reads alike)."""
    counted = Counter(names)
    order = [*PAPER_MM, *sorted(set(counted) - set(PAPER_MM))]
    return tuple((name, counted[name]) for name in order if counted[name])


def papers_of_sizes(sizes_pt: Iterable[tuple[float, float]]) -> Papers:
    """`papers` of pages given by their size in points (the app's QPdfDocument gives them so)."""
    return papers(paper_named(w * POINT_MM, h * POINT_MM) for w, h in sizes_pt)


def papers_of(pdf: bytes) -> Papers:
    """`papers` of a PDF's pages, by their media boxes."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        sizes = []
        for page in document.pages:
            left, bottom, right, top = (float(v) for v in page.mediabox)
            sizes.append((abs(right - left), abs(top - bottom)))
    return papers_of_sizes(sizes)


def added(*each: Papers) -> Papers:
    """Several files' pages counted together (a batch of villages)."""
    total: Counter[str] = Counter()
    for one in each:
        total.update(dict(one))
    return papers(total.elements())


def counted_words(counted: Papers) -> str:
    """"17 张 A3", "17 张 A3、3 张 A4", "0 张"."""
    return "、".join(f"{n} 张 {name}" for name, n in counted) or "0 张"


def sheets_said(counted: Papers, *, split: int = 0, edition: bool = False) -> str:
    """How a message names the sheets made: "共 17 张 A3", "共 30 张 A4", "共 20 张（17 张 A3、3 张
    A4）"; tiled (`split` A3 sheets each made two A4 halves) "共 34 张 A4（17 张 A3 拼贴）"; an A4
    edition (`edition`) "共 12 张 A4（A4 版式）"."""
    total = sum(n for _, n in counted)
    whole = f"共 {total} 张 {counted[0][0]}" if len(counted) == 1 else \
        f"共 {total} 张（{counted_words(counted)}）" if counted else "共 0 张"
    if split:
        halves = dict(counted).get("A4", 0)
        tiled = f"{split} 张 A3 拼贴" if split * 2 == halves and len(counted) == 1 else \
            f"其中 {split} 张 A3 拼贴为 {split * 2} 张"
        return f"{whole}（{tiled}）"
    if edition and counted:
        return f"{whole}（A4 版式）"
    return whole


def sheet_paper_words(counted: Papers) -> str:
    """The paper of the sheets in a label: "A3", "A4", "A3 和 A4"."""
    return " 和 ".join(name for name, _ in counted) or "A3"
