"""经济合同, 债权债务 and 收益分配 (the 三资 tables, part 2) end to end: their declared rules
(a debt's balance, the totals by 债权 and 债务, the parts of a distribution summing to the year's
income, a contract 已完成 paid in full) and the one rule function (per head × heads ≈ the members'
share), the demo's items on A3 landscape and online at 360 px, a person counterparty masked on
every public output while a company is named in full, the templates importing back, bad input
refused in words, and the editor opening and saving one of each."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import run_zwgk
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_archive import LAYOUTS, sessions

from zwgk_desktop.db import store
from zwgk_desktop.domain.categories import category, new_item
from zwgk_desktop.domain.category_file import category_from_toml
from zwgk_desktop.domain.identity import id_check_char, mask_name
from zwgk_desktop.domain.items import Item, validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts

Q3, Q4 = Quarter(2026, 3), Quarter(2025, 4)
CODES = ("contracts", "debts", "distribution")
# Where the demo has each: the contracts signed this quarter, the debts every quarter, the year's distribution.
DEMO_PERIOD = {"contracts": "2026Q3", "debts": "2026Q3", "distribution": "2025Q4"}
TITLES = {"contracts": "东岗村2026年第三季度经济合同公开", "debts": "东岗村2026年第三季度债权债务公开",
          "distribution": "东岗村2025年度集体收益分配公开"}


def _items(db: Path, village: str = "donggang", period: str = "2026Q3") -> list[dict[str, Any]]:
    listed = run_zwgk("list", "--db", str(db), "--village", village, "--period", period, "--json", cwd=db.parent)
    assert listed.code == 0, listed.err
    return list(json.loads(listed.out)["items"])


def _demo_item(db: Path, code: str) -> dict[str, Any]:
    return next(i for i in _items(db, period=DEMO_PERIOD[code]) if i["category"] == code)


def _stored_rows(db: Path, number: int) -> list[dict[str, Any]]:
    with sessions(db)() as session:
        item, _ = store.load_item(session, number)
        return item.rows


def _posted(item: Item) -> Item:
    """Posted for ten days from the next quarter's first day: only the rows' own problems are left."""
    item.publicity_start = item.period.next().first_day
    item.publicity_end = item.publicity_start + timedelta(days=9)
    return item


def _problems(item: Item) -> tuple[list[str], list[str]]:
    report = validate(_posted(item), category(item.category))
    return [p.message for p in report.errors], [p.message for p in report.warnings]


# ---------------------------------------------------------------------------------------------
# Generated rows, sound as stored (also the export-then-import round trip's: test_spreadsheets.ROWS).

names = st.text(alphabet=st.sampled_from(list("东西南北岗洼坑塘林地厂房村道路渠一二三四")), min_size=2, max_size=12)
amounts = st.integers(0, 10**9)
days = st.dates(date(2015, 1, 1), date(2026, 9, 30))


def contract_rows() -> Any:
    row = st.builds(lambda number, subject, person, amount, part, signed, done: {
        "number": f"DG-{number:04d}", "subject": subject, "kind": "发包" if person else "工程",
        "direction": "收款" if person else "付款", "party_type": "个人" if person else "单位",
        "party": "王建国" if person else "中牟县宏达建筑工程有限公司",
        "party_phone": "13912345678" if person else None, "amount": amount,
        "signed": signed, "start": signed, "end": date(2030, 12, 31),
        "settled": amount if done else amount * part // 100, "status": "已完成" if done else "履行中", "note": None},
        st.integers(0, 9999), names, st.booleans(), amounts, st.integers(0, 100), days, st.booleans())
    return st.lists(row, min_size=1, max_size=15, unique_by=lambda r: r["number"])


def _an_id(born: date) -> str:
    first17 = f"410122{born:%Y%m%d}123"
    return first17 + id_check_char(first17)


def debt_rows() -> Any:
    row = st.builds(lambda claim, person, reason, amount, before, now, arisen: {
        "kind": "债权" if claim else "债务", "party_type": "个人" if person else "单位",
        "party": "李国强" if person else "中牟县农村信用合作联社",
        "party_id": _an_id(arisen) if person else None, "reason": reason, "arisen": arisen,
        "amount": amount, "repaid_before": amount * before // 100 or None,
        "repaid": (amount - amount * before // 100) * now // 100 or None,
        "balance": amount - amount * before // 100 - (amount - amount * before // 100) * now // 100},
        st.booleans(), st.booleans(), names, amounts, st.integers(0, 100), st.integers(0, 100), days)
    return st.lists(row, min_size=1, max_size=15)


def distribution_rows() -> Any:
    row = st.builds(lambda item, amount, basis: {"item": item, "amount": amount, "basis": basis},
                    st.sampled_from(category("distribution").row_field("item").choices), amounts,
                    st.none() | names)
    return st.lists(row, min_size=1, max_size=8)


def _debts(rows: list[dict[str, Any]]) -> Item:
    item = new_item("debts", Q3)
    item.rows = rows
    item.fields.update(report_date=Q3.last_day,
                       claims_total=sum(r["balance"] for r in rows if r["kind"] == "债权"),
                       debts_total=sum(r["balance"] for r in rows if r["kind"] == "债务"))
    return item


@settings(max_examples=40, deadline=None)
@given(rows=debt_rows(), row=st.integers(0, 14), off=st.integers(-10**6, 10**6).filter(bool))
def test_each_debt_balances_and_the_totals_are_by_kind(rows: list[dict[str, Any]], row: int, off: int) -> None:
    item = _debts(rows)
    assert _problems(item) == ([], [])
    # A balance typed wrong: that row is told, with the difference, and its kind's total too.
    broken = rows[row % len(rows)]
    if broken["balance"] + off < 0:
        off = -off
    broken["balance"] += off
    errors, _ = _problems(item)
    said = [m for m in errors if m.startswith("余额不符")]
    assert len(said) == 1 and f"相差 {abs(off) // 100:,}" in said[0].replace("-", ""), errors
    kind = broken["kind"]
    total = [m for m in errors if m.startswith(f"{kind}的期末余额合计")]
    assert len(total) == 1 and f"与{kind}余额合计" in total[0]
    other = "债务" if kind == "债权" else "债权"
    assert not [m for m in errors if m.startswith(f"{other}的")]


@settings(max_examples=40, deadline=None)
@given(rows=distribution_rows(), off=st.integers(-10**6, 10**6))
def test_the_parts_of_a_distribution_sum_to_the_year_s_income(rows: list[dict[str, Any]], off: int) -> None:
    item = new_item("distribution", Q4)
    item.rows = rows
    total = sum(r["amount"] for r in rows)
    item.fields.update(total_income=max(0, total + off), resolution="2025年12月28日村民代表会议通过")
    errors, _ = _problems(item)
    if max(0, total + off) == total:
        assert errors == []
    else:
        assert len(errors) == 1 and "金额合计" in errors[0] and "本年可分配收益" in errors[0]


@settings(max_examples=60, deadline=None)
@given(members=st.integers(1, 5000), each=st.integers(1, 10**6), off=st.integers(-6000, 6000))
def test_per_member_times_members_is_the_members_share_within_rounding(members: int, each: int, off: int) -> None:
    share = each * members + off
    if share <= 0:
        return
    item = new_item("distribution", Q4)
    item.rows = [{"item": "分配给成员", "amount": share, "basis": None}]
    item.fields.update(total_income=share, resolution="村民代表会议通过", members=members, per_member=each)
    errors, _ = _problems(item)
    if abs(off) * 2 <= members:  # each one's amount rounded to the 分: half a 分 each
        assert errors == []
    else:
        assert len(errors) == 1 and "人均分配额" in errors[0] and "× 分配人数" in errors[0]


def test_a_count_without_its_amount_each_and_a_share_with_neither() -> None:
    item = new_item("distribution", Q4)
    item.rows = [{"item": "分配给成员", "amount": 100_000_00, "basis": None},
                 {"item": "结转下年", "amount": 20_000_00, "basis": None}]
    item.fields.update(total_income=120_000_00, resolution="村民代表会议通过", households=400)
    errors, _ = _problems(item)
    assert errors == ["填了分配户数，须同时填写户均分配额"]
    item.fields.update(households=None)
    assert _problems(item) == ([], [])  # 按人分配 told elsewhere, or not at all: nothing to divide here
    item.rows = [{"item": "结转下年", "amount": 120_000_00, "basis": None}]
    item.fields.update(members=1500, per_member=1)
    assert _problems(item) == ([], [])  # nothing shared out: nothing to check the figures against


def _contract(**changes: Any) -> Item:
    item = new_item("contracts", Q3)
    row = {"number": "DG-2026-001", "subject": "排水沟清淤施工合同", "kind": "工程", "direction": "付款",
           "party_type": "单位", "party": "中牟县宏达建筑工程有限公司", "party_phone": None, "amount": 20_000_000,
           "signed": date(2026, 7, 6), "start": date(2026, 7, 10), "end": date(2026, 8, 31), "settled": 20_000_000,
           "status": "已完成", "note": None}
    item.rows = [{**row, **changes}]
    return item


@pytest.mark.parametrize(("changes", "error", "warning"), [
    ({}, None, None),
    ({"end": date(2026, 7, 1)}, "截止日期早于起始日期", None),
    ({"signed": date(2026, 10, 8)}, "签订日期 2026-10-08 在 2026年第三季度结束（2026-09-30）之后", None),
    ({"signed": date(2019, 3, 1)}, None, None),  # an older contract still in force is listed
    ({"settled": 15_000_000}, None, "已完成的合同累计已收（付）不等于合同金额"),
    ({"settled": 15_000_000, "status": "履行中"}, None, None),
    ({"settled": 25_000_000, "status": "履行中"}, None, "累计已收（付）多于合同金额"),
    ({"status": "解除"}, "终止、解除的合同须在备注中写明原因（如经村民代表会议同意解除）", None),
    ({"status": "解除", "note": "经村民代表会议同意解除"}, None, None),
])
def test_a_contract_s_rules(changes: dict[str, Any], error: str | None, warning: str | None) -> None:
    errors, warnings = _problems(_contract(**changes))
    assert errors == ([error] if error else [])
    assert [w for w in warnings if warning and warning in w] if warning else warnings == []


def test_two_contracts_with_one_number_are_an_error() -> None:
    item = _contract()
    item.rows.append(dict(item.rows[0], subject="另一份合同"))
    errors, _ = _problems(item)
    assert errors == ["合同编号 DG-2026-001 与第1行重复"]


# ---------------------------------------------------------------------------------------------
# The declared rules' new keys, refused in words when written wrong.

BASE = '''
code = "loans"
name = "借款"
[[row_fields]]
key = "kind"
label = "类别"
type = "choice"
choices = ["借入", "借出"]
[[row_fields]]
key = "amount"
label = "金额"
type = "money"
[[row_fields]]
key = "note"
label = "备注"
type = "text"
required = false
[[item_fields]]
key = "total"
label = "合计"
type = "money"
'''


@pytest.mark.parametrize(("rule", "said"), [
    ('rule = "sum"\nof = "amount"\nequals = "total"\nwhen = { field = "kind", equals = "借款" }',
     "“借款”不是“类别”的选项"),
    ('rule = "sum"\nof = "amount"\nequals = "total"\nwhen = { field = "amount", equals = "借入" }',
     "应是 choice 类字段"),
    ('rule = "sum"\nof = "amount"\nequals = "total"\nwhen = { field = "kind" }', "equals"),
    ('rule = "sum"\nof = "amount"\nequals = "total"\nwhen = { field = "kind", in = [] }', "不能是空列表"),
    ('rule = "compare"\nleft = "total"\nop = ">="\nright = 0\nwhen = { field = "kind", equals = "借入" }',
     "只有比较明细中的值时才可写 when"),
    ('rule = "filled"\nfield = "note"', "须写明哪些行必须填"),
    ('rule = "in_period"\nfield = "amount"\nby_end = true', "应是 date 类字段"),
])
def test_a_rule_s_new_keys_written_wrong_are_refused_naming_the_key(rule: str, said: str) -> None:
    with pytest.raises(BadInput) as refused:
        category_from_toml(BASE + "[[rules]]\n" + rule + "\n", "loans.category.toml")
    assert said in str(refused.value) and "loans.category.toml" in str(refused.value) and "rules[0]" in str(
        refused.value), str(refused.value)


def test_a_filled_rule_and_a_sum_of_one_kind_as_a_township_writes_them() -> None:
    loans = category_from_toml(BASE + '''
[[rules]]
rule = "sum"
of = "amount"
when = { field = "kind", in = ["借入"] }
equals = "total"
[[rules]]
rule = "filled"
field = "note"
when = { field = "kind", equals = "借出" }
level = "warning"
''', "loans.category.toml")
    item = Item("loans", Q3, "借款", fields={"total": 300},
                rows=[{"kind": "借入", "amount": 300, "note": None}, {"kind": "借出", "amount": 50, "note": None}])
    report = validate(_posted(item), loans)
    assert report.errors == [] and [p.message for p in report.warnings] == ["借出的须填写备注"]
    item.fields["total"] = 350
    assert [p.message for p in validate(item, loans).errors] == ["借入的金额合计 3.00 与合计 3.50 不符，相差 0.50"]


# ---------------------------------------------------------------------------------------------
# The demo's items: A3 landscape (and the A4 edition), a person masked on every public output.


@pytest.mark.parametrize("code", CODES)
def test_the_demo_item_prints_on_a3_landscape(code: str, demo_copy: Path, tmp_path: Path) -> None:
    item = _demo_item(demo_copy, code)
    assert item["status"] == "reviewed"
    pdf = tmp_path / f"{code}.pdf"
    done = run_zwgk("render", "--db", str(demo_copy), "--village", "donggang", "--period", DEMO_PERIOD[code],
                    "--item", str(item["id"]), "-o", str(pdf), cwd=tmp_path)
    assert done.code == 0, done.err
    reader = pypdf.PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (420, 297)
    text = "".join(page.extract_text() for page in reader.pages)
    assert TITLES[code] in text
    expected = {"contracts": ("合同对方", "履行中", "累计已收（付）"),
                "debts": ("债权（应收款）期末余额合计", "债务余额合计（大写）", "期末余额"),
                "distribution": ("提取公积公益金", "分配给成员", "人均分配额", "本年可分配收益（大写）")}[code]
    for words in expected:
        assert words in text, words
    fit = run_zwgk("render", "--db", str(demo_copy), "--village", "donggang", "--period", DEMO_PERIOD[code],
                   "--item", str(item["id"]), "--paper", "A4", "--fit", "-o", str(tmp_path / "a4.pdf"), cwd=tmp_path)
    assert fit.code == 0, fit.err
    a4 = pypdf.PdfReader(tmp_path / "a4.pdf").pages[0].mediabox
    assert (round(float(a4.width) * 25.4 / 72), round(float(a4.height) * 25.4 / 72)) == (297, 210)


def test_the_demo_s_debts_and_distribution_check_out(demo_copy: Path) -> None:
    """Every village's registers as the demo made them: no error, totals by kind as the rows give them."""
    with sessions(demo_copy)() as session:
        found = {code: 0 for code in CODES}
        for village in store.villages(session):
            for listed in store.list_items(session, village):
                if listed.category in CODES:
                    item, _ = store.load_item(session, listed.id)
                    assert validate(item, category(item.category)).errors == [], (village.code, listed.title)
                    found[listed.category] += 1
    assert found == {"contracts": 3, "debts": 12, "distribution": 3}


@pytest.mark.parametrize("code", ("contracts", "debts"))
def test_a_person_is_masked_on_every_public_output_a_company_named_in_full(code: str, demo_copy: Path,
                                                                           tmp_path: Path) -> None:
    item = _demo_item(demo_copy, code)
    rows = _stored_rows(demo_copy, item["id"])
    people = {r["party"] for r in rows if r["party_type"] == "个人"}
    companies = {r["party"] for r in rows if r["party_type"] == "单位"}
    private = {str(r[key]) for r in rows for key in ("party_phone", "party_id") if r.get(key)}
    assert people and companies and (private or code == "debts")
    pdf = tmp_path / "sheet.pdf"
    assert run_zwgk("render", "--db", str(demo_copy), "--village", "donggang", "--period", DEMO_PERIOD[code],
                    "--item", str(item["id"]), "-o", str(pdf), cwd=tmp_path).code == 0
    outputs = {"A3 sheet": "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)}
    site = tmp_path / "www"
    assert run_zwgk("site", "--db", str(demo_copy), "-o", str(site), cwd=tmp_path).code == 0
    folder = site / "donggang" / DEMO_PERIOD[code]
    for path in sorted(folder.glob(f"{item['id']}.*")):
        outputs[path.name] = ("".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
                              if path.suffix == ".pdf" else path.read_text(encoding="utf-8-sig"))
    assert {f"{item['id']}.html", f"{item['id']}.json", f"{item['id']}.csv"} <= set(outputs)
    for name in ("items.json", "items.csv", "data.html", "schema.json"):
        outputs[name] = (site / name).read_text(encoding="utf-8-sig")
    for where, text in outputs.items():
        for secret in (*people, *private):
            assert secret not in text, (where, secret)
    for where in ("A3 sheet", f"{item['id']}.html", f"{item['id']}.json"):
        assert all(mask_name(name) in outputs[where] for name in people), where
    data = outputs[f"{item['id']}.json"]
    assert all(json.dumps(name, ensure_ascii=False) in data for name in companies)  # in full
    page = outputs[f"{item['id']}.html"]
    assert "noindex" in page  # it may name persons (masked): kept out of search engines


# ---------------------------------------------------------------------------------------------
# Template and import.

# A line the clerk writes below the template's example: field label → value.
OWN_LINE = {"contracts": {"合同编号": "DG-2026-101", "合同名称": "村部屋面维修施工合同"},
            "debts": {"形成原因": "2026年鱼塘承包费欠缴"},
            "distribution": {"分配项目": "提取福利费", "依据及说明": "按可分配收益的10%提取"}}


def _template_with(code: str, folder: Path, changes: dict[str, Any]) -> Path:
    path = folder / f"{code}.xlsx"
    done = run_zwgk("template", code, "-o", str(path), cwd=folder)
    assert done.code == 0, done.err
    book = load_workbook(path)
    sheet = book["明细"]
    # Amount columns say their unit (合同金额（元）).
    header = [str(c.value).rstrip("*").removesuffix("（元）") if c.value else "" for c in sheet[2]]
    row = [c.value for c in sheet[3]]
    for label, value in {**OWN_LINE[code], **changes}.items():
        row[header.index(label)] = value
    sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("code", CODES)
@pytest.mark.slow
def test_the_template_is_filled_in_and_imports_back(code: str, demo_copy: Path, tmp_path: Path) -> None:
    path = _template_with(code, tmp_path, {})
    sheet = load_workbook(path)["明细"]
    assert any(v.type == "list" for v in sheet.data_validations.dataValidation)  # the choices as a drop-down
    done = run_zwgk("import", str(path), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
                    "--category", code, "--json", cwd=tmp_path)
    assert done.code == 0, done.err + done.out
    number = json.loads(done.out)["item"]
    (row,) = _stored_rows(demo_copy, number)  # the example line is left out
    example = dict(category(code).examples)
    assert all(row[key] == value for key, value in example.items()
               if category(code).row_field(key).label not in OWN_LINE[code])
    # And out again in the template's form, and back in: the same row.
    again = tmp_path / "again.xlsx"
    assert run_zwgk("export", "--db", str(demo_copy), "--village", "donggang", "--item", str(number),
                    "-o", str(again), cwd=tmp_path).code == 0
    twice = ("import", str(again), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
             "--category", code, "--json")
    warned = run_zwgk(*twice, cwd=tmp_path)
    assert warned.code == 2 and "完全相同" in warned.err  # the same rows twice: asked first
    back = run_zwgk(*twice, "--accept-warnings", cwd=tmp_path)
    assert back.code == 0, back.err
    assert _stored_rows(demo_copy, json.loads(back.out)["item"]) == [row]


@pytest.mark.parametrize(("code", "column", "value", "said"), [
    ("contracts", "合同金额", "十万元", "不是"),
    ("contracts", "签订日期", "去年", "不是日期"),
    ("contracts", "履行状态", "进行中", "不在可选项中"),
    ("contracts", "对方电话", "1380000", "手机号"),
    ("debts", "债权债务", "欠款", "不在可选项中"),
    ("debts", "原始金额", "-500", "负数"),
    ("debts", "期末余额", "9999.00", "余额不符"),
    ("debts", "对方身份证号", "410122196505123451", "校验码"),
    ("distribution", "金额", "abc", "不是"),
    ("distribution", "分配项目", "发奖金", "不在可选项中"),
])
@pytest.mark.slow
def test_bad_input_is_refused_naming_row_and_column(code: str, column: str, value: str, said: str,
                                                   demo_copy: Path, tmp_path: Path) -> None:
    path = _template_with(code, tmp_path, {column: value})
    before = len(_items(demo_copy))
    done = run_zwgk("import", str(path), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
                    "--category", code, cwd=tmp_path)
    assert done.code == 2 and said in done.err and "第4行" in done.err, done.err
    assert column in done.err or said == "余额不符", done.err
    assert len(_items(demo_copy)) == before  # nothing stored


@pytest.mark.parametrize(("code", "column", "refused"), [
    ("contracts", 'field = "party_phone"\nheader = "电话"\nformat = "text"', "个人隐私字段"),
    ("debts", 'field = "party_id"\nheader = "身份证号"\nformat = "text"', "只能用 masked_id"),
    ("debts", 'field = "party"\nheader = "对方"\nformat = "masked_name"', ""),
    ("distribution", 'field = "amount"\nheader = "金额"\nformat = "masked_person"', "只能用"),
])
def test_a_format_that_shows_a_private_field_is_refused(code: str, column: str, refused: str,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "layouts"
    shutil.copytree(standard_layouts_dir(), folder)
    path = folder / f"{code}.toml"
    text = path.read_text(encoding="utf-8")
    first = text.index("[[columns]]")
    path.write_text(text[:first] + f"[[columns]]\n{column}\nwidth = 2\nalign = \"left\"\n\n" + text[first:],
                    encoding="utf-8")
    if refused:
        with pytest.raises(BadInput) as error:
            load_layouts(folder)
        assert refused in str(error.value) and f"{code}.toml" in str(error.value), str(error.value)
    else:  # every 对方 masked, 单位 too: a township may choose so
        load_layouts(folder)


def test_the_three_are_in_the_shipped_formats_with_an_a4_edition_and_the_catalogue() -> None:
    from zwgk_desktop.domain.catalogue import load_catalogue

    catalogue = load_catalogue(standard_layouts_dir())
    frequency = {code: getattr(catalogue.for_category(code), "frequency", None) for code in CODES}
    assert frequency == {"contracts": "as_happens", "debts": "quarterly", "distribution": "yearly"}
    for code in CODES:
        layout = LAYOUTS.for_category(code)
        assert layout.orientation == "landscape" and layout.a4 is not None


# ---------------------------------------------------------------------------------------------
# Online, on a phone 360 px wide (real Chromium): the page fits, its table scrolls in its own box.

from test_site_phone import _fits, browser  # noqa: E402,F401  (the phone browser fixture)


@pytest.fixture(scope="module")
def tables_site(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Path:
    from zwgk_desktop.office import online as online_copy

    root = tmp_path_factory.mktemp("sanzi2") / "www"
    with sessions(demo_db)() as session:
        online_copy.write_site(session, LAYOUTS, root, "https://qingshan.example/zwgk")
    return root


@pytest.mark.parametrize("code", CODES)
def test_the_table_online_fits_a_360_px_phone(code: str, browser: Any, tables_site: Path) -> None:  # noqa: F811
    page = next(p for p in sorted((tables_site / "donggang" / DEMO_PERIOD[code]).glob("*.json"))
                if p.stem.isdigit() and json.loads(p.read_bytes()).get("category") == code)
    html = page.with_suffix(".html")
    _fits(browser, html.as_uri(), 360)
    table_wide, table_box = browser.execute_script(
        "const t = document.querySelector('table'); return [t.scrollWidth, t.parentElement.clientWidth];")
    assert table_wide > 0 and table_box <= 360
    text = browser.execute_script("return document.body.innerText;")
    assert TITLES[code] in text
    shot = tables_site.parent / f"{code}-360.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_sealed_with_the_quarter_and_judged_in_the_compliance_table(demo_copy: Path, tmp_path: Path) -> None:
    """The year's 收益分配 and the quarter's 债权债务 are sealed with 2025Q4, verify, and the township's
    table judges them from the seal; no contract that quarter is not called missing."""
    sealed = run_zwgk("seal", "--db", str(demo_copy), "--village", "donggang", "--period", "2025Q4", "--by", "王德明",
                      "--json", cwd=tmp_path)
    assert sealed.code == 0, sealed.err
    assert run_zwgk("verify", "--db", str(demo_copy), "--village", "donggang", cwd=tmp_path).code == 0
    status = run_zwgk("status", "--db", str(demo_copy), "--period", "2025Q4", "--json", cwd=tmp_path)
    assert status.code == 0, status.err
    table = json.loads(status.out)
    assert table["categories"][-3:] == ["contracts", "debts", "distribution"]
    cells = {v["code"]: v["cells"] for v in table["villages"]}
    for code in ("debts", "distribution"):
        assert cells["donggang"][code]["status"] in ("on_time", "late") and cells["donggang"][code]["items"]
        assert cells["shiqiao"][code]["status"] == "missing"  # reviewed, never sealed: nothing to judge by
    assert {cells[v]["contracts"]["status"] for v in cells} == {"not_required"}
    q3 = json.loads(run_zwgk("status", "--db", str(demo_copy), "--period", "2026Q3", "--json", cwd=tmp_path).out)
    assert {v["cells"]["distribution"]["status"] for v in q3["villages"]} == {"not_required"}  # yearly: Q4's


def test_a_debt_s_balance_names_each_of_its_terms() -> None:
    item = _debts([{"kind": "债权", "party_type": "个人", "party": "周新民", "party_id": None, "reason": "承包费欠缴",
                    "arisen": date(2025, 12, 31), "amount": 1_246_000, "repaid_before": 498_400, "repaid": 373_800,
                    "balance": 373_800}])
    assert _problems(item) == ([], [])
    item.rows[0]["balance"] = 100
    errors, _ = _problems(item)
    assert errors[0] == ("余额不符：原始金额 12,460.00 − 以前已收回（偿还） 4,984.00 − 本期收回（偿还） 3,738.00 = "
                         "3,738.00，与填报的期末余额 1.00 相差 3,737.00 元")
