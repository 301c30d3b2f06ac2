"""Spreadsheets in and out: templates, imports that never half-happen, exports that import back."""

from __future__ import annotations

import contextlib
import json
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import run_zwgk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import text
from test_archive import sessions
from test_sanzi_demo import asset_rows, resource_rows
from test_sanzi_tables import contract_rows, debt_rows, distribution_rows

from zwgk_desktop.domain.categories import ASSISTANCE_KINDS, CATEGORIES, category, new_item
from zwgk_desktop.domain.identity import id_check_char
from zwgk_desktop.domain.items import validate
from zwgk_desktop.domain.money import MAX_FEN
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.io.importer import plan_import
from zwgk_desktop.io.workbook import write_workbook

BAD = Path(__file__).resolve().parent / "data" / "bad"
Q3 = Quarter(2026, 3)

# Names and words as they come: rare characters (𠮷, 㛃, 䶮), middle dots, Latin with accents,
# Uyghur and Tibetan names in Chinese characters, full-width letters — everything a clean text
# field accepts. (Names in Uyghur or Tibetan script are refused: no bundled font draws them, and
# both scripts need shaping the sheets do not do; tests/test_glyphs.py.)
letters = st.sampled_from([*"张王李赵刘陈欧阳娜仁托娅𠮷㛃䶮喆堃淼犇·ÀéüñĀāЖжÇçＡＢ阿卜杜热合曼扎西德吉"])
words = st.text(alphabet=letters, min_size=1, max_size=12).map(str.strip).filter(bool)
short = st.text(alphabet=st.sampled_from(list("一二三四五六七八九十组号村东西南北ABC-")), min_size=1, max_size=10)
amounts = st.one_of(st.just(1), st.just(MAX_FEN - 1), st.integers(1, MAX_FEN - 1), st.integers(1, 10**8))


def _id(region_and_birth: tuple[str, date], sequence: int) -> str:
    first = f"{region_and_birth[0]}{region_and_birth[1]:%Y%m%d}{sequence:03d}"
    return first + id_check_char(first)


ids = st.builds(_id, st.tuples(st.sampled_from(["410122", "110105", "653101"]),
                               st.dates(date(1930, 1, 1), date(2020, 12, 31))), st.integers(0, 999))


def finance_rows() -> Any:
    row = st.builds(lambda day, voucher, summary, income, amount: {
        "date": day, "voucher": voucher, "summary": summary,
        "income": amount if income else None, "expense": None if income else amount},
        st.dates(Q3.first_day, Q3.last_day), short, words, st.booleans(), amounts)
    return st.lists(row, min_size=1, max_size=25)


def assistance_rows() -> Any:
    row = st.fixed_dictionaries({
        "group": st.one_of(st.none(), short), "head_name": words, "id_number": ids,
        "household_size": st.integers(1, 12), "kind": st.sampled_from(ASSISTANCE_KINDS),
        "monthly_amount": st.one_of(st.just(0), amounts),
        "phone": st.one_of(st.none(), st.builds(lambda n: f"13{n:09d}", st.integers(0, 10**9 - 1))),
        "account": st.one_of(st.none(), st.builds(lambda n: f"62{n:017d}", st.integers(0, 10**17 - 1))),
        "address": st.one_of(st.none(), words), "reason": st.one_of(st.none(), words)})
    return st.lists(row, min_size=1, max_size=25, unique_by=lambda r: r["id_number"])


def bids_rows() -> Any:
    return st.lists(st.tuples(words, amounts), min_size=1, max_size=8, unique_by=lambda b: b[0]).map(
        lambda bidders: [{"bidder": b, "price": p, "rank": n} for n, (b, p) in enumerate(bidders, start=1)])


def notice_rows() -> Any:
    return st.lists(st.fixed_dictionaries({"matter": words, "detail": st.one_of(st.none(), words),
                                           "amount": st.one_of(st.none(), amounts)}), min_size=1, max_size=15)


ROWS = {"finance": finance_rows(), "assistance": assistance_rows(), "bids": bids_rows(), "notice": notice_rows(),
        "assets": asset_rows(), "resources": resource_rows(), "contracts": contract_rows(), "debts": debt_rows(),
        "distribution": distribution_rows()}


@pytest.mark.parametrize("code", list(CATEGORIES))
def test_export_then_import_gives_identical_rows(code: str) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ROWS[code])
    def round_trip(rows: list[dict[str, Any]]) -> None:
        item = new_item(code, Q3)
        item.rows = [dict(r) for r in rows]
        report = validate(item, category(code))  # values in their canonical form, as stored
        assert not [p for p in report.errors if p.row is not None], report.errors
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "rows.xlsx"
            write_workbook(code, path, item)
            plan = plan_import(path, code, Q3)
        assert plan.errors == []
        assert plan.item.rows == item.rows

    round_trip()


def test_the_template_explains_itself_and_validates_input(tmp_path: Path) -> None:
    path = tmp_path / "assistance.xlsx"
    done = run_zwgk("template", "assistance", "-o", str(path), cwd=tmp_path)
    assert done.code == 0, done.err
    book = load_workbook(path)
    sheet = book["明细"]
    assert "导入模板" in sheet["A1"].value and sheet["B2"].value == "户主姓名*"
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists and "农村低保" in lists[0].formula1
    assert any(v.type == "whole" for v in sheet.data_validations.dataValidation)
    notes = [row[2] for row in book["填写说明"].iter_rows(min_row=3, values_only=True) if row[0] == "身份证号"]
    assert notes and "遮挡" in notes[0]
    with pytest.raises(BadInput, match="没有任何数据行"):  # the example line alone is not imported
        raise BadInput(str(plan_import(path, "assistance", Q3).errors[0]))


def _items(db: Path) -> int:
    with sessions(db)() as session:
        return int(session.scalar(text("SELECT count(*) FROM disclosure_item")) or 0)


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.iterdir()))
def test_every_bad_file_is_refused_in_words_and_nothing_is_stored(name: str, demo_copy: Path, tmp_path: Path) -> None:
    before = _items(demo_copy)
    category_code = "finance" if name.endswith(".csv") else "assistance"
    done = run_zwgk("import", str(BAD / name), "--db", str(demo_copy), "--village", "donggang", "--period",
                    "2026Q3", "--category", category_code, cwd=tmp_path)
    assert done.code == 2 and "Traceback" not in done.err and name in done.err, done.err
    expected = {
        "bad_id_checksum.xlsx": ("第4行", "C列“身份证号”", "校验码"),
        "negative_amount.xlsx": ("第4行", "F列“月保障金额（元）”", "负数"),
        "text_in_number.xlsx": ("第3行", "D列“保障人口”", "不是整数"),
        "huge_cell.xlsx": ("第4行", "B列“户主姓名”", "太长"),
        "formula_cell.xlsx": ("第4行", "F列“月保障金额（元）”", "公式"),
        "bad_date_gbk.csv": ("第3行", "A列“日期”", "不是有效日期"),
        "merged_header.xlsx": ("第1行", "C列", "合并单元格"),
        "wrong_headers.xlsx": ("前 30 行", "身份证号", "表头"),
        "empty_sheet.xlsx": ("空的",),
        "truncated.xlsx": ("无法读取",),
        "corrupt.xlsx": ("无法读取",),
    }[name]
    for words_ in expected:
        assert words_ in done.err, (words_, done.err)
    assert _items(demo_copy) == before


HEADERS_AND_ODD_VALUES = ["户主姓名", "身份证号", "金额", "合计", "=1+1", "月保障金额（万元）", "１２３", "1.5万",
                          "保障人口", "日期", "摘要", "收入", "期初余额", "（示例）"]
CELLS = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**15, 10**15),
                  st.floats(allow_nan=True, allow_infinity=True), st.dates(date(1900, 1, 1), date(2100, 1, 1)),
                  st.sampled_from(HEADERS_AND_ODD_VALUES))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, max_size=8), max_size=12), st.sampled_from(list(CATEGORIES)))
def test_no_sheet_makes_the_reader_crash(grid: list[list[Any]], code: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.xlsx"
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in grid:
            try:
                sheet.append(row)
            except (ValueError, IllegalCharacterError):
                sheet.append([None])  # a value openpyxl itself refuses to write
        book.save(path)
        with contextlib.suppress(BadInput):  # a clear refusal is fine; anything else fails the test
            plan_import(path, code, Q3)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([".xlsx", ".xls", ".csv"]))
def test_no_bytes_make_the_reader_crash(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(BadInput):
            plan_import(path, "assistance", Q3)


def test_a_messy_file_from_a_clerk_imports(demo_copy: Path, tmp_path: Path) -> None:
    """Titles above the table, a blank line, numbers as text, full-width digits, 万元, Chinese dates,
    a 期初余额 line and a 合计 line."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["东岗村2026年第三季度财务收支明细"])
    sheet.append(["编制单位：东岗村村委会", None, None, "单位：元"])
    sheet.append([])
    sheet.append(["凭证号", "日期", "摘要", "收入金额", "支出金额", "备注"])
    sheet.append([None, None, "期初余额", "12,345.60", None])
    sheet.append(["记-001", "2026年7月3日", "收到上级转移支付", "1.2万", None, "到账"])
    sheet.append(["记-002", datetime(2026, 7, 15), "支付保洁员工资", None, "３，２００．００"])
    sheet.append(["记-003", "2026/8/1", "其他支出", None, "88"])
    sheet.append([None, None, "合计", 12000, 3288])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    plan = plan_import(path, "finance", Q3)
    assert plan.errors == [] and plan.header_row == 4 and "备注" in plan.ignored
    assert plan.item.fields["opening_balance"] == 1234560
    assert [r["income"] or -r["expense"] for r in plan.item.rows] == [1200000, -320000, -8800]
    assert plan.item.fields["closing_balance"] == 1234560 + 1200000 - 328800
    assert any("其他支出" in str(w) and "第8行" in str(w) for w in plan.warnings)  # a lumped line
    env = {"ZWGK_DATA_DIR": str(tmp_path)}
    args = ["import", str(path), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
            "--category", "finance"]
    asked = run_zwgk(*args, cwd=tmp_path, env=env)
    assert asked.code == 2 and "--accept-warnings" in asked.err and "第8行" in asked.err
    done = run_zwgk(*args, "--accept-warnings", "--json", cwd=tmp_path, env=env)
    assert done.code == 0, done.err
    report = json.loads(done.out)
    with sessions(demo_copy)() as session:
        from zwgk_desktop.db import store

        item, _ = store.load_item(session, report["item"])
    assert item.status == "draft" and len(item.rows) == 3 and report["backup"]
    exported = tmp_path / "back.xlsx"
    assert run_zwgk("export", "--item", str(report["item"]), "--db", str(demo_copy), "-o", str(exported),
                    cwd=tmp_path, env=env).code == 0
    assert plan_import(exported, "finance", Q3).item.rows == item.rows


def test_a_person_on_another_villages_list_is_a_warning(demo_copy: Path, tmp_path: Path) -> None:
    from zwgk_desktop.db import store

    with sessions(demo_copy)() as session:
        theirs, _ = store.load_item(session, int(session.scalar(text(
            "SELECT id FROM disclosure_item WHERE village_id = 2 AND period = '2026Q3' AND category = 'assistance'"))))
    item = new_item("assistance", Q3)
    item.rows = [dict(theirs.rows[0])]
    path = tmp_path / "list.xlsx"
    write_workbook("assistance", path, item)
    done = run_zwgk("import", str(path), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
                    "--category", "assistance", cwd=tmp_path, env={"ZWGK_DATA_DIR": str(tmp_path)})
    assert done.code == 2 and "柳树湾村" in done.err and "重复享受" in done.err


def test_a_saved_mapping_reads_another_systems_export(demo_copy: Path, tmp_path: Path) -> None:
    """A county 三资 platform's ledger spells its columns its own way."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["记账日期", "凭证字号", "业务摘要", "借方发生额", "贷方发生额"])
    sheet.append([date(2026, 7, 2), "记-9", "收到土地租金", 5000, None])
    path = tmp_path / "sanzi.xlsx"
    book.save(path)
    mapping = tmp_path / "sanzi.toml"
    mapping.write_text('[columns]\n"业务摘要" = "摘要"\n"借方发生额" = "收入"\n"贷方发生额" = "支出"\n',
                       encoding="utf-8")
    env = {"ZWGK_DATA_DIR": str(tmp_path / "data")}
    base = ["import", str(path), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
            "--category", "finance", "--accept-warnings"]
    refused = run_zwgk(*base, cwd=tmp_path, env=env)
    assert refused.code == 2 and "--mapping" in refused.err
    saved = run_zwgk(*base, "--mapping", str(mapping), "--save-mapping", "三资平台", cwd=tmp_path, env=env)
    assert saved.code == 0, saved.err
    again = run_zwgk(*base, "--mapping", "三资平台", cwd=tmp_path, env=env)
    assert again.code == 0, again.err


def test_amounts_in_wan_yuan_by_header(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["投标单位", "投标报价（万元）", "排名"])
    sheet.append(["河南中原路桥建设有限公司", 98.6, 1])
    sheet.append(["郑州市恒信市政工程有限公司", "99.25", 2])
    path = tmp_path / "bids.xlsx"
    book.save(path)
    plan = plan_import(path, "bids", Q3)
    assert plan.errors == [] and [r["price"] for r in plan.item.rows] == [98600000, 99250000]
    assert Decimal(plan.item.rows[1]["price"]) / 100 == Decimal("992500")
    assert plan.to_complete  # the bid's own fields (project, winner …) are for the clerk to fill in
    _ = timedelta


def _book(*sheets: tuple[str, list[list[Any]]], hidden: str = "") -> Workbook:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title == hidden:
            sheet.sheet_state = "hidden"
    return book


def _valid_id(first17: str) -> str:
    return first17 + id_check_char(first17)


def test_notices_round_trip_with_no_rows_and_with_rows_called_total(tmp_path: Path) -> None:
    item = new_item("notice", Q3)
    total_rows = [{"matter": "一组", "detail": None, "amount": 100}, {"matter": "二组", "detail": "累计", "amount": 5},
                  {"matter": "合计", "detail": None, "amount": 105}]
    for rows in ([], total_rows):
        item.rows = rows
        path = tmp_path / "notice.xlsx"
        write_workbook("notice", path, item)
        plan = plan_import(path, "notice", Q3)
        assert plan.errors == [] and plan.item.rows == rows


def test_what_real_sheets_do(tmp_path: Path) -> None:
    a, b = _valid_id("41012219800101001"), _valid_id("41012219750304002")
    # Two headers that both mean 保障人口: the one headed 保障人口 is taken. A 万元 unit above the
    # table. Excel's rounding noise. A 组 merged down over two households.
    book = _book(("名单", [["单位：万元"], ["组", "户主", "身份证号", "家庭人口", "保障人口", "救助类别", "月保障金额"],
                           ["1组", "王建国", a, 4, 2, "农村低保", 0.11200000000000002],
                           [None, "李秀英", b, 1, 1, "特困供养", 0.104]]))
    book["名单"].merge_cells("A3:A4")
    path = tmp_path / "real.xlsx"
    book.save(path)
    plan = plan_import(path, "assistance", Q3)
    assert plan.errors == []
    assert [(r["group"], r["household_size"], r["monthly_amount"]) for r in plan.item.rows] == [
        ("1组", 2, 112000), ("1组", 1, 104000)]


def test_long_numbers_kept_as_numbers_are_refused_with_the_reason(tmp_path: Path) -> None:
    book = _book(("名单", [["户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额"],
                           ["王建国", 410122198001010531, 2, "农村低保", 1120]]))
    path = tmp_path / "numbers.xlsx"
    book.save(path)
    plan = plan_import(path, "assistance", Q3)
    assert plan.errors and "文本" in plan.errors[0].message and plan.errors[0].row == 2


def test_hidden_and_further_sheets(tmp_path: Path) -> None:
    header = ["户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额"]
    row = ["王建国", _valid_id("41012219800101001"), 2, "农村低保", 1120]
    book = _book(("旧名单", [header, row, row]), ("7月", [header, row]), ("8月", [header, row]), hidden="旧名单")
    path = tmp_path / "sheets.xlsx"
    book.save(path)
    plan = plan_import(path, "assistance", Q3)
    assert plan.sheet == "7月" and any("8月" in str(w) for w in plan.warnings)


def test_a_ledger_with_a_two_row_header(tmp_path: Path) -> None:
    book = _book(("明细", [["日期", "凭证号", "摘要", "金额", None], [None, None, None, "收入", "支出"],
                           ["2026-07-03", "记-1", "收到租金", 500, None],
                           ["2026年7月5号", "记-2", "购买文具", None, 20]]))
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    plan = plan_import(path, "finance", Q3)
    assert plan.errors == [] and plan.header_row == 2
    assert [(r["income"], r["expense"]) for r in plan.item.rows] == [(50000, None), (None, 2000)]


def test_options_are_checked_before_anything_is_stored(demo_copy: Path, tmp_path: Path) -> None:
    item = new_item("notice", Q3)
    item.rows = [{"matter": "一组", "detail": None, "amount": 100}]
    path = tmp_path / "n.xlsx"
    write_workbook("notice", path, item)
    before = _items(demo_copy)
    base = ["import", str(path), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
            "--category", "notice", "--accept-warnings"]
    for extra in (["--title", "长" * 300], ["--title", " "], ["--mapping", str(path), "--save-mapping", "县 三资"]):
        done = run_zwgk(*base, *extra, cwd=tmp_path, env={"ZWGK_DATA_DIR": str(tmp_path)})
        assert done.code == 2 and "Traceback" not in done.err, (extra, done.err)
    assert _items(demo_copy) == before


def test_footers_and_dates_without_a_year(tmp_path: Path) -> None:
    book = _book(("明细", [["日期", "凭证号", "摘要", "收入", "支出"], ["7月3日", "记-1", "收到租金", 500, None],
                           [None, "制表人：张会计", "审核人：李秀英", None, None]]))
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    plan = plan_import(path, "finance", Q3)
    assert plan.errors == [] and len(plan.item.rows) == 1 and plan.item.rows[0]["date"] == date(2026, 7, 3)


def test_a_file_is_read_as_what_it_is_not_as_what_it_is_called(tmp_path: Path) -> None:
    """Files passed between offices are often renamed: an .xlsx saved as .xls imports; a web page
    saved as .xls (as many systems export "Excel") is told in words, with what to do."""
    item = new_item("notice", Q3)
    item.rows = [{"matter": "村道路灯维修", "detail": "更换灯泡12个", "amount": 120000}]
    real = tmp_path / "公告.xlsx"
    write_workbook("notice", real, item)
    renamed = real.rename(tmp_path / "公告.xls")
    plan = plan_import(renamed, "notice", Q3)
    assert plan.errors == [] and plan.item.rows == validate_rows(item)
    web = tmp_path / "导出.xls"
    web.write_text("<html><body><table><tr><td>内容</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(BadInput, match=r"网页格式.*另存为 \.xlsx"):
        plan_import(web, "notice", Q3)
    xml = tmp_path / "2003.xls"
    xml.write_text('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
                   encoding="utf-8")
    with pytest.raises(BadInput, match="XML 格式的表格"):
        plan_import(xml, "notice", Q3)
    text = tmp_path / "系统导出.xls"  # a CSV under an Excel name, in GBK as many systems write it
    text.write_bytes("事项,内容,金额\n村道路灯维修,更换灯泡12个,1200\n".encode("gbk"))
    plan = plan_import(text, "notice", Q3)
    assert plan.errors == [] and plan.item.rows[0]["matter"] == "村道路灯维修"
    junk = tmp_path / "坏.xls"
    junk.write_bytes(b"\x00\x01garbage" * 40)
    with pytest.raises(BadInput) as told:
        plan_import(junk, "notice", Q3)
    assert not any(c.isascii() and c.isalpha() for c in str(told.value).replace(".xlsx", "").replace(".xls", "")
                   .replace("Excel", "").replace("WPS", ""))  # nothing in the reader's English


def validate_rows(item: Any) -> list[dict[str, Any]]:
    validate(item, category(item.category))
    return list(item.rows)


def test_every_problem_at_once_with_the_sheets_own_row_numbers(tmp_path: Path) -> None:
    """A title above the header: a duplicate household names both rows as the sheet counts them,
    and is listed together with a bad amount elsewhere, not only once that is fixed."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["东岗村2026年第三季度低保对象名单"])
    sheet.append(["村民小组", "户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额"])
    ids = []
    for n in range(6):
        first17 = f"41012219{60 + n}0101001"
        ids.append(first17 + id_check_char(first17))
    for n, id_number in enumerate(ids):
        sheet.append([f"{n + 1}组", f"王{'一二三四五六'[n]}", id_number, 2, "农村低保", "600" if n != 2 else "abc"])
    sheet.append(["7组", "李七", ids[0], 1, "农村低保", "300"])  # the first household again, on row 9
    path = tmp_path / "list.xlsx"
    book.save(path)
    plan = plan_import(path, "assistance", Q3)
    told = [str(p) for p in plan.errors]
    assert any(p.startswith("第5行") and "abc" in p for p in told), told
    assert any(p.startswith("第9行") and "与第3行重复" in p for p in told), told


def test_a_mistake_on_the_item_sheet_hides_no_duplicate_on_the_list(tmp_path: Path) -> None:
    """The 事项信息 sheet counts its own rows: its row 4 is not the list's row 4."""
    path = tmp_path / "list.xlsx"
    item = new_item("assistance", Q3)
    write_workbook("assistance", path, item)
    book = load_workbook(path)
    info, sheet = book["事项信息"], book["明细"]
    for row in info.iter_rows(min_row=2):
        if row[0].value and "公示开始" in str(row[0].value):
            row[1].value = "2026-13-01"  # a bad date on the item sheet, on some row n
            bad_info_row = row[0].row
    first17 = "41012219600101001"
    same = first17 + id_check_char(first17)
    while sheet.max_row < bad_info_row - 1:
        n = sheet.max_row
        other = f"41012219{61 + n:02d}0101001"
        sheet.append([f"{n}组", f"张{n}", other + id_check_char(other), 1, "农村低保", 300])
    sheet.append(["1组", "王一", same, 2, "农村低保", 600])  # on row bad_info_row
    sheet.append(["2组", "王二", same, 2, "农村低保", 600])  # the same household again
    book.save(path)
    plan = plan_import(path, "assistance", Q3)
    told = [str(p) for p in plan.errors]
    assert any("事项信息" in p for p in told), told
    assert any(f"与第{bad_info_row}行重复" in p for p in told), told
