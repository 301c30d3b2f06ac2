"""The demo township's monthly finance: 东岗村, whose transactions are many, discloses its 财务收支
monthly from 2026Q3 (the township's setting), beside the quarter's own statement.

Its July and August statements are the quarter's ledger cut at the month's end (the same lines,
opening with the balance carried over), so the months and the quarter agree to the 分. Added after
every other demo item, so those keep their numbers and 验证码.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, Village
from zwgk_desktop.domain.items import REVIEWED, Item
from zwgk_desktop.domain.periods import Month, add_working_days

MONTHLY_VILLAGE = "donggang"
MONTHS = (Month(2026, 7), Month(2026, 8))


def add_demo_monthly(session: Session, village: Village, supervisor: str, clerk: str) -> list[int]:
    """The village set to disclose finance monthly, and its statements of `MONTHS`; the new ids."""
    quarter = MONTHS[0].quarter
    village.monthly = " ".join(store.checked_monthly([f"finance@{quarter}"]))
    record = session.scalars(select(DisclosureItem).where(
        DisclosureItem.village_id == village.id, DisclosureItem.period == str(quarter),
        DisclosureItem.category == "finance", DisclosureItem.month.is_(None)).order_by(DisclosureItem.id)).first()
    assert record is not None, "the demo's quarter statement comes first"
    ledger = store.to_domain(record)
    balance = ledger.fields["opening_balance"]
    ids = []
    for month in MONTHS:
        rows = [dict(row) for row in ledger.rows if month.contains(row["date"])]
        closing = balance + sum((row["income"] or 0) - (row["expense"] or 0) for row in rows)
        reviewed = add_working_days(month.next().first_day, 2)
        posted = add_working_days(month.next().first_day, 3)
        ids.append(store.add_item(session, village, Item(
            category="finance", period=quarter, month=month, title=f"{month.chinese}财务收支明细",
            publicity_start=posted, publicity_end=posted + timedelta(days=9), clerk=clerk,
            reviewer=supervisor, reviewed_on=reviewed, status=REVIEWED,
            fields={"opening_balance": balance, "closing_balance": closing}, rows=rows)))
        balance = closing
    return ids
