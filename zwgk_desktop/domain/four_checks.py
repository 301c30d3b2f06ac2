"""What a 四性检测 report holds (DA/T 70-2018: 真实性, 完整性, 可用性, 安全性) and how its verdicts
follow from its checks: plain values, gathered by `archive/four_checks.py` and laid out by
`io/four_checks_sheet.py`. Pure: no database, no files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.errors import Problem

AUTHENTIC, COMPLETE, USABLE, SECURE = "真实性", "完整性", "可用性", "安全性"
ASPECTS = (AUTHENTIC, COMPLETE, USABLE, SECURE)
PASS, FAIL, WARN, NOT_CHECKED = "通过", "不通过", "提示", "未检测"
RESULTS = (PASS, FAIL, WARN, NOT_CHECKED)


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how, and what was found."""

    aspect: str  # one of ASPECTS
    name: str  # 检测项目
    method: str  # 检测方法: what was done, in words an archivist reads
    result: str  # one of RESULTS
    found: str  # 检测结果说明: counts, and what is wrong
    problems: tuple[str, ...] = ()  # each difference, named


class Published(Protocol):
    """What comparing the archive with its seals as published elsewhere found (`verify --against`:
    the anchors' `Compared` is one)."""

    @property
    def source(self) -> object: ...

    @property
    def published(self) -> int: ...

    @property
    def differences(self) -> Sequence[Problem]: ...


@dataclass(frozen=True)
class Anchored:
    """A comparison's findings as plain values (a `Published`)."""

    source: str
    published: int  # seals the source lists
    differences: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class SheetFacts:
    """One sealed PDF as independent readers see it."""

    size: int = 0
    opens: bool = False
    pages: int = 0
    rendered: int = 0  # pages PDFium rendered
    text_pages: int = 0  # pages with extractable text
    code_pages: int = 0  # pages whose text holds the item's 验证码
    pdfa: str = ""  # "PDF/A-2b" …, "" when the PDF declares none
    lang: str = ""
    output_intent: bool = False
    fonts_embedded: bool = False
    encrypted: bool = False
    active: tuple[str, ...] = ()  # JavaScript, launch actions, embedded files …
    error: str = ""  # why it could not be read


@dataclass(frozen=True)
class FiledItem:
    """One sealed item as the report lists it (the 归档清单)."""

    village: str
    period: str
    archive_number: int | None
    archive_ref: str
    retention: str
    number: int
    category: str
    title: str
    correction: bool
    seal_format: int
    sealed_at: str
    sealed_by: str
    rows: int
    code: str
    sheet: SheetFacts | None  # None: the item has no sheets (not 主动公开)
    problems: dict[str, tuple[str, ...]] = field(default_factory=dict)  # aspect → what is wrong

    def result(self, aspect: str) -> str:
        return FAIL if self.problems.get(aspect) else PASS


@dataclass(frozen=True)
class Tally:
    """Counts of one village's quarter (完整性: 总件数, 明细行数, 页数, 字节数)."""

    village: str
    period: str
    sealed: bool
    items: int  # items of the quarter in the archive
    sealed_items: int
    corrections: int
    rows: int
    sheets: int
    pdf_bytes: int


@dataclass(frozen=True)
class FourChecks:
    township: str
    scope: str  # 全部村 / one village's name
    made_at: str  # ISO 8601 UTC
    program: str
    database: str
    checks: tuple[Check, ...]
    items: tuple[FiledItem, ...]
    tallies: tuple[Tally, ...]

    def verdict(self, aspect: str) -> str:
        results = [c.result for c in self.checks if c.aspect == aspect]
        if FAIL in results:
            return FAIL
        return WARN if WARN in results else PASS

    @property
    def ok(self) -> bool:
        return all(self.verdict(aspect) != FAIL for aspect in ASPECTS)

    @property
    def failures(self) -> tuple[str, ...]:
        return tuple(f"{c.aspect} {c.name}：{p}" for c in self.checks if c.result == FAIL for p in c.problems or
                     (c.found,))


CATEGORY_NAMES = {code: spec.name for code, spec in CATEGORIES.items()}


def conclusion(report: FourChecks) -> str:
    """The report's conclusion in one line."""
    if not report.ok:
        failed = "、".join(a for a in ASPECTS if report.verdict(a) == FAIL)
        return f"不通过：{failed}检测发现问题，见“问题清单”"
    warned = "、".join(a for a in ASPECTS if report.verdict(a) == WARN)
    return f"通过（{warned}有提示事项，见各项说明）" if warned else "通过"
