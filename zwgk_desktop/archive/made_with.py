"""What made a seal (seal format 4), recorded with it so `verify` can make each sealed item's
public content again exactly as sealing did, whatever has changed since (archive.rederive).

`Seal.made_with` is canonical JSON naming the program's version, the versions of the public
content's rules (what is shown, masked and how it is formatted: `render.public.PUBLIC_RULES`,
`CANONICAL_VERSION`) and of the checks (`domain.items.rules_version`), the digests of the texts
it used (each category's layout file and category file, as their authors wrote them; seals
made before category files recorded a category's definition as canonical JSON), and the place
facts the public content and sheets were made from (township,
village, code, the online copy's address, the 监督电话), so a later change of phone or name, of
a township's formats or of the program's own leaves an honest seal verifying. The texts are
kept once each in `SealSource`, by SHA-256, and travel with bundles.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop import __version__
from zwgk_desktop.db.models import SealSource
from zwgk_desktop.domain.categories import ALL_CATEGORIES
from zwgk_desktop.domain.category_file import category_from_toml
from zwgk_desktop.domain.fields import Field, Kind
from zwgk_desktop.domain.items import Category, rules_version
from zwgk_desktop.domain.place import Place
from zwgk_desktop.errors import BadInput
from zwgk_desktop.render.layout import LayoutSet, layout_from_text, layout_text
from zwgk_desktop.render.public import CANONICAL_VERSION, PUBLIC_RULES

MADE_WITH_VERSION = 1  # the record's own shape
LAYOUT, CATEGORY = "layout", "category"  # SealSource kinds
SOURCE_KINDS = (LAYOUT, CATEGORY)
SOURCE_LIMIT = 1 << 20  # a format is a few kilobytes; a category's definition less
_HASH = re.compile(r"[0-9a-f]{64}")
_CODE = re.compile(r"[a-z][a-z0-9_]{0,19}")
_KEYS = {"v", "software", "public_rules", "canonical", "checks", "layouts", "labels", "categories", "place"}
_PLACE_KEYS = {"township", "village", "village_code", "base_url", "phones"}


class MadeWithError(ValueError):
    """A `made_with` record that is not one this program wrote; the message says why in words."""


def canonical_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class MadeWith:
    """What made a seal: versions, the digests of its texts (by category) and its place."""

    software: str
    public_rules: int
    canonical: int
    checks: str
    layouts: dict[str, str]  # category → digest of its layout file's text
    labels: dict[str, str]  # category → the label printed small on its sheets (pack and version)
    categories: dict[str, str]  # category → digest of its definition's canonical JSON
    place: Place

    def to_json(self) -> str:
        place = self.place
        return canonical_text({
            "v": MADE_WITH_VERSION, "software": self.software, "public_rules": self.public_rules,
            "canonical": self.canonical, "checks": self.checks, "layouts": self.layouts, "labels": self.labels,
            "categories": self.categories,
            "place": {"township": place.township, "village": place.village, "village_code": place.village_code,
                      "base_url": place.base_url, "phones": [list(pair) for pair in place.supervision_phones]},
        })

    @property
    def digests(self) -> dict[str, str]:
        """Every text it names: digest → kind."""
        return {**{d: LAYOUT for d in self.layouts.values()}, **{d: CATEGORY for d in self.categories.values()}}


def _text(value: Any, what: str, limit: int = 200) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise MadeWithError(f"{what}不是 {limit} 字以内的文字")
    return value


def _number(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 1_000_000:
        raise MadeWithError(f"{what}不是正整数")
    return value


def _by_category(value: Any, what: str, *, digests: bool) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > 50:
        raise MadeWithError(f"{what}不是按类别的清单")
    for code, entry in value.items():
        if not _CODE.fullmatch(code):
            raise MadeWithError(f"{what}中的类别“{code[:20]}”不对")
        if digests and not (isinstance(entry, str) and _HASH.fullmatch(entry)):
            raise MadeWithError(f"{what}中“{code}”的摘要不是 SHA-256")
        _text(entry, f"{what}中“{code}”")
    return dict(value)


def parse_made_with(text: Any) -> MadeWith:
    """The record a seal's `made_with` holds; MadeWithError says in words why it is not one."""
    if not isinstance(text, str):
        raise MadeWithError("缺失" if text is None else "不是文字")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise MadeWithError("不是可读的 JSON") from None
    if not isinstance(data, dict) or set(data) != _KEYS:
        raise MadeWithError("内容的项目不对")
    if canonical_text(data) != text:
        raise MadeWithError("不是程序写下的规范形式")
    version = _number(data["v"], "记录格式")
    if version > MADE_WITH_VERSION:
        raise MadeWithError(f"记录格式 {version} 比本程序认识的（{MADE_WITH_VERSION}）还新：请升级本程序后再核验")
    layouts = _by_category(data["layouts"], "版式", digests=True)
    categories = _by_category(data["categories"], "类别定义", digests=True)
    labels = _by_category(data["labels"], "版式标签", digests=False)
    if not layouts or set(layouts) != set(categories) or set(labels) != set(layouts):
        raise MadeWithError("版式、版式标签与类别定义的类别不一致")
    place = data["place"]
    if not isinstance(place, dict) or set(place) != _PLACE_KEYS:
        raise MadeWithError("地点（乡镇、村、监督电话）的项目不对")
    phones = place["phones"]
    if not isinstance(phones, list) or len(phones) > 10 or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) and len(v) <= 200 for v in pair)
            for pair in phones):
        raise MadeWithError("监督电话不是（单位，号码）的清单")
    return MadeWith(
        software=_text(data["software"], "程序版本", 40),
        public_rules=_number(data["public_rules"], "公开内容规则版本"),
        canonical=_number(data["canonical"], "公开内容格式版本"), checks=_text(data["checks"], "检查规则版本", 80),
        layouts=layouts, labels=labels, categories=categories,
        place=Place(_text(place["township"], "乡镇名称"), _text(place["village"], "村名"),
                    _text(place["village_code"], "村代码"), _text(place["base_url"], "网上公开地址", 500),
                    tuple((who, number) for who, number in phones)))


# ---------------------------------------------------------------------------------------------
# Category definitions as text.


def _field_data(spec: Field) -> dict[str, Any]:
    return {"key": spec.key, "label": spec.label, "kind": spec.kind.value, "required": spec.required,
            "max_length": spec.max_length, "choices": list(spec.choices), "minimum": spec.minimum,
            "public": spec.public}


def category_text(schema: Category) -> str:
    """A category's definition as a seal records it: its category file's own text (fields, rules,
    everything), so an archive sealed under a pack's category verifies anywhere. A category
    without one (made in code) is written as the canonical JSON of its fields, as seals before
    category files recorded every category."""
    if schema.text:
        return schema.text
    return canonical_text({
        "code": schema.code, "name": schema.name, "min_rows": schema.min_rows,
        "min_publicity_days": schema.min_publicity_days,
        "item_fields": [_field_data(f) for f in schema.item_fields],
        "row_fields": [_field_data(f) for f in schema.row_fields],
        "derived_fields": [_field_data(f) for f in schema.derived_fields],
        "rule_fields": sorted(schema.rule_fields) if schema.rule_fields is not None else None,
    })


def _field_from(data: Any) -> Field:
    if not isinstance(data, dict) or set(data) != {"key", "label", "kind", "required", "max_length", "choices",
                                                    "minimum", "public"}:
        raise MadeWithError("字段定义的项目不对")
    try:
        return Field(key=_text(data["key"], "字段名", 40), label=_text(data["label"], "字段标签", 40),
                     kind=Kind(data["kind"]), required=bool(data["required"]),
                     max_length=_number(data["max_length"], "字段长度"),
                     choices=tuple(_text(c, "选项", 40) for c in data["choices"]),
                     minimum=int(data["minimum"]), public=bool(data["public"]))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, MadeWithError):
            raise
        raise MadeWithError("字段定义不对") from None


def category_from_text(text: str) -> Category:
    """A category as a seal recorded it: a category file's text, read as a file is; or (a seal
    made before category files) its recorded names and fields as JSON, with the rules of today's
    category of the same code."""
    if not text.lstrip().startswith("{"):
        try:
            return category_from_toml(text, "封存时的类别文件")
        except BadInput as exc:
            raise MadeWithError(f"类别定义无法读取：{exc}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise MadeWithError("类别定义不是可读的 JSON") from None
    if not isinstance(data, dict) or data.get("code") not in ALL_CATEGORIES:
        raise MadeWithError("类别定义不是本程序认识的类别")
    base = ALL_CATEGORIES[data["code"]]
    try:
        return replace(base, name=_text(data["name"], "类别名称", 40),
                       item_fields=tuple(_field_from(f) for f in data["item_fields"]),
                       row_fields=tuple(_field_from(f) for f in data["row_fields"]),
                       derived_fields=tuple(_field_from(f) for f in data["derived_fields"]))
    except (KeyError, TypeError):
        raise MadeWithError("类别定义的项目不对") from None


# ---------------------------------------------------------------------------------------------
# At sealing.


def record(layouts: LayoutSet, codes: Iterable[str], place: Place) -> tuple[MadeWith, dict[str, tuple[str, str]]]:
    """What sealing items of these categories is made with, and the texts it names (digest →
    (kind, text)). A layout file changed on disk since it was loaded is refused: the seal must
    name the text its sheets were made from."""
    layout_digests, labels, category_digests = {}, {}, {}
    sources: dict[str, tuple[str, str]] = {}
    for code in sorted(set(codes)):
        layout = layouts.for_category(code)
        text = layout_text(layout.path)
        try:
            again = layout_from_text(text, layout.path)
        except BadInput:
            again = None
        if again is None or again.labelled(layout.label) != layout:
            raise BadInput(f"版式文件 {layout.path} 在载入之后被修改了：没有封存；请重新打开程序"
                           "（或重新运行命令）后再封存")
        layout_digests[code] = digest_of(text)
        labels[code] = layout.label
        sources[layout_digests[code]] = (LAYOUT, text)
        definition = category_text(layouts.categories.get(code) or ALL_CATEGORIES[code])
        category_digests[code] = digest_of(definition)
        sources[category_digests[code]] = (CATEGORY, definition)
    made = MadeWith(__version__, PUBLIC_RULES, CANONICAL_VERSION, rules_version(), layout_digests, labels,
                    category_digests, place)
    return made, sources


def store_sources(session: Session, sources: dict[str, tuple[str, str]]) -> None:
    """Keep each text once (the table is append-only: a text already kept is left as it is)."""
    held = set(session.scalars(select(SealSource.digest).where(SealSource.digest.in_(list(sources)))))
    for digest, (kind, text) in sorted(sources.items()):
        if digest not in held:
            session.add(SealSource(digest=digest, kind=kind, text=text))
    session.flush()


def source_problem(digest: Any, kind: Any, text: Any) -> str | None:
    """Why a kept (or carried) text is not what its digest names, or None."""
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        return "摘要不是 SHA-256"
    if kind not in SOURCE_KINDS:
        return f"种类“{str(kind)[:20]}”不对"
    if not isinstance(text, str) or len(text) > SOURCE_LIMIT:
        return "不是文字，或太长"
    if digest_of(text) != digest:
        return "内容与其摘要不符（被改动）"
    return None
