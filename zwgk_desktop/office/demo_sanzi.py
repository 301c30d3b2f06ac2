"""The demo township's 三资 tables: each village's 集体资产 and 集体资源 registers.

Disclosed at the year's end (2025Q4, the annual 清查) and again when something changed (2026Q3:
an asset bought and one disposed of, a plot newly let). Seeded per village, apart from the
main demo's random stream, so the items of today's demo keep their numbers and 验证码; these
are added after them, village by village.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from zwgk_desktop.db import store
from zwgk_desktop.db.models import Village
from zwgk_desktop.domain.items import REVIEWED, Item
from zwgk_desktop.domain.periods import Quarter, add_working_days

YEAR_END, CHANGED = Quarter(2025, 4), Quarter(2026, 3)

# name, class, unit, acquired (year), original value in 元, depreciation per year (fraction), use, user
ASSETS = (
    ("村委会办公楼", "房屋及建筑物", "栋", 2012, 680_000, 0.02, "自用", "村民委员会"),
    ("村卫生室用房", "房屋及建筑物", "间", 2015, 126_000, 0.02, "出借", "村卫生室"),
    ("集体厂房（一号）", "房屋及建筑物", "栋", 2010, 412_000, 0.025, "出租", "中牟县丰源食品有限公司"),
    ("农机具库房", "房屋及建筑物", "间", 2016, 58_000, 0.03, "出租", "中牟县绿丰农机专业合作社"),
    ("文化广场", "公益设施", "处", 2019, 236_000, 0.04, "自用", "村民委员会"),
    ("村内道路（水泥路）", "公益设施", "公里", 2018, 960_000, 0.04, "自用", "村民委员会"),
    ("灌溉机井", "农业基础设施", "眼", 2014, 18_500, 0.05, "承包经营", "各村民小组"),
    ("农田灌溉渠道", "农业基础设施", "公里", 2017, 146_000, 0.05, "自用", "村民委员会"),
    ("变压器（200千伏安）", "机器设备", "台", 2016, 42_000, 0.08, "自用", "村民委员会"),
    ("太阳能路灯", "公益设施", "盏", 2021, 1_850, 0.1, "自用", "村民委员会"),
    ("保洁电动三轮车", "交通工具", "辆", 2022, 6_800, 0.15, "自用", "村保洁队"),
    ("办公电脑及打印机", "机器设备", "套", 2020, 5_600, 0.2, "自用", "村民委员会"),
    ("村集体经济林（杨树）", "生物资产", "亩", 2016, 1_200, 0.0, "承包经营", "中牟县林源苗木专业合作社"),
    ("光伏发电站（村部屋顶）", "机器设备", "座", 2020, 186_000, 0.05, "自用", "村民委员会"),
)
QUANTITIES = {"公里": (1, 3), "眼": (6, 14), "盏": (40, 90), "亩": (30, 80), "间": (3, 8), "套": (2, 4)}
# Where each asset stands, in the order of ASSETS.
PLACES = ("村部", "村部东侧", "村北工业区", "村北工业区", "村小学东侧", "二组至五组", "村西农田", "村西农田",
          "村部院内", "全村主要道路", "村部院内", "村部办公室", "北岗", "村部屋顶")

# name, kind, location, area (亩), operation, yearly rent per 亩 (元)
RESOURCES = (
    ("东洼机动地", "耕地", "三组东，东至排水沟，西至村道", 35.6, "发包", 700),
    ("西岗机动地", "耕地", "五组西，南至乡道，北至林带", 28.2, "发包", 680),
    ("南河滩地", "四荒地", "村南河滩，东至堤坝，西至渡口", 46.0, "出租", 260),
    ("大坑塘", "水面", "村北，四周为村道", 18.5, "发包", 900),
    ("小坑塘", "水面", "二组南", 6.3, "发包", 850),
    ("北岗林地", "林地", "村北岗，东至县道", 80.0, "发包", 120),
    ("老砖厂旧址", "集体经营性建设用地", "村北工业区，东至厂房", 12.4, "出租", 3_000),
    ("果园", "园地", "四组东", 22.0, "发包", 800),
    ("村西荒沟", "四荒地", "村西，南北走向", 15.8, "未利用", 0),
    ("村部东侧空地", "其他建设用地", "村部东侧", 3.2, "自营", 0),
)
PERSON_SURNAMES = "王李张刘陈杨赵黄周吴徐孙"
PERSON_GIVEN = ("建国", "国强", "德明", "春生", "志强", "永福", "长发", "卫东", "新民", "广才", "保国", "庆丰")
COMPANIES = ("中牟县丰源食品有限公司", "中牟县绿丰农机专业合作社", "中牟县林源苗木专业合作社",
             "郑州田园农业开发有限公司", "中牟县渔乐水产养殖专业合作社")


def _assets(rng: random.Random, quarter: Quarter, changed: bool) -> list[dict[str, Any]]:
    rows = []
    year_end = quarter.last_day
    for (name, klass, unit, year, value, rate, use, user), place in zip(ASSETS, PLACES, strict=True):
        low, high = QUANTITIES.get(unit, (1, 1))
        quantity = rng.randint(low, high)
        original = value * quantity * 100 if unit in QUANTITIES else value * 100
        years = year_end.year - year
        net = max(original // 20, int(original * (1 - rate * years)) // 100 * 100)
        rows.append({"name": name, "class": klass, "quantity": quantity, "unit": unit,
                     "acquired": date(year, rng.randint(3, 11), rng.randint(1, 28)), "original": original,
                     "net": net, "location": place, "use": use, "user": user,
                     "change": "无变动", "change_reason": None})
    if changed:
        rows[11].update(change="处置", use="报废待处置", user=None,
                        change_reason="使用满5年已损坏，经村民代表会议同意报废，残值变卖收入入账")
        rows.append({"name": "垃圾分类收集亭", "class": "公益设施", "quantity": 6, "unit": "座",
                     "acquired": quarter.first_day + timedelta(days=rng.randint(10, 60)), "original": 6 * 4_200_00,
                     "net": 6 * 4_200_00, "location": "各村民小组", "use": "自用", "user": "村保洁队",
                     "change": "增加", "change_reason": "人居环境整治项目建成移交"})
    return rows


def _resources(rng: random.Random, quarter: Quarter, changed: bool) -> list[dict[str, Any]]:
    rows = []
    for index, (name, kind, location, area, operation, per_mu) in enumerate(RESOURCES):
        area_hundredths = round(area * 100) + rng.randint(-30, 30)
        row: dict[str, Any] = {"name": name, "kind": kind, "location": location, "area": area_hundredths,
                               "operation": operation, "party_type": None, "party": None, "start": None,
                               "end": None, "yearly_rent": None, "due": None, "received": None}
        if operation in ("发包", "出租"):
            company = index % 3 == 2
            party = (rng.choice(COMPANIES) if company
                     else rng.choice(PERSON_SURNAMES) + rng.choice(PERSON_GIVEN))
            start = date(rng.choice((2019, 2021, 2023, 2024)), 1, 1)
            rent = area_hundredths * per_mu // 100 * 100
            # The rent falls due once a year, in the year's last quarter.
            due = rent if quarter.number == 4 else 0
            received = due if rng.random() < 0.85 else due // 2 // 100 * 100
            row.update(party_type="单位" if company else "个人", party=party, start=start,
                       end=date(start.year + (10 if start.year < 2022 else rng.choice((5, 10))) - 1, 12, 31),
                       yearly_rent=rent, due=due,
                       received=received)
        rows.append(row)
    if changed:
        last = rows[8]  # 村西荒沟, let this quarter to a cooperative for 10 years
        last.update(operation="发包", party_type="单位", party="中牟县林源苗木专业合作社",
                    start=date(quarter.year, 8, 1), end=date(quarter.year + 10, 7, 31),
                    yearly_rent=last["area"] * 200 // 100 * 100)
        last.update(due=last["yearly_rent"], received=last["yearly_rent"])
    return rows


def add_demo_sanzi(session: Session, villages: list[tuple[Village, str, str, str]]) -> list[int]:
    """For each (village, supervision phone, 监委会主任, 文书): its registers; the new items' ids."""
    ids = []
    for index, (village, _phone, supervisor, clerk) in enumerate(villages):
        rng = random.Random(20261201 + index)
        for quarter in (YEAR_END, CHANGED):
            changed = quarter == CHANGED
            reviewed = add_working_days(quarter.next().first_day, 2)
            posted = add_working_days(quarter.next().first_day, 3)
            when = "变动情况" if changed else "年度清查"
            assets = _assets(rng, quarter, changed)
            ids.append(store.add_item(session, village, Item(
                category="assets", period=quarter, title=f"{quarter.chinese}集体资产公开（{when}）",
                publicity_start=posted, publicity_end=posted + timedelta(days=9), clerk=clerk,
                reviewer=supervisor, reviewed_on=reviewed, status=REVIEWED,
                fields={"report_date": quarter.last_day,
                        "total_original": sum(r["original"] for r in assets if r["change"] not in ("减少", "处置")),
                        "total_net": sum(r["net"] for r in assets if r["change"] not in ("减少", "处置"))},
                rows=assets)))
            resources = _resources(rng, quarter, changed)
            ids.append(store.add_item(session, village, Item(
                category="resources", period=quarter, title=f"{quarter.chinese}集体资源公开（{when}）",
                publicity_start=posted, publicity_end=posted + timedelta(days=9), clerk=clerk,
                reviewer=supervisor, reviewed_on=reviewed, status=REVIEWED,
                fields={"report_date": quarter.last_day}, rows=resources)))
    return ids
