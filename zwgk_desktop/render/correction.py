"""A correction (更正) as the public sees it: what changed between the sealed version and the new one.

The comparison is made on the public content (`PublicItem.canonical()`), not on the stored rows:
a resident compares the notice with the sheet on the board, so the notice must speak in the
sheet's own words, masked the same way. The result is an item of the `correction` category,
laid out and hashed like any other, so it gets its own sheet, QR code and verification code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from zwgk_desktop.domain.items import Category, Item
from zwgk_desktop.domain.place import Place
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.public import PublicItem, build_public_item, listed_names

# Parts of the public content that are not the table, in the order a reader meets them.
# Not among them: who reviewed it and the publicity period. A correction is signed off anew and
# publicised for its own period, printed on its own sheet; the old ones were not mistakes.
_SCALARS = (("heading", "标题"), ("title", "事项名称"), ("body", "正文"))
# Columns that name a row for a reader (户主姓名, 投标单位, 摘要 …), tried in this order.
_NAMING_HEADERS = ("姓名", "户主", "单位", "名称", "摘要", "事项")


@dataclass(frozen=True)
class Change:
    """One difference a reader can find on the sheet: where, what it said, what it says now."""

    place: str
    before: str
    after: str


def code_of(canonical_json: str) -> str:
    """The verification code of sealed public content (as `PublicItem.code` computes it)."""
    digest = hashlib.sha256(canonical_json.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:10]


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Every difference between two versions' public content, in reading order."""
    found = [Change(label, str(before.get(key) or ""), str(after.get(key) or ""))
             for key, label in _SCALARS if (before.get(key) or "") != (after.get(key) or "")]
    for key in ("info", "summary"):
        found += _pairs(before.get(key) or [], after.get(key) or [])
    found += _rows(before, after)
    old_totals, new_totals = before.get("totals") or [], after.get("totals") or []
    if list(old_totals) != list(new_totals):
        headers = list(after.get("headers") or before.get("headers") or [])
        width = max(len(old_totals), len(new_totals))
        for index in range(1, width):
            was, now = _cell(old_totals, index), _cell(new_totals, index)
            if was != now:
                header = headers[index] if index < len(headers) else f"第{index + 1}栏"
                found.append(Change(f"合计·{header}", was, now))
    return found


def _cell(cells: list[str] | tuple[str, ...], index: int) -> str:
    return str(cells[index]) if index < len(cells) else ""


def _pairs(before: list[list[str]], after: list[list[str]]) -> list[Change]:
    was, now = {k: v for k, v in before}, {k: v for k, v in after}
    labels = list(dict.fromkeys([*was, *now]))
    return [Change(label, was.get(label, ""), now.get(label, "")) for label in labels
            if was.get(label, "") != now.get(label, "")]


def _numbered(rows: list[list[str]]) -> bool:
    """Whether the first column is the sheet's 序号 (1, 2, 3 …), which shifts when a row is added."""
    return bool(rows) and all(row and row[0] == str(n) for n, row in enumerate(rows, start=1))


def _rows(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    old_rows = [list(r) for r in before.get("rows") or []]
    new_rows = [list(r) for r in after.get("rows") or []]
    headers = list(after.get("headers") or before.get("headers") or [])
    skip = 1 if (_numbered(old_rows) or not old_rows) and (_numbered(new_rows) or not new_rows) else 0
    old_keys = [tuple(r[skip:]) for r in old_rows]
    new_keys = [tuple(r[skip:]) for r in new_rows]
    found: list[Change] = []
    matcher = SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(a1 - a0, b1 - b0) if tag == "replace" else 0
        for offset in range(paired):
            found += _row_changes(headers, skip, a0 + offset, old_keys[a0 + offset], b0 + offset,
                                  new_keys[b0 + offset])
        for index in range(a0 + paired, a1):
            found.append(Change(f"删除原第{index + 1}行", _describe(headers, skip, old_keys[index]), "（删除）"))
        for index in range(b0 + paired, b1):
            found.append(Change(f"新增第{index + 1}行", "", _describe(headers, skip, new_keys[index])))
    return found


def _row_changes(headers: list[str], skip: int, old_index: int, old: tuple[str, ...], new_index: int,
                 new: tuple[str, ...]) -> list[Change]:
    where = f"第{new_index + 1}行" if old_index == new_index else f"原第{old_index + 1}行（现第{new_index + 1}行）"
    label = _row_label(headers[skip:], new)
    found = []
    for column in range(max(len(old), len(new))):
        was, now = _cell(old, column), _cell(new, column)
        if was != now:
            header = headers[column + skip] if column + skip < len(headers) else f"第{column + 1}栏"
            who = f"（{label}）" if label and label not in (was, now) else ""
            found.append(Change(f"{where}{who}·{header}", was, now))
    return found


def _row_label(headers: list[str], cells: tuple[str, ...]) -> str:
    for word in _NAMING_HEADERS:
        for header, cell in zip(headers, cells, strict=False):
            if word in header and cell:
                return cell
    return next((cell for cell in cells if cell), "")


def _describe(headers: list[str], skip: int, cells: tuple[str, ...]) -> str:
    named = [f"{headers[i + skip] if i + skip < len(headers) else i + 1}：{cell}"
             for i, cell in enumerate(cells) if cell]
    return "；".join(named)


@dataclass(frozen=True)
class Previous:
    """The version a correction replaces, as the public knows it.

    `content` is its own public content as canonical JSON (for a plain item exactly as sealed;
    for an earlier correction, the content as corrected, not its notice); `code` is the
    verification code on the sheet that was posted for it (for a correction, its notice's);
    `names` are the full names its list showed masked, which the notice must not print in full.
    """

    content: str
    code: str
    names: tuple[str, ...] = ()

    @property
    def number(self) -> int | None:
        """Its number as printed on its sheet (its URL's), as its public content records it."""
        try:
            number = json.loads(self.content).get("item_id")
        except (ValueError, AttributeError):
            return None
        return number if isinstance(number, int) else None


def notice_for(correction: Item, previous: Previous, corrected: dict[str, Any]) -> Item:
    """The 更正公告 of a correction, as an item of the `correction` category; `corrected` is the
    correction's own public content."""
    original = json.loads(previous.content)
    code = previous.code
    found = changes(original, corrected)
    old_name = original.get("heading", "")
    if original.get("title"):
        old_name += f"（{original['title']}）"
    reason = (correction.correction_reason or "").strip()
    lines = [f"更正原因：{reason}" if reason else "",
             f"原公告“{old_name}”（验证码 {code}）中下列内容有误，现予更正，其余内容不变；以本公告为准。"
             if found else f"原公告“{old_name}”（验证码 {code}）的公开内容没有变化。"]
    return Item(
        category="correction", period=correction.period, title=f"关于“{original.get('heading', '')}”的更正",
        disclosure=correction.disclosure, publicity_start=correction.publicity_start,
        publicity_end=correction.publicity_end, clerk=correction.clerk, reviewer=correction.reviewer,
        reviewed_on=correction.reviewed_on, status=correction.status,
        fields={"original_title": old_name, "original_code": code, "body": "\n".join(line for line in lines if line)},
        rows=[{"place": c.place, "before": c.before, "after": c.after} for c in found],
        id=correction.id, number=correction.number, supersedes=correction.supersedes,
        correction_reason=correction.correction_reason, month=correction.month,
    )


def public_item(item: Item, layouts: LayoutSet, place: Place, previous: Previous | None = None,
                categories: Mapping[str, Category] | None = None) -> PublicItem:
    """What the public sees of any item: its own sheet, or for a correction its 更正公告.

    Every public output (board, archive, online copy) comes through here, so a correction has
    the same verification code wherever it appears. `categories`: the definitions a seal
    recorded (archive.rederive), where they are not today's.
    """
    layout = layouts.for_category(item.category)
    chosen = categories or {}
    own = build_public_item(item, layout, place, schema=chosen.get(item.category))
    if item.supersedes is None:
        return own
    if previous is None:
        raise ValueError(f"correction {item.id} needs the version it replaces")
    notice = notice_for(item, previous, own.canonical())
    # The reason is the clerk's words ("林大田户已迁出"): the households of both versions' lists
    # are masked in it as the lists show them.
    masked = (*listed_names(item, layout), *previous.names)
    return build_public_item(notice, layouts.for_category("correction"), place, also_masked=masked,
                             schema=chosen.get("correction"))
