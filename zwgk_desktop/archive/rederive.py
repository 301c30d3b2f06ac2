"""Making a sealed item's public content again from its stored rows, with what its seal recorded
(archive.made_with), and checking that its sealed PDF prints that content's 验证码.

Sealing made the item's public content from its rows, its category's layout and definition and
the village's facts, under some version of the public rules; `verify` does the same with the
texts and facts the seal recorded, so a change of the township's formats, of a phone number or
of this program leaves an honest item verifying, while rows changed behind the app's back (even
with every hash recomputed) no longer give the sealed content.

`DERIVERS` keeps one way of making public content per version of the public rules
(`render.public.PUBLIC_RULES`). When the rules change, the old way stays here under its number,
so items sealed under it still re-derive; a seal made under rules newer than this program's is
said in words (the program must be upgraded to check it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop import __version__
from zwgk_desktop.archive.made_with import (
    LAYOUT,
    MadeWith,
    MadeWithError,
    category_from_text,
    parse_made_with,
    source_problem,
)
from zwgk_desktop.archive.versions import previous_versions
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, ItemRow, SealSource
from zwgk_desktop.domain.categories import ALL_CATEGORIES
from zwgk_desktop.domain.items import Category, Item
from zwgk_desktop.domain.place import Place
from zwgk_desktop.errors import BadInput
from zwgk_desktop.render.correction import Change, Previous, changes, public_item
from zwgk_desktop.render.layout import LayoutSet, layout_from_text
from zwgk_desktop.render.public import CANONICAL_VERSION, PUBLIC_RULES, PublicItem

log = logging.getLogger(__name__)

Deriver = Callable[[Item, LayoutSet, Place, "Previous | None", Mapping[str, Category]], PublicItem]


def _rules_1(item: Item, layouts: LayoutSet, place: Place, previous: Previous | None,
             categories: Mapping[str, Category]) -> PublicItem:
    return public_item(item, layouts, place, previous, categories)


# Public rules version → how public content was made under it (today's is the newest).
DERIVERS: dict[int, Deriver] = {1: _rules_1}
assert max(DERIVERS) == PUBLIC_RULES, "keep a deriver for every version of the public rules"

_CODE = re.compile(r"(?<![A-Z0-9])[A-Z2-7]{10}(?![A-Z0-9])")


@dataclass(frozen=True)
class Recorded:
    """What a seal was made with, ready to derive from: its formats, definitions and place."""

    made: MadeWith
    layouts: LayoutSet
    categories: dict[str, Category]
    derive: Deriver


class Rederiver:
    """Re-derives the items of one verify run; what each seal recorded is read once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._recorded: dict[str, Recorded | str] = {}

    def recorded(self, made_with: str) -> Recorded | str:
        """What a seal recorded, or why it cannot be used (in words)."""
        if made_with not in self._recorded:
            self._recorded[made_with] = self._read(made_with)
        return self._recorded[made_with]

    def _read(self, made_with: str) -> Recorded | str:
        try:
            made = parse_made_with(made_with)
        except MadeWithError as exc:
            return f"封存的“制作依据”不对：{exc}"
        if made.public_rules > PUBLIC_RULES or made.canonical > CANONICAL_VERSION:
            return (f"此事项是较新版本的程序（{made.software}）按第 {made.public_rules} 版公开内容规则封存的，"
                    f"本程序（{__version__}）只认识到第 {PUBLIC_RULES} 版，无法重新生成它的公开内容："
                    "请升级本程序后再核验")
        derive = DERIVERS.get(made.public_rules)
        if derive is None or made.canonical != CANONICAL_VERSION:
            return f"本程序已不保留封存时所用的第 {made.public_rules} 版公开内容规则，无法重新生成公开内容"
        texts: dict[str, str] = {}
        for digest, kind in made.digests.items():
            row = self.session.execute(select(SealSource.kind, SealSource.text)
                                       .where(SealSource.digest == digest)).first()
            if row is None:
                what = "版式文件" if kind == LAYOUT else "类别定义"
                return f"封存时所用的{what}（摘要 {digest[:12]}…）已不在档案中：封存的依据被删除了"
            if (reason := source_problem(digest, row[0], row[1])) or row[0] != kind:
                return f"封存时所用的版式或类别定义（摘要 {digest[:12]}…）被改动：{reason or '种类不对'}"
            texts[digest] = row[1]
        try:
            categories = {code: category_from_text(texts[digest]) for code, digest in made.categories.items()}
            # Each layout checked against the categories as recorded (one a pack added, too).
            known = {**ALL_CATEGORIES, **categories}
            layouts = LayoutSet(Path("封存记录"), tuple(
                layout_from_text(texts[digest], Path(f"{code}.toml"), f"封存时的 {code} 版式", known)
                for code, digest in sorted(made.layouts.items())), categories=known)
        except (BadInput, MadeWithError) as exc:
            return f"封存时所用的版式或类别定义无法读取：{exc}"
        if any(schema.code != code for code, schema in categories.items()) or any(
                lay.category != code for code, lay in zip(sorted(made.layouts), layouts.layouts, strict=True)):
            return "封存时所用的版式或类别定义与其类别不符"
        return Recorded(made, layouts, categories, derive)

    def problems(self, made_with: str, record: DisclosureItem, sealed_json: Any, content_hash: str) -> list[str]:
        """Why the item's stored rows, made public as its seal recorded, do not give its sealed
        content (in words); empty when they do."""
        recorded = self.recorded(made_with)
        if isinstance(recorded, str):
            return [recorded]
        try:
            public = self._derive(recorded, record)
        except _Unreadable as exc:
            return [str(exc)]
        except Exception as exc:
            log.info("re-deriving item %s: %r", record.id, exc)
            return ["档案中的数据无法按封存时的规则生成公开内容：数据被改动或损坏"]
        if public.content_hash == content_hash:
            return []
        return [_difference(sealed_json, public)]

    def unknown_keys(self, made_with: str, record: DisclosureItem, rows: list[Any]) -> list[str]:
        """Keys of the item's `fields` and rows that its category, as the seal recorded it, does
        not know (in words): nothing public shows them, so re-deriving cannot; sealing never
        stores one. Empty when the record cannot be read (`problems` says why)."""
        recorded = self.recorded(made_with)
        category = recorded.categories.get(record.category) if isinstance(recorded, Recorded) else None
        if category is None:
            return []
        found = []
        known = {f.key for f in category.item_fields}
        if isinstance(record.fields, dict) and (strange := sorted(str(k) for k in record.fields if k not in known)):
            found.append(f"事项的字段中有类别“{category.name}”没有的项（{'、'.join(strange[:5])}）：数据是在程序之外写入的")
        known_row = {f.key for f in category.row_fields}
        for number, row in enumerate(rows, start=1):
            if isinstance(row, dict) and (strange := sorted(str(k) for k in row if k not in known_row)):
                found.append(f"第{number}行有类别“{category.name}”没有的项（{'、'.join(strange[:5])}）："
                             "数据是在程序之外写入的")
                break
        return found

    def _derive(self, recorded: Recorded, record: DisclosureItem) -> PublicItem:
        rows = [data for (data,) in self.session.execute(
            select(ItemRow.data).where(ItemRow.item_id == record.id).order_by(ItemRow.seq))]
        item = store.to_domain(record, rows)
        if item.category not in recorded.categories or (
                item.supersedes is not None and "correction" not in recorded.categories):
            raise _Unreadable(f"事项的类别“{item.category}”不在封存时记录的版式中：类别被改动了")
        previous = None
        if item.supersedes is not None:
            previous = previous_versions(self.session, [item], recorded.layouts, recorded.made.place,
                                         recorded.categories).get(record.id)
            if previous is None:
                raise _Unreadable("更正所对应的原事项的封存内容不见了")
        return recorded.derive(item, recorded.layouts, recorded.made.place, previous, recorded.categories)


class _Unreadable(Exception):
    """Why an item cannot be re-derived, in words."""


def _difference(sealed_json: Any, public: PublicItem) -> str:
    """The change a reader would find between the sealed content and the rows as they are now."""
    import json

    found = []
    try:
        sealed = json.loads(sealed_json)
        if isinstance(sealed, dict):
            found = changes(sealed, public.canonical())
    except Exception as exc:
        log.info("comparing sealed content: %r", exc)
    return DIFFERENT + changes_said(found)


# How a re-derived content that is not the sealed one begins (seal.py joins it to its own finding).
DIFFERENT = "档案中的数据与封存的公开内容不符（按封存时的版式和规则由现存数据重新生成，与验证码对不上）"


def changes_said(found: list[Change]) -> str:
    """What a reader would find changed, in words: the first few places, both values."""
    said = "；".join(f"{c.place}：封存时为“{c.before[:40]}”，现为“{c.after[:40]}”" for c in found[:3])
    more = f"（共 {len(found)} 处）" if len(found) > 3 else ""
    return f"：{said}{more}" if said else ""


def pdf_code_problem(pdf: bytes, code: str) -> str | None:
    """Why a sealed PDF is not the sheets of the content with this 验证码, or None: every page
    must print the code, and a code in its metadata (PDF/A sheets carry it as a keyword) must be
    this one."""
    import pypdfium2 as pdfium  # only here: reading PDFs is verify's business alone

    try:
        document = pdfium.PdfDocument(pdf)
    except Exception as exc:
        log.info("opening a sealed PDF: %r", exc)
        return "封存的 PDF 无法打开：文件已损坏"
    try:
        if len(document) == 0:
            return "封存的 PDF 没有页面"
        keywords = str(document.get_metadata_value("Keywords") or "")
        codes = set(_CODE.findall(keywords))
        if codes and code not in codes:
            return f"封存的 PDF 属性中的验证码（{'、'.join(sorted(codes))}）不是此事项的（{code}）"
        for number in range(len(document)):
            page = document[number]
            try:
                text_page = page.get_textpage()
                text = "".join(text_page.get_text_range().split())
                text_page.close()
            finally:
                page.close()
            if code not in text:
                found = sorted(set(re.findall(r"[A-Z2-7]{10}", text.split("验证码", 1)[1][:10]))) \
                    if "验证码" in text else []
                said = f"印的是 {'、'.join(found)}" if found else "没有印出验证码"
                return f"封存的 PDF 第 {number + 1} 页{said}，不是此事项的验证码 {code}"
    except Exception as exc:
        log.info("reading a sealed PDF: %r", exc)
        return "封存的 PDF 有页面无法读取：文件已损坏"
    finally:
        document.close()
    return None
