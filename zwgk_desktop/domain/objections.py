"""The objection register (异议/意见登记): when a resident's objection must be answered, and
whether it was, in time. No Qt, no database: the store and the app ask these questions.

The reply is due 10 days after receipt (the board's own words: 村委会在 10 日内答复), counted in
calendar days as 民法典 art. 201–203 count a period: from the day after receipt, and when the
tenth day is a rest day or 法定节假日 the period ends on the next working day (调休 Saturdays work).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from zwgk_desktop.domain.fields import Field, Kind
from zwgk_desktop.domain.periods import is_working_day

REPLY_DAYS = 10
CHANNELS = ("电话", "来信", "当面", "意见箱", "网上")
OUTCOMES = ("维持", "更正")

OPEN = "待答复"
REPLIED = "已答复"
OVERDUE = "逾期未答复"
LATE = "逾期答复"
STATUSES = (OPEN, REPLIED, OVERDUE, LATE)

# What public outputs say in place of the person who raised it: never their name, masked or not.
PUBLIC_PERSON = "村民"

TEXT = Field("text", "异议内容", Kind.LONGTEXT, max_length=500)
REPLY = Field("reply", "答复内容", Kind.LONGTEXT, max_length=1000)
RAISED_BY = Field("raised_by", "提出人", Kind.NAME, required=False, max_length=40, public=False)
HANDLER = Field("handler", "答复人", Kind.NAME, max_length=40, public=False)
CHANNEL = Field("channel", "渠道", Kind.CHOICE, choices=CHANNELS)
OUTCOME = Field("outcome", "处理结果", Kind.CHOICE, choices=OUTCOMES)


def due_date(received: date) -> date:
    """The last day on which the reply is in time."""
    day = received + timedelta(days=REPLY_DAYS)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def status(received: date, replied_on: date | None, today: date) -> str:
    """待答复 / 已答复 / 逾期未答复 / 逾期答复, as of `today`."""
    due = due_date(received)
    if replied_on is not None:
        return REPLIED if replied_on <= due else LATE
    return OPEN if today <= due else OVERDUE


def is_overdue(received: date, replied_on: date | None, today: date) -> bool:
    """Past its due date without a reply, or replied after it: what the compliance table counts."""
    return status(received, replied_on, today) in (OVERDUE, LATE)


@dataclass(frozen=True)
class Objection:
    """One objection as registered (the store's row, in domain terms)."""

    village: str  # the village's code
    number: int  # within its village, given at registration
    item_number: int  # the public number of the item it is about
    item_title: str
    period: str  # the quarter of that item
    received_on: date
    channel: str
    text: str
    row: int | None = None  # as the editor numbers rows, from 1
    raised_by: str | None = None
    handler: str | None = None
    reply: str | None = None
    replied_on: date | None = None
    outcome: str | None = None
    correction: int | None = None  # the public number of the 更正公告 it led to

    @property
    def due(self) -> date:
        return due_date(self.received_on)

    def status(self, today: date) -> str:
        return status(self.received_on, self.replied_on, today)

    def sealed_content(self) -> dict[str, Any]:
        """Everything registered, as a seal freezes it (the archive is not public: the person and
        the handler are kept, as 答复结果…入档归案 asks)."""
        return {
            "village": self.village, "number": self.number, "item": self.item_number, "row": self.row,
            "period": self.period, "received_on": self.received_on.isoformat(), "channel": self.channel,
            "text": self.text, "raised_by": self.raised_by, "handler": self.handler, "reply": self.reply,
            "replied_on": self.replied_on.isoformat() if self.replied_on else None, "outcome": self.outcome,
            "correction": self.correction,
        }

    def public_content(self) -> dict[str, Any]:
        """What a public output may show: the date, the item, the gist, the reply and the outcome."""
        return {
            "number": self.number, "received_on": self.received_on.isoformat(), "person": PUBLIC_PERSON,
            "item": self.item_number, "item_title": self.item_title, "row": self.row, "text": self.text,
            "reply": self.reply, "replied_on": self.replied_on.isoformat() if self.replied_on else None,
            "outcome": self.outcome, "correction": self.correction,
        }


def counted(objections: list[Objection], today: date) -> tuple[int, int, int]:
    """(how many, how many past due without a reply, how many replied late) for the compliance
    table's 异议 column."""
    found = [o.status(today) for o in objections]
    return len(found), found.count(OVERDUE), found.count(LATE)


def count_words(total: int, overdue: int, late: int = 0) -> str:
    """异议 N 件，逾期未答复 M 件 (and, where some were, 逾期答复 K 件: late, but answered)."""
    return f"异议 {total} 件，逾期未答复 {overdue} 件" + (f"，逾期答复 {late} 件" if late else "")
