"""The township's compliance table (`zwgk status`): for one quarter, every village × category on
time, late (by working days), missing or not required, judged from what is sealed in the archive
against the catalogue (公开目录); and the table as an xlsx for the report upward.

When an item went to the public is judged from the product's own record of when it was first
printed or exported (sealed with it, archive.first_public), where none exists from its seal,
never from the typed 公示开始 alone; a typed start earlier than that record is shown as 补登.
At the township, each village's row also says when its bundle arrived."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.archive.first_public import CHINA, HOW, impossible, local_day, moment_utc
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, ItemRow, Seal, SealArrival, SealedItem, Village
from zwgk_desktop.domain.catalogue import (
    LATE,
    MISSING,
    NOT_DUE,
    NOT_REQUIRED,
    ON_TIME,
    STATUS_NAMES,
    Catalogue,
    Cell,
    Compliance,
    Posted,
    judge,
    month_deadline,
    went_public,
)
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.items import PUBLIC
from zwgk_desktop.domain.periods import Quarter, calendar_note
from zwgk_desktop.errors import BadInput
from zwgk_desktop.outputs import replacing


def compliance_table(session: Session, catalogue: Catalogue, period: Quarter,
                     villages: list[Village] | None = None, today: date | None = None) -> Compliance:
    """Villages × categories for the quarter. One query for the whole township."""
    township = store.get_township(session)
    if township is None:
        raise BadInput("数据库中还没有乡镇：请先运行 zwgk init 或 zwgk demo")
    villages = villages if villages is not None else store.villages(session)
    categories = tuple(code for code in CATEGORIES if catalogue.for_category(code) is not None)
    # An item is reported by the number printed on its sheets (a township's own ids differ).
    number = func.coalesce(DisclosureItem.number, DisclosureItem.id)
    query = (select(DisclosureItem.id, number, DisclosureItem.village_id, DisclosureItem.category,
                    DisclosureItem.publicity_start, DisclosureItem.reviewed_on, DisclosureItem.created_at,
                    SealedItem.id, SealedItem.first_public_at, SealedItem.first_public_how, Seal.sealed_at)
             .outerjoin(SealedItem, SealedItem.item_id == DisclosureItem.id)
             .outerjoin(Seal, Seal.id == SealedItem.seal_id)
             .where(DisclosureItem.period == str(period), DisclosureItem.disclosure == PUBLIC,
                    DisclosureItem.supersedes_id.is_(None))  # a correction is not a disclosure of its own
             .order_by(DisclosureItem.id))
    posted: dict[tuple[int, str], list[Posted]] = {}
    unsealed: set[tuple[int, str]] = set()
    monthly = {r.category for r in catalogue.requirements if r.frequency == "monthly"}
    months = _months(session, period, monthly) if monthly else {}
    for item_id, shown, village_id, code, start, reviewed, created, entry, first, how, sealed_at in session.execute(
            query):
        if entry is not None:
            # A record that cannot be true (earlier than the item was entered or reviewed) is judged
            # as no record: the seal's time bounds it.
            doubted = impossible(first, created, reviewed, sealed_at)
            printed, sealed = None if doubted else local_day(first), local_day(sealed_at)
            made = moment_utc(created)
            posted.setdefault((village_id, code), []).append(Posted(
                shown, went_public(start, printed, sealed), reviewed, months.get(item_id),
                typed=start, printed=printed, sealed=sealed, how="" if doubted else HOW.get(how or "", ""),
                created=made.astimezone(CHINA).date() if made else None, doubted=doubted))
        else:
            unsealed.add((village_id, code))
    table = Compliance(period, categories, arrived=_arrivals(session, period))
    # Deadlines, and the working days counted up to when items went out, in years of unknown arrangement.
    deadlines = [month_deadline(period.last_day.year, period.last_day.month, r, township.publication_day)
                 for r in catalogue.requirements]
    table.calendar = calendar_note([*deadlines, *(p.published for ps in posted.values() for p in ps if p.published)])
    for village in villages:
        cells = {}
        for code in categories:
            requirement = catalogue.for_category(code)
            assert requirement is not None
            cell = judge(requirement, period, posted.get((village.id, code), []), township.publication_day, today)
            if cell.status in (MISSING, NOT_REQUIRED) and not cell.items and (village.id, code) in unsealed:
                cell = Cell(MISSING, note="有事项，但还没有审核封存")
            cells[code] = cell
        table.rows.append((village.name, village.code, cells))
    return table


def _arrivals(session: Session, period: Quarter) -> dict[str, datetime]:
    """When each village's bundle first brought this quarter's seal here (by village code)."""
    found: dict[str, datetime] = {}
    rows = session.execute(select(Village.code, func.min(SealArrival.arrived_at))
                           .join(Seal, Seal.village_id == Village.id)
                           .join(SealArrival, SealArrival.seal_id == Seal.id)
                           .where(Seal.period == str(period), Seal.kind == "quarter").group_by(Village.code))
    for code, moment in rows:
        try:
            found[code] = datetime.fromisoformat(moment).astimezone(CHINA)
        except (TypeError, ValueError):
            continue  # an arrival that cannot be read is shown as none
    return found


def arrival_text(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _months(session: Session, period: Quarter, categories: set[str]) -> dict[int, int]:
    """The month each item of a monthly category covers: that of its last dated line."""
    found: dict[int, int] = {}
    rows = session.execute(select(ItemRow.item_id, ItemRow.data).join(DisclosureItem).where(
        DisclosureItem.period == str(period), DisclosureItem.category.in_(categories)))
    for item_id, data in rows:
        day = data.get("date") if isinstance(data, dict) else None
        if isinstance(day, str) and len(day) >= 7 and day[5:7].isdigit():
            found[item_id] = max(found.get(item_id, 0), int(day[5:7]))
    return found


_FILLS = {ON_TIME: "E3F4E1", LATE: "FFF1C2", MISSING: "FDE2E1", NOT_REQUIRED: "F1F1F1", NOT_DUE: "E8EEF6"}


def write_xlsx(table: Compliance, catalogue: Catalogue, township: str, publication_day: int, out: Path) -> None:
    """The table as a workbook for the report upward: the grid, and every cell's details."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "公开情况"
    names = [CATEGORIES[code].name for code in table.categories]
    sheet.append([f"{township}{table.period.chinese}村务公开情况（截至 {date.today().isoformat()}）{table.calendar}"])
    sheet["A1"].font = Font(bold=True, size=14)
    arrivals = bool(table.arrived)  # a township that collects bundles: the one clock a village does not control
    sheet.append(["村", *names, *(["档案包到达"] if arrivals else [])])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for name, code, cells in table.rows:
        sheet.append([name, *(cells[c].text for c in table.categories),
                      *([arrival_text(table.arrived.get(code))] if arrivals else [])])
        for column, code in enumerate(table.categories, start=2):
            target = sheet.cell(row=sheet.max_row, column=column)
            target.fill = PatternFill("solid", fgColor=_FILLS[cells[code].status])
            target.alignment = Alignment(horizontal="center")
    counts = table.counts()
    sheet.append([])
    sheet.append(["合计", "，".join(f"{STATUS_NAMES[s]} {n}" for s, n in counts.items())])
    sheet.append(["公开目录", "；".join(f"{CATEGORIES[r.category].name}：{r.describe(publication_day)}"
                                      for r in catalogue.requirements)])
    sheet.append(["判断依据", "是否按时以程序自己的记录为准：经审核的事项首次打印或导出公开的时间（随事项封存）；"
                  "没有此记录的（本功能之前的事项）以封存时间为准；填写的公示开始早于该记录的标“补登”"])
    sheet.column_dimensions["A"].width = 14
    for column in range(2, len(names) + 2 + arrivals):
        sheet.column_dimensions[get_column_letter(column)].width = 18
    sheet.freeze_panes = "B3"
    details = book.create_sheet("明细")
    details.append(["村", "代码", "类别", "情况", "逾期工作日", "事项编号", "公示开始（填写）",
                    "首次公开（程序记录）", "补登", "档案包到达", "说明"])
    for name, code, cells in table.rows:
        for category_code in table.categories:
            cell = cells[category_code]
            details.append([name, code, CATEGORIES[category_code].name, STATUS_NAMES[cell.status], cell.late_days,
                            "、".join(map(str, cell.items)),
                            "、".join(str(p.typed or "未填") for p in cell.posted),
                            "、".join(str(p.printed) if p.printed else f"无（封存 {p.sealed}）" for p in cell.posted),
                            "、".join(map(str, cell.backfilled)), arrival_text(table.arrived.get(code)), cell.note])
    for letter, width in zip("ABCDEFGHIJK", (14, 12, 16, 10, 10, 14, 18, 22, 10, 18, 80), strict=True):
        details.column_dimensions[letter].width = width
    with replacing(out) as partial:
        book.save(partial)
