"""The public face of an item: exactly what a layout lets the public see, and its verification code.

Everything public (the A3 sheet, the online copy, the archive's canonical JSON) is made from a
`PublicItem`, so the same content gives the same code everywhere (design §4.4). Values are
whitelisted by the layout, formatted and masked here, and free text goes through
`redact_text` once more, so a full ID, phone or account cannot reach a public output even if
one slipped into a summary line, and a name the layout masks on its list (户主姓名 as 林*田) is
masked in the item's free text too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import cached_property
from typing import Any
from urllib.parse import quote

from zwgk_desktop.domain import identity, money
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.fields import Field, Kind, format_hundredths
from zwgk_desktop.domain.items import Category, Item
from zwgk_desktop.domain.periods import QUARTER_NAMES, calendar_days_between, chinese_date
from zwgk_desktop.domain.place import Place
from zwgk_desktop.render.layout import Entry, Layout

CANONICAL_VERSION = 1
# The version of the rules that make public content from an item: what a layout lets through, how
# values are formatted and masked (this module, `domain.identity`'s masks and redaction,
# `domain.money`'s formats). A seal records it (archive.made_with). Raise it whenever the same
# item and layout would give other content, and keep the old way in `archive.rederive`, so items
# sealed under it still re-derive: tests/test_proofs.py's golden contents fail until you do.
PUBLIC_RULES = 1
CODE_LENGTH = 10
# Presentation and description, not in the canonical form (so not in the 验证码): alignment; the
# item's own title for the document's description; the 经办人 and the subtitle the sheet prints.
NOT_CONTENT = ("aligns", "item_title", "clerk", "subtitle")
# The item field that names what an item is about, per category, and the subtitle made of it
# when the item's title is generic (a 招投标 item titled 工程项目中标结果公示, as new ones are, would
# print that line under a heading that says as much already). A title of the clerk's own that
# says more (村内道路硬化工程（𠮷家湾段）招投标结果) is printed as written, project or not.
# A generic title: only words any such item's title has, and perhaps its quarter.
_GENERIC_TITLE = re.compile(r"(\d{4}年(第[一二三四]季度)?|工程|项目|招投标|招标|投标|中标|结果|公示|公告|的|\s)*")


@dataclass(frozen=True)
class PublicItem:
    """An item as the public sees it: strings only, already formatted and masked."""

    item_id: int
    layout_id: str
    category: str
    category_name: str
    township: str
    village: str
    village_code: str
    period: str
    heading: str
    title: str
    publicity_start: str
    publicity_end: str  # "" for 长期公开
    publicity_text: str
    reviewer: str
    reviewed_on: str
    info: tuple[tuple[str, str], ...]
    body: str
    headers: tuple[str, ...]
    aligns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[str, ...] | None
    summary: tuple[tuple[str, str], ...]
    # The item's own title, masked, as the 归档清单 lists it, even where the layout shows only the
    # heading (`title` is then ""): the sheets' document title. Not content: not in the canonical form.
    item_title: str = field(default="", compare=False)
    # Who prepared the item (经办人), printed in the sign-off block where the item has one. Not
    # content: adding it changed no existing item's 验证码; the sealed sheet's hash and the frozen
    # row keep it in the archive.
    clerk: str = field(default="", compare=False)
    # The line under the heading when it is not `title`: the project a 招投标 sheet is about,
    # made from content the code already covers (its title and the 项目名称 shown in `info`).
    subtitle: str = field(default="", compare=False)
    # The month of its quarter the item discloses (`2026-07`), for a village disclosing it monthly;
    # "" for an item of the whole quarter, and then not in the canonical form (so no 验证码 of an
    # item of a quarter changed when months came). `period` stays the quarter, as in its URL.
    month: str = ""

    @property
    def shown_subtitle(self) -> str:
        """The line the sheet prints under its heading ("" for none): not a title the heading
        already says (a new notice is titled 公告, under the heading 东岗村公告)."""
        if self.subtitle:
            return self.subtitle
        return self.title if self.title not in self.heading else ""

    def canonical(self) -> dict[str, Any]:
        """The content the verification code is made from: the item, not the board furniture."""
        # Every value is a string or a tuple of them: a shallow copy is what `asdict` would give
        # (and a 10,000-row list is not copied cell by cell to be serialised).
        # `aligns` is presentation, not content.
        data = {f.name: getattr(self, f.name) for f in dataclass_fields(self) if f.name not in NOT_CONTENT}
        if not self.month:
            del data["month"]
        data["v"] = CANONICAL_VERSION
        return data

    def canonical_json(self) -> bytes:
        return self._canonical_bytes

    @classmethod
    def from_canonical(cls, data: dict[str, Any], aligns: tuple[str, ...] | None = None) -> PublicItem:
        """An item back from its canonical form (as sealed), giving the same bytes and code.

        Alignment is presentation, not content, so it is not stored: the caller passes the
        layout's when it still fits the headers; otherwise every column is left-aligned.
        """
        values = {key: value for key, value in data.items() if key != "v"}
        headers = tuple(values["headers"])
        values.update(
            headers=headers, info=tuple(tuple(pair) for pair in values["info"]),
            summary=tuple(tuple(pair) for pair in values["summary"]),
            rows=tuple(tuple(row) for row in values["rows"]),
            totals=tuple(values["totals"]) if values["totals"] is not None else None,
            aligns=aligns if aligns is not None and len(aligns) == len(headers) else ("left",) * len(headers),
        )
        return cls(**values)

    # The item is frozen, so its canonical form is computed once: every sheet prints the code, and
    # a 10,000-household list must not serialise its rows once per sheet.
    @cached_property
    def _canonical_bytes(self) -> bytes:
        text = json.dumps(self.canonical(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return unicodedata.normalize("NFC", text).encode("utf-8")

    @cached_property
    def content_hash(self) -> str:
        return hashlib.sha256(self._canonical_bytes).hexdigest()

    @cached_property
    def code(self) -> str:
        """Ten characters of base32 (A–Z, 2–7: no 0/O or 1/I to confuse a reader)."""
        digest = hashlib.sha256(self._canonical_bytes).digest()
        return base64.b32encode(digest).decode("ascii")[:CODE_LENGTH]

    def url(self, base_url: str) -> str:
        """`{base_url}/{village_code}/{period}/{item_id}.html?v={code}` (design §4.4)."""
        return item_url(base_url, self.village_code, self.period, self.item_id, self.code)


def item_url(base_url: str, village_code: str, period: str, number: int, code: str) -> str:
    """An item's address as its QR code carries it (design §4.4): nothing beyond the contract's
    parts, each as short as it is (the village's code, 2026Q3, the number), since every
    character the path adds makes the printed code larger."""
    return f"{base_url.rstrip('/')}/{quote(village_code)}/{period}/{number}.html?v={code}"


def item_number_text(number: int) -> str:
    """How a sheet names another item of the village (关联事项): by the number on its sheets."""
    return f"第 {number} 号"


def format_value(value: Any, fmt: str, spec: Field, names: identity.ListedNames | None = None) -> str:
    """One value of a field as printed. Free text is redacted (and the `names` of the item's masked
    list masked in it); IDs and names masked as the format says."""
    if value is None or value == "":
        return ""
    if fmt == "money":
        return money.format_fen(value)
    if fmt == "capitals":
        return money.capitals(value)
    if fmt == "date" and isinstance(value, date):
        return value.isoformat()
    if fmt == "count" and isinstance(value, int):
        return str(value)
    if fmt == "item_number" and isinstance(value, int):
        return item_number_text(value)
    if fmt == "masked_id":
        return identity.mask_id(str(value))
    if fmt == "masked_name":
        return identity.mask_name(identity.redact_text(str(value)))
    if fmt == "decimal" and isinstance(value, int):
        return format_hundredths(value)
    # Free text, and a date or count stored as text: whatever a clerk typed is guarded alike.
    return identity.redact_text(str(value), allow_mobile=spec.kind is Kind.CONTACT, names=names, label=spec.label)


def _row_format(fmt: str, spec: Field, row: dict[str, Any]) -> str:
    """`masked_person`: masked_name on a person's row, the name in full on a company's."""
    if fmt != "masked_person":
        return fmt
    return "masked_name" if _person(spec, row) else "text"


def listed_names(item: Item, layout: Layout) -> tuple[str, ...]:
    """The full names the layout shows masked (户主姓名 as 林*田): free text must not print them."""
    row_keys = [c.field for c in layout.columns if c.format == "masked_name"]
    people = _masked_people(item, layout) if any(c.format == "masked_person" for c in layout.columns) else []
    own_keys = [e.key for e in (*layout.info, *layout.summary) if e.format == "masked_name" and e.source == "item"]
    names = [str(row[key]) for row in item.rows for key in row_keys if row.get(key)]
    return (*names, *people, *(str(item.fields[key]) for key in own_keys if item.fields.get(key)))


def _person(spec: Field, row: dict[str, Any]) -> bool:
    """Whether this row's name is a person's (`masked_person`): masked unless the row says otherwise."""
    assert spec.masked_when is not None
    key, value = spec.masked_when
    return row.get(key) == value or row.get(key) is None


def _masked_people(item: Item, layout: Layout) -> list[str]:
    schema = category_of(item.category)
    columns = [c.field for c in layout.columns if c.format == "masked_person"]
    specs = [schema.row_field(key) for key in columns]
    return [str(row[spec.key]) for row in item.rows for spec in specs if row.get(spec.key) and _person(spec, row)]


def build_public_item(item: Item, layout: Layout, place: Place, also_masked: Iterable[str] = (),
                      schema: Category | None = None) -> PublicItem:
    """Project a (validated) item through its layout's whitelist.

    `also_masked`: names masked elsewhere that this item's free text must not print in full
    either (a 更正公告's reason names households of the list it corrects). `schema`: the
    category's definition as a seal recorded it (archive.rederive), instead of today's.
    """
    item_number = item.public_number  # what its URL and 验证码 carry: the village's number, wherever printed
    if item_number is None:
        raise ValueError("an item needs its id before it can be made public")
    schema = schema or category_of(item.category)
    names = identity.ListedNames((*listed_names(item, layout), *also_masked))
    totals_by_field = {
        key: sum(row.get(key) or 0 for row in item.rows) for key in {*layout.totals_sum, *_total_keys(layout)}
    }

    def entry_value(entry: Entry) -> str:
        if entry.source == "total":
            spec = schema.row_field(entry.key)
            return format_value(totals_by_field[entry.key], entry.format, spec)
        spec = schema.item_field(entry.key)
        return format_value(item.fields.get(entry.key), entry.format, spec, names)

    columns = layout.columns
    row_specs = [schema.row_field(c.field) for c in columns]
    rows = []
    for number, row in enumerate(schema.shown_rows(item), start=1):
        cells = [format_value(row.get(c.field), _row_format(c.format, spec, row), spec, names)
                 for c, spec in zip(columns, row_specs, strict=True)]
        rows.append(tuple([str(number), *cells] if layout.number_header else cells))
    headers = tuple(([layout.number_header] if layout.number_header else []) + [c.header for c in columns])
    aligns = tuple((["center"] if layout.number_header else []) + [c.align for c in columns])
    totals = None
    if layout.totals_label:
        cells = [
            format_value(totals_by_field[c.field], c.format, spec) if c.field in layout.totals_sum else ""
            for c, spec in zip(columns, row_specs, strict=True)
        ]
        # The label takes the 序号 cell, or the first column's when there is no 序号.
        totals = (layout.totals_label, *(cells if layout.number_header else cells[1:]))
    body = ""
    if layout.body_field:
        body = format_value(item.fields.get(layout.body_field), "text", schema.item_field(layout.body_field), names)
    start, end = item.publicity_start, item.publicity_end
    if start and end:
        publicity_text = f"{chinese_date(start)}至{chinese_date(end)}（{calendar_days_between(start, end)}天）"
    elif start:
        publicity_text = f"{chinese_date(start)}起长期公开"
    else:
        publicity_text = ""
    title = identity.redact_text(item.title, names=names)
    month = item.month
    heading = layout.heading_pattern(month is not None).format(
        village=place.village, township=place.township, year=item.period.year,
        quarter=QUARTER_NAMES[item.period.number], period=str(item.covered),
        category_name=schema.name, title=title, month=month.number if month else "",
    )
    info = tuple((e.label, value) for e in layout.info if (value := entry_value(e)))
    summary = tuple((e.label, value) for e in layout.summary if (value := entry_value(e)))
    subtitle = _subtitle(schema, title, layout, entry_value) if layout.show_item_title else ""
    return PublicItem(
        item_id=item_number, layout_id=layout.id, category=item.category, category_name=schema.name,
        township=place.township, village=place.village, village_code=place.village_code,
        period=str(item.period), heading=heading,
        title=title if layout.show_item_title and title != heading else "",
        publicity_start=start.isoformat() if start else "", publicity_end=end.isoformat() if end else "",
        publicity_text=publicity_text,
        reviewer=identity.redact_text(item.reviewer or ""),
        reviewed_on=item.reviewed_on.isoformat() if item.reviewed_on else "",
        info=info,
        body=body, headers=headers, aligns=aligns, rows=tuple(rows), totals=totals,
        summary=summary, item_title=title, clerk=identity.redact_text(item.clerk or ""), subtitle=subtitle,
        month=str(month) if month else "",
    )


def _subtitle(schema: Category, title: str, layout: Layout, entry_value: Callable[[Entry], str]) -> str:
    """The subtitle naming the item's subject (its category file's `subtitle`) when its title is
    generic: only from a value the layout shows (so the 验证码 covers it), "" where the title names
    it or says more."""
    if schema.subtitle is None:
        return ""
    key, pattern = schema.subtitle
    shown = next((e for e in (*layout.info, *layout.summary)
                  if e.source == "item" and e.key == key and e.format == "text"), None)
    subject = entry_value(shown) if shown else ""
    if not subject or subject in title or not _GENERIC_TITLE.fullmatch(title):
        return ""
    return pattern.format(subject=subject)


def _total_keys(layout: Layout) -> set[str]:
    return {e.key for e in (*layout.info, *layout.summary) if e.source == "total"}
