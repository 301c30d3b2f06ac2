"""A3 posters as PDF (reportlab): draws the sheets that `board` laid out, with the QR code and
verification code of design §4.4 on every sheet, and the bundled font embedded as a subset; the
file is then made PDF/A-2u with its true description (`render/pdfa.py`)."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.colors import Color, black, white
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from zwgk_desktop.domain.periods import chinese_date
from zwgk_desktop.outputs import cannot_write, check_target, readable_by_others
from zwgk_desktop.render import fonts, pdfa
from zwgk_desktop.render.board import CELL_PAD, GAP, LINE, MM, QR_TEXT_GAP, Block, Board, Sheet, heading_metrics
from zwgk_desktop.render.qr import QUIET_ZONE, dark_runs, qr_matrix

# Streams compressed with Flate alone, not also wrapped in ASCII85 (reportlab's default, for
# 7-bit channels nobody uses now): a fifth smaller, and `pdfa.make_archival` copies them as they are
# instead of decoding and compressing all of them again (0.5 s of a 10,000-household list).
rl_config.useA85 = 0

GRID = Color(0.15, 0.15, 0.15)
HEADER_FILL = Color(0.90, 0.92, 0.95)
TOTALS_FILL = Color(0.96, 0.96, 0.93)
WATERMARK = Color(0.88, 0.45, 0.45)  # the draft mark's outline
RED = Color(0.72, 0.05, 0.05)
LABEL = Color(0.45, 0.45, 0.45)


@dataclass(frozen=True)
class Poster:
    """One item's sheets, ready to draw."""

    board: Board
    url: str
    draft: bool = False  # not yet reviewed: marked so nobody posts it


def write_pdf(posters: Iterable[Poster], out: Path, *, progress: Callable[[int], None] | None = None,
              first: int | None = None) -> int:
    """Write all posters' sheets into one PDF, atomically (a temp file renamed into place).

    Returns the number of sheets. A failure leaves no half-written file behind. `first`: only
    each poster's first sheets (numbered as in the whole), for a preview to show while the rest
    is drawn.
    """
    out = Path(out)
    check_target(out, "公开栏海报")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".zwgk-", suffix=".pdf", dir=out.parent)
    except OSError as exc:
        raise cannot_write(f"无法在 {out.parent} 写出文件", exc) from None
    os.close(handle)
    try:
        # The initial font is ours, so no unembedded Helvetica is referenced by any page.
        drawn = io.BytesIO()
        canvas = Canvas(drawn, invariant=True, pageCompression=1, initialFontName=fonts.register(),
                        initialFontSize=11)
        sheets = 0
        shown = []
        for poster in posters:
            shown.append((poster.board.item, poster.draft))
            for _ in _draw_poster(canvas, poster, first):
                sheets += 1
                if progress:
                    progress(sheets)  # may raise to cancel: the temp file is removed below
        canvas.save()
        pdfa.make_archival(drawn.getvalue(), pdfa.describe(shown), Path(temp))
        readable_by_others(temp)
        os.replace(temp, out)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise cannot_write(f"无法写出 {out}", exc) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return sheets


def _draw_poster(canvas: Canvas, poster: Poster, first: int | None = None) -> Iterator[Sheet]:
    """Draw the poster's sheets one by one, yielding after each (for progress and cancelling)."""
    board = poster.board
    form = f"qr{board.item.item_id}_{board.item.code}"
    _define_qr(canvas, form, poster.url, board.qr_size)
    # What every sheet of the poster carries alike (the footer with its QR code and signatures,
    # the draft mark) is drawn once, as a form each sheet shows: 300 sheets, one drawing.
    furniture = f"{form}_sheet"
    canvas.beginForm(furniture, lowerx=0, lowery=0, upperx=board.page_width, uppery=board.page_height)
    _draw_footer(canvas, board, form)
    canvas.endForm()
    for sheet in board.sheets[:first]:
        canvas.setPageSize((board.page_width, board.page_height))
        _draw_sheet(canvas, board, sheet, furniture)
        if poster.draft:
            _draw_draft_mark(canvas, board)
        canvas.showPage()
        yield sheet


def _define_qr(canvas: Canvas, name: str, url: str, size: float) -> None:
    """The code as a form of `size` points, quiet zone included: white ground, one path of dark
    runs (no seams between modules, no grey edge at any printer resolution)."""
    matrix = qr_matrix(url)
    modules = len(matrix) + 2 * QUIET_ZONE
    unit = size / modules
    canvas.beginForm(name, lowerx=0, lowery=0, upperx=size, uppery=size)
    canvas.setFillColor(white)
    canvas.rect(0, 0, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for y, x, length in dark_runs(matrix):
        top = size - (y + QUIET_ZONE) * unit
        path.rect((x + QUIET_ZONE) * unit, top - unit, length * unit, unit)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.endForm()


def _text(canvas: Canvas, x: float, y: float, text: str, size: float, align: str = "left",
          bold: bool = False, color: Color = black) -> None:
    canvas.setFillColor(color)
    if bold:
        # The bundled font has one weight; stroking the outline thickens it the way a bold would.
        canvas.saveState()
        canvas.setStrokeColor(color)
        canvas.setLineWidth(size * 0.035)
    fonts.draw(canvas, x, y, text, size, align, stroke=bold)
    if bold:
        canvas.restoreState()


def _draw_sheet(canvas: Canvas, board: Board, sheet: Sheet, furniture: str) -> None:
    item, layout = board.item, board.layout
    fs = layout.font_sizes
    page_h = board.page_height
    left, width = board.content_left, board.content_width
    top = layout.margins_mm[0] * MM

    # -- heading, subtitle, dates and sheet number --
    metrics = heading_metrics(layout, bool(item.shown_subtitle))
    heading = item.heading + (layout.continued_mark if sheet.continued else "")
    _text(canvas, left + width / 2, page_h - top - metrics.title, heading, _fitted(heading, fs["title"], width),
          "center", bold=True, color=RED)
    if subtitle := item.shown_subtitle:
        _text(canvas, left + width / 2, page_h - top - metrics.subtitle, subtitle,
              _fitted(subtitle, fs["subtitle"], width), "center")
    y = page_h - top - metrics.meta
    meta = []
    if layout.show_publication_date and item.publicity_start:
        meta.append(f"公开日期：{chinese_date(date.fromisoformat(item.publicity_start))}")
    if layout.show_publicity_period and item.publicity_text:
        meta.append(f"公示期：{item.publicity_text}")
    _text(canvas, left, y, "　".join(meta), fs["meta"])
    _text(canvas, left + width, y, f"第 {sheet.number} 张 / 共 {board.count} 张", fs["meta"], "right")
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1.6)
    rule_y = page_h - top - metrics.rule
    canvas.line(left, rule_y, left + width, rule_y)
    canvas.setLineWidth(0.5)
    canvas.line(left, rule_y - 2.2, left + width, rule_y - 2.2)
    canvas.setStrokeColor(GRID)

    # -- the body flow --
    body_top = page_h - board.body_top
    for offset, block in sheet.blocks:
        _draw_block(canvas, board, block, body_top - offset)

    canvas.doForm(furniture)


def _draw_block(canvas: Canvas, board: Board, block: Block, top: float) -> None:
    fs = board.layout.font_sizes
    left, width = board.content_left, board.content_width
    if block.kind == "para":
        _text(canvas, left, top - fs["body"] * 1.2, block.text, fs["body"])
        return
    if block.kind in ("info", "summary"):
        label_w = float(block.text)
        size = fs["body"]
        (label,), lines = block.cells
        _text(canvas, left, top - size * 1.1, label, size, bold=block.kind == "info")
        for i, line in enumerate(lines):
            _text(canvas, left + label_w, top - size * 1.1 - i * size * LINE, line, size)
        return
    if block.kind not in ("header", "row", "totals"):
        return
    size = fs["header"] if block.kind == "header" else fs["body"]
    fill = HEADER_FILL if block.kind == "header" else TOTALS_FILL if block.kind == "totals" else None
    if fill is not None:
        canvas.setFillColor(fill)
        canvas.rect(left, top - block.height, width, block.height, stroke=0, fill=1)
        canvas.setFillColor(black)
    canvas.setLineWidth(0.6)
    canvas.rect(left, top - block.height, width, block.height, stroke=1, fill=0)
    x = left
    widths = board.column_widths
    widths = (sum(widths[: block.span]), *widths[block.span :])
    aligns = board.item.aligns
    aligns = ("center" if block.kind == "totals" else aligns[0], *aligns[block.span :])
    bold = block.kind != "row"
    # One text object for the whole row: a 10,000-household list draws 70,000 cells, and a text
    # object per cell costs more than the drawing itself. Each distinct line is formatted once
    # per document (`_Formatted`); the grid's lines go straight into the page's content.
    text = canvas.beginText()
    text.setFont(fonts.register(), size)
    if bold:
        canvas.saveState()
        canvas.setLineWidth(size * 0.035)
        text.setTextRenderMode(2)
    formatted = _Formatted.of(canvas)
    grid, code = canvas._code, text._code
    bottom = top - block.height
    line_height = size * LINE
    for index, (cell, col_w) in enumerate(zip(block.cells, widths, strict=True)):
        if index:
            grid.append(formatted.rule(x, top, bottom))
        align = "center" if block.kind == "header" else aligns[index]
        baseline = top - (block.height - len(cell) * line_height) / 2 - size * 1.1
        for line in cell:
            if align == "left":
                start = x + CELL_PAD
            else:
                line_w = fonts.text_width(line, size)
                start = x + (col_w - line_w) / 2 if align == "center" else x + col_w - CELL_PAD - line_w
            code.append(formatted.origin(start, baseline))
            formatted.out(text, line)
            baseline -= line_height
        x += col_w
    canvas.drawText(text)
    if bold:
        canvas.restoreState()


class _Formatted:
    """Lines of text as PDF operators, each distinct one formatted once per document.

    reportlab's `textOut` works out the subset of the embedded font each character falls in and
    escapes the bytes, for every cell; a list repeats its names, groups and kinds thousands of
    times. A line's operators depend only on it, the size and the subset in use before it (and
    leave a subset in use), all of which are in the key; subsets are numbered per document, so
    the memory is the canvas's.
    """

    def __init__(self) -> None:
        self._done: dict[tuple[str, int, float, float], tuple[str, int]] = {}
        # Sheets repeat their positions: each row's cells start where the row's above them did.
        self._origins: dict[tuple[float, float], str] = {}
        self._rules: dict[tuple[float, float, float], str] = {}

    def origin(self, x: float, y: float) -> str:
        """The operator that moves a line of text to (x, y), as `setTextOrigin` writes it."""
        found = self._origins.get((x, y))
        if found is None:
            found = self._origins[(x, y)] = f"1 0 0 1 {fp_str(x, y)} Tm"
        return found

    def rule(self, x: float, top: float, bottom: float) -> str:
        """A vertical rule from top to bottom, as `canvas.line` draws it."""
        found = self._rules.get((x, top, bottom))
        if found is None:
            found = self._rules[(x, top, bottom)] = f"n {fp_str(x, top)} m {fp_str(x, bottom)} l S"
        return found

    @classmethod
    def of(cls, canvas: Canvas) -> _Formatted:
        found: _Formatted | None = getattr(canvas, "_zwgk_formatted", None)
        if found is None:
            found = cls()
            canvas._zwgk_formatted = found
        return found

    def out(self, text: PDFTextObject, line: str) -> None:
        """`text.textOut(line)`, for a text object whose every line sets its origin first (its
        cursor is neither read nor advanced)."""
        key = (line, text._curSubset, text._fontsize, text._leading)
        done = self._done.get(key)
        if done is None:
            runs = fonts.runs(line)
            if len(runs) == 1 and runs[0][0] == text._fontname:
                done = (text._formatText(runs[0][1]), text._curSubset)
            else:
                # A line with runs of the fallback font: each run selects its font's subset. The
                # line ends with the main font again but no subset known to be in use (-1), so
                # the next line selects its own.
                main, parts = text._fontname, []
                for font, piece in runs:
                    if font != text._fontname:
                        text._fontname, text._curSubset = font, -1
                    parts.append(text._formatText(piece))
                text._fontname, text._curSubset = main, -1
                done = (" ".join(parts), -1)
            self._done[key] = done
        else:
            text._curSubset = done[1]
        text._code.append(done[0])


def _fitted(text: str, size: float, width: float) -> float:
    """The type size at which a one-line heading fits the sheet: a long title (60 characters,
    or a long village name) is set smaller rather than run off the paper."""
    natural = fonts.text_width(text, size) * 1.03  # bold is drawn a little wider
    return size if natural <= width else size * width / natural


def _draw_footer(canvas: Canvas, board: Board, qr_form: str) -> None:
    item, layout = board.item, board.layout
    size = layout.font_sizes["footer"]
    left, width = board.content_left, board.content_width
    bottom = layout.margins_mm[2] * MM
    band_top = bottom + board.footer_band - GAP
    # The code's size follows its URL (`board.qr_fit`): the text beside it keeps its distance.
    qr = board.qr_size
    qr_left, qr_bottom, _, _ = board.qr_box
    text_left = left if layout.qr_position == "bottom-right" else left + qr + QR_TEXT_GAP
    text_width = width - qr - QR_TEXT_GAP

    canvas.setLineWidth(0.5)
    canvas.line(left, band_top + GAP / 2, left + width, band_top + GAP / 2)
    y = band_top - size * 1.1
    for line in board.footer_lines:
        _text(canvas, text_left, y, line, size)
        y -= size * LINE

    # Signature block: 村务监督委员会 (reviewer and date) beside 村民委员会 (publication date).
    y -= GAP
    signatures = layout.signatures
    if signatures:
        column = text_width / len(signatures)
        for index, who in enumerate(signatures):
            x = text_left + index * column
            if who == "村民委员会":
                # The 经办人 where the item names one; otherwise the line stays free for the seal.
                clerk = f"经办人：{item.clerk}" if item.clerk else ""
                lines = [f"{item.village}村民委员会（盖章）", clerk, _signed_on(item.publicity_start)]
            elif who == "村务监督委员会":
                reviewer = item.reviewer or "　　　　"
                lines = ["村务监督委员会（签章）", f"审核人：{reviewer}", _signed_on(item.reviewed_on)]
            else:
                lines = [f"{who}（签章）", "", _signed_on("")]
            for i, line in enumerate(lines):
                # A long village name, or a third signature beside a grown QR code, is set smaller
                # rather than run into the next column.
                _text(canvas, x, y - i * size * LINE, line, _fitted(line, size, column - GAP), bold=i == 0)

    # QR code and the verification code printed beside it, readable without a phone.
    canvas.saveState()
    canvas.translate(qr_left, qr_bottom)
    canvas.doForm(qr_form)
    canvas.restoreState()
    centre = qr_left + qr / 2
    _text(canvas, centre, qr_bottom - size * 1.2, "扫码查看网上公开", size * 0.9, "center")
    _text(canvas, centre, qr_bottom - size * 1.2 - size * LINE, f"验证码 {item.code}", size, "center", bold=True)
    if layout.label:
        # Which formats printed this sheet, small, in the bottom margin.
        _text(canvas, left, bottom - 3.5 * MM, f"版式：{layout.label}", 7, color=LABEL)


def _signed_on(iso_day: str) -> str:
    """The date under a signature, or blanks to fill in by hand."""
    return chinese_date(date.fromisoformat(iso_day)) if iso_day else "年　月　日"


def _draw_draft_mark(canvas: Canvas, board: Board) -> None:
    """草稿 across the sheet, over it, as outlined letters (text render mode 1, stroke only).

    Not transparent: CUPS's PostScript path (PostScript has no transparency) turns a page with
    transparency into one 300 dpi picture, and landscape ones came out on portrait pages. Not
    beneath the sheet either: drawn first, its rotated letters broke PDFium's reading of every
    line after them. Outlines over the sheet leave the text beneath readable, with nothing to blend.
    """
    canvas.saveState()
    canvas.translate(board.page_width / 2, board.page_height / 2)
    canvas.rotate(35)
    canvas.setStrokeColor(WATERMARK)
    font = fonts.register()  # the mark's words are all in the main font
    for words, size, y, line in (("草稿", 150, 40, 2.2), ("未经村务监督委员会审核，不得张贴", 36, -40, 0.7)):
        canvas.setLineWidth(line)
        text = canvas.beginText()
        text.setTextRenderMode(1)
        text.setFont(font, size)
        text.setTextOrigin(-fonts.text_width(words, size) / 2, y)
        text.textOut(words)
        canvas.drawText(text)
    canvas.restoreState()
