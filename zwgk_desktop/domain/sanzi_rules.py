"""Rule functions of the 三资 tables (集体资产, 集体资源, 收益分配) that the declared rules cannot say:
a category file names them (`rule = "function"`, `name = "…"`) with field keys as parameters.

- `register_totals`: the book totals (原值合计, 净值合计) equal the sum of the assets still held
  at the period's end: rows whose change (本期变动) is 减少 or 处置 left the books this period and
  are listed, but not counted.
- `change_explained`: a row changed this period (增加/减少/处置) says why.
- `leased_resource`: a resource let out (发包/出租/入股) names its counterparty, whether a 单位 or a
  个人 (which decides how the name is shown), its term and its yearly rent, and a term ended
  before the period is a warning; one kept by the village or unused names none.
- `per_head_share`: the amount each member (or household) receives times their number is the
  share the rows give them (分配给成员), within the rounding of each one's amount to the 分; the
  count and the amount each are given together or not at all.
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


def per_head_share(category: Category, item: Item, report: Report, *, each: str, heads: str, share: str,
                   among: str, to: list[str]) -> None:
    given = sum(row.get(share) or 0 for row in item.rows if row.get(among) in to)
    amount, count = item.fields.get(each), item.fields.get(heads)
    each_label, heads_label = category.item_field(each).label, category.item_field(heads).label
    to_whom = "、".join(to)
    if not given or (amount is None and count is None):
        # Nothing shared out this year (all kept as 公积公益金 or carried over), or shared out by
        # the other count (per household rather than per member): nothing to divide here.
        return
    for key, value in ((heads, count), (each, amount)):
        if value is None:
            label = category.item_field(key).label
            other = each_label if key == heads else heads_label
            report.error(f"填了{other}，须同时填写{label}", field=label)
    if amount is None or not count:
        return
    # Each one's amount is rounded to the 分: the whole may differ from the share by half a 分 each.
    if abs(amount * count - given) * 2 > count:
        f = money.format_fen
        report.error(f"{each_label} {f(amount)} 元 × {heads_label} {count} = {f(amount * count)} 元，"
                     f"与{to_whom}合计 {f(given)} 元不符（每份四舍五入到分，最多可差 {f(count // 2)} 元）",
                     field=each_label)
