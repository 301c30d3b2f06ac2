"""Standard board formats (`layouts/*.toml`): loading and strict validation.

A layout is data the township can replace, so it is checked as carefully as user input: a bad
file is refused naming the file, the key and the reason, and a layout can never put a private
field (full ID, phone, account) on a public sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zwgk_desktop import choices
from zwgk_desktop.domain import categories as registry
from zwgk_desktop.domain.categories import ALL_CATEGORIES
from zwgk_desktop.domain.category_file import is_category_file
from zwgk_desktop.domain.fields import Field, Kind
from zwgk_desktop.domain.holidays import is_holiday_file
from zwgk_desktop.domain.items import Category
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.incoming import parse_toml, toml_text
from zwgk_desktop.render.pack_text import NAME_LIMIT, NOTE_LIMIT, SHORT_LIMIT, TEMPLATE_LIMIT, excerpt, text_problem

PAPER_MM = {"A3": (297.0, 420.0), "A4": (210.0, 297.0)}
# An A4 edition is for reading at the board: its body text no smaller than this (an A3 sheet
# shrunk onto A4 sets 11 pt as 7.8 pt).
A4_BODY_MIN_PT = 10.0
FONT_KEYS = (("title", 28), ("subtitle", 14), ("meta", 11), ("header", 12), ("body", 11), ("footer", 10.5))
ALIGNS = ("left", "center", "right")
QR_POSITIONS = ("bottom-right", "bottom-left")
TITLE_PLACEHOLDERS = ("village", "township", "year", "quarter", "period", "category_name", "title")
# The heading of an item of one month (a village disclosing finance monthly) also has its month.
MONTH_TITLE_PLACEHOLDERS = (*TITLE_PLACEHOLDERS, "month")
# Which value formats fit which field kinds; a private kind appears only through a mask.
# Formats that show a private field only masked (a 身份证号 as 410122********1234).
MASKING_FORMATS = frozenset({"masked_id", "masked_name", "masked_person"})
FORMATS_FOR_KIND: dict[Kind, tuple[str, ...]] = {
    Kind.TEXT: ("text",),
    Kind.LONGTEXT: ("text",),
    Kind.NAME: ("text", "masked_name", "masked_person"),
    Kind.CONTACT: ("text",),
    Kind.CHOICE: ("text",),
    Kind.MONEY: ("money", "capitals"),
    Kind.DATE: ("date",),
    Kind.COUNT: ("count", "item_number"),  # item_number: another item of the village, 第 12 号
    Kind.DECIMAL: ("decimal",),
    Kind.ID_NUMBER: ("masked_id",),
    Kind.MOBILE: (),
    Kind.ACCOUNT: (),
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    width: float  # relative to the other columns
    align: str
    format: str


@dataclass(frozen=True)
class Entry:
    """A labelled value outside the table: `item.<field>` or `total.<row field>`."""

    label: str
    source: str  # "item" or "total"
    key: str
    format: str


@dataclass(frozen=True)
class Layout:
    id: str
    name: str
    category: str
    path: Path
    paper: str
    orientation: str
    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left
    title_pattern: str
    show_item_title: bool
    font_sizes: dict[str, float]
    number_header: str | None
    rows_per_sheet: int | None  # None: as many as fit
    min_row_height_mm: float
    continued_mark: str
    columns: tuple[Column, ...]
    totals_label: str | None
    totals_sum: tuple[str, ...]
    info: tuple[Entry, ...]
    body_field: str | None
    summary: tuple[Entry, ...]
    footer_note: str
    show_publication_date: bool
    show_publicity_period: bool
    show_supervision_phones: bool
    signatures: tuple[str, ...]
    qr_position: str
    qr_size_mm: float
    is_default: bool = True
    # The online copy of a list of households comes down when its publicity period ends (民政部
    # rules on 低保公示): the page then says the notice has ended, without the names.
    withdraw_online_after_publicity: bool = False
    # `title.month_pattern`: the heading of an item of one month (`{month}` is 7); "" for the
    # quarter's pattern with 第{quarter}季度 read as {month}月 (`heading_pattern`).
    month_title_pattern: str = ""
    # Which formats these are, printed small on every sheet: the township's pack and its version,
    # a local variant, or the formats that ship with the program (set by `render.packs`).
    label: str = ""
    # The same format set for A4 (`[a4]` in the file): same columns and texts, so the same public
    # content and 验证码; other margins, type sizes, rows and QR size. None: the format has none.
    a4: Layout | None = None

    def labelled(self, label: str) -> Layout:
        """The format with the label its sheets print (`render.packs`), its A4 edition too."""
        return replace(self, label=label, a4=replace(self.a4, label=label) if self.a4 is not None else None)

    def heading_pattern(self, monthly: bool) -> str:
        """The title pattern of an item of the whole quarter, or of one month: the format's own
        `month_pattern`, else the quarter's with 第{quarter}季度 (or {quarter}季度) read as {month}月."""
        if not monthly:
            return self.title_pattern
        if self.month_title_pattern:
            return self.month_title_pattern
        return self.title_pattern.replace("第{quarter}季度", "{month}月").replace("{quarter}季度", "{month}月")

    @property
    def page_size_mm(self) -> tuple[float, float]:
        width, height = PAPER_MM[self.paper]
        return (height, width) if self.orientation == "landscape" else (width, height)


def _own_edition(layout: Layout) -> Layout:
    return replace(layout, a4=replace(layout, a4=None))


def _shown(value: Any) -> str:
    """A value as a complaint quotes it: short, even if it is a megabyte of text or a number of
    five thousand digits (which Python refuses to turn into text at all)."""
    try:
        return excerpt(repr(value))
    except ValueError:
        return "一个位数过多的数"


class _Reader:
    """Walks one TOML table, remembering where it is so every complaint names the key."""

    def __init__(self, data: dict[str, Any], path: str, problems: list[Problem]) -> None:
        self.data, self.path, self.problems = data, path, problems
        self.used: set[str] = set()

    def fail(self, key: str, reason: str) -> None:
        self.problems.append(Problem(reason, where=self.path, field=key))

    def _get(self, key: str, types: type | tuple[type, ...], what: str, default: Any, required: bool) -> Any:
        name = key.rsplit(".", 1)[-1]
        self.used.add(name)
        if name not in self.data:
            if required:
                self.fail(key, f"缺少此项（应为{what}）")
            return default
        value = self.data[name]
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.fail(key, f"应为{what}，不是 {_shown(value)}")
            return default
        if not isinstance(value, types):
            self.fail(key, f"应为{what}，不是 {_shown(value)}")
            return default
        return value

    def text(self, key: str, default: str = "", required: bool = True, *, limit: int = SHORT_LIMIT,
             placeholders: Sequence[str] = ()) -> str:
        """A text the sheets print (or a name the format refers to), checked by `text_problem`."""
        value = self._get(key, str, "文字", default, required)
        if required and isinstance(value, str) and not value.strip():
            self.fail(key, "不能为空")
        if reason := text_problem(value, limit=limit, placeholders=placeholders):
            self.fail(key, reason)
            return default
        return value

    def number(self, key: str, default: float, low: float, high: float, required: bool = True) -> float:
        value = self._get(key, (int, float), "数字", default, required)
        if not low <= value <= high:
            self.fail(key, f"应在 {low} 到 {high} 之间，不是 {_shown(value)}")
            return default
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        return bool(self._get(key, bool, "true 或 false", default, False))

    def choice(self, key: str, options: tuple[str, ...], default: str = "", required: bool = True,
               fold: Callable[[str], str] | None = None) -> str:
        value = self.text(key, default, required)
        value = fold(value) if fold and value else value
        if value and value not in options:
            self.fail(key, f"“{excerpt(value)}”不可用，应为 {' / '.join(options)} 之一")
            return default
        return value

    def table(self, key: str, required: bool = False) -> _Reader:
        value = self._get(key, dict, "表", {}, required)
        return _Reader(value, self.path, self.problems)

    def tables(self, key: str, required: bool = False, most: int = 20) -> Iterator[tuple[str, _Reader]]:
        value = self._get(key, list, "表数组（[[...]]）", [], required)
        if len(value) > most:
            self.fail(key, f"最多 {most} 个，这里有 {len(value)} 个")
            return
        for index, entry in enumerate(value):
            if not isinstance(entry, dict):
                self.fail(f"{key}[{index}]", "应为表")
                continue
            yield f"{key}[{index}]", _Reader(entry, self.path, self.problems)

    def strings(self, key: str, required: bool = False, most: int = 20) -> tuple[str, ...]:
        value = self._get(key, list, "文字列表", [], required)
        if not all(isinstance(v, str) for v in value):
            self.fail(key, "列表中只能有文字")
            return ()
        if len(value) > most:
            self.fail(key, f"最多 {most} 个，这里有 {len(value)} 个")
            return ()
        for index, text in enumerate(value):
            if reason := text_problem(text):
                self.fail(f"{key}[{index}]", reason)
                return ()
        return tuple(value)

    def finish(self, prefix: str) -> None:
        for key in sorted(set(self.data) - self.used):
            self.fail(f"{prefix}{key}", "未知的设置项（是否拼错？）")


def load_layout(path: Path, categories: dict[str, Category] | None = None) -> Layout:
    """Read and check one layout file; raise BadInput naming the file, key and reason.

    Checked once per process for the same text, file and categories (a command loads the formats
    for its command line and again when it opens the archive): a changed file, or other
    categories, is checked anew; a refused one is not kept."""
    text = layout_text(path)
    against = ALL_CATEGORIES if categories is None else categories
    key = (text, str(path), tuple((code, schema.text) for code, schema in against.items()))
    found = _checked.get(key)
    if found is None:
        found = layout_from_text(text, path, categories=against)
        if len(_checked) >= 512:  # formats changed many times in a long session: start afresh
            _checked.clear()
        _checked[key] = found
    return found


_checked: dict[tuple[str, str, tuple[tuple[str, str], ...]], Layout] = {}


def layout_text(path: Path) -> str:
    """A layout file's own text, as a seal records it (archive.made_with)."""
    return toml_text(path, "版式文件")


def layout_from_text(text: str, path: Path, shown: str | None = None,
                     categories: dict[str, Category] | None = None) -> Layout:
    """A layout from its text (a file's, or the one a seal recorded), checked as a file is,
    against these categories (those in use, when not given)."""
    shown = shown or str(path)
    raw = parse_toml(text, f"版式文件 {shown}")
    problems: list[Problem] = []
    top = _Reader(raw, shown, problems)
    layout = _build(top, path, ALL_CATEGORIES if categories is None else categories)
    top.finish("")
    if problems or layout is None:
        raise BadInput(f"版式文件 {shown} 无效，未载入：", problems)
    return layout


def _entry(reader: _Reader, key: str, category: str, categories: dict[str, Category]) -> Entry | None:
    label = reader.text(f"{key}.label")
    value = reader.text(f"{key}.value")
    fmt = reader.text(f"{key}.format", "text", required=False) or "text"
    reader.finish(f"{key}.")
    source, _, name = value.partition(".")
    schema = categories.get(category)
    if schema is None or not value:
        return None
    if source == "item":
        spec = next((f for f in schema.item_fields if f.key == name), None)
    elif source == "total":
        spec = next((f for f in schema.row_fields if f.key == name), None)
        if spec is not None and spec.kind not in (Kind.MONEY, Kind.COUNT, Kind.DECIMAL):
            reader.fail(f"{key}.value", f"只能对金额或数量求和，“{spec.label}”不是")
            return None
    else:
        reader.fail(f"{key}.value", f"应写成 item.字段 或 total.字段，不是“{value}”")
        return None
    if spec is None:
        reader.fail(f"{key}.value", f"{category} 类别没有字段“{name}”")
        return None
    if not _format_fits(reader, f"{key}.format", spec, fmt):
        return None
    return Entry(label, source, name, fmt)


def _format_fits(reader: _Reader, key: str, spec: Field, fmt: str) -> bool:
    allowed = FORMATS_FOR_KIND[spec.kind]
    if not spec.public:
        # A field kept in the store only (家庭住址, 致困原因) may be shown masked or not at all:
        # a format pack may not print it either.
        allowed = tuple(f for f in allowed if f in MASKING_FORMATS)
    if fmt == "masked_person" and spec.masked_when is None:
        # 个人 masked, 单位 in full: only a name whose category says which rows are persons.
        reader.fail(key, f"“{spec.label}”的类别没有说明哪些行是个人（masked_when），只能用 masked_name 全部遮挡")
        return False
    if fmt in allowed:
        return True
    if not allowed:
        reader.fail(key, f"“{spec.label}”是个人隐私字段，任何公开版式都不得显示")
    else:
        reader.fail(key, f"“{spec.label}”只能用 {' / '.join(allowed)} 格式，不能用“{fmt}”")
    return False


def _build(top: _Reader, path: Path, categories: dict[str, Category]) -> Layout | None:
    layout_id = top.text("id", limit=NAME_LIMIT)
    name = top.text("name", limit=NAME_LIMIT)
    category = top.choice("category", tuple(categories))
    is_default = top.flag("default", True)
    schema = categories.get(category)

    paper = top.table("paper", required=True)
    # "a4" is A4: the paper's name is read as a clerk may type it (PAPER_MM spells it upper case).
    size = paper.choice("paper.size", tuple(PAPER_MM), "A3", fold=str.upper)
    orientation = paper.choice("paper.orientation", ("portrait", "landscape"), "portrait")
    margins = paper.table("paper.margins_mm", required=True)
    margin_values = tuple(margins.number(f"paper.margins_mm.{side}", 15, 5, 60)
                          for side in ("top", "right", "bottom", "left"))
    margins.finish("paper.margins_mm.")
    paper.finish("paper.")

    title = top.table("title", required=True)
    pattern = title.text("title.pattern", limit=TEMPLATE_LIMIT, placeholders=TITLE_PLACEHOLDERS)
    month_pattern = title.text("title.month_pattern", "", required=False, limit=TEMPLATE_LIMIT,
                               placeholders=MONTH_TITLE_PLACEHOLDERS)
    if month_pattern and "{month}" not in month_pattern:
        title.fail("title.month_pattern", "应含 {month}（月份，如 7）：按月公开的事项标题要写明是哪个月")
    show_item_title = title.flag("title.show_item_title", True)
    title.finish("title.")

    fonts = top.table("fonts", required=True)
    font_sizes = {key: fonts.number(f"fonts.{key}", default, 6, 72) for key, default in FONT_KEYS}
    fonts.finish("fonts.")

    table = top.table("table", required=True)
    number_header = table.text("table.number_header", "", required=False) or None
    per_sheet_raw = table.data.get("rows_per_sheet", "auto")
    table.used.add("rows_per_sheet")
    rows_per_sheet: int | None = None
    if per_sheet_raw != "auto":
        if isinstance(per_sheet_raw, int) and not isinstance(per_sheet_raw, bool) and 1 <= per_sheet_raw <= 200:
            rows_per_sheet = per_sheet_raw
        else:
            table.fail("table.rows_per_sheet", f"应为 \"auto\" 或 1–200 的整数，不是 {_shown(per_sheet_raw)}")
    min_row = table.number("table.min_row_height_mm", 7.5, 4, 40, required=False)
    continued = table.text("table.continued_mark", "（续表）", required=False)
    table.finish("table.")

    columns = []
    for key, col in top.tables("columns", required=schema is not None and schema.min_rows > 0, most=30):
        field_key = col.text(f"{key}.field")
        header = col.text(f"{key}.header")
        width = col.number(f"{key}.width", 1, 0.2, 50)
        align = col.choice(f"{key}.align", ALIGNS, "left")
        fmt = col.text(f"{key}.format")
        col.finish(f"{key}.")
        fields = (*schema.row_fields, *schema.derived_fields) if schema else ()
        spec = next((f for f in fields if f.key == field_key), None)
        if schema and field_key and spec is None:
            col.fail(f"{key}.field", f"{category} 类别的明细没有字段“{field_key}”；"
                                     f"可用：{', '.join(f.key for f in fields if f.public)}")
        elif spec is not None and _format_fits(col, f"{key}.format", spec, fmt) and fmt != "capitals":
            columns.append(Column(field_key, header, width, align, fmt))
        elif spec is not None and fmt == "capitals":
            col.fail(f"{key}.format", "大写金额太长，只能用于 summary 或 info，不能作表格列")

    totals = top.table("totals")
    totals_label = totals.text("totals.label", "", required=bool(totals.data)) or None
    totals_sum = totals.strings("totals.sum")
    totals.finish("totals.")
    shown_fields = {c.field for c in columns}
    for name_ in totals_sum:
        spec = next((f for f in schema.row_fields if f.key == name_), None) if schema else None
        if name_ not in shown_fields or spec is None or spec.kind not in (Kind.MONEY, Kind.COUNT, Kind.DECIMAL):
            totals.fail("totals.sum", f"“{name_}”不是表中的金额或数量列，不能合计")

    info = [e for key, r in top.tables("info") if (e := _entry(r, key, category, categories))]
    summary = [e for key, r in top.tables("summary") if (e := _entry(r, key, category, categories))]

    body = top.table("body")
    body_field = body.text("body.field", "", required=bool(body.data)) or None
    body.finish("body.")
    if body_field and schema:
        spec = next((f for f in schema.item_fields if f.key == body_field), None)
        if spec is None or spec.kind not in (Kind.LONGTEXT, Kind.TEXT):
            body.fail("body.field", f"{category} 类别没有可作正文的字段“{body_field}”")

    footer = top.table("footer", required=True)
    note = footer.text("footer.note", "", required=False, limit=NOTE_LIMIT)
    show_pub = footer.flag("footer.publication_date", True)
    show_period = footer.flag("footer.publicity_period", True)
    show_phones = footer.flag("footer.supervision_phones", True)
    signatures = footer.strings("footer.signatures")
    footer.finish("footer.")
    if len(signatures) > 3:
        footer.fail("footer.signatures", "签章栏最多 3 个")

    qr = top.table("qr", required=True)
    qr_position = qr.choice("qr.position", QR_POSITIONS, "bottom-right")
    qr_size = qr.number("qr.size_mm", 34, 20, 80)
    qr.finish("qr.")

    online = top.table("online")
    withdraw = online.flag("online.withdraw_after_publicity", False)
    online.finish("online.")

    a4 = top.table("a4")
    known = {f.key for f in (*schema.row_fields, *schema.derived_fields)} if schema else set()
    # An `[a4]` table, even an empty one, declares an A4 edition (an empty one inherits all).
    overrides = _a4_overrides(a4, columns, known) if "a4" in top.data else None

    if top.problems:
        return None
    layout = Layout(
        id=layout_id, name=name, category=category, path=path, paper=size, orientation=orientation,
        margins_mm=margin_values,  # type: ignore[arg-type]
        title_pattern=pattern, show_item_title=show_item_title, font_sizes=font_sizes,
        number_header=number_header, rows_per_sheet=rows_per_sheet, min_row_height_mm=min_row,
        continued_mark=continued, columns=tuple(columns), totals_label=totals_label,
        totals_sum=totals_sum, info=tuple(info), body_field=body_field, summary=tuple(summary),
        footer_note=note, show_publication_date=show_pub, show_publicity_period=show_period,
        show_supervision_phones=show_phones, signatures=signatures, qr_position=qr_position,
        qr_size_mm=qr_size, is_default=is_default, withdraw_online_after_publicity=withdraw,
        month_title_pattern=month_pattern,
    )
    if size == "A4" and overrides is None:
        return _own_edition(layout)  # an A4 format without `[a4]` is its own A4 edition
    # An A4 format that keeps an `[a4]` table (a township that only changed `size`) is printed
    # as it is, and its `--fit` / A4 版式 applies the table: what was written for A4 printing.
    if overrides is None:
        return layout
    fonts_a4 = {**font_sizes, **overrides.pop("fonts")}
    edition = replace(layout, paper="A4", font_sizes=fonts_a4, **overrides)
    for key in ("body", "header"):
        if fonts_a4[key] < A4_BODY_MIN_PT:
            a4.fail(f"a4.fonts.{key}", f"A4 版式的{'正文' if key == 'body' else '表头'}字号应不小于 "
                                       f"{A4_BODY_MIN_PT:g} pt（张贴后要看得清），这里是 {fonts_a4[key]:g} pt"
                                       + ("（继承自 [fonts]）" if key not in a4.data.get("fonts", {}) else ""))
    if top.problems:
        return None
    return replace(layout, a4=edition)


def _a4_overrides(a4: _Reader, columns: list[Column], known: set[str]) -> dict[str, Any]:
    """The `[a4]` table: what the A4 edition sets otherwise than the A3 sheet (each optional).
    Columns keep their fields, headers and formats (the public content); only their widths may
    differ, the narrower paper wanting a date or a voucher number on one line."""
    found: dict[str, Any] = {}
    if "widths" in a4.data:
        # By field (`widths = { voucher = 1.65 }`), so a column dropped from the format leaves the
        # rest standing (its width is then of no use, and no harm); a column not named keeps its
        # A3 width. A name the category has no field for is a slip, and said.
        widths = a4.table("a4.widths")
        for name in sorted(set(widths.data) - {c.field for c in columns}):
            widths.used.add(name)
            if name not in known:
                widths.fail(f"a4.widths.{name}", f"明细没有字段“{name}”；可用：{', '.join(c.field for c in columns)}")
        chosen = {c.field: widths.number(f"a4.widths.{c.field}", c.width, 0.2, 50)
                  for c in columns if c.field in widths.data}
        widths.finish("a4.widths.")
        found["columns"] = tuple(replace(c, width=chosen.get(c.field, c.width)) for c in columns)
    if "orientation" in a4.data:
        found["orientation"] = a4.choice("a4.orientation", ("portrait", "landscape"), "portrait")
    if "margins_mm" in a4.data:
        margins = a4.table("a4.margins_mm")
        found["margins_mm"] = tuple(margins.number(f"a4.margins_mm.{side}", 12, 5, 40)
                                    for side in ("top", "right", "bottom", "left"))
        margins.finish("a4.margins_mm.")
    fonts = a4.table("a4.fonts")
    found["fonts"] = {key: fonts.number(f"a4.fonts.{key}", default, 6, 48)
                      for key, default in FONT_KEYS if key in fonts.data}
    fonts.finish("a4.fonts.")
    if "min_row_height_mm" in a4.data:
        found["min_row_height_mm"] = a4.number("a4.min_row_height_mm", 7, 4, 40)
    if "rows_per_sheet" in a4.data:
        raw = a4.data["rows_per_sheet"]
        a4.used.add("rows_per_sheet")
        if raw == "auto":
            found["rows_per_sheet"] = None
        elif isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 200:
            found["rows_per_sheet"] = raw
        else:
            a4.fail("a4.rows_per_sheet", f"应为 \"auto\" 或 1–200 的整数，不是 {_shown(raw)}")
    if "qr_size_mm" in a4.data:
        found["qr_size_mm"] = a4.number("a4.qr_size_mm", 30, 20, 60)
    a4.finish("a4.")
    return found


NOT_LAYOUTS = frozenset({"catalogue.toml", "pack.toml"})


@dataclass(frozen=True)
class LayoutSet:
    """The formats in one folder: one (default) per category."""

    folder: Path
    layouts: tuple[Layout, ...]
    # "A4": every format asked for is its A4 edition (`--paper A4 --fit`), refused where a format has none.
    edition: str = "A3"
    # The categories these formats are written for: the shipped ones with the folder's own
    # `CODE.category.toml` (replacing or adding); `render.packs` puts them to use.
    categories: dict[str, Category] = field(default_factory=lambda: dict(registry.SHIPPED))

    def for_category(self, code: str) -> Layout:
        candidates = [lay for lay in self.layouts if lay.category == code]
        if not candidates:
            raise BadInput(f"版式目录 {self.folder} 中没有“{code}”类别的版式")
        chosen = next((lay for lay in candidates if lay.is_default), candidates[0])
        if self.edition == "A4":
            if chosen.a4 is None:
                raise BadInput(f"版式“{chosen.name}”（{chosen.path}）没有 A4 版式（文件中没有 [a4] 表），"
                               f"不能按 A4 重排；可改用{choices.TILED}，或请乡镇补上 [a4]")
            return chosen.a4
        return chosen

    def a4_edition(self) -> LayoutSet:
        """The same formats, each as its A4 edition (checked when a category is asked for)."""
        return replace(self, edition="A4")


def load_layouts(folder: Path, base: dict[str, Category] | None = None) -> LayoutSet:
    """Every `*.toml` in the folder, all checked; the first bad one stops the load."""
    if not folder.is_dir():
        raise BadInput(f"版式目录 {folder} 是文件而不是文件夹" if folder.exists() else f"版式目录 {folder} 不存在")
    # The catalogue (公开目录) and a format pack's description live beside the formats.
    files = sorted(p for p in folder.glob("*.toml") if p.name not in NOT_LAYOUTS and not is_holiday_file(p.name)
                   and not is_category_file(p.name))
    if not files:
        raise BadInput(f"版式目录 {folder} 中没有 .toml 版式文件")
    own = registry.read_folder(folder, base)
    categories = registry.combined({**(base or {}), **own})
    layouts = tuple(load_layout(path, categories) for path in files)
    declared = {code for code in own if (folder / f"{code}.category.toml").is_file()}  # not a vocabulary's only
    for code in sorted(declared - {lay.category for lay in layouts}):
        raise BadInput(f"版式目录 {folder} 有类别文件 {code}.category.toml，却没有“{code}”类别的版式："
                       f"请一并放入它的标准版式 {code}.toml")
    seen: dict[str, Path] = {}
    for lay in layouts:
        if lay.id in seen:
            raise BadInput(f"版式 id “{lay.id}” 在 {seen[lay.id]} 和 {lay.path} 中重复")
        seen[lay.id] = lay.path
    return LayoutSet(folder, layouts, categories=categories)
