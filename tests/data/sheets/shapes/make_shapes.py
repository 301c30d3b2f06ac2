"""Writes the corpus of SHAPES: spreadsheets typed the way WPS and Excel users keep them (title
lines, merged header cells, a township's own columns, 期初余额 in the 余额 column, 本月合计 in the
日期 column, a 期末余额 line, merged 制表人/审核人 footers, a bid record with amounts in 万元), each
with its sidecar `NAME.expect.json`:

    {"category", "period", "set": {FIELD: VALUE}, "rows": N, "first": {...}, "last": {...}}
    {"category", "period", "refused": ["words", "the message contains"]}

(money in 分, dates as ISO strings, other values as stored). Some are also saved through
LibreOffice headless (`soffice`) as .xls, where it is installed.

Run: python tests/data/sheets/shapes/make_shapes.py   (deterministic: the same cells every time)
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
            "丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = "秀英桂兰玉梅建国建华志强德明春生海燕国庆红霞金花永福长林丽娟文辉振华淑珍凤英明亮"
CLASSES = ("A类", "B类", "C类")  # the township's own 分类施保 classes: a column the category lacks


def id_check_char(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def id_number(rng: random.Random, seen: set[str]) -> str:
    while True:
        born = f"{rng.randint(1940, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = f"410122{born}{rng.randint(0, 999):03d}"
        number = body + id_check_char(body)
        if number not in seen:
            seen.add(number)
            return number


def write_expect(name: str, expect: dict[str, Any]) -> None:
    (HERE / f"{name}.expect.json").write_text(json.dumps(expect, ensure_ascii=False, indent=1) + "\n",
                                              encoding="utf-8")


def merged(sheet: Worksheet, row: int, first: int, last: int, text: str, *, bold: bool = False) -> None:
    sheet.cell(row, first, text)
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    sheet.cell(row, first).alignment = Alignment(horizontal="center" if bold else "left")
    if bold:
        sheet.cell(row, first).font = Font(bold=True, size=16)


# -- a 150-household roster as a township's clerk types it -------------------------------------------


def roster(name: str = "roster_150_wps") -> None:
    rng = random.Random(150)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "低保名单"
    merged(sheet, 1, 1, 8, "柳树湾村2026年第三季度农村最低生活保障对象公示名单", bold=True)
    merged(sheet, 2, 1, 8, "填报单位：柳树湾村村民委员会　　　　　　　　单位：元")
    # Two header rows with merged cells: 户主信息 over 户主姓名 | 身份证号码, the rest merged down.
    tops = ["序号", "组别", "户主信息", None, "保障人数", "分类施保", "月补助金额（元）", "联系电话"]
    for column, text in enumerate(tops, start=1):
        if text:
            sheet.cell(3, column, text)
    for column in (1, 2, 5, 6, 7, 8):
        sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    sheet.merge_cells(start_row=3, start_column=3, end_row=3, end_column=4)
    sheet.cell(4, 3, "户主姓名")
    sheet.cell(4, 4, "身份证号码")
    seen: set[str] = set()
    households = []
    names: list[str] = []
    for number in range(1, 151):
        group = f"{rng.randint(1, 9)}组"
        if number in (40, 90, 120):  # the same name in the same 组 as an earlier household: two families
            group, head = households[number - 30]["group"], households[number - 30]["head_name"]
        else:
            while True:
                head = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
                if head not in names:
                    break
        names.append(head)
        size = rng.randint(1, 5)
        amount_fen = rng.choice((680, 745, 820, 905, 1120)) * size * 100
        typed: Any
        style = number % 4
        yuan = amount_fen // 100
        if style == 0:
            typed = float(yuan)  # a number cell
        elif style == 1:
            typed = f"{yuan:,}元"  # 1,120元 typed as text
        elif style == 2:
            typed = str(yuan).translate(str.maketrans("0123456789", "０１２３４５６７８９"))  # full-width (WPS IME)
        else:
            typed = f"{yuan}.00"
        phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}" if number % 3 else None
        row = {"group": group, "head_name": head, "id_number": id_number(rng, seen), "household_size": size,
               "class": CLASSES[number % 3], "monthly_amount": amount_fen, "phone": phone}
        households.append(row)
        cells = [number, group, head, row["id_number"], f"{size}人" if number % 5 == 0 else size, row["class"],
                 typed, phone]
        for column, value in enumerate(cells, start=1):
            sheet.cell(4 + number, column, value)
        sheet.cell(4 + number, 4).number_format = "@"
    last = 4 + 150
    merged(sheet, last + 1, 1, 8, "制表人：王秀英　　　审核人：李建国　　　填表日期：2026年9月28日")
    merged(sheet, last + 2, 5, 8, "柳树湾村村民委员会（盖章）")
    book.save(HERE / f"{name}.xlsx")

    def shown(row: dict[str, Any]) -> dict[str, Any]:
        values = {k: v for k, v in row.items() if k not in ("class",) and v is not None}
        return {**values, "kind": "农村低保", "note": f"分类施保：{row['class']}"}
    write_expect(name, {"category": "assistance", "period": "2026Q3", "set": {"救助类别": "农村低保"},
                        "rows": 150, "first": shown(households[0]), "last": shown(households[-1])})
    # The same roster told a kind of aid it already has a column for: which one is meant is not known.
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for column, text in enumerate(["组别", "户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额"], start=1):
        sheet.cell(1, column, text)
    for offset, row in enumerate(households[:3], start=2):
        for column, value in enumerate([row["group"], row["head_name"], row["id_number"], row["household_size"],
                                        "农村低保", row["monthly_amount"] / 100], start=1):
            sheet.cell(offset, column, value)
    book.save(HERE / "roster_set_and_column.xlsx")
    write_expect("roster_set_and_column", {"category": "assistance", "period": "2026Q3",
                                           "set": {"救助类别": "特困供养"},
                                           "refused": ["E列", "救助类别", "--set", "重复"]})


# -- ledgers: 期初余额 in the 余额 column, monthly sums in the 日期 column, a 期末余额 line -------------------


LEDGER_LINES = [
    ("2026-07-03", "记-001", "收到乡镇转移支付村级运转经费", 3_500_000, None),
    ("7月5日", "记-002", "支付7月村干部基本报酬", None, 1_507_980),
    ("2026年7月18号", "记-003", "购买村委会办公用品（打印纸、墨盒）", None, 86_000),
    ("2026/7/26", "记-004", "收到村集体鱼塘承包费", 1_200_000, None),
    ("month", "本月合计", None, None, None),
    ("2026-08-02", "记-005", "支付村内道路保洁人员8月工资", None, 360_000),
    ("2026-08-15", "记-006", "收到光伏发电收益分红", 845_620, None),
    ("8月28日", "记-007", "支付村级公益设施维修材料费", None, 1_236_050),
    ("month", "本 月 合 计", None, None, None),
    ("2026-09-03", "记-008", "收到村集体机动地租金", 2_400_000, None),
    ("2026-09-10", "记-009", "支付9月村干部基本报酬", None, 1_507_980),
    ("2026-09-21", "记-010", "支付村民代表会议误工补贴", None, 128_000),
    ("month", "本月合计", None, None, None),
    ("quarter", "本季合计", None, None, None),
    ("year", "本年累计", None, None, None),
]


def _ledger_book(title: str, opening_fen: int, closing_shift: int, *, opening_in_income: bool = False
                 ) -> tuple[Workbook, list[dict[str, Any]], int]:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "明细账"
    merged(sheet, 1, 1, 6, title, bold=True)
    merged(sheet, 2, 1, 6, "核算单位：柳树湾村股份经济合作社　　　　　　单位：元")
    for column, text in enumerate(["日期", "凭证号", "摘要", "收入", "支出", "余额"], start=1):
        sheet.cell(3, column, text)
    row_number = 4
    if opening_in_income:  # the label in the 日期 column, the amount in 收入
        sheet.cell(row_number, 1, "上期结转")
        sheet.cell(row_number, 4, opening_fen / 100)
    else:
        sheet.cell(row_number, 3, "期初余额")
        sheet.cell(row_number, 6, opening_fen / 100)
    balance = opening_fen
    rows: list[dict[str, Any]] = []
    month_in = month_out = quarter_in = quarter_out = 0
    for day, voucher, summary, income, expense in LEDGER_LINES:
        row_number += 1
        if day in ("month", "quarter", "year"):
            ins, outs = {"month": (month_in, month_out)}.get(day, (quarter_in, quarter_out))
            sheet.cell(row_number, 1, voucher)  # 本月合计 in the 日期 column
            sheet.cell(row_number, 4, ins / 100)
            sheet.cell(row_number, 5, outs / 100)
            sheet.cell(row_number, 6, balance / 100)
            if day == "month":
                month_in = month_out = 0
            continue
        month_in += income or 0
        month_out += expense or 0
        quarter_in += income or 0
        quarter_out += expense or 0
        balance += (income or 0) - (expense or 0)
        stamp: Any = datetime.fromisoformat(day) if day[:4].isdigit() and "-" in day else day
        for column, value in enumerate([stamp, voucher, summary, income and income / 100,
                                        expense and expense / 100, balance / 100], start=1):
            sheet.cell(row_number, column, value)
        if isinstance(stamp, datetime):
            sheet.cell(row_number, 1).number_format = "yyyy-mm-dd"
        iso = {"7月5日": "2026-07-05", "2026年7月18号": "2026-07-18", "2026/7/26": "2026-07-26",
               "8月28日": "2026-08-28"}.get(day, day)
        rows.append({"date": iso, "voucher": voucher, "summary": summary,
                     **({"income": income} if income else {}), **({"expense": expense} if expense else {})})
    row_number += 1
    closing_row = row_number
    sheet.cell(row_number, 3, "期末余额")
    sheet.cell(row_number, 6, (balance + closing_shift) / 100)
    merged(sheet, row_number + 2, 1, 6, "制表人：张会计　　　　审核人：李主任　　　　日期：2026年9月30日")
    return book, rows, closing_row


def ledgers() -> None:
    book, rows, _ = _ledger_book("柳树湾村2026年第三季度财务收支明细账", 5_230_000, 0)
    book.save(HERE / "ledger_q3.xlsx")
    write_expect("ledger_q3", {"category": "finance", "period": "2026Q3", "set": {}, "rows": len(rows),
                               "first": rows[0], "last": rows[-1]})
    book, rows, _ = _ledger_book("柳树湾村2026年第三季度收支明细", 1_000_050, 0, opening_in_income=True)
    book.save(HERE / "ledger_opening_in_income.xlsx")
    write_expect("ledger_opening_in_income", {"category": "finance", "period": "2026Q3", "set": {},
                                              "rows": len(rows), "first": rows[0], "last": rows[-1]})
    book, rows, closing_row = _ledger_book("柳树湾村2026年第三季度财务收支明细账", 5_230_000, 10_000)
    book.save(HERE / "ledger_wrong_closing.xlsx")
    write_expect("ledger_wrong_closing", {"category": "finance", "period": "2026Q3",
                                          "refused": [f"第{closing_row}行", "F列", "期末余额", "不符", "差 100.00"]})


# -- a bid record: amounts in 万元 by the header, a merged 评标委员会 footer --------------------------------


def bid_record() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "开标记录"
    merged(sheet, 1, 1, 5, "村西生产路硬化及排水工程开标记录表", bold=True)
    merged(sheet, 2, 1, 5, "开标时间：2026年8月12日上午9时　　地点：村委会会议室")
    for column, text in enumerate(["序号", "投标单位名称", "投标报价（万元）", "名次", "备注"], start=1):
        sheet.cell(3, column, text)
    bidders = [("宏达建筑工程有限公司", 98.6, 1), ("兴业路桥建设有限公司", "101.25万", 2),
               ("中原市政工程有限公司", "１０３．８", 3), ("顺安建设集团有限公司", 104.0, 4)]
    for offset, (bidder, price, rank) in enumerate(bidders, start=4):
        for column, value in enumerate([offset - 3, bidder, price, f"第{rank}名" if rank == 4 else rank, ""], start=1):
            sheet.cell(offset, column, value)
    merged(sheet, 8, 1, 5, "评标委员会成员（签字）：")
    merged(sheet, 9, 1, 5, "监督人：赵志强　　　记录人：钱丽娟")
    book.save(HERE / "bid_record.xlsx")
    write_expect("bid_record", {"category": "bids", "period": "2026Q3", "set": {"采购方式": "公开招标"},
                                "refused": ["第7行", "D列“名次”", "明细第4行", "“第4名”不是整数"]})
    sheet.cell(7, 4, 4)
    book.save(HERE / "bid_record_ok.xlsx")
    write_expect("bid_record_ok", {"category": "bids", "period": "2026Q3", "set": {"采购方式": "公开招标"},
                                   "rows": 4,
                                   "first": {"bidder": "宏达建筑工程有限公司", "price": 98_600_000, "rank": 1},
                                   "last": {"bidder": "顺安建设集团有限公司", "price": 104_000_000, "rank": 4}})


def through_libreoffice(names: list[str]) -> None:
    """The same files saved by LibreOffice headless as .xls (Excel 97–2003), with the same sidecar."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: no .xls copies", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as out:
        for name in names:
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                            "xls", "--outdir", out, str(HERE / f"{name}.xlsx")], check=True, capture_output=True,
                           timeout=120)
            copy = f"{name}_lo"
            shutil.move(Path(out) / f"{name}.xls", HERE / f"{copy}.xls")
            shutil.copy(HERE / f"{name}.expect.json", HERE / f"{copy}.expect.json")


if __name__ == "__main__":
    roster()
    ledgers()
    bid_record()
    through_libreoffice(["roster_150_wps", "ledger_q3"])
