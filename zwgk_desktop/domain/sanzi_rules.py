"""Rule functions of the 三资 tables (集体资产, 集体资源) that the declared rules cannot say:
a category file names them (`rule = "function"`, `name = "…"`) with field keys as parameters.

- `register_totals`: the book totals (原值合计, 净值合计) equal the sum of the assets still held
  at the period's end: rows whose change (本期变动) is 减少 or 处置 left the books this period and
  are listed, but not counted.
- `change_explained`: a row changed this period (增加/减少/处置) says why.
- `leased_resource`: a resource let out (发包/出租/入股) names its counterparty, whether a 单位 or a
  个人 (which decides how the name is shown), its term and its yearly rent, and a term ended
  before the period is a warning; one kept by the village or unused names none.
"""

from __future__ import annotations

from typing import Any

from zwgk_desktop.domain import money
from zwgk_desktop.domain.items import Category, Item, Report

UNCHANGED = "无变动"


def register_totals(category: Category, item: Item, report: Report, *, of: str, equals: str, change: str,
                    leaving: list[str]) -> None:
    total = item.fields.get(equals)
    if total is None:
        return  # not filled in yet: said as such by the field's own check
    held = sum(row.get(of) or 0 for row in item.rows if row.get(change) not in leaving)
    if held != total:
        f = money.format_fen
        label, column = category.item_field(equals).label, category.row_field(of).label
        report.error(f"{label} {f(total)} 元与各项{column}之和 {f(held)} 元不符，相差 {f(held - total)} 元"
                     f"（本期{'、'.join(leaving)}的不计入）", field=label)


def change_explained(category: Category, item: Item, row: dict[str, Any], report: Report, *, change: str,
                     reason: str) -> None:
    if row.get(change) not in (None, UNCHANGED) and not row.get(reason):
        report.error(f"本期{row[change]}的资产须写明{category.row_field(reason).label}",
                     field=category.row_field(reason).label)


LET_OUT = ("发包", "出租", "入股")


def leased_resource(category: Category, item: Item, row: dict[str, Any], report: Report, *, operation: str,
                    party: str, party_type: str, start: str, end: str, rent: str) -> None:
    way = row.get(operation)
    if way in LET_OUT:
        for key in (party, party_type, start, end, rent):
            if row.get(key) is None:
                label = category.row_field(key).label
                report.error(f"{way}的资源须填写{label}", field=label)
        ends = row.get(end)
        if ends is not None and ends < item.period.first_day:
            label = category.row_field(end).label
            report.warn(f"合同已于 {ends} 到期，仍写着{way}：请续签后写明新的期限，或改经营方式", field=label)
    elif way is not None:
        for key in (party, party_type):
            if row.get(key) is not None:
                label = category.row_field(key).label
                report.error(f"经营方式为“{way}”的资源没有{label}：请删去，或改经营方式", field=label)
