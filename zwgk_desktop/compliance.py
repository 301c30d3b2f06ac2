"""The township's compliance table (`zwgk status`): for one quarter, every village × category on
time, late (by working days), missing or not required, judged from what is sealed in the archive
against the catalogue (公开目录); and the table as an xlsx for the report upward."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, ItemRow, SealedItem, Village
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
)
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.items import PUBLIC
from zwgk_desktop.domain.periods import Quarter
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
    sealed = exists().where(SealedItem.item_id == DisclosureItem.id)
    # An item is reported by the number printed on its sheets (a township's own ids differ).
    number = func.coalesce(DisclosureItem.number, DisclosureItem.id)
    query = (select(DisclosureItem.id, number, DisclosureItem.village_id, DisclosureItem.category,
                    DisclosureItem.publicity_start, DisclosureItem.reviewed_on, sealed)
             .where(DisclosureItem.period == str(period), DisclosureItem.disclosure == PUBLIC,
                    DisclosureItem.supersedes_id.is_(None))  # a correction is not a disclosure of its own
             .order_by(DisclosureItem.id))
    posted: dict[tuple[int, str], list[Posted]] = {}
    unsealed: set[tuple[int, str]] = set()
    monthly = {r.category for r in catalogue.requirements if r.frequency == "monthly"}
    months = _months(session, period, monthly) if monthly else {}
    for item_id, shown, village_id, code, start, reviewed, is_sealed in session.execute(query):
        if is_sealed:
            posted.setdefault((village_id, code), []).append(Posted(shown, start, reviewed, months.get(item_id)))
        else:
            unsealed.add((village_id, code))
    table = Compliance(period, categories)
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
    sheet.append([f"{township}{table.period.chinese}村务公开情况（截至 {date.today().isoformat()}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["村", *names])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for name, _, cells in table.rows:
        sheet.append([name, *(cells[code].text for code in table.categories)])
        for column, code in enumerate(table.categories, start=2):
            target = sheet.cell(row=sheet.max_row, column=column)
            target.fill = PatternFill("solid", fgColor=_FILLS[cells[code].status])
            target.alignment = Alignment(horizontal="center")
    counts = table.counts()
    sheet.append([])
    sheet.append(["合计", "，".join(f"{STATUS_NAMES[s]} {n}" for s, n in counts.items())])
    sheet.append(["公开目录", "；".join(f"{CATEGORIES[r.category].name}：{r.describe(publication_day)}"
                                      for r in catalogue.requirements)])
    sheet.column_dimensions["A"].width = 14
    for column in range(2, len(names) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 18
    sheet.freeze_panes = "B3"
    details = book.create_sheet("明细")
    details.append(["村", "代码", "类别", "情况", "逾期工作日", "事项编号", "说明"])
    for name, code, cells in table.rows:
        for category_code in table.categories:
            cell = cells[category_code]
            details.append([name, code, CATEGORIES[category_code].name, STATUS_NAMES[cell.status], cell.late_days,
                            "、".join(map(str, cell.items)), cell.note])
    for letter, width in zip("ABCDEFG", (14, 12, 16, 10, 10, 14, 60), strict=True):
        details.column_dimensions[letter].width = width
    with replacing(out) as partial:
        book.save(partial)
