"""The rule functions that ship with the program: checks a category file names (`rule =
"function"`, `name = "…"`) where the declared set (`domain.category_file`) cannot say them.

A format pack can never bring code: it may only name one of these, with the parameters each
declares (field keys of the category, texts, numbers), checked when the file is loaded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zwgk_desktop.domain.items import Category, Item, Report

# Parameter kinds: a row field's key, an item field's key, a text, a list of texts, a whole number.
ROW, ITEM, TEXT, TEXTS, NUMBER = "row", "item", "text", "texts", "number"


@dataclass(frozen=True)
class RuleFunction:
    """A check of one row (`per_row`) or of the item's rows together; `params` names each
    parameter's kind (all required); `reads` says which of them are row fields it reads."""

    name: str
    per_row: bool
    params: dict[str, str]
    run: Callable[..., None]
    describe: str


# Lines whose 摘要 names no purpose: 村务公开 rules ask for every expense to be itemised.
_LUMPED = re.compile(r"^(其[他它]|杂项|杂费|零星|未列明|不明)?(收入|支出|费用|开支|款项|杂项|杂费)?$")


def _lumped_summary(category: Category, item: Item, row: dict[str, Any], report: Report, *, field: str) -> None:
    value = row.get(field)
    if value is None:
        return
    if _LUMPED.fullmatch(str(value).replace(" ", "")):
        report.warn(f"{category.row_field(field).label}“{value}”没有写明具体内容：请逐笔列明用途",
                    field=category.row_field(field).label)


def _bid_ranks(category: Category, item: Item, report: Report, *, field: str) -> None:
    label = category.row_field(field).label
    ranks = Counter(row[field] for row in item.rows)
    for number, row in enumerate(item.rows, start=1):
        if ranks[row[field]] > 1:
            report.error(f"{label} {row[field]} 重复", row=number, field=label)
    if sorted(ranks) != list(range(1, len(ranks) + 1)) and all(c == 1 for c in ranks.values()):
        # Told on each rank beyond the count, so the cell to fix is named: 1, 2, 4 → the 4.
        for number, row in enumerate(item.rows, start=1):
            if row[field] > len(ranks):
                report.error(f"{label}应从 1 起连续编号：{len(ranks)} 个投标单位排第 1 至第 {len(ranks)} 名，"
                             f"没有第 {row[field]} 名", row=number, field=label, whole=True)


def _bid_winner(category: Category, item: Item, report: Report, *, field: str, among: str, rank: str) -> None:
    label = category.item_field(field).label
    bidders = {row[among]: row for row in item.rows}
    # An item value not filled in yet (None) is said as such; what needs it waits for it.
    named = item.fields.get(field)
    winner = bidders.get(named) if named is not None else None
    if named is not None and winner is None:
        report.error(f"{label}“{named}”不在{category.row_field(among).label}之中", field=label)
    elif winner is not None and winner[rank] != 1:
        report.warn(f"{label}{category.row_field(rank).label}第 {winner[rank]}，不是第一名：请在公告中说明理由",
                    field=label)


def _few_bidders(category: Category, item: Item, report: Report, *, field: str, methods: list[str],
                 at_least: int, label: str) -> None:
    method = item.fields.get(field)
    if method in methods and len(item.rows) < at_least:
        report.warn(f"{method}的投标人少于 {at_least} 个，依法应重新招标", field=label)


# The 三资 tables' (集体资产, 集体资源): domain.sanzi_rules.
from zwgk_desktop.domain import sanzi_rules  # noqa: E402

FUNCTIONS: dict[str, RuleFunction] = {f.name: f for f in (
    RuleFunction("register_totals", False, {"of": ROW, "equals": ITEM, "change": ROW, "leaving": TEXTS},
                 sanzi_rules.register_totals, "账面合计等于期末在账各项之和（本期减少、处置的不计入）"),
    RuleFunction("change_explained", True, {"change": ROW, "reason": ROW}, sanzi_rules.change_explained,
                 "本期有变动的写明原因"),
    RuleFunction("leased_resource", True, {"operation": ROW, "party": ROW, "party_type": ROW, "start": ROW,
                                           "end": ROW, "rent": ROW}, sanzi_rules.leased_resource,
                 "发包、出租的写明承包方及其类型、期限、年租金；到期未续提醒"),
    RuleFunction("per_head_share", False, {"each": ITEM, "heads": ITEM, "share": ROW, "among": ROW, "to": TEXTS},
                 sanzi_rules.per_head_share, "人均（户均）分配额 × 人（户）数与分配给成员的合计相符（四舍五入到分）"),
    RuleFunction("lumped_summary", True, {"field": ROW}, _lumped_summary,
                 "摘要没有写明用途（“其他支出”“杂费”）：提醒逐笔列明"),
    RuleFunction("bid_ranks", False, {"field": ROW}, _bid_ranks, "排名不重复、从 1 起连续"),
    RuleFunction("bid_winner", False, {"field": ITEM, "among": ROW, "rank": ROW}, _bid_winner,
                 "中标单位在投标单位之中；不是第一名时提醒说明理由"),
    RuleFunction("few_bidders", False, {"field": ITEM, "methods": TEXTS, "at_least": NUMBER, "label": TEXT},
                 _few_bidders, "公开招标、邀请招标的投标人不足规定个数时提醒"),
)}
