"""The demo township's 三资 tables: each village's 集体资产 and 集体资源 registers, then its
经济合同, 债权债务 and 收益分配.

Assets and resources are disclosed at the year's end (2025Q4, the annual 清查) and again when
something changed (2026Q3: an asset bought and one disposed of, a plot newly let); the year's
收益分配 at its end (2025Q4); 债权债务 every quarter, each debt carried from one quarter to the
next as it is paid off; the contracts signed or in force in 2026Q3. Seeded per village, apart
from the main demo's random stream, so the items of today's demo keep their numbers and 验证码;
these are added after them, village by village, the later tables after the first two.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from zwgk_desktop.db import store
from zwgk_desktop.db.models import Village
from zwgk_desktop.domain.identity import id_check_char
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
    for index, (village, _phone, supervisor, clerk) in enumerate(villages):
        ids += _later_tables(session, village, index, supervisor, clerk)
    return ids


# ---------------------------------------------------------------------------------------------
# 经济合同, 债权债务, 收益分配.

DEBT_QUARTERS = (Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3))
# kind, party type, party (None: a person, drawn), reason, arisen, amount in 元
DEBTS = (
    ("债权", "个人", None, "2025年机动地承包费欠缴", date(2025, 12, 31), 12_460),
    ("债权", "个人", None, "2024年鱼塘承包费欠缴", date(2024, 12, 31), 8_200),
    ("债权", "单位", "中牟县丰源食品有限公司", "集体厂房2025年下半年租金", date(2025, 10, 1), 45_000),
    ("债权", "单位", "中牟县农业农村局", "高标准农田项目奖补资金（待拨付）", date(2025, 11, 20), 60_000),
    ("债务", "单位", "中牟县宏达建筑工程有限公司", "村内道路硬化工程质保金", date(2025, 9, 30), 38_600),
    ("债务", "单位", "中牟县农村信用合作联社", "村部改造借款", date(2023, 6, 1), 150_000),
    ("债务", "个人", None, "借用村民资金修建机井（经村民代表会议同意）", date(2022, 4, 15), 20_000),
)
# A debt that arises in 2026Q2: works accepted, their last part paid after the audit.
NEW_DEBT = ("债务", "单位", "中牟县万通建筑劳务有限公司", "村卫生室改造工程尾款（待审计后支付）", date(2026, 6, 28),
            12_600)


def _person_id(rng: random.Random) -> str:
    born = date(1955, 1, 1) + timedelta(days=rng.randint(0, 365 * 40))
    first17 = f"410122{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def _person(rng: random.Random) -> str:
    return rng.choice(PERSON_SURNAMES) + rng.choice(PERSON_GIVEN)


def _debt_rows(rng: random.Random) -> list[list[dict[str, Any]]]:
    """The debts register of each of DEBT_QUARTERS: what was repaid before, this quarter, what is left."""
    debts: list[dict[str, Any]] = []
    for kind, party_type, party, reason, arisen, amount in DEBTS:
        person = party is None
        debts.append({"kind": kind, "party_type": party_type, "party": _person(rng) if person else party,
                      "party_id": _person_id(rng) if person else None, "reason": reason, "arisen": arisen,
                      "amount": amount * 100})
    registers = []
    paid = [0] * (len(debts) + 1)
    for quarter in DEBT_QUARTERS:
        if quarter == Quarter(2026, 2):
            kind, party_type, party, reason, arisen, amount = NEW_DEBT
            debts.append({"kind": kind, "party_type": party_type, "party": party, "party_id": None,
                          "reason": reason, "arisen": arisen, "amount": amount * 100})
        rows = []
        for number, debt in enumerate(debts):
            before = paid[number]
            left = debt["amount"] - before
            if left == 0:
                continue  # paid off in an earlier quarter: listed then, with its balance 0, no longer
            # Some pay part, a few all, most nothing this quarter (a 质保金 waits for its year).
            roll = rng.random()
            repaid = left if roll < 0.08 else (left * rng.randint(2, 6) // 10 // 100 * 100 if roll < 0.35 else 0)
            paid[number] = before + repaid
            rows.append({**debt, "repaid_before": before or None, "repaid": repaid or None,
                         "balance": left - repaid})
        registers.append(rows)
    return registers


def _contract_rows(rng: random.Random, code: str) -> list[dict[str, Any]]:
    year = 2026
    person = _person(rng)
    rent = rng.randint(200, 280) * 100 * 100
    rows: list[dict[str, Any]] = [
        {"number": f"{code}-2024-003", "subject": "东洼机动地发包合同（35.6亩）", "kind": "发包", "direction": "收款",
         "party_type": "个人", "party": person, "party_phone": "139" + f"{rng.randint(0, 10**8 - 1):08d}",
         "amount": rent * 5, "signed": date(2023, 12, 20), "start": date(2024, 1, 1), "end": date(2028, 12, 31),
         "settled": rent * 3, "status": "履行中", "note": "承包费每年12月底前交清"},
        {"number": f"{code}-2021-011", "subject": "集体厂房（一号）租赁合同", "kind": "租赁", "direction": "收款",
         "party_type": "单位", "party": "中牟县丰源食品有限公司", "party_phone": None, "amount": 90_000_00 * 6,
         "signed": date(2021, 3, 1), "start": date(2021, 4, 1), "end": date(2027, 3, 31),
         "settled": 90_000_00 * 5, "status": "履行中", "note": "租金每半年支付一次"},
        {"number": f"{code}-{year}-004", "subject": "村内排水沟清淤及盖板铺设施工合同", "kind": "工程",
         "direction": "付款", "party_type": "单位", "party": rng.choice(("中牟县鑫源水利工程有限公司",
                                                                          "中牟县宏达建筑工程有限公司")),
         "party_phone": None, "amount": rng.randint(180, 260) * 1_000_00, "signed": date(year, 7, 6),
         "start": date(year, 7, 10), "end": date(year, 8, 31), "settled": 0, "status": "已完成", "note": None},
        {"number": f"{code}-{year}-005", "subject": "垃圾分类收集亭采购合同（6座）", "kind": "采购",
         "direction": "付款", "party_type": "单位", "party": "郑州绿野园林绿化有限公司", "party_phone": None,
         "amount": 25_200_00, "signed": date(year, 7, 15), "start": date(year, 7, 15), "end": date(year, 8, 15),
         "settled": 25_200_00, "status": "已完成", "note": "已验收，移交村保洁队使用"},
        {"number": f"{code}-{year}-006", "subject": "村内公共区域保洁服务合同", "kind": "服务", "direction": "付款",
         "party_type": "个人", "party": _person(rng), "party_phone": None, "amount": 1_500_00 * 12,
         "signed": date(year, 6, 28), "start": date(year, 7, 1), "end": date(year + 1, 6, 30),
         "settled": 1_500_00 * 3, "status": "履行中", "note": "每月1500元，按月考核支付"},
        {"number": f"{code}-{year}-007", "subject": "村西荒沟发包合同（10年）", "kind": "发包", "direction": "收款",
         "party_type": "单位", "party": "中牟县林源苗木专业合作社", "party_phone": None,
         "amount": rng.randint(30, 34) * 100 * 100 * 10, "signed": date(year, 7, 26), "start": date(year, 8, 1),
         "end": date(year + 10, 7, 31), "settled": 0, "status": "履行中", "note": "经村民代表会议同意，公开协商发包"},
        {"number": f"{code}-2023-008", "subject": "小坑塘养殖承包合同", "kind": "发包", "direction": "收款",
         "party_type": "个人", "party": _person(rng), "party_phone": None, "amount": 5_300_00 * 5,
         "signed": date(2023, 2, 10), "start": date(2023, 3, 1), "end": date(2028, 2, 28),
         "settled": 5_300_00 * 3, "status": "解除", "note": "承包方申请，经村民代表会议同意于2026年8月解除"},
    ]
    works = rows[2]
    works["settled"] = works["amount"]  # settled in full on acceptance (the 质保金 is a debt, listed there)
    return rows


def _distribution(rng: random.Random, index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The year's 收益分配: kept back, shared among the members, carried over. The last village
    shares nothing out (its income went to the 村部 loan) and says so."""
    total = rng.randint(320, 560) * 1_000_00
    reserve = total * 30 // 100 // 100 * 100
    welfare = total * 10 // 100 // 100 * 100
    rows: list[dict[str, Any]] = [
        {"item": "提取公积公益金", "amount": reserve, "basis": "按可分配收益的30%提取，用于村内公益事业"},
        {"item": "提取福利费", "amount": welfare, "basis": "按可分配收益的10%提取，用于困难户慰问"}]
    fields: dict[str, Any] = {"households": None, "members": None, "per_household": None, "per_member": None}
    if index < 2:
        members = rng.randint(1200, 1800)
        households = members // 4 + rng.randint(-20, 20)
        per_member = (total - reserve - welfare) * 90 // 100 // members // 100 * 100  # whole 元
        share = per_member * members
        rows.append({"item": "分配给成员", "amount": share,
                     "basis": f"按户籍在册成员平均分配，每人{per_member // 100}元"})
        per_household = round(share / households)
        fields.update(households=households, members=members, per_household=per_household, per_member=per_member)
    carried = total - sum(r["amount"] for r in rows)
    rows.append({"item": "结转下年", "amount": carried, "basis": "留作下年村集体经济发展资金"})
    return fields, rows


def _later_tables(session: Session, village: Village, index: int, supervisor: str, clerk: str) -> list[int]:
    rng = random.Random(20261215 + index)
    ids = []

    def add(category: str, quarter: Quarter, title: str, fields: dict[str, Any], rows: list[dict[str, Any]],
            days: int = 9) -> None:
        reviewed = add_working_days(quarter.next().first_day, 2)
        posted = add_working_days(quarter.next().first_day, 3)
        ids.append(store.add_item(session, village, Item(
            category=category, period=quarter, title=title, publicity_start=posted,
            publicity_end=posted + timedelta(days=days), clerk=clerk, reviewer=supervisor, reviewed_on=reviewed,
            status=REVIEWED, fields=fields, rows=rows)))

    fields, rows = _distribution(rng, index)
    add("distribution", YEAR_END, f"{YEAR_END.year}年度收益分配公开",
        {"total_income": sum(r["amount"] for r in rows),
         "resolution": f"{YEAR_END.year}年12月{rng.randint(26, 30)}日村民代表会议通过", **fields}, rows)
    for quarter, debts in zip(DEBT_QUARTERS, _debt_rows(rng), strict=True):
        add("debts", quarter, f"{quarter.chinese}债权债务公开",
            {"report_date": quarter.last_day,
             "claims_total": sum(r["balance"] for r in debts if r["kind"] == "债权"),
             "debts_total": sum(r["balance"] for r in debts if r["kind"] == "债务")}, debts)
    add("contracts", CHANGED, f"{CHANGED.chinese}经济合同公开", {"report_date": CHANGED.last_day},
        _contract_rows(rng, village.code[:2].upper()))
    return ids
