"""A disclosure item (事项) in domain terms, and the checks every item must pass before it is
stored as reviewed or printed: its own fields, its rows, and its category's cross-row rules."""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import operator
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from zwgk_desktop.domain import json_text
from zwgk_desktop.domain.fields import Field, FieldError, Kind, parse_date
from zwgk_desktop.domain.periods import Month, Quarter, calendar_days_between
from zwgk_desktop.errors import BadInput, Problem

DISCLOSURE_ATTRIBUTES = ("主动公开", "依申请公开", "不予公开")
PUBLIC = "主动公开"
DRAFT, REVIEWED = "draft", "reviewed"
STATUS_NAMES = {DRAFT: "草稿", REVIEWED: "已审核"}

# The fields every item has, whatever its category (the category adds its own).
TITLE = Field("title", "标题", Kind.TEXT, max_length=60)
CLERK = Field("clerk", "经办人", Kind.NAME, required=False, max_length=20)
REVIEWER = Field("reviewer", "审核人", Kind.NAME, required=False, max_length=20)
CORRECTION_REASON = Field("correction_reason", "更正原因", Kind.LONGTEXT, max_length=500)
# Names and texts typed outside an item that the archive keeps and prints or shows (a seal's
# 封存人, who confirmed a key's fingerprint, why a key was replaced): through the same check as
# an item's fields (`entered`), so no entry path lets through what another refuses.
SEALED_BY = Field("sealed_by", "封存人", Kind.NAME, max_length=40)
CONFIRMED_BY = Field("confirmed_by", "核对人", Kind.NAME, max_length=40)
KEY_REASON = Field("key_reason", "原因", Kind.LONGTEXT, max_length=500)


def entered(spec: Field, text: str) -> str:
    """`text` typed for `spec` outside an item (审核人, 封存人, 核对人, 更正原因, a key's reason),
    checked as an item's field is (`Field.check`: invisible characters, the fonts, length) and
    cleaned; a refusal names the field and the text in words (BadInput)."""
    try:
        value = spec.parse(text)
    except FieldError as exc:
        raise BadInput(f"{spec.label}“{text}”：{exc}") from None
    return str(value or "")


@dataclass
class Report:
    """What is wrong (errors: cannot be reviewed or printed) and what looks odd (warnings).

    Some errors only say that a value of the item's own is not filled in yet (公示开始, 期初余额,
    中标单位): a draft may be kept without them, so they are also listed in `incomplete`. Every
    other error is something wrong with what is there, which no one may store from a file.
    """

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    incomplete: list[Problem] = field(default_factory=list)  # each also in `errors`
    # Findings about all the rows together (收支不平, a gap in the ranks), even those told on one
    # row: with a broken row left out they would be wrong, so they wait for it (see `validate`).
    whole: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def wrong(self) -> list[Problem]:
        """The errors that are not merely a value still to be filled in."""
        missing = {id(p) for p in self.incomplete}
        return [p for p in self.errors if id(p) not in missing]

    def error(self, message: str, row: int | None = None, field: str = "", other_row: int | None = None, *,
              whole: bool = False) -> None:
        self.errors.append(Problem(message, row=row, field=field, other_row=other_row))
        if whole or row is None:
            self.whole.append(self.errors[-1])

    def missing(self, message: str, field: str) -> None:
        """A value of the item's own not filled in yet: an error, and one a draft may still have."""
        self.error(message, field=field)
        self.incomplete.append(self.errors[-1])

    def warn(self, message: str, row: int | None = None, field: str = "", other_row: int | None = None, *,
             whole: bool = False) -> None:
        self.warnings.append(Problem(message, row=row, field=field, other_row=other_row))
        if whole or row is None:
            self.whole.append(self.warnings[-1])


@dataclass
class Item:
    """One disclosure item: a finance quarter, a 低保 list, a bid result or a notice."""

    category: str
    period: Quarter
    title: str
    disclosure: str = PUBLIC
    publicity_start: date | None = None
    publicity_end: date | None = None  # None: posted long-term (长期公开)
    clerk: str | None = None
    reviewer: str | None = None
    reviewed_on: date | None = None
    status: str = DRAFT
    fields: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    id: int | None = None
    # The number in the item's URL when it is not `id` (an item imported from a village's archive).
    number: int | None = None
    # A correction (更正): the id of the sealed version it replaces, and why.
    supersedes: int | None = None
    correction_reason: str | None = None
    # What checking the item as stored found (kept with it in the store); not part of its content.
    kept_check: KeptCheck | None = field(default=None, compare=False, repr=False)
    # The month of its quarter the item covers, where its village discloses the category monthly.
    month: Month | None = None

    @property
    def covered(self) -> Quarter | Month:
        """The period the item discloses: its month, or else its quarter."""
        return self.month or self.period

    @property
    def public_number(self) -> int | None:
        return self.number if self.number is not None else self.id

    def snapshot(self) -> Item:
        """A copy safe to hand to another thread: values are immutable, so copying the
        containers is enough (and far cheaper than a deep copy of 10,000 rows)."""
        return replace(self, fields=dict(self.fields), rows=[dict(row) for row in self.rows])


@dataclass(frozen=True)
class ImportSpecials:
    """What importing a spreadsheet of a category does beyond reading its columns (the
    `[import]` table of its category file; see `domain.category_file`)."""

    # At least one of these row fields must have a column (收入 or 支出), said as "收入或支出".
    either: tuple[str, ...] = ()
    # Lines whose cells say 合计/小计 are the sheet's own sums and are skipped (not in a notice).
    skip_totals: bool = True
    # A line whose `opening_field` cell is one of `opening_words` gives the item field
    # `opening_into` from the first of `opening_from` filled in (a ledger's 期初余额 line).
    opening_field: str | None = None
    opening_words: tuple[str, ...] = ()
    opening_into: str | None = None
    opening_from: tuple[str, ...] = ()
    # Item fields the program computes from the category's balance rule when the file leaves them
    # out (期末余额): not asked for on the template's 事项信息 sheet.
    computed: tuple[str, ...] = ()
    # Extra lines of the template's 填写说明 sheet: (label, text).
    notes: tuple[tuple[str, str], ...] = ()
    # A row field naming a person: one already on a list of this category for the quarter, in
    # this or another village, is told (drawing twice).
    listed_once: str | None = None
    # A ledger's 期末余额 line (`[import.closing_row]`): the words that mark it and the item field
    # it gives; the program computes that value and compares the file's with it.
    closing_words: tuple[str, ...] = ()
    closing_into: str | None = None
    # What a column the category does not know does: "ignore" (told as not imported), "note" (kept,
    # with its header, in the private row field `note`) or "refuse" (the file is refused, by name).
    unknown_columns: str = "ignore"


def _nothing_derived(item: Item) -> list[dict[str, Any]]:
    return [{} for _ in item.rows]


@dataclass(frozen=True)
class Category:
    """A kind of disclosure: its item fields, its row fields and the rules across them, as its
    category file declares them (`domain.category_file`); the rules are made from the declared
    set and the rule functions that ship with the program (`domain.rule_functions`)."""

    code: str
    name: str
    item_fields: tuple[Field, ...]
    row_fields: tuple[Field, ...]
    min_rows: int = 1
    min_publicity_days: int = 0
    # The rules across rows (totals, balance, duplicates), over the rows whose cells are sound;
    # `rule_fields` names the row values they read (None: any), so an edit of another value
    # need not run them again.
    rules: Callable[[Item, Report], None] = field(default=lambda item, report: None, compare=False)
    rule_fields: frozenset[str] | None = None
    # The rules about one sound row alone (a date within the quarter): given the item (its own
    # values as the rules may read them), the row and the report, told without a row number.
    row_rules: Callable[[Item, dict[str, Any], Report], None] = field(
        default=lambda item, row, report: None, compare=False)
    # Values computed from a valid item for each row (a running balance), never typed or stored;
    # a layout may show them like any public row field.
    derived_fields: tuple[Field, ...] = ()
    derive: Callable[[Item], list[dict[str, Any]]] = field(default=_nothing_derived, compare=False)
    # -- what the category file says besides (see `domain.category_file`) -----------------------
    order: int = 0  # its place in menus, the board and the compliance table
    new_title: str = ""  # a blank item's title: `{period}` is the quarter in Chinese
    internal: bool = False  # made by the program from other items (更正公告), never filed by a clerk
    # Whether search engines may index its pages: True, False, or (choice field, its values that
    # may be indexed): a 会议决议 notice names no private person, a 宅基地 one may.
    search_engines: bool | tuple[str, tuple[str, ...]] = False
    # A subtitle naming the item's subject when its title is generic: (item field, pattern).
    subtitle: tuple[str, str] | None = None
    # Vouchers (凭证) of its rows: "" none taken, "private" kept in the archive only, "public" also
    # online (the file's `vouchers_public`; the finance ledger takes private ones by default).
    vouchers: str = ""
    headers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # row field → other header spellings
    examples: tuple[tuple[str, Any], ...] = ()  # row field → the template's example value
    importing: ImportSpecials = ImportSpecials()
    # Item fields that name another item of the village (its number), of these categories:
    # checked against the store where the item is saved.
    references: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The balances of the item's own values it declares: (start, plus, minus, end) field keys.
    balances: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = ()
    text: str = field(default="", compare=False)  # the category file's text, as a seal records it

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickled (for a worker process) as its file's text and its values: the rules are made
        again from the text there, as they were here (they are closures, which pickle cannot carry)."""
        if not self.text:
            return super().__reduce_ex__(protocol)
        values = {f.name: getattr(self, f.name) for f in dataclass_fields(self) if f.compare}
        return (_category_again, (self.text, values))

    def aliases(self, key: str) -> tuple[str, ...]:
        return dict(self.headers).get(key, ())

    def example_row(self) -> dict[str, Any]:
        return dict(self.examples)

    def may_be_indexed(self, item: Item) -> bool:
        """Whether the item's public content names no private person (see `search_engines`)."""
        if isinstance(self.search_engines, bool):
            return self.search_engines
        key, values = self.search_engines
        return item.fields.get(key) in values

    def item_field(self, key: str) -> Field:
        return next(f for f in self.item_fields if f.key == key)

    def row_field(self, key: str) -> Field:
        return next(f for f in (*self.row_fields, *self.derived_fields) if f.key == key)

    def private_in(self, item: Item) -> list[str]:
        """Labels of the private fields (full 身份证号, phones, accounts, …) that hold a value in
        the item: what a file carrying the whole item (an Excel export, a bundle) would reveal."""
        rows = [f.label for f in self.row_fields if not f.public and any(r.get(f.key) for r in item.rows)]
        own = [f.label for f in self.item_fields if not f.public and item.fields.get(f.key)]
        return own + rows

    def shown_rows(self, item: Item) -> list[dict[str, Any]]:
        """Each row with its derived values added, as a layout sees it."""
        return [{**row, **extra} for row, extra in zip(item.rows, self.derive(item), strict=True)]


def _category_again(text: str, values: dict[str, Any]) -> Category:
    """A category unpickled: made from its file's text, with the values it had (a seal's recorded
    names and fields, where it was made from one)."""
    from zwgk_desktop.domain.category_file import category_from_toml  # (it imports this module)

    return replace(category_from_toml(text, "类别文件"), **values)


@dataclass(frozen=True)
class KeptCheck:
    """The result of checking an item, kept with it: the digest of what was checked, the version
    of the checks, and how many errors they found."""

    digest: str
    rules: str
    errors: int

    @classmethod
    def of(cls, item: Item, category: Category, report: Report) -> KeptCheck:
        """For an item just checked (and so in canonical form) with this report."""
        return cls(content_digest(item, category), rules_version(), len(report.errors))

    def clean_for(self, item: Item, category: Category) -> bool:
        """Whether this says the item, as it is now, passes every check of today's version: then it
        need not be checked again (a 10,000-household list takes a second)."""
        return self.errors == 0 and self.rules == rules_version() and self.digest == content_digest(item, category)


def content_digest(item: Item, category: Category) -> str:
    """A digest of everything the checks read of an item, its values as the store keeps them; any
    change to any of them (through the program or behind its back) changes it."""
    own = [item.category, str(item.period), item.title, item.disclosure, item.publicity_start,
           item.publicity_end, item.status, item.clerk, item.reviewer, item.reviewed_on, item.supersedes,
           item.correction_reason, [[f.key, item.fields.get(f.key)] for f in category.item_fields]]
    if item.month is not None:  # only then: the digests kept for items of a whole quarter stay as they were
        own.append(str(item.month))
    keys = [f.key for f in category.row_fields]
    encode = _encode
    digest = hashlib.sha256(encode([own, keys]).encode("utf-8"))
    # Row by row, not as one text: a worker saving a long list then never holds the interpreter
    # (and the window waiting for it) for the whole list at once.
    get = operator.itemgetter(*keys) if len(keys) > 1 else None
    for row in item.rows:
        try:
            values = get(row) if get is not None else [row.get(key) for key in keys]  # (a tuple: a JSON list)
        except KeyError:
            values = [row.get(key) for key in keys]
        digest.update(b"\n" + encode(values).encode("utf-8"))
    return digest.hexdigest()


def _tagged(value: Any) -> Any:
    """A value JSON has no form for (a date; a draft's odd value): tagged with its type, so that
    a date and the text of it differ."""
    return [type(value).__name__, value.isoformat() if isinstance(value, date) else repr(value)]


# The same text, the C encoder made once (`json_text`): a digest encodes every row of an item.
_encode = json_text.encoder(ensure_ascii=False, separators=(",", ":"), default=lambda value: _tagged(value))
# Raise when what the checks decide changes without their source changing (nothing does today:
# every rule is code in the modules below or declared in the category files in use).
RULES = 1
# The modules whose code decides what `validate` finds.
_RULE_MODULES = ("zwgk_desktop.domain.items", "zwgk_desktop.domain.categories", "zwgk_desktop.domain.fields",
                 "zwgk_desktop.domain.category_file", "zwgk_desktop.domain.rule_functions",
                 "zwgk_desktop.domain.sanzi_rules",
                 "zwgk_desktop.domain.identity", "zwgk_desktop.domain.money", "zwgk_desktop.domain.periods",
                 "zwgk_desktop.errors")


def rules_version() -> str:
    """The version of the checks: `RULES`, a digest of the code of every module they run and of
    the category files in use (their declared rules), so that a stored item's kept result is never
    trusted by a program whose checks differ (any edit of those modules or files, even of a
    comment, only costs one check more)."""
    from zwgk_desktop.domain import categories  # (it imports this module)

    return _rules_version(categories.generation())


@cache
def _rules_version(generation: int) -> str:
    from zwgk_desktop.domain import categories

    digest = hashlib.sha256(f"{RULES}".encode())
    for text in categories.definitions():
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    for name in _RULE_MODULES:
        spec = importlib.util.find_spec(name)
        try:
            if spec is None or not spec.origin:
                raise OSError(name)
            digest.update(Path(spec.origin).read_bytes())
        except OSError:  # a program without its sources (frozen): its own version stands for them
            from importlib import metadata  # only here: it is slow to import, and the app starts without it

            try:
                installed = metadata.version("zwgk-desktop")
            except metadata.PackageNotFoundError:
                installed = "unknown"
            digest.update(f"{name}={installed}".encode())
    return f"{RULES}-{digest.hexdigest()[:20]}"


def parse_rows(category: Category, raw_rows: Iterable[Mapping[str, object]], first_row: int = 1
               ) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Read rows as typed (keys are field keys); every bad cell is reported, none is dropped."""
    rows, problems = [], []
    for number, raw in enumerate(raw_rows, start=first_row):
        row = {}
        for spec in category.row_fields:
            try:
                row[spec.key] = spec.parse(raw.get(spec.key))
            except FieldError as exc:
                problems.append(Problem(str(exc), row=number, field=spec.label))
        rows.append(row)
    return rows, problems


def parse_item_fields(category: Category, raw: Mapping[str, object]) -> tuple[dict[str, Any], list[Problem]]:
    values, problems = {}, []
    for spec in category.item_fields:
        try:
            values[spec.key] = spec.parse(raw.get(spec.key))
        except FieldError as exc:
            problems.append(Problem(str(exc), field=spec.label))
    return values, problems


def today() -> date:
    """Today's date, as late as any clock of the product may say it: the machine's own and Beijing's
    (a clerk in China, a test machine on UTC at night), so an honest review dated today is never
    refused."""
    return max(date.today(), datetime.now(timezone(timedelta(hours=8))).date())


def validate(item: Item, category: Category, *, rows_checked: bool = False,
             unread_rows: Collection[int] = ()) -> Report:
    """Every check an item must pass before it is reviewed or printed; typed values expected.

    The one checker: the editor runs it as the clerk types (through a `Checker` it keeps, which
    re-checks only what changed), an import runs it on what the file holds before anything is
    stored, a review and a print refuse what it refuses.

    `rows_checked`: every row value has just been through its field's check (an import parses
    each cell that way), so only the rules across rows are left to run; `unread_rows` (numbered
    from 1) are the rows with a cell that could not be read at all.
    """
    return Checker(category).check(item, rows_checked=rows_checked, unread_rows=unread_rows)


# A rule's finding kept without its row's number (the row may move): error or warning, message, field.
_Finding = tuple[bool, str, str]


@dataclass
class _RowCheck:
    """One row's own checks: its values in canonical form, what its cells got wrong, and what the
    category's rules for a single row found (under `context`, the item's values they read)."""

    values: Mapping[str, Any]  # (read only where `rewrites`)
    cells: list[tuple[str, str]]  # (message, field label): errors
    rule_findings: list[_Finding] = field(default_factory=list)
    context: object = None  # what the row rules were last run under; `_UNSET` when never
    rewrites: bool = False  # the checked values differ from the row's (or it lacks some)

    @property
    def broken(self) -> bool:
        return bool(self.cells)


_UNSET = object()
_AS_THEY_ARE: Mapping[str, Any] = MappingProxyType({})  # the values of a row checked as it was read
_PARTIAL = object()  # ends the key of a row that lacks some of its category's values


class Checker:
    """`validate` for one item as it is edited: the result is always exactly what `validate` says
    of the item as it stands, but only what changed is checked again.

    A row is checked once for the values it holds (its cells, then the category's rules for one
    row); a row edited, added or moved is looked up by its values, so only new values are checked.
    The rules across rows (totals, balance, duplicates, ranks) run again only when a value they
    read changed, or the rows were added, removed, moved or broken; the item's own few values are
    checked every time.
    """

    def __init__(self, category: Category) -> None:
        self.category = category
        self._keys = [spec.key for spec in category.row_fields]
        self._values_of = operator.itemgetter(*self._keys) if self._keys else lambda row: ()
        self._rows: dict[tuple[Any, ...], _RowCheck] = {}
        self._last_keys: list[tuple[Any, ...] | None] = []
        self._last_checks: list[_RowCheck] = []
        self._context: tuple[Quarter, dict[str, Any]] | None = None
        self.report: Report | None = None  # what the last check found
        self._last_rules: tuple[object, Report] | None = None  # (what they read, what they found)

    def check(self, item: Item, *, rows_checked: bool = False, unread_rows: Collection[int] = ()) -> Report:
        """Check the item as `validate` does (rewriting its values in canonical form), re-using what
        earlier calls found for values that have not changed."""
        category = self.category
        report = Report()
        for spec, value in ((TITLE, item.title), (CLERK, item.clerk), (REVIEWER, item.reviewer)):
            _check_own(spec, value, report)
        if item.supersedes is not None:
            _check_own(CORRECTION_REASON, item.correction_reason, report)
        if item.disclosure not in DISCLOSURE_ATTRIBUTES:
            report.error(f"“{item.disclosure}”不是公开属性（{'、'.join(DISCLOSURE_ATTRIBUTES)}）", field="公开属性")
        _check_publicity(item, category, report)
        if item.status == REVIEWED:
            if not item.reviewer:
                report.missing("已审核的事项须填写村务监督委员会审核人", field="审核人")
            if item.reviewed_on is None:
                report.missing("已审核的事项须填写审核日期", field="审核日期")
            elif item.reviewed_on > today():
                # A review date is the start of an as-happens matter's deadline: one not yet come
                # cannot have happened, and would push the deadline later.
                report.error(f"审核日期 {item.reviewed_on} 还没有到：审核日期不能晚于今天", field="审核日期")
            elif item.publicity_start and item.reviewed_on > item.publicity_start:
                report.warn("晚于公示开始日期：应先审核签字，后公布", field="审核日期")
        usable: dict[str, Any] = {}  # the item's own values as the rules may read them: None where wrong
        for spec in category.item_fields:
            before = len(report.errors)
            item.fields[spec.key] = _check_own(spec, item.fields.get(spec.key), report)
            usable[spec.key] = item.fields[spec.key] if len(report.errors) == before else None
        context = (item.period, usable)
        view = replace(item, fields=usable)
        if self._context is not None and self._context == context:
            context = self._context  # the same: each row's rules need no comparing (see below)
        self._context = context
        broken = {number for number in unread_rows if 1 <= number <= len(item.rows)}
        keys: list[tuple[Any, ...] | None] = []
        checks: list[_RowCheck] = []
        cache = self._rows
        for number, row in enumerate(item.rows, start=1):
            key = found = None
            if not rows_checked:  # (as read from a file: each value was checked as it was read)
                key = self._key(row)
                try:
                    found = cache.get(key)
                except TypeError:  # a value that cannot be a key (a list): the row is checked every time
                    key = None
            if found is None:
                found = self._check_row(row, rows_checked)
                if key is not None:
                    cache[key] = found
            keys.append(key)
            checks.append(found)
            if found.rewrites:
                row.update(found.values)
            if found.cells:
                broken.add(number)
                for message, label in found.cells:
                    report.error(message, row=number, field=label)
        if len(cache) > 2 * len(keys) + 100:  # what is no longer in the item is forgotten
            self._rows = {key: found for key, found in zip(keys, checks, strict=True) if key is not None}
        if len(item.rows) < category.min_rows:
            report.error(f"至少需要 {category.min_rows} 行，现有 {len(item.rows)} 行", field="明细")
        row_findings: list[Problem] = []
        warnings: list[Problem] = []
        scratch = Report()
        for number, (row, found) in enumerate(zip(item.rows, checks, strict=True), start=1):
            if found.context is not context and (found.context is _UNSET or found.context != context):
                if found.cells or number in broken:
                    continue
                found.rule_findings = _row_rule_findings(category, view, row, scratch)
                found.context = context
            if found.rule_findings and number not in broken:
                for is_error, message, label in found.rule_findings:
                    (row_findings if is_error else warnings).append(Problem(message, row=number, field=label))
        across = self._rules_across(item, view, keys, checks, broken, context)
        report.errors += _by_row(row_findings, across.errors)
        report.warnings += _by_row(warnings, across.warnings)
        self._last_keys, self._last_checks = keys, checks
        self.report = report
        return report

    def _key(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        """The row's values as a dictionary key (their types too: 1 and True are equal keys)."""
        try:
            values = self._values_of(row)  # every key there (the editor's rows): one call in C
        except KeyError:  # a value missing: a row of its own, to which the check adds the keys
            values = tuple(row.get(key) for key in self._keys)
            return (*values, *map(type, values), _PARTIAL)
        if len(self._keys) == 1:
            values = (values,)
        return values + tuple(map(type, values))

    def _check_row(self, row: Mapping[str, Any], rows_checked: bool) -> _RowCheck:
        if rows_checked:  # its values are the row's own: nothing to rewrite, nothing to keep
            return _RowCheck(_AS_THEY_ARE, [], context=_UNSET)
        scratch = Report()
        values = {spec.key: _check_into(spec, row.get(spec.key), scratch, row=0) for spec in self.category.row_fields}
        # Whether the row must be rewritten in canonical form: a value changed, or a key is missing.
        rewrites = any(key not in row or type(row[key]) is not type(value) or row[key] != value
                       for key, value in values.items())
        return _RowCheck(values, [(p.message, p.field) for p in scratch.errors], context=_UNSET, rewrites=rewrites)

    def _rules_across(self, item: Item, view: Item, keys: list[tuple[Any, ...] | None], checks: list[_RowCheck],
                      broken: set[int], context: object) -> Report:
        """The category's rules across rows, over every row whose values are well-typed (a broken
        cell would only repeat its own fault in other words), so a duplicate household is told at
        once with a bad amount elsewhere, not only once that is fixed. Each finding keeps the row
        numbers of the whole item. A finding about all the rows together (收支不平, 排名不连续)
        needs every row, so it waits while any row is broken; a rule given an item value as None
        skips what needs it (an opening balance not yet filled in hides no wrong date).

        What they found last time stands when nothing they read has changed."""
        category = self.category
        read = (context, frozenset(broken), len(keys))
        if self._last_rules is not None and self._last_rules[0] == read \
                and not self._changed_for_rules(keys, checks):
            return self._last_rules[1]
        kept = [number for number in range(1, len(item.rows) + 1) if number not in broken]
        shown = replace(view, rows=[item.rows[number - 1] for number in kept] if broken else item.rows)
        found = Report()
        category.rules(shown, found)
        if broken:
            whole = {id(p) for p in found.whole}
            found = Report(errors=[renumbered(p, kept) for p in found.errors if id(p) not in whole],
                           warnings=[renumbered(p, kept) for p in found.warnings if id(p) not in whole])
        self._last_rules = (read, found)
        return found

    def _changed_for_rules(self, keys: list[tuple[Any, ...] | None], checks: list[_RowCheck]) -> bool:
        """Whether a value the rules across rows read differs from last time, row by row. A row
        whose check is the one it had last time holds the values it held (one check per values)."""
        if len(keys) != len(self._last_keys):
            return True
        read = self.category.rule_fields
        positions = [i for i, key in enumerate(self._keys) if read is None or key in read]
        for i in itertools.compress(range(len(checks)), map(operator.is_not, checks, self._last_checks)):
            new, old = keys[i], self._last_keys[i]
            if new is None or old is None:
                return True
            if any(new[p] != old[p] or type(new[p]) is not type(old[p]) for p in positions):
                return True
        return False


def _row_rule_findings(category: Category, view: Item, row: dict[str, Any], scratch: Report | None = None
                       ) -> list[_Finding]:
    """What the category's rules for one row find in it; `scratch`, an empty report to run them
    in (left empty again), saves making one for each of 10,000 rows."""
    found = Report() if scratch is None else scratch
    category.row_rules(view, row, found)
    if not found.errors and not found.warnings:
        return []
    told = [(True, p.message, p.field) for p in found.errors] + [(False, p.message, p.field) for p in found.warnings]
    for made in (found.errors, found.warnings, found.incomplete, found.whole):
        made.clear()
    return told


def _by_row(own: list[Problem], across: list[Problem]) -> list[Problem]:
    """The rules' findings in the order of the rows they are on (a row's own first), then those on
    no row: as one pass over the rows would tell them."""
    if not own:
        return list(across)
    last = float("inf")
    return sorted([*own, *across], key=lambda p: last if p.row is None else p.row)


def renumbered(problem: Problem, numbers: Sequence[int]) -> Problem:
    """A problem found on some rows (numbered 1, 2, 3 … among them) told with the numbers those
    rows have elsewhere (`numbers[0]` is the first's): in the whole item, or on a sheet."""
    def number(n: int | None) -> int | None:
        return numbers[n - 1] if n is not None and 1 <= n <= len(numbers) else n

    message = problem.message
    if problem.other_row is not None:
        message = message.replace(f"第{problem.other_row}行", f"第{number(problem.other_row)}行", 1)
    return replace(problem, message=message, row=number(problem.row), other_row=number(problem.other_row))


def _check_own(spec: Field, value: Any, report: Report) -> Any:
    """One of the item's own values; a required one left empty is still to be filled in."""
    if spec.required and (value is None or (isinstance(value, str) and not value.strip())):
        report.missing("必填，不能为空", field=spec.label)
        return value
    return _check_into(spec, value, report)


def _check_into(spec: Field, value: Any, report: Report, row: int | None = None) -> Any:
    try:
        return spec.check(value)
    except FieldError as exc:
        report.error(str(exc), row=row, field=spec.label)
        return value


def _check_publicity(item: Item, category: Category, report: Report) -> None:
    start, end = item.publicity_start, item.publicity_end
    if item.disclosure != PUBLIC:
        return
    if start is None:
        report.missing("主动公开的事项须填写公示开始日期", field="公示期")
        return
    if end is not None:
        if end < start:
            report.error(f"公示结束日期 {end} 早于开始日期 {start}", field="公示期")
            return
        days = calendar_days_between(start, end)
        if days < category.min_publicity_days:
            report.error(f"{category.name}公示期至少 {category.min_publicity_days} 天，这里只有 {days} 天",
                         field="公示期")


def assign(item: Item, category: Category, target: str, raw: str) -> None:
    """Set one value as a person names it: `标题`, an item field (`期末余额`, `closing_balance`) or a
    row's field (`12.月保障金额`, `12.monthly_amount`); the value is read as if typed in a form.

    Raises `FieldError` with a message in words when the name or the value does not fit.
    """
    row_part, dot, name = target.partition(".")
    if not dot:
        row_part, name = "", target
    name = name.strip()
    if not row_part:
        if name in ("title", TITLE.label):
            item.title = TITLE.parse(raw)
            return
        if name in ("publicity_start", "公示开始"):
            item.publicity_start = parse_date(raw)
            return
        if name in ("publicity_end", "公示结束"):
            item.publicity_end = parse_date(raw) if str(raw).strip() not in ("", "长期") else None
            return
        spec = _named(category.item_fields, name)
        if spec is None:
            known = "、".join(f.label for f in category.item_fields)
            raise FieldError(f"{category.name}没有“{name}”这一项；"
                             f"可改：标题、公示开始、公示结束、{known}，或 行号.栏目")
        item.fields[spec.key] = spec.parse(raw)
        return
    if not row_part.strip().isdigit() or not 1 <= int(row_part) <= len(item.rows):
        raise FieldError(f"行号“{row_part}”不对：这份{category.name}共 {len(item.rows)} 行")
    spec = _named(category.row_fields, name)
    if spec is None:
        known = "、".join(f.label for f in category.row_fields)
        raise FieldError(f"{category.name}的明细没有“{name}”这一栏；可改：{known}")
    item.rows[int(row_part) - 1][spec.key] = spec.parse(raw)


def _named(fields: tuple[Field, ...], name: str) -> Field | None:
    return next((f for f in fields if name in (f.key, f.label)), None)
