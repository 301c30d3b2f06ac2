"""The township's compliance table as a workbook for the report upward (`zwgk status --xlsx`, the
dashboard's 导出 Excel): the grid of villages × categories, coloured, and every cell's details."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from zwgk_desktop.domain.catalogue import (
    LATE,
    MISSING,
    NOT_DUE,
    NOT_REQUIRED,
    ON_TIME,
    STATUS_NAMES,
    Catalogue,
    Compliance,
)
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.outputs import replacing


def arrival_text(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


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
    sheet.append(["村", *names, "异议", *(["档案包到达"] if arrivals else [])])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for name, code, cells in table.rows:
        sheet.append([name, *(cells[c].text for c in table.categories), table.objection_text(code),
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
    for column in range(2, len(names) + 3 + arrivals):
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
            for month, judged in cell.months:  # a category disclosed monthly: a line per month
                details.append([name, code, f"{CATEGORIES[category_code].name}（{month}）", STATUS_NAMES[judged.status],
                                judged.late_days, "、".join(map(str, judged.items)),
                                "、".join(str(p.typed or "未填") for p in judged.posted),
                                "、".join(str(p.printed) if p.printed else f"无（封存 {p.sealed}）"
                                         for p in judged.posted),
                                "、".join(map(str, judged.backfilled)), "", judged.note])
    for letter, width in zip("ABCDEFGHIJK", (14, 12, 16, 10, 10, 14, 18, 22, 10, 18, 80), strict=True):
        details.column_dimensions[letter].width = width
    with replacing(out) as partial:
        book.save(partial)
