"""Tiling: each A3 sheet of a board at 100 % on two A4 sheets, for an office with only an A4 printer.

An A3 portrait sheet (297 × 420 mm) becomes two A4 landscape halves (297 × 210), top and bottom; an
A3 landscape sheet two A4 portrait halves, left and right. The side that is not split is 297 mm on
both papers, so it maps 1:1. Along the split, 420 mm of sheet do not fit on 2 × 210 mm of paper
once a printer's unprintable edge (`EDGE_MM` on every side) is taken off, so the halves are shifted
outwards into the sheet's own margins: each half begins `EDGE_MM` before the sheet's content and
reaches past the middle; what both halves print is the overlap. Each sheet's seam is its own,
chosen inside the overlap from what that page prints (pypdfium2 reads its characters' boxes and its
rules, so a stored sealed sheet is read as it is): between two lines, on a table rule where one
runs there; where no gap exists, across fewest characters, and `Tiled.warnings` says so.
Marks in the side margins show the seam on both halves; the clerk trims the first half along them
and lays it over the second, the marks on each other: one A3 sheet again, at 100 %.

The sheet is not drawn again: its page becomes a form XObject (pikepdf) that both halves show,
shifted and clipped by their paper, so a sealed sheet's content is exactly what prints and the file
is about the size of the A3 one. The marks and the labels are drawn by reportlab with the bundled
font. The result is PDF/A-2u, described as its source is, when the source is PDF/A.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zwgk_desktop import choices
from zwgk_desktop.errors import BadInput
from zwgk_desktop.render import fonts, pdfa
from zwgk_desktop.render.board import largest_qr_mm
from zwgk_desktop.render.layout import PAPER_MM, Layout

MM = 72 / 25.4
# What a printer leaves white along each edge of the paper: 4.2 mm on most lasers (HP, Brother,
# Canon LBP), 3 mm on most inkjets.
EDGE_MM = 4.2
# The least overlap worth trimming to; less and a clerk's scissors eat content.
MIN_OVERLAP_MM = 4.0
A3_W, A3_H = PAPER_MM["A3"]
A4_W, A4_H = PAPER_MM["A4"]
TOLERANCE_MM = 1.0  # a page within this of A3 is A3 (sizes round in points)
MARK = 8.0  # length of a seam mark, mm
LABEL_DEPTH_MM = 4.5  # how far below the bottom margin the 版式 line reaches (3.5 mm and its descent)


@dataclass(frozen=True)
class Frame:
    """What tiling must know of a sheet: its margins (mm: top, right, bottom, left) and the boxes
    that must not be cut (the QR code: x, y from the sheet's top-left, width, height in mm)."""

    margins_mm: tuple[float, float, float, float]
    # What is drawn in the bottom margin itself (the 版式 line): that much of it is not blank.
    below_bottom_mm: float = 0.0
    keep_whole: tuple[tuple[float, float, float, float], ...] = ()
    name: str = ""  # the format, as a refusal names it


def frame_of(layout: Layout) -> Frame:
    """A format's sheets' frame: its margins and where its QR code stands.

    The QR code sits in the footer at the bottom margin, its left or right edge on the margin
    (`render/pdf._draw_footer`); its exact height above the margin depends on the footer's text,
    so the box kept whole runs from the bottom margin up to the code's top with room to spare
    (the footer's captions below the code are as tall again as `qr_lift`)."""
    width, height = layout.page_size_mm
    _, right, bottom, left = layout.margins_mm
    # The code grows with the address it carries (`board.qr_fit`), up to what the footer holds:
    # the box kept whole is the largest, so a sheet of any address keeps the seam off its code.
    qr = largest_qr_mm(layout)
    # The code stands above two lines of caption (扫码查看 and the 验证码): 2.2 lines of footer text.
    qr_lift = layout.font_sizes["footer"] * 1.45 * 2.2 / MM
    x = width - right - qr if layout.qr_position == "bottom-right" else left
    y = height - bottom - qr_lift - qr
    # The 版式 line stands in the bottom margin (`_draw_footer`: 3.5 mm below it, 7 pt): it too
    # must print, so the margin kept blank ends below it.
    return Frame(layout.margins_mm, LABEL_DEPTH_MM if layout.label else 0.0, ((x, y, qr, qr + qr_lift),),
                 f"“{layout.name}”（{layout.path.name or layout.id}）")


@dataclass(frozen=True)
class Half:
    """One A4 sheet of a tiled A3 sheet: which part of the sheet it shows (mm from the sheet's
    top-left) and where the seam is on it."""

    sheet: int  # 1-based, in the board
    which: str  # 上半 / 下半 / 左半 / 右半
    split: str  # "horizontal" (top and bottom halves) or "vertical" (left and right)
    offset_mm: float  # along the split: where this half's paper begins on the sheet
    seam_mm: float  # along the split: the seam, on the sheet
    overlap_mm: tuple[float, float]  # the band both halves print, on the sheet
    page_size_mm: tuple[float, float]
    side_mm: tuple[float, float]  # the sheet's margins beside the seam (left, right / top, bottom)
    crossed: str = ""  # characters the seam runs through: none, unless the overlap held no gap

    @property
    def first(self) -> bool:
        """The top or left half: trimmed along the seam and laid over the other."""
        return self.which in ("上半", "左半")


def _is(size: tuple[float, float], wanted: tuple[float, float]) -> bool:
    return all(abs(a - b) <= TOLERANCE_MM for a, b in zip(size, wanted, strict=True))


def halves_of(sheet: int, size_mm: tuple[float, float], frame: Frame,
              ink: Ink | None = None) -> tuple[Half, Half] | None:
    """The two A4 halves of an A3 sheet of `size_mm` (width, height), or None for a sheet that is
    not A3 (an A4 sheet prints as it is). BadInput when its margins leave no room to overlap, or
    the seam would cut what must stay whole. The seam is this sheet's own, between its lines of
    text (`ink`, read from the page), on a rule where one runs there."""
    top, right, bottom, left = frame.margins_mm
    blank = (top, right, bottom - frame.below_bottom_mm, left)  # what each margin holds of nothing
    if _is(size_mm, (A3_W, A3_H)):
        split, length, names = "horizontal", A3_H, ("上半", "下半")
        near, far = blank[0], blank[2]
        sides = (left, right)
        page = (A4_H, A4_W)
    elif _is(size_mm, (A3_H, A3_W)):
        split, length, names = "vertical", A3_H, ("左半", "右半")
        near, far = blank[3], blank[1]
        sides = (top, bottom)
        page = (A4_W, A4_H)
    else:
        return None
    half = length / 2
    where = f"版式{frame.name}" if frame.name else f"第 {sheet} 张"
    label = f"（底边距中还印着 {frame.below_bottom_mm:g} mm 高的版式行）" if frame.below_bottom_mm else ""
    if min(blank) < EDGE_MM:
        raise BadInput(f"{where}的页边距（上 {top:g}、右 {right:g}、下 {bottom:g}、左 {left:g} mm）{label}"
                       f"有一边比打印机边缘留白（{EDGE_MM:g} mm）还窄，拼贴时边上的字会印不出来；"
                       f"请加大版式的页边距，或改用{choices.EDITION}")
    # Each half may begin as late as EDGE_MM before the content (the printer's edge then cuts only
    # margin): what both can print, between the second's start and the first's end, is the widest
    # overlap; the seam is chosen within it, clear of what must stay whole.
    widest = (length - (far - EDGE_MM) - half + EDGE_MM, near - EDGE_MM + half - EDGE_MM)
    keep = [(y, y + h) if split == "horizontal" else (x, x + w) for x, y, w, h in frame.keep_whole]
    band = _clear_band(widest, keep)
    if band is None:
        if widest[1] - widest[0] < MIN_OVERLAP_MM:
            which, shown = (("上、下", (top, bottom)) if split == "horizontal" else ("左、右", (left, right)))
            needed = 4 * EDGE_MM + MIN_OVERLAP_MM + (frame.below_bottom_mm if split == "horizontal" else 0)
            raise BadInput(f"{where}的{which}页边距为 {shown[0]:g} 和 {shown[1]:g} mm{label}，不能拼贴到两张 A4 上："
                           f"打印机边缘留白 {EDGE_MM:g} mm，两半还要重叠至少 {MIN_OVERLAP_MM:g} mm，"
                           f"两边页边距合计至少要 {needed:g} mm；请加大版式的页边距，或改用{choices.EDITION}")
        raise BadInput(f"{where}的二维码落在两半的接缝处（{widest[0]:.0f}–{widest[1]:.0f} mm），拼贴后无法扫描；"
                       f"请改用{choices.EDITION}")
    seam, crossed = _seam_in(band, ink)
    first_from = band[1] + EDGE_MM - half  # the first half's printing ends where the overlap does
    second_from = band[0] - EDGE_MM  # the second's begins where it begins
    return (Half(sheet, names[0], split, first_from, seam, band, page, sides, crossed),
            Half(sheet, names[1], split, second_from, seam, band, page, sides, crossed))


@dataclass(frozen=True)
class Ink:
    """What a sheet prints that its seam must mind, along the split (mm from the sheet's top, or
    its left for a left/right split): each character's box, and where rules run across."""

    text: tuple[tuple[float, float], ...] = ()
    rules: tuple[float, ...] = ()
    chars: str = ""  # the characters of `text`, one each, for a message naming what a seam crosses


# How far a seam keeps from a character's box (loose: the font's ascent to descent), so a trim a
# little off the marks still leaves the line whole; and from the overlap's own ends.
TEXT_CLEAR_MM = 0.3
BAND_CLEAR_MM = 1.0
TOUCH_MM = 0.05  # a box's edge this near the seam is on it, not crossed (abutting boxes round so)
RULE_ACROSS_MM = 20.0  # a path at least this long across the split is a rule (a table's row edges)


def ink_of(page: object, size_mm: tuple[float, float]) -> Ink:
    """The characters and rules of a pypdfium2 page (any PDF: a stored sealed sheet as well as one
    drawn now), along the split its size calls for."""
    import pypdfium2.raw as pdfium_c

    horizontal = _is(size_mm, (A3_W, A3_H))
    height_pt = size_mm[1] * MM

    def along(low: float, high: float) -> tuple[float, float]:  # PDF points (y up) to mm from top/left
        return ((height_pt - high) / MM, (height_pt - low) / MM) if horizontal else (low / MM, high / MM)

    text, chars = [], []
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        for index in range(textpage.count_chars()):
            # By code point, not from get_text_range: a character beyond U+FFFF is two there.
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index) or 32)
            if char.isspace():
                continue  # spaces and the line breaks PDFium makes up have no ink
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
            if top - bottom > 0.01 and right - left > 0.01:
                text.append(along(bottom, top) if horizontal else along(left, right))
                chars.append(char)
    finally:
        textpage.close()
    rules: set[float] = set()
    for drawn in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=4):  # type: ignore[attr-defined]
        left, bottom, right, top = drawn.get_bounds()
        across = (right - left) if horizontal else (top - bottom)
        if across / MM >= RULE_ACROSS_MM:  # its edges along the split: a rule, or a rectangle's sides
            rules.update(along(bottom, top) if horizontal else along(left, right))
    return Ink(tuple(text), tuple(sorted(rules)), "".join(chars))


def _seam_in(band: tuple[float, float], ink: Ink | None) -> tuple[float, str]:
    """Where in the overlap `band` the seam runs, and the characters it crosses.

    Clear of every character's box (by TEXT_CLEAR_MM) if any gap allows: on a rule in the gap
    where one runs with room to spare, else in the middle of the gap; of several, the one with the
    most room (to 1.5 mm, enough for scissors), then a rule, then nearest the band's middle. When
    text fills the whole overlap (one huge line), the place crossing fewest characters: between two
    characters where it can (touching their boxes, by no more than TOUCH_MM, crosses neither)."""
    middle = (band[0] + band[1]) / 2
    low, high = band[0] + BAND_CLEAR_MM, band[1] - BAND_CLEAR_MM
    if ink is None:
        return middle, ""
    near = [(a, b) for a, b in ink.text if b > low - 5 and a < high + 5]
    free = [(low, high)]
    for a, b in near:
        a, b = a - TEXT_CLEAR_MM, b + TEXT_CLEAR_MM
        free = [part for x, y in free for part in ((x, min(y, a)), (max(x, b), y)) if part[1] >= part[0]]
    candidates: list[tuple[float, bool, float]] = []  # (room, on a rule, where)
    for x, y in free:
        points = [(r, True) for r in ink.rules if x <= r <= y] + [((x + y) / 2, False)]
        for where, on_rule in points:
            room = min(where - x, y - where) + TEXT_CLEAR_MM
            candidates.append((room, on_rule, where))
    if candidates:
        best = max(candidates, key=lambda c: (round(min(c[0], 1.5), 1), c[1], -abs(c[2] - middle)))
        return best[2], ""

    def crosses(a: float, b: float, where: float) -> bool:
        return a + TOUCH_MM < where < b - TOUCH_MM

    # No clean gap (a line across the whole overlap, as a landscape sheet's centred title is): of
    # the places between two characters or at a box's edge, the one crossing fewest boxes.
    places = [low, middle, high] + [edge for a, b in near for edge in (a, b) if low <= edge <= high]
    where = min(places, key=lambda w: (sum(crosses(a, b, w) for a, b in near), abs(w - middle)))
    return where, "".join(c for (a, b), c in zip(ink.text, ink.chars, strict=True) if crosses(a, b, where))


def _clear_band(widest: tuple[float, float], keep: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The widest part of `widest` that nothing kept whole reaches into (1 mm to spare), if it is
    at least MIN_OVERLAP_MM; of two alike, the one nearer the middle."""
    free = [widest]
    for low, high in keep:
        low, high = low - 1, high + 1
        free = [part for a, b in free for part in ((a, min(b, low)), (max(a, high), b)) if part[1] > part[0]]
    middle = (widest[0] + widest[1]) / 2
    fits = [p for p in free if p[1] - p[0] >= MIN_OVERLAP_MM]
    if not fits:
        return None
    return max(fits, key=lambda p: (round(p[1] - p[0], 3), -abs((p[0] + p[1]) / 2 - middle)))


@dataclass(frozen=True)
class Tiled:
    """What `tile` wrote: how many A4 sheets, and how many A3 sheets were split into them."""

    pages: int
    split: int
    halves: tuple[Half, ...]

    @property
    def warnings(self) -> list[str]:
        """The sheets whose seam had to run through text (no gap in the whole overlap), in words."""
        crossing = [h for h in self.halves if h.first and h.crossed]
        if not crossing:
            return []
        sheets = "、".join(str(h.sheet) for h in crossing)
        chars = "".join(h.crossed for h in crossing)
        return [f"第 {sheets} 张拼贴的重叠处找不到不压字的接缝，已选压字最少的位置：共穿过 {len(chars)} 个字"
                f"（如“{chars[:12]}”）；剪齐时请对准对齐线，或改用{choices.EDITION}"]


def tile(source: bytes, frames: Sequence[Frame], out: Path,
         progress: Callable[[int], None] | None = None) -> Tiled:
    """Write `source`'s pages to `out`, each A3 sheet as two A4 halves (`frames`: one per page,
    or one for all), any other page as it is. Nothing is written on error."""
    import pikepdf
    import pypdfium2

    with pikepdf.open(io.BytesIO(source)) as pdf:
        sizes = [_size_mm(page) for page in pdf.pages]
        if len(frames) not in (1, len(sizes)):
            raise ValueError(f"{len(frames)} frames for {len(sizes)} pages")
        plan: list[tuple[int, Half | None]] = []
        document = pypdfium2.PdfDocument(source)
        try:
            for index, size in enumerate(sizes):
                # Each sheet's own text and rules, read from the page as it will print (sealed or not).
                ink = ink_of(document[index], size) if _is(size, (A3_W, A3_H)) or _is(size, (A3_H, A3_W)) else None
                halves = halves_of(index + 1, size, frames[index if len(frames) > 1 else 0], ink)
                plan += [(index, h) for h in halves] if halves else [(index, None)]
        finally:
            document.close()
        marks = pikepdf.open(io.BytesIO(_marks([(sizes[i], h) for i, h in plan], len(sizes))))
        with marks:
            forms: dict[int, pikepdf.Object] = {}
            for number, (index, half) in enumerate(plan):
                page = marks.pages[number]
                form = forms.get(index)
                if form is None:  # one form per sheet, shown by both its halves
                    form = forms[index] = marks.copy_foreign(pdf.pages[index].as_form_xobject())
                name = page.add_resource(form, pikepdf.Name.XObject, prefix="Sheet")
                dx, dy = _shift(sizes[index], half)
                page.contents_add(marks.make_stream(f"q 1 0 0 1 {dx:.4f} {dy:.4f} cm {name} Do Q\n".encode()),
                                  prepend=True)
                if progress:
                    progress(number + 1)
            drawn = io.BytesIO()
            marks.save(drawn)
        described = _description(pdf) if pdfa._claims_pdfa(pdf) else None
    from zwgk_desktop.outputs import replacing

    with replacing(out, "拼贴的 A4 海报") as partial:
        if described is not None:
            pdfa.make_archival(drawn.getvalue(), described, partial)
        else:  # a sheet sealed before PDF/A: the tiled copy claims nothing either
            partial.write_bytes(drawn.getvalue())
    shown = tuple(h for _, h in plan if h is not None)
    return Tiled(len(plan), len(shown) // 2, shown)


def _size_mm(page: object) -> tuple[float, float]:
    box = [float(v) for v in page.mediabox]  # type: ignore[attr-defined]
    return ((box[2] - box[0]) / MM, (box[3] - box[1]) / MM)


def _shift(size_mm: tuple[float, float], half: Half | None) -> tuple[float, float]:
    """Where the sheet's origin (its bottom-left, in points) goes on the half's paper."""
    if half is None:
        return 0.0, 0.0
    if half.split == "horizontal":
        # The half's top edge is the sheet's `offset` from its top: in PDF's upward y, the sheet's
        # y = height - offset sits at the paper's top, A4_W high.
        return 0.0, (A4_W - (size_mm[1] - half.offset_mm)) * MM
    return -half.offset_mm * MM, 0.0


def _marks(pages: list[tuple[tuple[float, float], Half | None]], sheets: int) -> bytes:
    """The marks and labels of every output page (a page that is not split gets none), drawn on
    pages of the output's size; the sheets go beneath them."""
    from reportlab.lib.colors import Color
    from reportlab.pdfgen.canvas import Canvas

    font = fonts.register()
    grey = Color(0.35, 0.35, 0.35)
    size = 7.0
    drawn = io.BytesIO()
    canvas = Canvas(drawn, invariant=True, pageCompression=1, initialFontName=font, initialFontSize=size)
    for page_mm, half in pages:
        if half is None:
            canvas.setPageSize((page_mm[0] * MM, page_mm[1] * MM))
            canvas.showPage()
            continue
        width, height = half.page_size_mm
        canvas.setPageSize((width * MM, height * MM))
        canvas.setStrokeColor(grey)
        canvas.setFillColor(grey)
        canvas.setLineWidth(0.4)
        canvas.setFont(font, size)
        seam = half.seam_mm - half.offset_mm  # on this paper, from its top or left edge
        told = _label(half, sheets)
        told_w = canvas.stringWidth(told, font, size)
        # The marks stand in the margins beside the content, never on it.
        marks = [(EDGE_MM, min(MARK, side - EDGE_MM - 1)) for side in half.side_mm]
        if half.split == "horizontal":
            y = (height - seam) * MM
            for (start, length), from_right in zip(marks, (False, True), strict=True):
                x0 = width - start - length if from_right else start
                canvas.line(x0 * MM, y, (x0 + length) * MM, y)
                # A short cross stroke, so the two halves' marks meet at a point, not along a line.
                canvas.line((x0 + length / 2) * MM, y - 1.5 * MM, (x0 + length / 2) * MM, y + 1.5 * MM)
            # The label runs up the left margin, away from the seam.
            canvas.saveState()
            along = y + 12 * MM if half.first else y - 12 * MM - told_w
            canvas.translate((EDGE_MM + 1) * MM + size * 0.9, along)
            canvas.rotate(90)
            canvas.drawString(0, 0, told)
            canvas.restoreState()
        else:
            x = seam * MM
            for (start, length), from_top in zip(marks, (True, False), strict=True):
                y0 = height - start - length if from_top else start
                canvas.line(x, y0 * MM, x, (y0 + length) * MM)
                canvas.line(x - 1.5 * MM, (y0 + length / 2) * MM, x + 1.5 * MM, (y0 + length / 2) * MM)
            # The label stands in the top margin, beside the seam's mark, away from the seam.
            baseline = (height - EDGE_MM - 1) * MM - size * 0.9
            if half.first:
                canvas.drawRightString(x - 4 * MM, baseline, told)
            else:
                canvas.drawString(x + 4 * MM, baseline, told)
        canvas.showPage()
    canvas.save()
    return drawn.getvalue()


OTHER = {"上半": "下半", "下半": "上半", "左半": "右半", "右半": "左半"}


def _label(half: Half, sheets: int) -> str:
    other = OTHER[half.which]
    if half.first:
        return f"第 {half.sheet}/{sheets} 张 {half.which}：沿两侧对齐线剪齐，压在{other}上，对齐线对准"
    return f"第 {half.sheet}/{sheets} 张 {half.which}：{other}压在此页上，两侧对齐线对准"


def _description(pdf: object) -> pdfa.Description:
    """The source's own description (title, author, 验证码…), for the tiled copy of it."""
    info = pdf.trailer.get("/Info") or {}  # type: ignore[attr-defined]

    def text(key: str) -> str:
        value = info.get(f"/{key}")
        return str(value) if value is not None else ""

    created = text("CreationDate")
    day = date(int(created[2:6]), int(created[6:8]), int(created[8:10])) if created.startswith("D:") else None
    return pdfa.Description(text("Title"), text("Author"), text("Subject"), text("Keywords"), day,
                            text("Creator") or pdfa.CREATOR, text("Producer") or pdfa.PRODUCER)
