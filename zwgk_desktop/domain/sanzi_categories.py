"""集体资产 and 集体资源 as Python, until categories are data (catdata's loader): the same fields
and rules as drafts/layouts/*.category.toml, so the formats, demo and pages can be tried now.
To be deleted at the merge with catdata, the category files then taking their place."""

from __future__ import annotations

from typing import Any

from zwgk_desktop.domain.fields import Field, Kind
from zwgk_desktop.domain.items import Category, Item, Report
from zwgk_desktop.domain.sanzi_rules import change_explained, leased_resource, register_totals

ASSET_CLASSES = ("房屋及建筑物", "机器设备", "交通工具", "农业基础设施", "公益设施", "在建工程", "生物资产", "无形资产",
                 "长期投资", "其他")
_ASSET_ROWS = (
    Field("name", "资产名称", Kind.TEXT, max_length=40),
    Field("class", "资产类别", Kind.CHOICE, choices=ASSET_CLASSES),
    Field("quantity", "数量", Kind.COUNT, minimum=1),
    Field("unit", "单位", Kind.TEXT, max_length=6),
    Field("acquired", "购建日期", Kind.DATE, required=False),
    Field("original", "原值", Kind.MONEY),
    Field("net", "净值", Kind.MONEY),
    Field("location", "存放地点", Kind.TEXT, max_length=40),
    Field("use", "使用情况", Kind.CHOICE, choices=("自用", "出租", "出借", "承包经营", "闲置", "报废待处置")),
    Field("user", "使用（承租）单位", Kind.NAME, required=False, max_length=40),
    Field("change", "本期变动", Kind.CHOICE, choices=("无变动", "增加", "减少", "处置")),
    Field("change_reason", "变动原因", Kind.TEXT, required=False, max_length=60),
)


def _asset_rules(item: Item, report: Report) -> None:
    for of, equals in (("original", "total_original"), ("net", "total_net")):
        register_totals(ASSETS, item, report, of=of, equals=equals, change="change", leaving=["减少", "处置"])
    seen: dict[tuple[Any, Any], int] = {}
    for number, row in enumerate(item.rows, start=1):
        key = (row.get("name"), row.get("location"))
        if key in seen:
            report.warn(f"与第{seen[key]}行资产名称和存放地点都相同，请核对是否重复登记", row=number, field="资产名称",
                        other_row=seen[key])
        seen.setdefault(key, number)


def _asset_row(item: Item, row: dict[str, Any], report: Report) -> None:
    if row.get("net") is not None and row.get("original") is not None and row["net"] > row["original"]:
        report.error("净值不能大于原值", field="净值")
    change_explained(ASSETS, item, row, report, change="change", reason="change_reason")


ASSETS = Category(
    code="assets", name="集体资产",
    item_fields=(Field("report_date", "清查日期", Kind.DATE), Field("total_original", "原值合计", Kind.MONEY),
                 Field("total_net", "净值合计", Kind.MONEY)),
    row_fields=_ASSET_ROWS, min_publicity_days=7, rules=_asset_rules, row_rules=_asset_row)

RESOURCE_KINDS = ("耕地", "园地", "林地", "草地", "水面", "四荒地", "集体经营性建设用地", "其他建设用地", "其他")


def _resource_rules(item: Item, report: Report) -> None:
    seen: dict[Any, int] = {}
    for number, row in enumerate(item.rows, start=1):
        if row.get("name") in seen:
            report.warn(f"与第{seen[row['name']]}行资源名称相同，请核对是否重复登记", row=number, field="资源名称",
                        other_row=seen[row["name"]])
        seen.setdefault(row.get("name"), number)


def _resource_row(item: Item, row: dict[str, Any], report: Report) -> None:
    if row.get("start") and row.get("end") and row["start"] > row["end"]:
        report.error("截止日期早于起始日期", field="截止日期")
    if row.get("received") is not None and row.get("due") is not None and row["received"] > row["due"]:
        report.warn("本期实收多于本期应收：预收的租金请在公告中说明", field="本期实收")
    leased_resource(RESOURCES, item, row, report, operation="operation", party="party", party_type="party_type",
                    start="start", end="end", rent="yearly_rent")


RESOURCES = Category(
    code="resources", name="集体资源",
    item_fields=(Field("report_date", "清查日期", Kind.DATE),),
    row_fields=(
        Field("name", "资源名称", Kind.TEXT, max_length=30),
        Field("kind", "资源类别", Kind.CHOICE, choices=RESOURCE_KINDS),
        Field("location", "坐落（四至）", Kind.TEXT, max_length=60),
        Field("area", "面积（亩）", Kind.DECIMAL),
        Field("operation", "经营方式", Kind.CHOICE, choices=("发包", "出租", "入股", "自营", "未利用")),
        Field("party_type", "承包方类型", Kind.CHOICE, required=False, choices=("单位", "个人")),
        Field("party", "承包（租赁）方", Kind.NAME, required=False, max_length=40, masked_when=("party_type", "个人")),
        Field("party_phone", "承包方电话", Kind.MOBILE, required=False, public=False),
        Field("start", "起始日期", Kind.DATE, required=False),
        Field("end", "截止日期", Kind.DATE, required=False),
        Field("yearly_rent", "年租金", Kind.MONEY, required=False),
        Field("due", "本期应收", Kind.MONEY, required=False),
        Field("received", "本期实收", Kind.MONEY, required=False),
    ),
    min_publicity_days=7, rules=_resource_rules, row_rules=_resource_row)
