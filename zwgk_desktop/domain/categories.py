"""The four kinds of disclosure the township asks for, as data: fields, rows and their rules.

财务收支 (finance), 低保/社会救助名单 (assistance), 工程项目招投标 (bids) and 公告 (notice).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from zwgk_desktop.domain import money
from zwgk_desktop.domain.fields import Field, Kind
from zwgk_desktop.domain.items import Category, Item, Report
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput

# ---------------------------------------------------------------------------------------------
# 财务收支: item by item, and opening + income − expense = closing must hold.

# Lines whose 摘要 names no purpose: 村务公开 rules ask for every expense to be itemised.
_LUMPED = re.compile(r"^(其[他它]|杂项|杂费|零星|未列明|不明)?(收入|支出|费用|开支|款项|杂项|杂费)?$")


def _finance_line(item: Item, row: dict[str, Any], report: Report) -> None:
    got_in, got_out = row.get("income"), row.get("expense")
    if bool(got_in) == bool(got_out):
        report.error("收入和支出须填且只填一项（金额大于零）", field="收入/支出")
    day = row["date"]
    if not item.period.contains(day):
        report.error(f"日期 {day} 不在 {item.period.chinese}"
                     f"（{item.period.first_day} 至 {item.period.last_day}）内", field="日期")
    summary = row["summary"].replace(" ", "")
    if _LUMPED.fullmatch(summary):
        report.warn(f"摘要“{row['summary']}”没有写明具体内容：请逐笔列明用途", field="摘要")


def _finance_rules(item: Item, report: Report) -> None:
    income = expense = 0
    vouchers: dict[str, int] = {}
    for number, row in enumerate(item.rows, start=1):
        income += row.get("income") or 0
        expense += row.get("expense") or 0
        voucher = row["voucher"]
        if voucher in vouchers:
            report.warn(f"凭证号 {voucher} 与第{vouchers[voucher]}行重复", row=number, field="凭证号",
                        other_row=vouchers[voucher])
        vouchers.setdefault(voucher, number)
    opening, closing = item.fields.get("opening_balance"), item.fields.get("closing_balance")
    if opening is None or closing is None:
        return  # not filled in yet: said as such, and the lines are still checked
    computed = opening + income - expense
    if computed != closing:
        f = money.format_fen
        report.error(
            f"收支不平：期初余额 {f(opening)} + 本期收入 {f(income)} − 本期支出 {f(expense)} = {f(computed)}，"
            f"与填报的期末余额 {f(closing)} 相差 {f(computed - closing)} 元",
            field="期末余额",
        )


def _running_balance(item: Item) -> list[dict[str, Any]]:
    balance = item.fields["opening_balance"]
    derived = []
    for row in item.rows:
        balance += (row.get("income") or 0) - (row.get("expense") or 0)
        derived.append({"balance": balance})
    return derived


FINANCE = Category(
    code="finance",
    name="财务收支",
    item_fields=(
        Field("opening_balance", "期初余额", Kind.MONEY),
        Field("closing_balance", "期末余额", Kind.MONEY),
    ),
    row_fields=(
        Field("date", "日期", Kind.DATE),
        Field("voucher", "凭证号", Kind.TEXT, max_length=20),
        Field("summary", "摘要", Kind.TEXT, max_length=60),
        Field("income", "收入", Kind.MONEY, required=False),
        Field("expense", "支出", Kind.MONEY, required=False),
    ),
    rules=_finance_rules,
    rule_fields=frozenset({"income", "expense", "voucher"}),
    row_rules=_finance_line,
    derived_fields=(Field("balance", "余额", Kind.MONEY),),
    derive=_running_balance,
)

# ---------------------------------------------------------------------------------------------
# 低保/特困/临时救助: households, with identity checks kept private.

ASSISTANCE_KINDS = ("农村低保", "城市低保", "特困供养", "临时救助", "低保边缘")


def _assistance_rules(item: Item, report: Report) -> None:
    seen: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for number, row in enumerate(item.rows, start=1):
        id_number = row["id_number"]
        if id_number in seen:
            report.error(f"身份证号与第{seen[id_number]}行重复：同一户不能列两次", row=number, field="身份证号",
                         other_row=seen[id_number])
        seen.setdefault(id_number, number)
        name = (str(row.get("group") or ""), str(row["head_name"]))
        if name in names:
            report.warn(f"与第{names[name]}行同组同名，请核对是否同一户列了两次", row=number, field="户主姓名",
                        other_row=names[name])
        names.setdefault(name, number)


def _household(item: Item, row: dict[str, Any], report: Report) -> None:
    if row["household_size"] < 1:
        report.error("保障人口至少 1 人", field="保障人口")


ASSISTANCE = Category(
    code="assistance",
    name="低保及社会救助",
    item_fields=(
        Field("standard", "保障标准说明", Kind.TEXT, required=False, max_length=80),
    ),
    row_fields=(
        Field("group", "村民小组", Kind.TEXT, required=False, max_length=12),
        Field("head_name", "户主姓名", Kind.NAME, max_length=20),
        Field("id_number", "身份证号", Kind.ID_NUMBER, public=False),
        Field("household_size", "保障人口", Kind.COUNT, minimum=1),
        Field("kind", "救助类别", Kind.CHOICE, choices=ASSISTANCE_KINDS),
        Field("monthly_amount", "月保障金额", Kind.MONEY),
        Field("phone", "联系电话", Kind.MOBILE, required=False, public=False),
        Field("account", "一卡通账号", Kind.ACCOUNT, required=False, public=False),
        Field("address", "家庭住址", Kind.TEXT, required=False, max_length=60, public=False),
        Field("reason", "致困原因", Kind.TEXT, required=False, max_length=60, public=False),
    ),
    min_publicity_days=7,
    rules=_assistance_rules,
    rule_fields=frozenset({"id_number", "group", "head_name"}),
    row_rules=_household,
)

# ---------------------------------------------------------------------------------------------
# 工程项目招投标: the project, every bidder with price and rank, the winner and the contract.

PROCUREMENT_METHODS = (
    "公开招标", "邀请招标", "竞争性谈判", "竞争性磋商", "询价", "单一来源", "村两委议定", "村民代表会议议定",
)


def _bids_rules(item: Item, report: Report) -> None:
    fields = item.fields
    ranks = Counter(row["rank"] for row in item.rows)
    for number, row in enumerate(item.rows, start=1):
        if ranks[row["rank"]] > 1:
            report.error(f"排名 {row['rank']} 重复", row=number, field="排名")
    if sorted(ranks) != list(range(1, len(ranks) + 1)) and all(c == 1 for c in ranks.values()):
        # Told on each rank beyond the count, so the cell to fix is named: 1, 2, 4 → the 4.
        for number, row in enumerate(item.rows, start=1):
            if row["rank"] > len(ranks):
                report.error(f"排名应从 1 起连续编号：{len(ranks)} 个投标单位排第 1 至第 {len(ranks)} 名，"
                             f"没有第 {row['rank']} 名", row=number, field="排名", whole=True)
    bidders = {row["bidder"]: row for row in item.rows}
    # An item value not filled in yet (None) is said as such; what needs it waits for it.
    named = fields.get("winner")
    winner = bidders.get(named) if named is not None else None
    if named is not None and winner is None:
        report.error(f"中标单位“{fields['winner']}”不在投标单位之中", field="中标单位")
    elif winner is not None and winner["rank"] != 1:
        report.warn(f"中标单位排名第 {winner['rank']}，不是第一名：请在公告中说明理由", field="中标单位")
    if None not in (fields.get("contract_amount"), fields.get("budget")) \
            and fields["contract_amount"] > fields["budget"]:
        report.warn("合同金额超过预算金额", field="合同金额")
    if fields.get("method") in ("公开招标", "邀请招标") and len(item.rows) < 3:
        report.warn(f"{fields['method']}的投标人少于 3 个，依法应重新招标", field="投标单位")


BIDS = Category(
    code="bids",
    name="工程项目招投标",
    item_fields=(
        Field("project", "项目名称", Kind.TEXT, max_length=60),
        Field("funding", "资金来源", Kind.TEXT, max_length=40),
        Field("budget", "预算金额", Kind.MONEY),
        Field("method", "采购方式", Kind.CHOICE, choices=PROCUREMENT_METHODS),
        Field("winner", "中标单位", Kind.NAME, max_length=40),
        Field("contract_amount", "合同金额", Kind.MONEY),
        Field("duration", "工期", Kind.TEXT, max_length=30),
        Field("objection", "异议渠道", Kind.CONTACT, max_length=80),
    ),
    row_fields=(
        Field("bidder", "投标单位", Kind.NAME, max_length=40),
        Field("price", "投标报价", Kind.MONEY),
        Field("rank", "排名", Kind.COUNT, minimum=1),
    ),
    min_publicity_days=3,
    rules=_bids_rules,
    rule_fields=frozenset({"bidder", "rank"}),
)

# ---------------------------------------------------------------------------------------------
# 公告: free-form notices (四议两公开 resolutions, 惠农补贴, 宅基地, 征地补偿, 一事一议 …).

NOTICE_KINDS = ("会议决议", "惠农补贴", "宅基地", "征地补偿", "一事一议", "集体资产", "其他")

NOTICE = Category(
    code="notice",
    name="公告",
    item_fields=(
        Field("kind", "公告类别", Kind.CHOICE, choices=NOTICE_KINDS),
        Field("body", "正文", Kind.LONGTEXT, max_length=3000),
        Field("contact", "联系方式", Kind.CONTACT, required=False, max_length=80),
    ),
    row_fields=(
        Field("matter", "事项", Kind.TEXT, max_length=40),
        Field("detail", "内容", Kind.TEXT, required=False, max_length=120),
        Field("amount", "金额", Kind.MONEY, required=False),
    ),
    min_rows=0,
)

# ---------------------------------------------------------------------------------------------
# 更正公告: what a correction changed, as the public saw it before and sees it now. Never typed by
# a clerk: it is made from a correction and the version it replaces (render.correction), then laid
# out and hashed like any other item, so it has its own sheet, QR code and verification code.

CORRECTION = Category(
    code="correction",
    name="更正公告",
    item_fields=(
        Field("original_title", "原公告", Kind.TEXT, max_length=200),
        Field("original_code", "原验证码", Kind.TEXT, max_length=20),
        Field("body", "更正说明", Kind.LONGTEXT, max_length=4000),
    ),
    row_fields=(
        Field("place", "更正位置", Kind.TEXT, max_length=200),
        Field("before", "原为", Kind.LONGTEXT, required=False, max_length=2000),
        Field("after", "更正为", Kind.LONGTEXT, required=False, max_length=2000),
    ),
    min_rows=0,
)

# What a clerk files, in the township's order (menus, filters, the board's order).
from zwgk_desktop.domain.sanzi_categories import ASSETS, RESOURCES  # noqa: E402  (until catdata's loader)

CATEGORIES: dict[str, Category] = {c.code: c for c in (FINANCE, ASSISTANCE, BIDS, NOTICE, ASSETS, RESOURCES)}
# Every kind a layout may be written for, including those made from other items.
ALL_CATEGORIES: dict[str, Category] = {**CATEGORIES, CORRECTION.code: CORRECTION}


def category(code: str) -> Category:
    try:
        return ALL_CATEGORIES[code]
    except KeyError:
        raise BadInput(f"没有“{code}”这个类别：可用的有 {', '.join(CATEGORIES)}") from None


def new_item(code: str, period: Quarter) -> Item:
    """A blank draft of a category for a quarter, titled the way the township's formats expect."""
    schema = category(code)
    titles = {
        "finance": f"{period.chinese}财务收支明细",
        "assistance": f"{period.chinese}低保及特困供养对象公示",
        "bids": "工程项目中标结果公示",
        "notice": "公告",
        "assets": f"{period.chinese}集体资产公开",
        "resources": f"{period.chinese}集体资源公开",
    }
    fields: dict[str, Any] = {f.key: None for f in schema.item_fields}
    for spec in schema.item_fields:
        if spec.kind is Kind.CHOICE:
            fields[spec.key] = spec.choices[0]
    return Item(category=code, period=period, title=titles.get(code, schema.name), fields=fields)
