"""Make the corpus of bad spreadsheets in tests/data/bad/ (committed; run again after changing it).

Each file is wrong in one way a clerk's file can be; tests/test_spreadsheets.py expects every one
to be refused with exit 2 and a message that names the row and the column.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from zwgk_desktop.domain.identity import id_check_char

HERE = Path(__file__).resolve().parent / "bad"
HEADERS = ["村民小组", "户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额（元）"]


def valid(first17: str) -> str:
    return first17 + id_check_char(first17)


GOOD = [["1组", "王建国", valid("41012219800101001"), 2, "农村低保", 1120.0],
        ["2组", "李秀英", valid("41012219750304002"), 1, "特困供养", 1040.0]]
OTHER = valid("41012219680202002")


def sheet(name: str, rows: list[list[object]], *, title: bool = True) -> Workbook:
    book = Workbook()
    ws = book.active
    assert ws is not None
    if title:
        ws.append(["东岗村2026年第三季度低保名单"])
        ws.merge_cells("A1:F1")
    for row in rows:
        ws.append(row)
    book.save(HERE / name)
    return book


def main() -> None:
    HERE.mkdir(exist_ok=True)
    sheet("wrong_headers.xlsx", [["名字", "号码", "钱"], ["王建国", GOOD[0][2], 100]])
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["村民小组", "户主姓名", None, "保障人口", "救助类别", "月保障金额（元）"])
    ws.merge_cells("B1:C1")  # one header over two columns: the ID column has none
    for row in GOOD:
        ws.append(row)
    book.save(HERE / "merged_header.xlsx")
    wrong = OTHER[:-1] + ("0" if OTHER[-1] != "0" else "1")
    sheet("bad_id_checksum.xlsx", [HEADERS, GOOD[0], ["3组", "赵金花", wrong, 1, "农村低保", 560]])
    sheet("negative_amount.xlsx", [HEADERS, GOOD[0], ["3组", "赵金花", OTHER, 1, "农村低保", -560]])
    sheet("text_in_number.xlsx", [HEADERS, ["3组", "赵金花", OTHER, "两口人", "农村低保", 560], GOOD[1]])
    Workbook().save(HERE / "empty_sheet.xlsx")
    whole = HERE / "negative_amount.xlsx"
    (HERE / "truncated.xlsx").write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
    (HERE / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    sheet("huge_cell.xlsx", [HEADERS, GOOD[0], ["3组", "赵" * 40_000, OTHER, 1, "农村低保", 560]])
    sheet("formula_cell.xlsx", [HEADERS, GOOD[0], ["3组", "赵金花", OTHER, 1, "农村低保", "=280*2"]])
    (HERE / "bad_date_gbk.csv").write_bytes(
        "日期,凭证号,摘要,收入,支出\n2026-07-03,记-001,购买办公用品,,320.00\n2026年13月5日,记-002,支付电费,,88.00\n"
        .encode("gbk"))


if __name__ == "__main__":
    main()
