"""A demo township that looks real: 青山镇 with 3 villages, 4 quarters and every category (东岗村's
finance monthly in 2026Q3, `demo_monthly`).

Names, IDs (with valid checksums), phones and accounts are made up, seeded so the demo is the
same on every machine. 低保 lists have a few hundred households, finance quarters a hundred-odd
lines that balance, carried over from one quarter to the next.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from zwgk_desktop.db import store
from zwgk_desktop.domain.identity import id_check_char
from zwgk_desktop.domain.items import DRAFT, REVIEWED, Item
from zwgk_desktop.domain.periods import Quarter, add_working_days, chinese_date
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office.demo_chain import add_demo_chain
from zwgk_desktop.office.demo_monthly import MONTHLY_VILLAGE, add_demo_monthly
from zwgk_desktop.office.demo_objections import add_demo_objections
from zwgk_desktop.office.demo_sanzi import add_demo_sanzi

TOWNSHIP = "青山镇"
BASE_URL = "https://qingshan.example/zwgk"
TOWNSHIP_PHONE = "0371-62340000"
VILLAGES = (
    # name, code, supervision phone, region code (中牟县), households on the 低保 list, 监委会主任, 文书
    ("东岗村", "donggang", "0371-62341101", "410122", 320, "王德明", "李秀芬"),
    ("柳树湾村", "liushuwan", "0371-62341102", "410122", 240, "赵建军", "张丽"),
    ("石桥村", "shiqiao", "0371-62341103", "410122", 180, "孙玉兰", "刘伟"),
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘"
    "杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "建国 建华 国强 秀英 桂兰 玉兰 德明 春生 金花 秋菊 志强 丽娟 红梅 海燕 永福 长发 凤英 淑珍 卫东 新民 "
    "广才 保国 文华 素芬 翠萍 兰英 占山 喜荣 双喜 满仓 二妮 小红 振华 庆丰 富贵 学军 爱民 守成 红军 春花"
).split()
REASONS = ("因病", "因残", "年老体弱", "缺乏劳动力", "因灾", "子女上学")
COMPANIES = ("中牟县宏达建筑工程有限公司", "郑州市恒信市政工程有限公司", "河南中原路桥建设有限公司",
             "中牟县鑫源水利工程有限公司", "郑州绿野园林绿化有限公司", "河南永安建设集团有限公司",
             "中牟县万通建筑劳务有限公司", "郑州建工第三工程有限公司")
PROJECTS = (
    ("村内道路硬化工程（二组至五组，长1.2公里）", "一事一议财政奖补资金及村集体自筹", "60日历天"),
    ("农田灌溉渠道修复工程", "高标准农田建设项目资金", "45日历天"),
    ("村委会办公楼屋面防水维修", "村级组织运转经费", "20日历天"),
    ("文化广场太阳能路灯安装工程", "美丽乡村建设资金", "30日历天"),
    ("村内排水沟清淤及盖板铺设", "人居环境整治专项资金", "40日历天"),
    ("小学周边道路拓宽工程", "县交通局农村公路补助资金", "75日历天"),
)
INCOME = (
    ("上级转移支付（村级组织运转经费）", 9_000_000, 15_000_000),
    ("土地承包费收入", 500_000, 3_000_000),
    ("集体厂房租赁收入", 800_000, 2_000_000),
    ("鱼塘承包费收入", 200_000, 900_000),
    ("一事一议财政奖补资金", 2_000_000, 8_000_000),
    ("银行存款利息收入", 5_000, 60_000),
)
EXPENSE = (
    ("支付{m}月村干部基本报酬", 1_200_000, 1_800_000),
    ("支付{m}月保洁员工资（3人）", 450_000, 540_000),
    ("村部{m}月电费", 40_000, 160_000),
    ("村部网络及电话费", 20_000, 40_000),
    ("购买办公用品（打印纸、墨盒）", 30_000, 120_000),
    ("垃圾清运费（{m}月）", 150_000, 300_000),
    ("道路维修材料款（水泥、沙石）", 300_000, 1_500_000),
    ("路灯维修更换灯泡", 20_000, 90_000),
    ("慰问困难党员及五保户", 100_000, 300_000),
    ("村民代表会议误工补贴", 60_000, 150_000),
    ("防汛物资购置（编织袋、铁锹）", 80_000, 260_000),
    ("村卫生室水电费补助", 30_000, 80_000),
    ("支付会计代理服务费", 60_000, 120_000),
    ("文化广场绿化苗木款", 200_000, 900_000),
    ("安装监控摄像头（村口两处）", 300_000, 800_000),
)


# Fixed quarters, so the demo (and the README's commands) are the same on every machine and day.
DEMO_QUARTERS = (Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3))


def _id_number(rng: random.Random, region: str, born: date, male: bool) -> str:
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def _after(day: date, working_days: int) -> date:
    return add_working_days(day, working_days)


def _households(rng: random.Random, region: str, count: int) -> list[dict[str, object]]:
    households: list[dict[str, object]] = []
    used: set[str] = set()
    while len(households) < count:
        male = rng.random() < 0.6
        born = date(rng.randint(1938, 1995), rng.randint(1, 12), rng.randint(1, 28))
        id_number = _id_number(rng, region, born, male)
        if id_number in used:
            continue
        used.add(id_number)
        kind = rng.choices(("农村低保", "特困供养"), weights=(88, 12))[0]
        size = 1 if kind == "特困供养" else rng.choices((1, 2, 3, 4, 5), weights=(25, 30, 25, 15, 5))[0]
        # 特困: the full standard; 低保: the gap between income and the standard (补差), up to 560.
        per_person = 1040 if kind == "特困供养" else rng.randint(18, 56) * 10
        group = f"{rng.randint(1, 9)}组"
        households.append({
            "group": group,
            "head_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "id_number": id_number,
            "household_size": size,
            "kind": kind,
            "monthly_amount": size * per_person * 100,
            "phone": f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
            "account": f"62{rng.randint(10**16, 10**17 - 1)}",
            "address": f"{group}{rng.randint(1, 80)}号",
            "reason": rng.choice(REASONS),
        })
    return households


def _finance(rng: random.Random, quarter: Quarter, opening: int) -> tuple[list[dict[str, object]], int]:
    rows = []
    balance = opening
    for month in quarter.months:
        month_end = (date(quarter.year, month + 1, 1) if month < 12 else date(quarter.year + 1, 1, 1))
        last_day = month_end - timedelta(days=1)
        entries: list[tuple[str, int | None, int | None]] = []
        for summary, low, high in INCOME:
            if summary.startswith("上级") or rng.random() < 0.45:
                entries.append((summary, rng.randint(low, high) // 100 * 100, None))
        for summary, low, high in EXPENSE:
            for _ in range(rng.choice((1, 2, 2, 3, 3))):
                entries.append((summary.format(m=month), None, rng.randint(low, high) // 10 * 10))
        dated = sorted((date(quarter.year, month, rng.randint(1, last_day.day)), e) for e in entries)
        for day, (summary, income, expense) in dated:
            if expense and balance - expense < 200_000:
                continue  # a village account does not go overdrawn
            balance += (income or 0) - (expense or 0)
            rows.append({"date": day, "summary": summary, "income": income, "expense": expense})
    for number, row in enumerate(rows, start=1):
        row["voucher"] = f"记-{quarter.year % 100:02d}{quarter.number}{number:03d}"
    return rows, balance


def has_demo(session: Session) -> bool:
    township = store.get_township(session)
    codes = [v.code for v in store.villages(session)]
    return township is not None and township.name == TOWNSHIP and codes == [v[1] for v in VILLAGES]


def load_demo(session: Session, progress: Callable[[str], None] | None = None) -> list[int]:
    """Fill an empty database with the demo township; return the new items' ids."""
    if store.villages(session):
        raise BadInput("数据库中已经有村庄数据：示范数据只能装入空数据库（可用 --db 指定一个新文件）")
    township = store.ensure_township(session, TOWNSHIP)
    store.set_base_url(township, BASE_URL)
    store.set_phone(township, TOWNSHIP_PHONE)
    quarters = DEMO_QUARTERS
    ids = []
    for village_index, (name, code, phone, region, count, supervisor, clerk) in enumerate(VILLAGES):
        rng = random.Random(20261001 + village_index)
        village = store.add_village(session, township, f"{name}={code}")
        store.set_phone(village, phone)
        households = _households(rng, region, count)
        opening = rng.randint(120_000, 260_000) * 100
        for q_index, quarter in enumerate(quarters):
            if progress:
                progress(f"{name} {quarter}")
            next_first = quarter.next().first_day
            reviewed = _after(next_first, 2)
            posted = _after(next_first, 3)
            latest = q_index == len(quarters) - 1

            rows, closing = _finance(rng, quarter, opening)
            ids.append(store.add_item(session, village, Item(
                category="finance", period=quarter, title=f"{quarter.chinese}财务收支明细",
                publicity_start=posted, publicity_end=posted + timedelta(days=29), clerk=clerk,
                reviewer=supervisor, reviewed_on=reviewed, status=REVIEWED,
                fields={"opening_balance": opening, "closing_balance": closing}, rows=rows)))
            opening = closing

            # The list changes a little each quarter: some leave, some are newly approved.
            for _ in range(rng.randint(2, 6)):
                households.pop(rng.randrange(len(households)))
            households += _households(rng, region, count - len(households))
            ids.append(store.add_item(session, village, Item(
                category="assistance", period=quarter, title=f"{quarter.chinese}低保及特困供养对象公示",
                publicity_start=posted, publicity_end=posted + timedelta(days=6), clerk=clerk,
                reviewer=supervisor, reviewed_on=reviewed, status=REVIEWED,
                fields={"standard": "农村低保标准每人每月560元；特困人员基本生活标准每人每月1040元"},
                rows=[dict(h) for h in households])))

            project, funding, duration = PROJECTS[(village_index * 4 + q_index) % len(PROJECTS)]
            budget = rng.randint(150, 900) * 100_000
            bidders = rng.sample(COMPANIES, rng.randint(3, 5))
            prices = sorted(rng.randint(int(budget * 0.86), int(budget * 0.99)) // 100 * 100 for _ in bidders)
            opened = quarter.first_day + timedelta(days=rng.randint(20, 60))
            ids.append(store.add_item(session, village, Item(
                category="bids", period=quarter, title=f"{project}中标结果公示",
                publicity_start=opened + timedelta(days=1), publicity_end=opened + timedelta(days=5),
                clerk=clerk, reviewer=supervisor, reviewed_on=opened, status=REVIEWED,
                fields={"project": project, "funding": funding, "budget": budget, "method": "公开招标",
                        "winner": bidders[0], "contract_amount": prices[0], "duration": duration,
                        "objection": f"村务监督委员会 {phone}；{TOWNSHIP}纪委 {TOWNSHIP_PHONE}"},
                rows=[{"bidder": b, "price": p, "rank": r}
                      for r, (b, p) in enumerate(zip(bidders, prices, strict=True), 1)])))

            subsidy_households = rng.randint(420, 680)
            per_mu = rng.randint(95, 125)
            ids.append(store.add_item(session, village, Item(
                category="notice", period=quarter,
                title=f"关于{quarter.year}年耕地地力保护补贴发放情况的公告",
                publicity_start=posted, publicity_end=posted + timedelta(days=6), clerk=clerk,
                reviewer=None if latest else supervisor, reviewed_on=None if latest else reviewed,
                status=DRAFT if latest else REVIEWED,
                fields={"kind": "惠农补贴", "contact": f"村委会 {phone}", "body": (
                    f"根据县农业农村局、财政局关于做好{quarter.year}年耕地地力保护补贴工作的通知，"
                    f"本村{quarter.chinese}耕地地力保护补贴已通过惠民惠农财政补贴资金“一卡通”发放到户，"
                    f"补贴标准为每亩{per_mu}元。现将发放情况公告如下。\n"
                    "各户补贴明细已在各村民小组张贴，村民可持本人身份证到村委会查询。"
                    "对补贴面积或金额有异议的，请在公示期内向村委会或村务监督委员会反映。")},
                rows=[
                    {"matter": "补贴户数", "detail": f"{subsidy_households}户", "amount": None},
                    {"matter": "补贴面积", "detail": f"{subsidy_households * 4 + rng.randint(0, 300)}亩",
                     "amount": None},
                    {"matter": "补贴资金", "detail": "已全部发放到户",
                     "amount": (subsidy_households * 4 + 150) * per_mu * 100},
                ])))
            if q_index % 2 == 1:
                ids.append(store.add_item(session, village, Item(
                    category="notice", period=quarter, title="村民代表会议决议公告",
                    publicity_start=opened + timedelta(days=8), publicity_end=opened + timedelta(days=14),
                    clerk=clerk, reviewer=supervisor, reviewed_on=opened + timedelta(days=7), status=REVIEWED,
                    fields={"kind": "会议决议", "body": (
                        f"按照“四议两公开”工作法，{chinese_date(opened)}村党支部提议、村“两委”会议商议、"
                        f"党员大会审议，于{chinese_date(opened + timedelta(days=6))}召开村民代表会议，"
                        f"应到代表35人，实到32人，以30票同意、1票反对、1票弃权通过以下决议：\n"
                        f"实施{project}，资金来源为{funding}，工程按规定公开招标，"
                        "由村务监督委员会全程监督，竣工后验收结果和资金使用情况予以公开。")},
                    rows=[])))
    # 三资 registers, after every item above (their numbers and 验证码 unchanged).
    ids += add_demo_sanzi(session, [(village, phone, supervisor, clerk) for village, (_, _, phone, _, _, supervisor,
                                    clerk) in zip(store.villages(session), VILLAGES, strict=True)])
    # 东岗村's monthly finance (2026-07, 2026-08), after everything else (numbers and 验证码 unchanged).
    monthly = next(v for v in store.villages(session) if v.code == MONTHLY_VILLAGE)
    _, _, _, _, _, supervisor, clerk = next(v for v in VILLAGES if v[1] == MONTHLY_VILLAGE)
    ids += add_demo_monthly(session, monthly, supervisor, clerk)
    # A project from decision to settlement, its items linked (关联事项): after all of the above.
    _, _, phone, _, _, supervisor, clerk = VILLAGES[1]
    ids += add_demo_chain(session, store.find_village(session, VILLAGES[1][1]), phone, supervisor, clerk)
    # Residents' objections to 东岗村's latest quarter (no item changes).
    add_demo_objections(session, store.find_village(session, VILLAGES[0][1]))
    return ids
