"""Writing spreadsheets: the import template of a category, and an item's rows in the same form
(so an exported sheet imports back unchanged). Three sheets: 明细 (the table), 事项信息 (the
item's own fields) and 填写说明 (every column explained in plain Chinese)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.fields import Field, Kind
from zwgk_desktop.domain.items import CLERK, TITLE, Item
from zwgk_desktop.io.sheets import INFO_SHEET, NOTES_SHEET, column_letter
from zwgk_desktop.outputs import replacing

HINTS = {
    Kind.TEXT: "文字", Kind.LONGTEXT: "文字，可以分段", Kind.NAME: "人名或单位名称",
    Kind.CONTACT: "联系方式，可含电话", Kind.MONEY: "金额，单位元，最多两位小数；可写 1,234.50 或 1.2万",
    Kind.DATE: "日期，如 2026-07-01、2026/7/1 或 2026年7月1日", Kind.COUNT: "整数",
    Kind.DECIMAL: "数字，最多两位小数，如 35.6",
    Kind.CHOICE: "从下拉列表中选", Kind.ID_NUMBER: "18 位身份证号，最后一位可以是 X；只用于核对，公开时中间 8 位遮挡",
    Kind.MOBILE: "11 位手机号；只存档，不公开", Kind.ACCOUNT: "银行或一卡通账号；只存档，不公开",
}
# Kinds whose hint already says how they are kept private (an ID is shown masked; a phone not at all).
_SAYS_ITS_OWN_PRIVACY = (Kind.ID_NUMBER, Kind.MOBILE, Kind.ACCOUNT)


def _header(spec: Field) -> str:
    unit = "（元）" if spec.kind is Kind.MONEY else ""
    return f"{spec.label}{unit}{'*' if spec.required else ''}"


def write_workbook(category_code: str, out: Path, item: Item | None = None) -> int:
    """The template (no item) or an item's rows, in the form `zwgk import` reads; returns rows written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    schema = category_of(category_code)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "明细"
    fields = schema.row_fields
    title = item.title if item is not None else f"{schema.name}明细（导入模板：从第 3 行起填写，示例行可删可留）"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(fields))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_header(f) for f in fields])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF6")
        cell.alignment = Alignment(horizontal="center")
    rows = item.rows if item is not None else [schema.example_row()]
    # Each row's number is counted here: `sheet.max_row` walks every cell written so far, so asking
    # it per cell made an export of 100,000 rows take minutes (quadratic).
    for at, row in enumerate(rows, start=3):  # below the title and the header
        sheet.append([_cell(spec, row.get(spec.key)) for spec in fields])
        for column, spec in enumerate(fields, start=1):
            target = sheet.cell(row=at, column=column)
            if isinstance(target.value, str) and target.value.startswith("="):
                target.data_type = "s"  # text that begins with "=", not a formula
            if spec.kind in (Kind.MONEY, Kind.DECIMAL):
                target.number_format = "#,##0.00"
            elif spec.kind is Kind.DATE:
                target.number_format = "yyyy-mm-dd"
            elif spec.kind in (Kind.ID_NUMBER, Kind.ACCOUNT, Kind.MOBILE, Kind.TEXT, Kind.NAME):
                target.number_format = "@"  # long digit strings stay text, not 4.10122E+17
    last = max(2 + len(rows), 3) + (2000 if item is None else 0)
    for column, spec in enumerate(fields, start=1):
        letter = column_letter(column)
        sheet.column_dimensions[letter].width = max(10, min(30, len(spec.label) * 2 + 8))
        area = f"{letter}3:{letter}{last}"
        check = None
        if spec.kind is Kind.CHOICE:
            check = DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"', allow_blank=True)
        elif spec.kind is Kind.COUNT:
            check = DataValidation(type="whole", operator="between", formula1=str(spec.minimum),
                                   formula2="1000000", allow_blank=True)
        elif spec.kind in (Kind.MONEY, Kind.DECIMAL):
            check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        if check is not None:
            check.error, check.errorTitle = f"{spec.label}：{HINTS[spec.kind]}", "输入有误"
            check.prompt, check.promptTitle = HINTS[spec.kind], spec.label
            sheet.add_data_validation(check)
            check.add(area)
    sheet.freeze_panes = "A3"

    info = book.create_sheet(INFO_SHEET)
    info.append(["项目", "内容", "说明"])
    pairs: list[tuple[Field | None, str, Any]] = [
        (TITLE, TITLE.label, item.title if item else ""),
        (None, "公示开始", item.publicity_start if item else None),
        (None, "公示结束", item.publicity_end if item else None),
        (CLERK, CLERK.label, item.clerk if item else None),
    ]
    pairs += [(spec, spec.label, item.fields.get(spec.key) if item else None) for spec in schema.item_fields
              if spec.key not in schema.importing.computed]
    for known, label, value in pairs:
        hint = HINTS[known.kind] if known is not None else "日期，如 2026-07-01（长期公开可不填结束日期）"
        info.append([label, _cell(known, value) if known is not None else value, hint])
        if known is not None and known.kind is Kind.MONEY:
            info.cell(row=info.max_row, column=2).number_format = "#,##0.00"
        if known is None:
            info.cell(row=info.max_row, column=2).number_format = "yyyy-mm-dd"
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 16, 40
    info.column_dimensions["C"].width = 50

    notes = book.create_sheet(NOTES_SHEET)
    notes.append([f"{schema.name}：各列怎么填"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append(["列", "必填", "怎么填"])
    for spec in fields:
        kept = spec.public or spec.kind in _SAYS_ITS_OWN_PRIVACY
        notes.append([spec.label, "是" if spec.required else "否",
                      HINTS[spec.kind] + (f"（可选：{'、'.join(spec.choices)}）" if spec.choices else "")
                      + ("" if kept else "。此列只存档，任何公开栏、网页都不显示")])
    notes.append([])
    notes.append(["说明", "", "表头可以在前几行的任意一行；上面可以有标题和空行。带“（示例）”的行不会被导入。"
                  "金额可以写成数字或“1.2万”；全角数字也可以。“合计”行会被跳过，合计由程序自己算。"
                  "有一处错误，整个文件都不会导入，程序会指出第几行第几列、错在哪里。"])
    for label, text in schema.importing.notes:
        notes.append([label, "", text])
    for letter, width in (("A", 16), ("B", 8), ("C", 90)):
        notes.column_dimensions[letter].width = width
    with replacing(out) as partial:
        book.save(partial)
    return len(rows)


def _cell(spec: Field | None, value: Any) -> Any:
    if value is None or spec is None:
        return value
    if spec.kind in (Kind.MONEY, Kind.DECIMAL):
        amount = Decimal(int(value)) / 100
        return float(amount) if abs(int(value)) < 2**52 else str(amount)
    if spec.kind is Kind.DATE:
        return date.fromisoformat(value) if isinstance(value, str) else value
    return value
