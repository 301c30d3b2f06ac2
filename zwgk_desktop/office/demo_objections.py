"""The demo's objection register: three residents' objections to 东岗村's 2026Q3 items — one
answered in time, one answered late, one still open — so the quarter view, `zwgk objection list`
and the compliance table have something to show. Added after every item: no item's number or
验证码 changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.db.models import DisclosureItem, Village, public_number
from zwgk_desktop.office.objections import record_reply, register

DEMO_PERIOD = "2026Q3"
# (category, row, received, channel, text, raised by, reply: (on, text, by, outcome) or None)
OBJECTIONS: tuple[tuple[str, int | None, date, str, str, str, tuple[date, str, str, str] | None], ...] = (
    ("assistance", 5, date(2026, 10, 12), "意见箱",
     "第5户家中有人外出务工，收入已提高，是否仍符合低保条件，请核实。", "王大明",
     (date(2026, 10, 20), "经村务监督委员会入户核实，该户务工收入不稳定，家庭人均收入仍低于低保标准，维持原公示。",
      "张卫东", "维持")),
    ("bids", None, date(2026, 8, 17), "当面",
     "中标单位的路灯型号与招标文件写的是否一致？希望公开合同。", "陈桂芳",
     (date(2026, 9, 2), "经核对，中标产品型号与招标文件一致，合同已在村委会公开栏张贴，可到村委会查阅。",
      "刘建国", "维持")),
    ("finance", None, date(2026, 10, 14), "电话",
     "9月份“办公用品”支出金额较大，请说明买了哪些东西。", "周志强", None),
)


def add_demo_objections(session: Session, village: Village) -> int:
    """Register the demo's objections (as of their own dates); how many."""
    for category, row, received, channel, text, by, reply in OBJECTIONS:
        item = session.scalars(select(DisclosureItem).where(
            DisclosureItem.village_id == village.id, DisclosureItem.period == DEMO_PERIOD,
            DisclosureItem.category == category, DisclosureItem.month.is_(None)).order_by(DisclosureItem.id)).first()
        assert item is not None, category
        entry = register(session, village=village.code, item=public_number(item), row=row, received=received,
                         channel=channel, text=text, by=by, today=received)
        if reply is not None:
            on, answer, handler, outcome = reply
            record_reply(session, entry.id, text=answer, by=handler, on=on, outcome=outcome, today=on)
    return len(OBJECTIONS)
