"""The demo's project from decision to settlement: 柳树湾村's 村西生产路 from the 村民代表会议's
resolution (四议两公开) through its bid result and a 项目进展 notice to the 竣工决算, and the
resolution's 实施结果, each naming the item before it (关联事项, `db.links`).

Added after every other demo item, so the items of before keep their numbers and 验证码.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from zwgk_desktop.db import store
from zwgk_desktop.db.models import Village
from zwgk_desktop.domain.items import REVIEWED, Item
from zwgk_desktop.domain.periods import Quarter

PROJECT = "村西生产路硬化及排水工程"
FUNDING = "一事一议财政奖补资金及村集体自筹"
WINNER = "中牟县鑫源水利工程有限公司"
BIDDERS = ((WINNER, 41_860_000), ("郑州市恒信市政工程有限公司", 42_350_000), ("河南中原路桥建设有限公司", 43_120_000))
DECIDED, BUILT = Quarter(2026, 2), Quarter(2026, 3)


def add_demo_chain(session: Session, village: Village, phone: str, supervisor: str, clerk: str) -> list[int]:
    """The chain's five items in `village`; their ids, oldest first."""
    def add(period: Quarter, category: str, title: str, start: date, days: int, fields: dict[str, object],
            rows: list[dict[str, object]]) -> int:
        return store.add_item(session, village, Item(
            category=category, period=period, title=title, publicity_start=start,
            publicity_end=start + timedelta(days=days), clerk=clerk, reviewer=supervisor,
            reviewed_on=start - timedelta(days=1), status=REVIEWED, fields=fields, rows=rows))

    def number(item_id: int) -> int:
        return store.number_of(session, item_id)

    decision = add(DECIDED, "notice", f"关于实施{PROJECT}的决议公告", date(2026, 4, 14), 6, {
        "kind": "会议决议", "body": (
            "按照“四议两公开”工作法，2026年4月2日村党支部提议、4月6日村“两委”会议商议、4月9日党员大会审议，"
            "2026年4月12日召开村民代表会议，应到代表31人，实到29人，以27票同意、1票反对、1票弃权通过以下决议：\n"
            f"实施{PROJECT}（长0.8公里，宽4米，两侧排水沟），预算420,000.00元，资金来源为{FUNDING}；"
            "工程按规定公开招标，由村务监督委员会全程监督，竣工后验收结果和资金使用情况予以公开。")}, [])
    bid = add(DECIDED, "bids", f"{PROJECT}中标结果公示", date(2026, 5, 21), 4, {
        "project": PROJECT, "funding": FUNDING, "budget": 42_000_000, "method": "公开招标", "winner": WINNER,
        "contract_amount": BIDDERS[0][1], "duration": "60日历天",
        "objection": f"村务监督委员会 {phone}；青山镇纪委 0371-62340000", "follows": number(decision)},
        [{"bidder": b, "price": p, "rank": r} for r, (b, p) in enumerate(BIDDERS, 1)])
    progress = add(BUILT, "notice", f"{PROJECT}项目进展公示", date(2026, 8, 3), 6, {
        "kind": "项目进展", "follows": number(bid), "contact": f"村委会 {phone}", "body": (
            f"{PROJECT}于2026年6月8日开工，施工单位为{WINNER}，监理由镇规划建设办派员。"
            "截至2026年7月31日，路基和排水沟已完成，正在浇筑路面；按合同约定已支付进度款。")},
        [{"matter": "已完成工程量", "detail": "路基0.8公里，排水沟1.6公里，路面0.35公里", "amount": None},
         {"matter": "已支付进度款", "detail": "合同金额的40%", "amount": 16_744_000}])
    settlement = add(BUILT, "notice", f"{PROJECT}竣工决算公示", date(2026, 9, 24), 6, {
        "kind": "竣工决算", "follows": number(progress), "contact": f"村委会 {phone}", "body": (
            f"{PROJECT}于2026年8月28日完工，9月10日经镇规划建设办、村务监督委员会和村民代表验收合格。"
            "经镇三资代理中心审核，工程决算如下。质保金在质保期满（一年）后无质量问题的支付。")},
        [{"matter": "合同金额", "detail": WINNER, "amount": BIDDERS[0][1]},
         {"matter": "设计变更增加", "detail": "增设过路涵管2处（村民代表会议同意）", "amount": 960_000},
         {"matter": "决算金额", "detail": "经审核", "amount": 42_820_000},
         {"matter": "已支付", "detail": "截至2026年9月20日", "amount": 40_679_000},
         {"matter": "质保金", "detail": "决算金额的5%，质保期一年", "amount": 2_141_000}])
    outcome = add(BUILT, "notice", f"关于{PROJECT}决议实施结果的公告", date(2026, 9, 25), 6, {
        "kind": "实施结果", "follows": number(decision), "contact": f"村委会 {phone}", "body": (
            f"2026年4月12日村民代表会议通过的实施{PROJECT}的决议已实施完毕：工程经公开招标，"
            f"由{WINNER}承建，已验收合格，决算金额428,200.00元，在预算之内（含经村民代表会议同意的设计变更）。"
            "中标结果、项目进展和竣工决算已分别公示，见本公告的关联事项。")}, [])
    return [decision, bid, progress, settlement, outcome]
