"""Open data of the online copy (issue 16, item 4): what a journalist or the county reads with a
program or in Excel, beside the pages a resident reads.

Pure: public items and layouts in, file contents out.

- **Typed values.** Each item's data file keeps its public content exactly (the 验证码 is made
  from it) and adds `values`: the same cells typed — amounts as numbers of 元 with two decimals
  written exactly (`1234.50`, from the integer 分 the sheet printed, never through a float),
  dates as ISO dates, counts as integers, everything else (masked names and IDs included) the
  string the sheet printed. They are read back from the printed strings, never from the store,
  so they can say nothing the sheet does not: `format_typed(typed(cell)) == cell` for every cell.
  An item sealed under a format whose columns are no longer today's gets `values: null`.
- **Schemas.** Each category's fields as its format publishes them (key, Chinese label, the
  header printed, the field's type, the open data's type, whether masked): `schema.json`.
  Only what the format shows: a field the public never sees is not listed.
- **The index.** Every published item of the township (village, period, category, number,
  title, 验证码, URL): `items.json`.
- **CSV twins.** Every JSON file has a CSV beside it: UTF-8 with a BOM (so Excel opens Chinese
  text), Chinese headers, CRLF lines; a text cell that Excel would run as a formula (`=…`, `+…`,
  `@…`, `-` not followed by a number) is written with a leading `'`.
- **The licence** the township sets (`zwgk settings --licence`) is in every JSON (`licence`) and
  on every page.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from zwgk_desktop.domain import money
from zwgk_desktop.domain.fields import Field
from zwgk_desktop.domain.items import Category
from zwgk_desktop.render.layout import MASKING_FORMATS, Entry, Layout
from zwgk_desktop.render.public import PublicItem

# At the site's root, beside index.html: files, never a folder, so no village's code (a folder) can
# ever be the same name.
ITEMS = "items"  # the township-wide index (.json, .csv)
SCHEMA = "schema"  # every category's schema (.json, .csv)
PAGE = "data.html"  # the page that explains and links them
OPEN_DATA_FORMAT = 1

# The open data's type of a value printed in a format.
TYPE_OF_FORMAT = {"money": "yuan", "capitals": "yuan", "date": "date", "count": "integer", "item_number": "integer"}
TYPE_NAMES = {"yuan": "金额（元，两位小数）", "date": "日期（ISO，YYYY-MM-DD）", "integer": "整数", "string": "文字"}


@dataclass(frozen=True)
class Yuan:
    """An amount in 元, exact: written `1234.50`, from integer 分."""

    fen: int

    def __str__(self) -> str:
        return money.format_fen(self.fen, grouping=False)


# ---------------------------------------------------------------------------------------------
# Typed values, read back from what the sheet printed.

_MONEY = re.compile(r"(-?)(\d{1,3}(?:,\d{3})*)\.(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNT = re.compile(r"0|[1-9]\d*")
_ITEM_NUMBER = re.compile(r"第 ([1-9]\d*) 号")  # render.public.item_number_text
_DIGIT = {d: n for n, d in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}
_LARGE = (("万亿", 10**12), ("亿", 10**8), ("万", 10**4))


class NotTyped(ValueError):
    """A printed value that does not read back in its format (content sealed under another format)."""


def _capitals_integer(text: str) -> int:
    for unit, size in _LARGE:
        head, found, tail = text.partition(unit)
        if found:
            return _capitals_integer(head) * size + _capitals_integer(tail)
    total, digit = 0, None
    for char in text:
        if char in _DIGIT:
            digit = _DIGIT[char]
        elif char in _SMALL:
            total += (1 if digit is None else digit) * _SMALL[char]
            digit = None
        else:
            raise NotTyped(text)
    return total + (digit or 0)


def parse_capitals(text: str) -> int:
    """`壹万贰仟叁佰肆拾伍元整` → 1234500 分: the inverse of `money.capitals`, checked by printing back."""
    body, negative = (text[1:], True) if text.startswith("负") else (text, False)
    yuan_text, found, cents_text = body.partition("元")
    if not found:
        yuan_text, cents_text = "", body
    jiao = re.search(r"([零壹贰叁肆伍陆柒捌玖])角", cents_text)
    fen = re.search(r"([零壹贰叁肆伍陆柒捌玖])分", cents_text)
    amount = _capitals_integer(yuan_text) * 100 + (_DIGIT[jiao.group(1)] * 10 if jiao else 0) + (
        _DIGIT[fen.group(1)] if fen else 0)
    amount = -amount if negative else amount
    try:
        if money.capitals(amount) != text:
            raise NotTyped(text)
    except money.MoneyError:
        raise NotTyped(text) from None
    return amount


def typed(printed: str, fmt: str) -> Any:
    """The value a cell printed in format `fmt` holds: `Yuan`, `date`, `int`, or the string itself
    ("" is None). Raises NotTyped when the string is not of its format."""
    if printed == "":
        return None
    kind = TYPE_OF_FORMAT.get(fmt)
    if kind == "yuan":
        if fmt == "capitals":
            return Yuan(parse_capitals(printed))
        found = _MONEY.fullmatch(printed)
        if not found:
            raise NotTyped(printed)
        fen = int(found.group(2).replace(",", "")) * 100 + int(found.group(3))
        value = Yuan(-fen if found.group(1) else fen)
        if money.format_fen(value.fen) != printed:  # -0.00, 01,234.00: not as this program prints
            raise NotTyped(printed)
        return value
    if kind == "date":
        try:
            if not _DATE.fullmatch(printed):
                raise ValueError
            return date.fromisoformat(printed)
        except ValueError:
            raise NotTyped(printed) from None
    if fmt == "item_number":
        found = _ITEM_NUMBER.fullmatch(printed)
        if not found:
            raise NotTyped(printed)
        return int(found.group(1))
    if kind == "integer":
        if not _COUNT.fullmatch(printed):
            raise NotTyped(printed)
        return int(printed)
    return printed


def format_typed(value: Any, fmt: str) -> str:
    """A typed value printed again as the sheet prints it in `fmt` (the inverse of `typed`)."""
    if value is None:
        return ""
    if isinstance(value, Yuan):
        return money.capitals(value.fen) if fmt == "capitals" else money.format_fen(value.fen)
    if isinstance(value, date):
        return value.isoformat()
    if fmt == "item_number" and isinstance(value, int):
        return f"第 {value} 号"
    return str(value)


def _headers(layout: Layout) -> tuple[str, ...]:
    return tuple(([layout.number_header] if layout.number_header else []) + [c.header for c in layout.columns])


def _entry_key(entry: Entry) -> str:
    return f"total.{entry.key}" if entry.source == "total" else entry.key


def _entries(pairs: Sequence[Sequence[str]], entries: tuple[Entry, ...]) -> dict[str, Any]:
    by_label: dict[str, Entry] = {}
    for entry in entries:
        by_label.setdefault(entry.label, entry)
    values: dict[str, Any] = {}
    for label, printed in pairs:
        if label not in by_label:
            raise NotTyped(label)
        entry = by_label[label]
        # The same field shown twice (期末余额 in figures and in capitals): one value, the first.
        values.setdefault(_entry_key(entry), typed(printed, entry.format))
    return values


def item_values(public: PublicItem, layout: Layout, *, withdrawn: bool = False) -> dict[str, Any] | None:
    """The item's public content typed (see the module's docstring), or None when its content
    was made by a format whose columns are not `layout`'s (an item sealed under an older one)."""
    if tuple(public.headers) != _headers(layout):
        return None
    columns = layout.columns
    try:
        values: dict[str, Any] = {"info": _entries(public.info, layout.info)}
        if withdrawn:
            return values
        rows = []
        for row in public.rows:
            cells = list(row)
            if len(cells) != len(public.headers):
                return None
            typed_row: dict[str, Any] = {}
            if layout.number_header:
                typed_row["#"] = typed(cells.pop(0), "count")
            for column, cell in zip(columns, cells, strict=True):
                typed_row[column.field] = typed(cell, column.format)
            rows.append(typed_row)
        values["rows"] = rows
        totals: dict[str, Any] = {}
        if public.totals is not None:
            cells = list(public.totals[1:])
            shown = columns if layout.number_header else columns[1:]
            if len(cells) != len(shown):
                return None
            totals = {c.field: typed(cell, c.format) for c, cell in zip(shown, cells, strict=True) if cell}
        values["totals"] = totals
        values["summary"] = _entries(public.summary, layout.summary)
    except NotTyped:
        return None
    return values


# ---------------------------------------------------------------------------------------------
# Schemas.

def _field_entry(part: str, key: str, label: str, fmt: str, spec: Field | None, header: str = "") -> dict[str, Any]:
    kind = TYPE_OF_FORMAT.get(fmt, "string")
    return {"part": part, "key": key, "label": label, "header": header or label,
            "field_label": spec.label if spec else label, "kind": spec.kind.value if spec else "",
            "format": fmt, "type": kind, "masked": fmt in MASKING_FORMATS}


def category_schema(category: Category, layout: Layout) -> dict[str, Any]:
    """The category's open data as its format publishes it: the fields of `values`, by part, each
    printed value once. A field printed twice (期末余额 in figures and in capitals) is listed under
    both labels with the same key: `values` holds it once."""
    def spec_of(entry: Entry) -> Field | None:
        try:
            return category.row_field(entry.key) if entry.source == "total" else category.item_field(entry.key)
        except StopIteration:
            return None

    def row_spec(key: str) -> Field | None:
        try:
            return category.row_field(key)
        except StopIteration:
            return None

    fields = [_field_entry("info", _entry_key(e), e.label, e.format, spec_of(e)) for e in layout.info]
    if layout.number_header:
        fields.append(_field_entry("rows", "#", layout.number_header, "count", None))
    fields += [_field_entry("rows", c.field, c.header, c.format, row_spec(c.field)) for c in layout.columns]
    fields += [_field_entry("totals", c.field, c.header, c.format, row_spec(c.field))
               for c in layout.columns if c.field in layout.totals_sum]
    fields += [_field_entry("summary", _entry_key(e), e.label, e.format, spec_of(e)) for e in layout.summary]
    return {"category": category.code, "category_name": category.name, "layout": layout.id,
            "layout_name": layout.name, "fields": fields}


def schema_document(categories: list[dict[str, Any]], licence: str) -> dict[str, Any]:
    return {"what": "zwgk-schema", "format": OPEN_DATA_FORMAT, "licence": licence, "types": TYPE_NAMES,
            "categories": categories}


SCHEMA_COLUMNS = (("category", "类别代码"), ("category_name", "类别"), ("part", "部分"), ("key", "键"),
                  ("label", "名称"), ("header", "表头"), ("field_label", "字段"), ("kind", "字段类型"),
                  ("format", "印刷格式"), ("type", "数据类型"), ("masked", "遮蔽"))


def schema_csv(document: dict[str, Any]) -> bytes:
    """The schema as one table: a line per field of every category."""
    return csv_table(SCHEMA_COLUMNS, [{"category": c["category"], "category_name": c["category_name"], **f}
                                      for c in document["categories"] for f in c["fields"]])


# ---------------------------------------------------------------------------------------------
# The township's index.

INDEX_COLUMNS = (("village", "村"), ("village_code", "村代码"), ("period", "季度"), ("category", "类别代码"),
                 ("category_name", "类别"), ("number", "编号"), ("title", "标题"), ("code", "验证码"),
                 ("url", "网址"), ("publicity_start", "公示开始"), ("publicity_end", "公示结束"),
                 ("corrected_by", "被更正为"), ("corrects", "更正的是"), ("withdrawn", "公示已结束"))


def index_document(township: str, licence: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"what": "zwgk-items", "format": OPEN_DATA_FORMAT, "township": township, "licence": licence,
            "columns": dict(INDEX_COLUMNS), "items": rows}


def index_row(public: PublicItem, url: str, *, corrected_by: int | None, corrects: int | None,
              withdrawn: bool) -> dict[str, Any]:
    return {"village": public.village, "village_code": public.village_code, "period": public.period,
            "category": public.category, "category_name": public.category_name, "number": public.item_id,
            "title": public.title or public.heading, "code": public.code, "url": url,
            "publicity_start": typed(public.publicity_start, "date"),
            "publicity_end": typed(public.publicity_end, "date"),
            "corrected_by": corrected_by, "corrects": corrects, "withdrawn": withdrawn}


# ---------------------------------------------------------------------------------------------
# Writing: JSON with exact amounts, CSV for Excel.

def _plain(value: Any, marks: dict[str, str], nonce: str) -> Any:
    if isinstance(value, Yuan):
        mark = f"{nonce}{len(marks)}"
        marks[mark] = str(value)
        return mark
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(v, marks, nonce) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, marks, nonce) for v in value]
    return value


def to_json(data: Any) -> bytes:
    """JSON as the site writes it (render.site.to_json's form), amounts as exact decimal numbers."""
    marks: dict[str, str] = {}
    nonce = f"\ue000yuan-{secrets.token_hex(8)}-"  # never in any text: made fresh, never written
    text = json.dumps(_plain(data, marks, nonce), ensure_ascii=False, indent=1, sort_keys=True)
    if marks:
        text = re.sub(f'"({re.escape(nonce)}\\d+)"', lambda m: marks[m.group(1)], text)
    return text.encode("utf-8")


_FORMULA = re.compile(r"[=+@\t\r]|-(?!\d+(\.\d+)?$)")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Yuan | date | int):
        return str(value) if not isinstance(value, date) else value.isoformat()
    text = str(value)
    return f"'{text}" if _FORMULA.match(text) else text


def csv_table(columns: Iterable[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> bytes:
    """A CSV for Excel: UTF-8 with BOM, CRLF, the Chinese header row, one line per row."""
    columns = list(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in columns])
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key, _ in columns])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def item_csv(public: PublicItem, layout: Layout | None, values: dict[str, Any] | None, *, withdrawn: bool) -> bytes:
    """An item's table: its printed headers, a line per row, typed where `values` has them (else
    as printed); once its list is withdrawn, the headers alone."""
    headers = list(public.headers)
    if withdrawn:
        return csv_table([(h, h) for h in headers], [])
    if layout is None or values is None:
        places = [str(n) for n in range(len(headers))]
        return csv_table(list(zip(places, headers, strict=True)),
                         [dict(zip(places, row, strict=True)) for row in public.rows])
    keys = (["#"] if layout.number_header else []) + [c.field for c in layout.columns]
    return csv_table(list(zip(keys, headers, strict=True)), values["rows"])


QUARTER_COLUMNS = (("number", "编号"), ("category", "类别代码"), ("category_name", "类别"), ("heading", "标题行"),
                   ("title", "标题"), ("code", "验证码"), ("publicity_text", "公示期"), ("corrected", "已更正"),
                   ("withdrawn", "公示已结束"), ("page", "网页"), ("data", "数据"))
SEAL_COLUMNS = (("number", "序号"), ("period", "季度"), ("kind", "类型"), ("sealed_at", "封存时间（UTC）"),
                ("chain_hash", "链式哈希"), ("signature", "签名"), ("signer", "签名密钥指纹"))
RETIRED_COLUMNS = (("village_code", "村代码"), ("period", "季度"), ("number", "编号"), ("withdrawn", "说明"))

