"""Board pagination: a public item and its layout laid out as A3 sheets, in pure Python.

Positions are in PDF points, measured with a width function handed in, so this module decides
what goes on which sheet and where, while `pdf` only draws. Tables repeat their header on every
sheet, later sheets are marked 续表, and a totals row never stands alone on a sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zwgk_desktop.render import qr as qr_code
from zwgk_desktop.render.layout import Layout
from zwgk_desktop.render.public import PublicItem

MM = 72 / 25.4
Measure = Callable[[str, float], float]

LINE = 1.45  # line height as a multiple of the font size
CELL_PAD = 1.6 * MM
GAP = 3 * MM
# Characters that must not begin a line (避头), by Chinese typesetting rules.
_NO_LINE_START = set("，。、；：！？）》」』】〕…—%,.;:!?)]}")


def wrap(text: str, width: float, size: float, measure: Measure) -> list[str]:
    """Break text into lines no wider than `width`, at any character, keeping 避头 punctuation."""
    lines: list[str] = []
    for paragraph in text.split("\n") or [""]:
        if measure(paragraph, size) <= width:
            lines.append(paragraph)
            continue
        line = ""
        for char in paragraph:
            if line and measure(line + char, size) > width and char not in _NO_LINE_START:
                lines.append(line)
                line = char
            else:
                line += char
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Block:
    """A piece of the sheet's body flow, with its height and what to draw."""

    kind: str  # "info", "para", "header", "row", "totals", "summary"
    height: float
    cells: tuple[tuple[str, ...], ...] = ()  # per cell, its wrapped lines
    text: str = ""
    span: int = 1  # columns the first cell covers (a totals label spreads over empty cells)


@dataclass
class Sheet:
    number: int
    blocks: list[tuple[float, Block]] = field(default_factory=list)  # (top y offset in body, block)
    continued: bool = False


@dataclass
class Board:
    """The sheets of one item, and the geometry `pdf` needs to draw them."""

    item: PublicItem
    layout: Layout
    page_width: float
    page_height: float
    content_left: float
    content_width: float
    body_top: float  # y (from the page's top) where the body flow starts
    body_height: float
    header_band: float
    footer_band: float
    column_widths: tuple[float, ...]
    footer_lines: tuple[str, ...]
    sheets: list[Sheet]
    # The QR code as this item's URL needs it printed (grown from the layout's size for its
    # modules, `render.qr.fit`); None for a board laid out without its URL (the layout's size).
    qr: qr_code.QrFit | None = None

    @property
    def count(self) -> int:
        return len(self.sheets)

    @property
    def qr_size(self) -> float:
        """The QR code's printed size in points, quiet zone included."""
        return (self.qr.size_mm if self.qr else self.layout.qr_size_mm) * MM

    @property
    def qr_box(self) -> tuple[float, float, float, float]:
        """Where the QR code prints: (left, bottom, right, top) in points from the page's lower left,
        quiet zone included; the same on every sheet (tiling keeps its seam off it)."""
        layout, size = self.layout, self.qr_size
        left = self.content_left + self.content_width - size if layout.qr_position == "bottom-right" \
            else self.content_left
        bottom = layout.margins_mm[2] * MM + qr_caption_height(layout)
        return (left, bottom, left + size, bottom + size)


@dataclass(frozen=True)
class HeadingMetrics:
    """Baselines in the heading band, as distances down from the top margin."""

    title: float
    subtitle: float
    meta: float
    rule: float
    body_offset: float  # where the body flow starts


def heading_metrics(layout: Layout, has_subtitle: bool) -> HeadingMetrics:
    fs = layout.font_sizes
    title = fs["title"] * 1.05
    y = fs["title"] * LINE
    subtitle = y + fs["subtitle"] * 1.1
    if has_subtitle:
        y += fs["subtitle"] * LINE
    meta = y + fs["meta"] * 1.4
    rule = meta + fs["meta"] * 0.6
    return HeadingMetrics(title, subtitle, meta, rule, rule + 2.2 + GAP)


def column_widths(item: PublicItem, layout: Layout, total: float) -> tuple[float, ...]:
    weights = [c.width for c in layout.columns]
    if layout.number_header:
        weights.insert(0, 0.9)
    scale = total / sum(weights) if weights else 0
    return tuple(w * scale for w in weights)


def footer_text_lines(item: PublicItem, layout: Layout, phones: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    lines = []
    if layout.show_supervision_phones and phones:
        lines.append("监督电话：" + "　".join(f"{who} {number}" for who, number in phones))
    if layout.footer_note:
        lines.append(layout.footer_note)
    return tuple(lines)


# The most of a sheet its QR code may take: 35 % of the content's width (the supervision phones,
# the note and two or three signatures need the rest beside it) and a fifth of the page's height
# (the body keeps the rest); and no more than a layout may ask for itself. On A3 and A4 portrait
# that holds the longest address `web_address` accepts at 0.8 mm modules (58.4 mm at level M).
QR_MOST_MM = 80.0
QR_TEXT_GAP = 6 * MM  # between the code and the footer's text beside it


def largest_qr_mm(layout: Layout) -> float:
    """The largest QR code (quiet zone included) the layout's footer can hold, in mm."""
    page_w, page_h = layout.page_size_mm
    _, right, _, left = layout.margins_mm
    return max(layout.qr_size_mm, min(QR_MOST_MM, (page_w - left - right) * 0.35, page_h / 5))


def qr_fit(layout: Layout, url: str) -> qr_code.QrFit:
    """How the code of `url` prints on this layout's sheets."""
    return qr_code.fit(url, layout.qr_size_mm, largest_qr_mm(layout))


def qr_caption_height(layout: Layout) -> float:
    """Room under the code for 扫码查看网上公开 and the 验证码 line."""
    return layout.font_sizes["footer"] * LINE * 2.2


def layout_board(item: PublicItem, layout: Layout, measure: Measure,
                 phones: tuple[tuple[str, str], ...] = (), url: str = "") -> Board:
    """Place the item on as many sheets as it needs; `url` is what its QR code carries, which sets
    the code's size and so the footer's height (without it: the layout's own size)."""
    fs = layout.font_sizes
    page_w, page_h = (d * MM for d in layout.page_size_mm)
    top, right, bottom, left = (m * MM for m in layout.margins_mm)
    width = page_w - left - right

    header_band = heading_metrics(layout, bool(item.shown_subtitle)).body_offset
    footer_lines = footer_text_lines(item, layout, phones)
    fitted = qr_fit(layout, url) if url else None
    qr = (fitted.size_mm if fitted else layout.qr_size_mm) * MM
    text_width = width - qr - QR_TEXT_GAP
    wrapped_footer = [w for line in footer_lines for w in wrap(line, text_width, fs["footer"], measure)]
    signature_height = fs["footer"] * LINE * 4  # title, reviewer, date, and room for a seal
    footer_text_height = len(wrapped_footer) * fs["footer"] * LINE + GAP + signature_height
    # The band is as tall as the code (and its caption) or the text beside it, whichever is taller.
    footer_band = max(footer_text_height, qr + qr_caption_height(layout)) + GAP
    body_top = top + header_band
    body_height = page_h - top - bottom - header_band - footer_band
    widths = column_widths(item, layout, width)

    flow = _flow(item, layout, measure, width, widths)
    header = _table_header(item, layout, measure, widths)
    sheets = _paginate(flow, header, body_height, layout.rows_per_sheet)
    return Board(item, layout, page_w, page_h, left, width, body_top, body_height, header_band,
                 footer_band, widths, tuple(wrapped_footer), sheets, fitted)


def _cells(values: tuple[str, ...], widths: tuple[float, ...], size: float, measure: Measure
           ) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(wrap(v, w - 2 * CELL_PAD, size, measure)) for v, w in zip(values, widths, strict=True))


# Rows laid out lately, by all they are laid out from: the preview's process lays a 10,000-row
# list out again after each edit of one row. Forgotten when it grows large.
_laid_rows: dict[tuple[object, ...], Block] = {}
_ROWS_KEPT = 50_000


def _row_block(kind: str, values: tuple[str, ...], widths: tuple[float, ...], size: float,
               min_height: float, measure: Measure, span: int = 1) -> Block:
    key = (kind, values, widths, size, min_height, measure, span)
    found = _laid_rows.get(key)
    if found is not None:
        return found
    merged = (sum(widths[:span]), *widths[span:])
    cells = _cells((values[0], *values[span:]), merged, size, measure)
    lines = max((len(c) for c in cells), default=1)
    if len(_laid_rows) >= _ROWS_KEPT:
        _laid_rows.clear()
    block = _laid_rows[key] = Block(kind, max(min_height, lines * size * LINE + 2 * CELL_PAD), cells, span=span)
    return block


def _label_span(values: tuple[str, ...]) -> int:
    """The label cell and the empty cells after it, up to the first figure."""
    span = 1
    while span < len(values) - 1 and not values[span]:
        span += 1
    return span


def _table_header(item: PublicItem, layout: Layout, measure: Measure, widths: tuple[float, ...]) -> Block:
    return _row_block("header", item.headers, widths, layout.font_sizes["header"],
                      layout.min_row_height_mm * MM * 1.15, measure)


def _labelled(kind: str, pairs: tuple[tuple[str, str], ...], size: float, width: float,
              measure: Measure) -> list[Block]:
    if not pairs:
        return []
    label_w = max(measure(label + "：", size) for label, _ in pairs) + CELL_PAD
    blocks = []
    for label, value in pairs:
        lines = wrap(value, width - label_w, size, measure)
        blocks.append(Block(kind, len(lines) * size * LINE + 0.8 * MM, ((label + "：",), tuple(lines)),
                            text=str(label_w)))
    return blocks


def _flow(item: PublicItem, layout: Layout, measure: Measure, width: float,
          widths: tuple[float, ...]) -> list[Block]:
    fs = layout.font_sizes
    flow = _labelled("info", item.info, fs["body"], width, measure)
    if flow:
        flow.append(Block("gap", GAP))
    if item.body:
        indent = "\u3000\u3000"  # two full-width spaces open a Chinese paragraph
        for paragraph in item.body.split("\n"):
            if not paragraph.strip():
                continue
            for line in wrap(indent + paragraph.strip(), width, fs["body"], measure):
                flow.append(Block("para", fs["body"] * 1.7, text=line))
        flow.append(Block("gap", GAP))
    if item.rows:
        min_h = layout.min_row_height_mm * MM
        flow += [_row_block("row", row, widths, fs["body"], min_h, measure) for row in item.rows]
        if item.totals:
            flow.append(_row_block("totals", item.totals, widths, fs["body"], min_h, measure,
                                   span=_label_span(item.totals)))
        flow.append(Block("gap", GAP))
    flow += _labelled("summary", item.summary, fs["body"], width, measure)
    while flow and flow[-1].kind == "gap":
        flow.pop()
    return flow


def _paginate(flow: list[Block], header: Block, height: float, rows_cap: int | None) -> list[Sheet]:
    """Fill sheets in order; the table header opens every sheet that has rows on it.

    Totals and the summary after a table never open a sheet on their own: the last row comes
    along with them, so a reader sees what the figures add up.
    """
    pages: list[list[Block]] = [[]]
    # The open sheet's blocks' heights, rows, and whether a table is on it, kept as blocks are
    # added (a 10,000-row list has 10,000 blocks: summing a sheet again for each would be slow).
    used, rows_here, tabular = 0.0, 0, False

    for block in flow:
        page = pages[-1]
        if block.kind == "gap" and not page:
            continue  # a gap at the top of a sheet is wasted room
        cap_reached = rows_cap is not None and block.kind == "row" and rows_here >= rows_cap
        with_rows = tabular or block.kind in ("row", "totals")
        if page and (cap_reached or used + block.height + (header.height if with_rows else 0) > height):
            carried: list[Block] = []
            if block.kind in ("totals", "summary") and rows_here >= 2:
                last_row = max(i for i, b in enumerate(page) if b.kind == "row")
                carried, page[:] = page[last_row:], page[:last_row]
            pages.append([*carried])
            used = sum(b.height for b in carried)
            rows_here = sum(1 for b in carried if b.kind == "row")
            tabular = any(b.kind in ("row", "totals") for b in carried)
        pages[-1].append(block)
        used += block.height
        rows_here += block.kind == "row"
        tabular = tabular or block.kind in ("row", "totals")

    sheets = []
    for number, blocks in enumerate(pages, start=1):
        sheet = Sheet(number, continued=number > 1)
        used, in_table = 0.0, False
        for block in blocks:
            tabular = block.kind in ("row", "totals")
            if tabular and not in_table:
                sheet.blocks.append((used, header))
                used += header.height
            in_table = tabular
            sheet.blocks.append((used, block))
            used += block.height
        sheets.append(sheet)
    return sheets
