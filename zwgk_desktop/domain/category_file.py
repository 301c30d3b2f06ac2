"""Category files (`CODE.category.toml`): a kind of disclosure declared as data, read and checked
as strictly as a layout, and made into a `Category` whose rules come from a small declared set
and the rule functions that ship with the program (`domain.rule_functions`); a file can never
bring code. The README's "类别文件" section describes the format for a township.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from zwgk_desktop.domain import glyphs, money
from zwgk_desktop.domain.fields import PRIVATE_KINDS, Field, FieldError, Kind, clean_text
from zwgk_desktop.domain.items import Category, ImportSpecials, Item, Report
from zwgk_desktop.domain.rule_functions import FUNCTIONS, ITEM, NUMBER, ROW, TEXT, TEXTS
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.incoming import parse_toml

SUFFIX = ".category.toml"
# A township's words for a category it does not replace (`CODE.vocabulary.toml`: a `[vocabulary]`
# table, choice field key = the values it adds), read with the category's own file.
VOCABULARY_SUFFIX = ".vocabulary.toml"
# Marks the template's example line, which an import leaves out.
EXAMPLE_MARK = "（示例）"
CODE = re.compile(r"[a-z][a-z0-9_]{0,19}")
KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
TITLE_PLACEHOLDERS = ("period", "year", "month")
RULES = ("one_of", "in_period", "unique", "sum", "balance", "compare", "filled", "reference", "function")
OPERATORS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "<=": (operator.le, "不超过"), "<": (operator.lt, "小于"), ">=": (operator.ge, "不小于"),
    ">": (operator.gt, "大于"), "==": (operator.eq, "等于"),
}
LEVELS = ("error", "warning")
UNKNOWN_COLUMNS = ("ignore", "note", "refuse")
NOTE_KEY = "note"  # the private row field an import keeps the columns the category does not know in
_FIELD_KEYS = {"key", "label", "type", "required", "public", "max_length", "minimum", "choices", "example",
               "headers", "masked_when"}
_TOP_KEYS = {"code", "name", "order", "new_title", "min_rows", "min_publicity_days", "search_engines",
             "internal", "subtitle", "item_fields", "row_fields", "derived", "rules", "import", "vocabulary",
             "vouchers_public"}
_AMOUNTS = (Kind.MONEY, Kind.COUNT)


def is_category_file(name: str) -> bool:
    """A category file, or a township's vocabulary for one: never a format."""
    return name.endswith((SUFFIX, VOCABULARY_SUFFIX))


class _Reader:
    """One TOML table of the file, every complaint naming the key."""

    def __init__(self, data: dict[str, Any], where: str, prefix: str, problems: list[Problem]) -> None:
        self.data, self.where, self.prefix, self.problems = data, where, prefix, problems

    def fail(self, key: str, reason: str) -> None:
        self.problems.append(Problem(reason, where=self.where, field=f"{self.prefix}{key}"))

    def unknown(self, allowed: Iterable[str]) -> None:
        for key in sorted(set(self.data) - set(allowed)):
            self.fail(key, "未知的设置项（是否拼错？）")

    def get(self, key: str, types: type | tuple[type, ...], what: str, default: Any = None,
            required: bool = False) -> Any:
        if key not in self.data:
            if required:
                self.fail(key, f"缺少此项（应为{what}）")
            return default
        value = self.data[key]
        allowed = types if isinstance(types, tuple) else (types,)
        if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
            self.fail(key, f"应为{what}，不是 {str(value)[:40]!r}")
            return default
        return value

    def text(self, key: str, default: str = "", *, required: bool = False, limit: int = 40) -> str:
        value = self.get(key, str, "文字", default, required)
        if value == default:
            return value
        try:
            cleaned = clean_text(value)
        except FieldError as exc:
            self.fail(key, str(exc))
            return default
        if not cleaned:
            self.fail(key, "不能为空")
            return default
        if len(cleaned) > limit:
            self.fail(key, f"太长：最多 {limit} 个字")
            return default
        if not glyphs.fits(cleaned):
            self.fail(key, glyphs.message(cleaned) or "有字体中没有的字")
            return default
        return cleaned

    def key(self, key: str, *, required: bool = True) -> str:
        value = self.get(key, str, "字段名（小写字母、数字、下划线）", "", required)
        if value and not KEY.fullmatch(value):
            self.fail(key, f"“{value[:40]}”不能作字段名：请用小写英文字母开头，只含小写字母、数字和下划线")
            return ""
        return value

    def keys(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.get(key, list, "字段名的列表", [], required)
        if not all(isinstance(v, str) and KEY.fullmatch(v) for v in value) or len(value) > 20:
            self.fail(key, "应为字段名（小写字母、数字、下划线）的列表")
            return ()
        if required and not value:
            self.fail(key, "不能是空列表")
        return tuple(value)

    def texts(self, key: str, *, limit: int = 40, most: int = 100) -> tuple[str, ...]:
        value = self.get(key, list, "文字列表", [])
        found = []
        for index, text in enumerate(value[:most + 1]):
            if not isinstance(text, str):
                self.fail(f"{key}[{index}]", "应为文字")
                continue
            sub = _Reader({"v": text}, self.where, f"{self.prefix}{key}[{index}]", self.problems)
            cleaned = sub.text("v", limit=limit)
            if cleaned:
                found.append(cleaned)
        if len(value) > most:
            self.fail(key, f"最多 {most} 个")
        return tuple(found)

    def integer(self, key: str, default: int, low: int, high: int, *, required: bool = False) -> int:
        value = self.get(key, int, "整数", default, required)
        if not low <= value <= high:
            self.fail(key, f"应在 {low} 到 {high} 之间，不是 {value}")
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        return bool(self.get(key, bool, "true 或 false", default))

    def tables(self, key: str, most: int = 60) -> list[_Reader]:
        value = self.get(key, list, "表数组（[[...]]）", [])
        if len(value) > most:
            self.fail(key, f"最多 {most} 个，这里有 {len(value)} 个")
            return []
        found = []
        for index, entry in enumerate(value):
            if not isinstance(entry, dict):
                self.fail(f"{key}[{index}]", "应为表")
                continue
            found.append(_Reader(entry, self.where, f"{self.prefix}{key}[{index}].", self.problems))
        return found

    def table(self, key: str) -> _Reader:
        return _Reader(self.get(key, dict, "表", {}), self.where, f"{self.prefix}{key}.", self.problems)


# ---------------------------------------------------------------------------------------------
# Fields.


def _field(reader: _Reader, *, row: bool) -> tuple[Field | None, tuple[str, ...], Any]:
    """A field, its other header spellings and its raw example."""
    reader.unknown(_FIELD_KEYS if row else _FIELD_KEYS - {"headers"})
    key = reader.key("key")
    label = reader.text("label", required=True, limit=20)
    kind_name = reader.get("type", str, "字段类型", "", True)
    try:
        kind = Kind(kind_name)
    except ValueError:
        if kind_name:
            reader.fail("type", f"“{kind_name[:20]}”不是字段类型，应为 {' / '.join(k.value for k in Kind)} 之一")
        return None, (), None
    public = reader.flag("public", kind not in PRIVATE_KINDS)
    if kind in PRIVATE_KINDS and public:
        reader.fail("public", f"“{label}”是{kind.value}（个人证件号、电话或账号），不能是公开字段")
        return None, (), None
    choices = reader.texts("choices") if kind is Kind.CHOICE else ()
    if kind is Kind.CHOICE and not choices:
        reader.fail("choices", "选项类字段须列出可选项（choices）")
    elif "choices" in reader.data and kind is not Kind.CHOICE:
        reader.fail("choices", "只有 choice 类字段才有可选项")
    spec = Field(key, label, kind, required=reader.flag("required", True),
                 max_length=reader.integer("max_length", 40, 1, 5000), choices=choices,
                 minimum=reader.integer("minimum", 0, 0, 1_000_000), public=public,
                 masked_when=_masked_when(reader, kind))
    headers = reader.texts("headers", limit=40, most=30) if row else ()
    example = reader.data.get("example")
    if example is not None and key and label:
        try:
            example = spec.parse(example)
        except FieldError as exc:
            reader.fail("example", f"示例值不合该字段：{exc}")
            example = None
    return (spec if key and label else None), headers, example


def _masked_when(reader: _Reader, kind: Kind) -> tuple[str, str] | None:
    """`masked_when = { field = "party_type", equals = "个人" }`: a name masked on the rows where that
    choice says it is a person's (a layout's `masked_person`), in full elsewhere."""
    if "masked_when" not in reader.data:
        return None
    sub = reader.table("masked_when")
    sub.unknown({"field", "equals"})
    if kind is not Kind.NAME:
        reader.fail("masked_when", "只有 name 类字段可按行遮挡")
        return None
    key, value = sub.key("field"), sub.text("equals", required=True)
    return (key, value) if key and value else None


def _fields(top: _Reader, name: str, *, row: bool) -> tuple[list[Field], list[tuple[str, tuple[str, ...]]],
                                                            list[tuple[str, Any]]]:
    fields, headers, examples = [], [], []
    seen: set[str] = set()
    for reader in top.tables(name):
        spec, spellings, example = _field(reader, row=row)
        if spec is None:
            continue
        if spec.key in seen:
            reader.fail("key", f"字段名“{spec.key}”重复")
            continue
        seen.add(spec.key)
        fields.append(spec)
        if spellings:
            headers.append((spec.key, spellings))
        if row and "example" in reader.data:
            examples.append((spec.key, example))
    if examples and not any(isinstance(v, str) and v.startswith(EXAMPLE_MARK) for _, v in examples):
        top.fail(name, f"示例行（example）须有一个以“{EXAMPLE_MARK}”开头的文字，导入时才认得出它、不导入它")
    return fields, headers, examples


def _vocabulary(reader: _Reader, item: list[Field], row: list[Field]) -> tuple[list[Field], list[Field]]:
    """`[vocabulary]`: values added to closed lists (a township's kinds of aid, its 分类施保
    classes), each choice field by its key; a value already listed is no fault."""
    added: dict[str, tuple[str, ...]] = {}
    choices = {f.key: f for f in (*item, *row) if f.kind is Kind.CHOICE}
    for key in reader.data:
        if key not in choices:
            reader.fail(key, f"没有“{key}”这个选项类字段；可加选项的：{'、'.join(choices) or '无'}")
            continue
        words = reader.texts(key, limit=max(20, choices[key].max_length))
        if not words and key in reader.data:
            reader.fail(key, "应列出要加的选项，如 [\"一类低保\"]")
        added[key] = tuple(w for w in dict.fromkeys(words) if w not in choices[key].choices)

    def extended(fields: list[Field]) -> list[Field]:
        return [replace(f, choices=f.choices + added[f.key]) if added.get(f.key) else f for f in fields]
    return extended(item), extended(row)


def vocabulary_text(text: str, shown: str) -> str:
    """A `CODE.vocabulary.toml` checked to be only a `[vocabulary]` table, as it is added to its
    category file's text (so a seal records the words with the category)."""
    raw = parse_toml(text, f"选项扩充文件 {shown}")
    problems: list[Problem] = []
    _Reader(raw, shown, "", problems).unknown({"vocabulary"})
    if not isinstance(raw.get("vocabulary"), dict) or not raw["vocabulary"]:
        problems.append(Problem("应有 [vocabulary] 一节：选项类字段名 = [要加的选项]", where=shown, field="vocabulary"))
    if problems:
        raise BadInput(f"选项扩充文件 {shown} 无效，未载入：", problems)
    return text


# ---------------------------------------------------------------------------------------------
# The declared rules, each made into a check of a row or of the rows together.


@dataclass
class _Rules:
    per_row: list[Callable[[Item, dict[str, Any], Report], None]] = field(default_factory=list)
    across: list[Callable[[Item, Report], None]] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)  # row fields the rules across rows read
    derive: list[Callable[[Item], list[dict[str, Any]]]] = field(default_factory=list)
    references: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    balances: list[tuple[str, tuple[str, ...], tuple[str, ...], str]] = field(default_factory=list)


class _Scope:
    """The fields a rule may name, to check each reference as it is read."""

    def __init__(self, item: list[Field], row: list[Field], derived: list[Field]) -> None:
        self.item = {f.key: f for f in item}
        self.row = {f.key: f for f in row}
        self.derived = {f.key: f for f in derived}

    def one(self, reader: _Reader, key: str, where: str, kinds: tuple[Kind, ...] = ()) -> Field | None:
        name = reader.key(key)
        fields = self.row if where == ROW else self.item
        spec = fields.get(name)
        if name and spec is None:
            what = "明细" if where == ROW else "事项本身"
            reader.fail(key, f"{what}没有字段“{name}”；可用：{', '.join(fields) or '无'}")
        elif spec is not None and kinds and spec.kind not in kinds:
            reader.fail(key, f"“{spec.label}”应是 {' / '.join(k.value for k in kinds)} 类字段")
            return None
        return spec

    def many(self, reader: _Reader, key: str, where: str, kinds: tuple[Kind, ...] = (),
             required: bool = True) -> list[Field] | None:
        names = reader.keys(key, required=required)
        fields = self.row if where == ROW else self.item
        found = []
        for name in names:
            spec = fields.get(name)
            if spec is None:
                reader.fail(key, f"没有字段“{name}”；可用：{', '.join(fields) or '无'}")
                return None
            if kinds and spec.kind not in kinds:
                reader.fail(key, f"“{spec.label}”应是 {' / '.join(k.value for k in kinds)} 类字段")
                return None
            found.append(spec)
        return found if (found or not required) else None


def _level(reader: _Reader) -> bool:
    """True for an error."""
    level = reader.get("level", str, "error 或 warning", "error")
    if level not in LEVELS:
        reader.fail("level", f"应为 error 或 warning，不是“{level[:20]}”")
    return level != "warning"


def _message(reader: _Reader, placeholders: tuple[str, ...], default: str = "") -> str:
    text = reader.text("message", default, limit=200)
    for name in re.findall(r"\{([^{}]*)\}", text):
        if name not in placeholders:
            reader.fail("message", f"消息中的“{{{name}}}”不可用：可用 {'、'.join('{' + p + '}' for p in placeholders)}")
            return default
    if re.search(r"\{[^{}]*\{|\}[^{}]*\}", text.replace("{{", "").replace("}}", "")):
        reader.fail("message", "消息中的花括号不成对")
        return default
    return text


def _tell(report: Report, is_error: bool, message: str, **where: Any) -> None:
    (report.error if is_error else report.warn)(message, **where)


def _one_of(reader: _Reader, scope: _Scope, rules: _Rules) -> None:
    specs = scope.many(reader, "fields", ROW)
    reader.unknown({"rule", "fields"})
    if not specs:
        return
    labels = [s.label for s in specs]
    amounts = "（金额大于零）" if all(s.kind is Kind.MONEY for s in specs) else ""
    message = f"{'和'.join(labels)}须填且只填一项{amounts}"
    keys = [s.key for s in specs]

    def check(item: Item, row: dict[str, Any], report: Report) -> None:
        if sum(bool(row.get(key)) for key in keys) != 1:
            report.error(message, field="/".join(labels))
    rules.per_row.append(check)


def _in_period(reader: _Reader, scope: _Scope, rules: _Rules) -> None:
    spec = scope.one(reader, "field", ROW, (Kind.DATE,))
    # `by_end = true`: on or before the period's last day only (a contract signed, a debt arisen
    # in an earlier year is still listed; one dated after the period cannot be).
    by_end = reader.flag("by_end", False)
    reader.unknown({"rule", "field", "by_end"})
    if spec is None:
        return

    def check(item: Item, row: dict[str, Any], report: Report) -> None:
        day = row.get(spec.key)
        if day is None:
            return
        period = item.covered  # an item of a month: the month's days, not the quarter's
        if by_end and day > period.last_day:
            report.error(f"{spec.label} {day} 在 {period.chinese}结束（{period.last_day}）之后",
                         field=spec.label)
        elif not by_end and not period.contains(day):
            report.error(f"{spec.label} {day} 不在 {period.chinese}"
                         f"（{period.first_day} 至 {period.last_day}）内", field=spec.label)
    rules.per_row.append(check)


def _when(reader: _Reader, scope: _Scope) -> tuple[Callable[[dict[str, Any]], bool], str] | None:
    """`when = { field = "kind", equals = "债权" }` (or `in = [...]`): the rows a rule is about,
    and how to say them (“债权”); every row when the rule has no `when`. None when it is bad."""
    if "when" not in reader.data:
        return (lambda row: True), ""
    sub = reader.table("when")
    sub.unknown({"field", "equals", "in"})
    spec = scope.one(sub, "field", ROW, (Kind.CHOICE,))
    if ("equals" in sub.data) == ("in" in sub.data):
        sub.fail("equals", "须写 equals = \"某个选项\" 或 in = [\"选项\", …] 之一")
        return None
    values = (sub.text("equals"),) if "equals" in sub.data else sub.texts("in")
    if not values:
        sub.fail("in", "不能是空列表")
    if spec is None or not values or not all(values):
        return None
    for value in values:
        if value not in spec.choices:
            sub.fail("equals" if "equals" in sub.data else "in",
                     f"“{value}”不是“{spec.label}”的选项：可选 {'、'.join(spec.choices)}")
            return None
    key, chosen = spec.key, frozenset(values)
    return (lambda row: row.get(key) in chosen), "、".join(values)


def _unique(reader: _Reader, scope: _Scope, rules: _Rules) -> None:
    specs = scope.many(reader, "fields", ROW)
    is_error = _level(reader)
    message = _message(reader, ("label", "value", "other"), "{label} {value} 与第{other}行重复")
    reader.unknown({"rule", "fields", "level", "message", "unless_differ"})
    # Rows alike in `fields` whose `unless_differ` fields are both filled in and differ are two
    # (two households of one name in one 组 with their own 身份证号): not told.
    apart = scope.many(reader, "unless_differ", ROW, required=False) or []
    if not specs:
        return
    keys = [s.key for s in specs]
    told = specs[-1]
    rules.reads |= set(keys) | {s.key for s in apart}
    distinct = [s.key for s in apart]

    def differ(one: dict[str, Any], other: dict[str, Any]) -> bool:
        return any(one.get(k) is not None and other.get(k) is not None and one.get(k) != other.get(k)
                   for k in distinct)

    def same_as(rows: list[dict[str, Any]], row: dict[str, Any], values: tuple[Any, ...], earlier: _Alike
                ) -> int | None:
        """The first earlier row alike that `unless_differ` does not set apart: one with the same
        distinct values (`values`, the row's), or one lacking some of them (checked one by one: few)."""
        if None in values:
            return next((n for n in earlier.rows if not differ(rows[n - 1], row)), None)
        if not earlier.lacking:  # (the usual: every earlier row alike has them all)
            return earlier.by_values.get(values)
        found = [n for n in (earlier.by_values.get(values),) if n is not None]
        found += [n for n in earlier.lacking if not differ(rows[n - 1], row)][:1]
        return min(found, default=None)

    def key_of(row: dict[str, Any]) -> tuple[Any, ...] | None:
        """The row's values of `fields` as a key; None when none is filled in."""
        key = tuple([row.get(k) for k in keys])
        for value in key:
            if value is not None:
                return key
        return None

    def check(item: Item, report: Report) -> None:
        rows = item.rows
        if not distinct:
            first: dict[tuple[Any, ...], int] = {}
            for number, key in enumerate(map(key_of, rows), start=1):
                if key is None:
                    continue
                earliest = first.setdefault(key, number)
                if earliest != number:
                    _tell(report, is_error, message.format(label=told.label, value=rows[number - 1].get(told.key),
                                                           other=earliest),
                          row=number, field=told.label, other_row=earliest)
            return
        # The rows alike, each key's: its first row's number alone while it has one (most keys),
        # an `_Alike` from its second.
        seen: dict[tuple[Any, ...], int | _Alike] = {}
        for number, key in enumerate(map(key_of, rows), start=1):
            if key is None:
                continue
            earlier = seen.setdefault(key, number)
            if earlier == number:
                continue
            row = rows[number - 1]
            if isinstance(earlier, int):
                seen[key] = earlier = _Alike.of(earlier, tuple([rows[earlier - 1].get(k) for k in distinct]))
            values = tuple([row.get(k) for k in distinct])
            same = same_as(rows, row, values, earlier)
            if same is not None:
                _tell(report, is_error, message.format(label=told.label, value=row.get(told.key), other=same),
                      row=number, field=told.label, other_row=same)
            earlier.add(number, values)
    rules.across.append(check)


@dataclass
class _Alike:
    """The rows alike in a `unique` rule's fields, by their `unless_differ` values."""

    rows: list[int] = field(default_factory=list)
    by_values: dict[tuple[Any, ...], int] = field(default_factory=dict)  # all given: the first row of each
    lacking: list[int] = field(default_factory=list)  # rows lacking one of them

    @classmethod
    def of(cls, number: int, values: tuple[Any, ...]) -> _Alike:
        alike = cls()
        alike.add(number, values)
        return alike

    def add(self, number: int, values: tuple[Any, ...]) -> None:
        self.rows.append(number)
        if None in values:
            self.lacking.append(number)
        else:
            self.by_values.setdefault(values, number)


def _amount(value: Any) -> str:
    return money.format_fen(value)


def _total(rows: list[dict[str, Any]], keys: Iterable[str]) -> int:
    return sum(row.get(key) or 0 for row in rows for key in keys)


def _sum(reader: _Reader, scope: _Scope, rules: _Rules) -> None:
    of = scope.one(reader, "of", ROW, _AMOUNTS)
    bound = "equals" if "equals" in reader.data else "at_most"
    target = scope.one(reader, bound, ITEM, _AMOUNTS)
    is_error = _level(reader)
    when = _when(reader, scope)  # only the rows of one kind: 债权 and 债务 each have their total
    reader.unknown({"rule", "of", "equals", "at_most", "level", "message", "when"})
    if of is None or target is None or when is None:
        return
    rules.reads.add(of.key)
    if "when" in reader.data:
        rules.reads.add(reader.data["when"]["field"])
    fmt = _amount if of.kind is Kind.MONEY else str
    counted, which = when
    whose = f"{which}的" if which else ""

    def check(item: Item, report: Report) -> None:
        wanted = item.fields.get(target.key)
        if wanted is None:
            return
        total = _total([row for row in item.rows if counted(row)], [of.key])
        if bound == "equals" and total != wanted:
            _tell(report, is_error, f"{whose}{of.label}合计 {fmt(total)} 与{target.label} {fmt(wanted)} 不符，"
                                    f"相差 {fmt(abs(total - wanted))}", field=target.label)
        elif bound == "at_most" and total > wanted:
            _tell(report, is_error, f"{whose}{of.label}合计 {fmt(total)} 超过{target.label} {fmt(wanted)}",
                  field=target.label)
    rules.across.append(check)


def _balance(reader: _Reader, scope: _Scope, rules: _Rules) -> None:
    per = reader.get("per", str, "item 或 row", "item")
    if per not in ("item", "row"):
        reader.fail("per", f"应为 item 或 row，不是“{per[:20]}”")
        return
    ends = ITEM if per == "item" else ROW
    start = scope.one(reader, "start", ends, (Kind.MONEY,))
    end = scope.one(reader, "end", ends, (Kind.MONEY,))
    plus = scope.many(reader, "plus", ROW, (Kind.MONEY,), required=False)
    minus = scope.many(reader, "minus", ROW, (Kind.MONEY,), required=False)
    lead = reader.text("message", "收支不平", limit=40)
    reader.unknown({"rule", "per", "start", "end", "plus", "minus", "message"})
    if start is None or end is None or plus is None or minus is None:
        return
    f = _amount
    plus_keys, minus_keys = [s.key for s in plus], [s.key for s in minus]

    # Each term with its own amount (a debt: 原始金额 − 以前已收回 − 本期收回); a ledger's totals are the
    # period's (本期收入), a row's values its own.
    period_word = "本期" if per == "item" else ""

    def said(opening: int, rows: list[dict[str, Any]], closing: int) -> str:
        ins, outs = _total(rows, plus_keys), _total(rows, minus_keys)
        computed = opening + ins - outs
        terms = f"{start.label} {f(opening)}"
        terms += "".join(f" + {period_word}{s.label} {f(_total(rows, [s.key]))}" for s in plus)
        terms += "".join(f" − {period_word}{s.label} {f(_total(rows, [s.key]))}" for s in minus)
        return (f"{lead}：{terms} = {f(computed)}，与填报的{end.label} {f(closing)} 相差 {f(computed - closing)} 元")

    if per == "item":
        rules.reads |= set(plus_keys) | set(minus_keys)
        rules.balances.append((start.key, tuple(plus_keys), tuple(minus_keys), end.key))

        def check(item: Item, report: Report) -> None:
            opening, closing = item.fields.get(start.key), item.fields.get(end.key)
            if opening is None or closing is None:
                return  # not filled in yet: said as such, and the lines are still checked
            ins, outs = _total(item.rows, plus_keys), _total(item.rows, minus_keys)
            if opening + ins - outs != closing:
                report.error(said(opening, item.rows, closing), field=end.label)
        rules.across.append(check)
    else:
        def check_row(item: Item, row: dict[str, Any], report: Report) -> None:
            opening, closing = row.get(start.key), row.get(end.key)
            if opening is None or closing is None:
                return
            ins, outs = _total([row], plus_keys), _total([row], minus_keys)
            if opening + ins - outs != closing:
                report.error(said(opening, [row], closing), field=end.label)
        rules.per_row.append(check_row)


def _compare(reader: _Reader, scope: _Scope, rules: _Rules) -> None:
    name = reader.key("left")
    where = ROW if name in scope.row else ITEM
    left = scope.one(reader, "left", where)
    op = reader.get("op", str, "比较符号", "", True)
    if op and op not in OPERATORS:
        reader.fail("op", f"应为 {' '.join(OPERATORS)} 之一，不是“{op[:10]}”")
        return
    right_value = reader.data.get("right")
    right: Field | None = None
    if isinstance(right_value, int) and not isinstance(right_value, bool):
        constant: int | None = right_value
    else:
        constant = None
        right = scope.one(reader, "right", where)
    is_error = _level(reader)
    allowed = {"rule", "left", "op", "right", "level", "message", "when"}
    # `when`: only on the rows of one kind (a contract 已完成 has been paid in full).
    when = _when(reader, scope)
    if "when" in reader.data and where != ROW:
        reader.fail("when", "只有比较明细中的值时才可写 when")
        when = None
    if left is None or (right is None and constant is None) or not op or when is None:
        reader.unknown(allowed)
        return
    test, word = OPERATORS[op]
    applies, which = when
    default = f"{which + '的' if which else ''}{left.label}应{word}{right.label if right is not None else constant}"
    message = _message(reader, (), default)
    reader.unknown(allowed)
    if left.kind is Kind.MONEY and right is None and constant is not None:
        constant *= 100  # a constant amount is written in 元

    def holds(values: dict[str, Any]) -> bool:
        a = values.get(left.key)
        b = constant if right is None else values.get(right.key)
        return a is None or b is None or test(a, b)

    if where == ROW:
        def check_row(item: Item, row: dict[str, Any], report: Report) -> None:
            if applies(row) and not holds(row):
                _tell(report, is_error, message, field=left.label)
        rules.per_row.append(check_row)
    else:
        def check(item: Item, report: Report) -> None:
            if not holds(item.fields):
                _tell(report, is_error, message, field=left.label)
        rules.across.append(check)


def _filled(reader: _Reader, scope: _Scope, rules: _Rules) -> None:
    """An optional row field that must be filled in on the rows of one kind (`when`): a contract
    终止 or 解除 says why in its 备注."""
    spec = scope.one(reader, "field", ROW)
    when = _when(reader, scope)
    is_error = _level(reader)
    if "when" not in reader.data:
        reader.fail("when", "须写明哪些行必须填：when = { field = \"…\", in = [\"…\"] }")
    reader.unknown({"rule", "field", "when", "level", "message"})
    if spec is None or when is None or "when" not in reader.data:
        return
    applies, which = when
    message = _message(reader, (), f"{which}的须填写{spec.label}")

    def check_row(item: Item, row: dict[str, Any], report: Report) -> None:
        if applies(row) and row.get(spec.key) in (None, ""):
            _tell(report, is_error, message, field=spec.label)
    rules.per_row.append(check_row)


def _reference(reader: _Reader, scope: _Scope, rules: _Rules) -> None:
    # The value is another item's number (the one on its sheets): checked where the item is saved
    # (`db.links`), since only the store knows the village's items.
    spec = scope.one(reader, "field", ITEM, (Kind.COUNT,))
    codes = reader.keys("categories")
    reader.unknown({"rule", "field", "categories"})
    if spec is not None:
        rules.references.append((spec.key, codes))


def _function(reader: _Reader, scope: _Scope, rules: _Rules, category: list[Category]) -> None:
    name = reader.get("name", str, "规则函数名", "", True)
    known = FUNCTIONS.get(name)
    if known is None:
        if name:
            reader.fail("name", f"没有“{name[:40]}”这个规则函数；程序自带的有：{', '.join(FUNCTIONS)}")
        return
    reader.unknown({"rule", "name", *known.params})
    params: dict[str, Any] = {}
    for param, kind in known.params.items():
        if kind in (ROW, ITEM):
            spec = scope.one(reader, param, kind)
            if spec is None:
                return
            params[param] = spec.key
            if kind == ROW and not known.per_row:
                rules.reads.add(spec.key)
        elif kind == TEXT:
            params[param] = reader.text(param, required=True)
        elif kind == TEXTS:
            params[param] = list(reader.texts(param))
        elif kind == NUMBER:
            params[param] = reader.integer(param, 0, 0, 1_000_000, required=True)
    run = known.run
    if known.per_row:
        rules.per_row.append(lambda item, row, report: run(category[0], item, row, report, **params))
    else:
        rules.across.append(lambda item, report: run(category[0], item, report, **params))


def _derived(top: _Reader, scope: _Scope, rules: _Rules) -> list[Field]:
    found = []
    for reader in top.tables("derived", most=10):
        reader.unknown({"key", "label", "type", "rule", "start", "plus", "minus"})
        key = reader.key("key")
        label = reader.text("label", required=True, limit=20)
        if reader.get("type", str, "字段类型", "money") != "money":
            reader.fail("type", "计算出的值现在只能是 money（如余额）")
        rule = reader.get("rule", str, "计算规则", "", True)
        if rule != "running_balance":
            if rule:
                reader.fail("rule", f"没有“{rule[:30]}”这种计算；可用：running_balance（逐行余额）")
            continue
        start = scope.one(reader, "start", ITEM, (Kind.MONEY,))
        plus = scope.many(reader, "plus", ROW, (Kind.MONEY,), required=False)
        minus = scope.many(reader, "minus", ROW, (Kind.MONEY,), required=False)
        if not key or not label or start is None or plus is None or minus is None:
            continue
        if key in scope.row:
            reader.fail("key", f"“{key}”已是明细的字段")
            continue
        found.append(Field(key, label, Kind.MONEY))
        rules.derive.append(_running_balance(key, start.key, [s.key for s in plus], [s.key for s in minus]))
    return found


def _running_balance(key: str, start: str, plus: list[str], minus: list[str]
                     ) -> Callable[[Item], list[dict[str, Any]]]:
    def derive(item: Item) -> list[dict[str, Any]]:
        balance = item.fields[start]
        derived = []
        for row in item.rows:
            balance += _total([row], plus) - _total([row], minus)
            derived.append({key: balance})
        return derived
    return derive


# ---------------------------------------------------------------------------------------------
# The `[import]` table.


def _import(top: _Reader, scope: _Scope) -> ImportSpecials:
    reader = top.table("import")
    reader.unknown({"either", "skip_totals", "opening_row", "closing_row", "computed", "notes", "listed_once",
                    "unknown_columns"})
    either = scope.many(reader, "either", ROW, required=False) or []
    opening = reader.table("opening_row")
    opening_specs: dict[str, Any] = {}
    if opening.data:
        opening.unknown({"field", "words", "into", "from"})
        spec = scope.one(opening, "field", ROW)
        into = scope.one(opening, "into", ITEM, (Kind.MONEY,))
        source = scope.many(opening, "from", ROW, (Kind.MONEY,)) or []
        words = opening.texts("words")
        if not words:
            opening.fail("words", "须列出这一行的写法，如 [\"期初余额\", \"上期结余\"]")
        if spec is not None and into is not None and source and words:
            opening_specs = {"opening_field": spec.key, "opening_words": words, "opening_into": into.key,
                             "opening_from": tuple(s.key for s in source)}
    closing = reader.table("closing_row")
    if closing.data:
        closing.unknown({"words", "into"})
        end = scope.one(closing, "into", ITEM, (Kind.MONEY,))
        closing_words = closing.texts("words")
        if not closing_words:
            closing.fail("words", "须列出这一行的写法，如 [\"期末余额\", \"本期结余\"]")
        if end is not None and closing_words:
            opening_specs |= {"closing_words": closing_words, "closing_into": end.key}
    unknown_columns = reader.get("unknown_columns", str, "未知列的处理", "ignore")
    if unknown_columns not in UNKNOWN_COLUMNS:
        reader.fail("unknown_columns", f"应为 {'、'.join(UNKNOWN_COLUMNS)} 之一：ignore 不导入（会告诉），"
                                       "note 连同表头存入不公开的“note”栏，refuse 拒绝整个文件并说出列名")
        unknown_columns = "ignore"
    elif unknown_columns == "note":
        kept = scope.row.get(NOTE_KEY)
        if kept is None or kept.kind not in (Kind.TEXT, Kind.LONGTEXT) or kept.public:
            reader.fail("unknown_columns", f"note 要求类别有一个不公开的文字栏目 key = \"{NOTE_KEY}\""
                                           "（type = \"text\"，public = false）存放这些列")
            unknown_columns = "ignore"
    computed = scope.many(reader, "computed", ITEM, (Kind.MONEY,), required=False) or []
    notes = []
    for note in reader.tables("notes", most=10):
        note.unknown({"label", "text"})
        label, text = note.text("label", required=True, limit=20), note.text("text", required=True, limit=300)
        if label and text:
            notes.append((label, text))
    listed = scope.one(reader, "listed_once", ROW, (Kind.ID_NUMBER,)) if "listed_once" in reader.data else None
    return ImportSpecials(either=tuple(s.key for s in either), skip_totals=reader.flag("skip_totals", True),
                          computed=tuple(s.key for s in computed), notes=tuple(notes),
                          listed_once=listed.key if listed is not None else None,
                          unknown_columns=unknown_columns, **opening_specs)


# ---------------------------------------------------------------------------------------------


def _vouchers(top: _Reader, code: str, raw: dict[str, Any]) -> str:
    """Whether the rows of the category take vouchers (凭证), and whether those go online: a file's
    `vouchers_public = true / false`; without it the finance ledger takes private ones, nothing else any."""
    if "vouchers_public" in raw:
        return "public" if top.flag("vouchers_public", False) else "private"
    return "private" if code == "finance" else ""


def category_from_toml(text: str, shown: str) -> Category:
    """A category from its file's text (a file's, or the one a seal recorded), checked whole:
    BadInput names the file, the key and the reason of every fault."""
    raw = parse_toml(text, f"类别文件 {shown}")
    problems: list[Problem] = []
    top = _Reader(raw, shown, "", problems)
    top.unknown(_TOP_KEYS)
    code = top.get("code", str, "类别代码", "", True)
    if code and not CODE.fullmatch(code):
        top.fail("code", f"“{code[:20]}”不能作类别代码：请用 1–20 个小写英文字母、数字或下划线，字母开头")
    name = top.text("name", required=True, limit=20)
    order = top.integer("order", 1000, 0, 100_000)
    new_title = top.text("new_title", name, limit=60)
    for placeholder in re.findall(r"\{([^{}]*)\}", new_title):
        if placeholder not in TITLE_PLACEHOLDERS:
            top.fail("new_title", f"“{{{placeholder}}}”不可用：可用 {{period}}（2026年第三季度，"
                               "按月公开的为 2026年7月）、{{year}}（2026年）、{{month}}（7月，季度事项为空）")
    item_fields, _, _ = _fields(top, "item_fields", row=False)
    row_fields, headers, examples = _fields(top, "row_fields", row=True)
    if "vocabulary" in raw:
        item_fields, row_fields = _vocabulary(top.table("vocabulary"), item_fields, row_fields)
    min_rows = top.integer("min_rows", 1, 0, 100_000)
    scope = _Scope(item_fields, row_fields, [])
    rules = _Rules()
    derived = _derived(top, scope, rules)
    made: list[Category] = []  # the category itself, for the rule functions (made below)
    for reader in top.tables("rules", most=40):
        rule = reader.get("rule", str, "规则名", "", True)
        if rule == "function":
            _function(reader, scope, rules, made)
        elif rule in RULES:
            {"one_of": _one_of, "in_period": _in_period, "unique": _unique, "sum": _sum, "balance": _balance,
             "compare": _compare, "filled": _filled, "reference": _reference}[rule](reader, scope, rules)
        elif rule:
            reader.fail("rule", f"没有“{rule[:30]}”这种规则；可用：{', '.join(RULES)}")
    search = raw.get("search_engines", False)
    engines: bool | tuple[str, tuple[str, ...]] = False
    if isinstance(search, bool):
        engines = search
    elif isinstance(search, dict):
        sub = top.table("search_engines")
        sub.unknown({"field", "values"})
        spec = scope.one(sub, "field", ITEM, (Kind.CHOICE,))
        if spec is not None:
            engines = (spec.key, sub.texts("values"))
    else:
        top.fail("search_engines", "应为 true、false 或 { field = \"选项字段\", values = [...] }")
    subtitle = None
    if "subtitle" in raw:
        sub = top.table("subtitle")
        sub.unknown({"field", "pattern"})
        spec = scope.one(sub, "field", ITEM)
        pattern = sub.text("pattern", required=True, limit=60)
        if "{subject}" not in pattern or re.findall(r"\{([^{}]*)\}", pattern) != ["subject"]:
            sub.fail("pattern", "应含且只含一个 {subject}（事项的主题）")
        elif spec is not None:
            subtitle = (spec.key, pattern)
    importing = _import(top, scope)
    ends = {balance[3] for balance in rules.balances}
    for key in sorted(set(importing.computed) - ends):
        top.fail("import.computed", f"“{key}”不是某条 balance 规则的 end：程序算不出它")
    category = Category(
        code=code, name=name, item_fields=tuple(item_fields), row_fields=tuple(row_fields), min_rows=min_rows,
        min_publicity_days=top.integer("min_publicity_days", 0, 0, 365), order=order, new_title=new_title,
        internal=top.flag("internal", False), search_engines=engines, subtitle=subtitle,
        vouchers=_vouchers(top, code, raw),
        headers=tuple(headers), examples=tuple(examples), importing=importing,
        references=tuple(rules.references), balances=tuple(rules.balances), derived_fields=tuple(derived), text=text,
        rule_fields=frozenset(rules.reads) if rules.across else None,
        **_compiled(rules),
    )
    if problems:
        raise BadInput(f"类别文件 {shown} 无效，未载入：", problems)
    made.append(category)
    return category


def _compiled(rules: _Rules) -> dict[str, Any]:
    found: dict[str, Any] = {}
    per_row, across, derive = tuple(rules.per_row), tuple(rules.across), tuple(rules.derive)
    if per_row:
        def row_rules(item: Item, row: dict[str, Any], report: Report) -> None:
            for check in per_row:
                check(item, row, report)
        found["row_rules"] = row_rules
    if across:
        def rules_across(item: Item, report: Report) -> None:
            for check in across:
                check(item, report)
        found["rules"] = rules_across
    if derive:
        def derived(item: Item) -> list[dict[str, Any]]:
            values: list[dict[str, Any]] = [{} for _ in item.rows]
            for one in derive:
                for mine, extra in zip(values, one(item), strict=True):
                    mine.update(extra)
            return values
        found["derive"] = derived
    return found
