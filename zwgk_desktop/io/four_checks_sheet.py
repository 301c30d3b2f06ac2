"""The 四性检测 report as a workbook (`zwgk verify --report FILE.xlsx`, the app's 导出四性检测报告):
in Chinese, laid out to print on A4 (landscape, fitted to the page's width, the header row repeated
on every page, long texts wrapped), so an archivist can read it on screen or file it on paper.

Sheets: 检测报告 (the verdict of each of the four aspects and every check), 问题清单 (each problem,
named), 归档清单 (every sealed item with its 档号, 保管期限 and the four results), 数量统计 (counts
per village and quarter)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from zwgk_desktop.domain.four_checks import (
    ASPECTS,
    CATEGORY_NAMES,
    FAIL,
    NOT_CHECKED,
    PASS,
    WARN,
    FourChecks,
    conclusion,
)
from zwgk_desktop.outputs import replacing

BASIS = "DA/T 70-2018《文书类电子档案检测一般要求》（真实性、完整性、可用性、安全性）"
_FILLS = {PASS: "E3F4E1", FAIL: "FDE2E1", WARN: "FFF1C2", NOT_CHECKED: "F1F1F1"}
_FONT = "宋体"
_SUMMARY_WIDTHS = [10, 24, 52, 9, 60]
_SUMMARY_WIDTH = sum(_SUMMARY_WIDTHS[1:])  # the merged cell of a fact


def write_report(report: FourChecks, out: Path) -> None:
    """The report as a workbook at `out`, written whole or not at all."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    _summary(summary, report)
    _problems(book.create_sheet("问题清单"), report)
    _inventory(book.create_sheet("归档清单"), report)
    _tallies(book.create_sheet("数量统计"), report)
    with replacing(out) as partial:
        book.save(partial)


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin", color="999999")
    return {"font": Font(name=_FONT, size=10), "bold": Font(name=_FONT, size=10, bold=True),
            "title": Font(name=_FONT, size=16, bold=True), "wrap": Alignment(wrap_text=True, vertical="top"),
            "center": Alignment(horizontal="center", vertical="top", wrap_text=True),
            "border": Border(left=thin, right=thin, top=thin, bottom=thin)}


def _print_setup(sheet: Any, title_rows: str, title: str) -> None:
    """A4 landscape, fitted to the page's width, the header row on every page, page numbers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_title_rows = title_rows
    if title:
        sheet.oddHeader.center.text = title
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _lines(value: object, width: float) -> int:
    """How many lines a wrapped cell takes in a column `width` characters wide (a Chinese
    character is two), so rows are tall enough when printed: openpyxl writes no heights of its
    own, and LibreOffice and WPS do not fit a row to wrapped text written without one."""
    text = "" if value is None else str(value)
    usable = max(width - 1, 1)
    return sum(max(1, -(-sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) // int(usable)))
               for line in text.split("\n"))


def _fit_height(sheet: Any, row: int, widths: list[int], first_column: int = 1) -> None:
    cells = [sheet.cell(row=row, column=column) for column in range(first_column, first_column + len(widths))]
    lines = max(_lines(cell.value, width) for cell, width in zip(cells, widths, strict=True))
    sheet.row_dimensions[row].height = 13.5 * lines + 3


def _table(sheet: Any, headers: list[str], rows: list[list[Any]], widths: list[int],
           results: dict[int, int] | None = None) -> None:
    """Headers and rows from the sheet's next row on, bordered and wrapped; `results` maps a
    column (1-based) holding a result (通过 / 不通过 …) to be coloured."""
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    style = _styles()
    sheet.append(headers)
    head = sheet.max_row
    for cell in sheet[head]:
        cell.font, cell.alignment, cell.border = style["bold"], style["center"], style["border"]
    _fit_height(sheet, head, widths)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.font, cell.border = style["font"], style["border"]
            cell.alignment = style["center"] if isinstance(cell.value, int) else style["wrap"]
        _fit_height(sheet, sheet.max_row, widths)
        for column in (results or {}):
            target = sheet.cell(row=sheet.max_row, column=column)
            if target.value in _FILLS:
                target.fill = PatternFill("solid", fgColor=_FILLS[str(target.value)])
                target.alignment = style["center"]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=head + 1, column=1)


def _summary(sheet: Any, report: FourChecks) -> None:
    from openpyxl.styles import PatternFill

    style = _styles()
    sheet.title = "检测报告"
    title = f"{report.township}村务公开电子档案四性检测报告"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    sheet["A1"].font = style["title"]
    sheet["A1"].alignment = style["center"]
    sheet.row_dimensions[1].height = 28
    facts = [("检测对象", f"{report.township} {report.scope}的封存档案：{len(report.items)} 个封存事项，"
                          f"{sum(i.sheet.pages for i in report.items if i.sheet)} 页 PDF"),
             ("检测依据", BASIS),
             ("检测时间", report.made_at.replace("T", " ").replace("+00:00", " UTC")),
             ("检测工具", f"{report.program}（哈希与封存链重算；PDFium 显示与提取文字；pikepdf 读取结构）"),
             ("档案数据库", report.database),
             ("检测结论", conclusion(report))]
    for label, value in facts:
        sheet.append([label, value])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        sheet.cell(row=row, column=1).font = style["bold"]
        sheet.cell(row=row, column=2).font = style["bold"] if label == "检测结论" else style["font"]
        sheet.cell(row=row, column=2).alignment = style["wrap"]
        sheet.row_dimensions[row].height = 13.5 * _lines(value, _SUMMARY_WIDTH) + 3
    verdict_row = sheet.max_row
    fill = _FILLS[FAIL] if not report.ok else _FILLS[PASS]
    sheet.cell(row=verdict_row, column=2).fill = PatternFill("solid", fgColor=fill)
    sheet.append([])
    sheet.append(["四性", "结论"])
    for cell in sheet[sheet.max_row]:
        cell.font = style["bold"]
    for aspect in ASPECTS:
        sheet.append([aspect, report.verdict(aspect)])
        target = sheet.cell(row=sheet.max_row, column=2)
        target.fill = PatternFill("solid", fgColor=_FILLS[report.verdict(aspect)])
        target.font = style["bold"]
    sheet.append([])
    start = sheet.max_row + 1
    _table(sheet, ["类别", "检测项目", "检测方法", "结果", "说明"],
           [[c.aspect, c.name, c.method, c.result, c.found] for c in report.checks],
           _SUMMARY_WIDTHS, results={4: 4})
    sheet.freeze_panes = None
    _print_setup(sheet, f"{start}:{start}", "")


def _problems(sheet: Any, report: FourChecks) -> None:
    rows = [[c.aspect, c.name, problem] for c in report.checks if c.result == FAIL for problem in c.problems]
    if not rows:
        rows = [["", "", "没有发现问题"]]
    _table(sheet, ["类别", "检测项目", "问题（逐条）"], rows, [10, 28, 110])
    _print_setup(sheet, "1:1", f"{report.township}四性检测：问题清单")


def _inventory(sheet: Any, report: FourChecks) -> None:
    rows = []
    for item in report.items:
        sheet_facts = item.sheet
        said = "；".join(f"{aspect}：{'，'.join(found)}" for aspect, found in item.problems.items())
        rows.append([
            item.archive_number, item.archive_ref or "（无，封存于档号功能之前）", item.retention or "",
            item.village, item.period, CATEGORY_NAMES.get(item.category, item.category), item.number, item.title,
            "更正" if item.correction else "原件", item.sealed_at[:10], item.sealed_by, item.rows,
            sheet_facts.pages if sheet_facts else 0, item.code,
            (sheet_facts.pdfa or "PDF") if sheet_facts else "无（不公开）",
            *(item.result(aspect) for aspect in ASPECTS), said])
    _table(sheet, ["件号", "档号", "保管期限", "村", "季度", "类别", "事项编号", "题名", "版本", "封存日期",
                   "封存人", "明细行数", "页数", "验证码", "文件格式", *ASPECTS, "说明"], rows,
           [5, 23, 6, 8, 8, 10, 6, 30, 5, 11, 8, 6, 5, 12, 10, 6, 6, 6, 6, 28],
           results={16: 16, 17: 17, 18: 18, 19: 19})
    _print_setup(sheet, "1:1", f"{report.township}四性检测：归档清单")


def _tallies(sheet: Any, report: FourChecks) -> None:
    rows: list[list[Any]] = [[t.village, t.period, "已封存" if t.sealed else "未封存", t.items, t.sealed_items,
                              t.corrections, t.rows, t.sheets, t.pdf_bytes] for t in report.tallies]
    counts = ("items", "sealed_items", "corrections", "rows", "sheets", "pdf_bytes")
    rows.append(["合计", "", "", *(sum(getattr(t, name) for t in report.tallies) for name in counts)])
    _table(sheet, ["村", "季度", "封存", "事项数", "已封存事项", "其中更正", "明细行", "页数", "PDF 字节数"], rows,
           [12, 10, 9, 9, 11, 9, 10, 8, 14])
    _print_setup(sheet, "1:1", f"{report.township}四性检测：数量统计")
