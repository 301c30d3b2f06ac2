"""集体资产 and 集体资源 end to end: the demo's registers print on A3 (landscape) and online, a
person leasing land is masked while a company is named in full, the template imports back, and
bad input (wrong types, a broken sum, a private field on a format) is refused in words."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import run_zwgk
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_archive import LAYOUTS, sessions

from zwgk_desktop.db import store
from zwgk_desktop.domain.categories import category, new_item
from zwgk_desktop.domain.identity import mask_name
from zwgk_desktop.domain.items import validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts

Q3 = Quarter(2026, 3)
CODES = ("assets", "resources")


def _items(db: Path, village: str = "donggang", period: str = "2026Q3") -> list[dict[str, Any]]:
    listed = run_zwgk("list", "--db", str(db), "--village", village, "--period", period, "--json", cwd=db.parent)
    assert listed.code == 0, listed.err
    return list(json.loads(listed.out)["items"])


def _stored(db: Path, number: int) -> Any:
    with sessions(db)() as session:
        village = next(v for v in store.villages(session) if v.code == "donggang")
        return store.get_item(session, village.id, number) if hasattr(store, "get_item") else None


@pytest.mark.parametrize("code", CODES)
def test_the_demo_register_prints_on_a3_landscape(code: str, demo_copy: Path, tmp_path: Path) -> None:
    item = next(i for i in _items(demo_copy) if i["category"] == code)
    assert item["status"] == "reviewed"
    pdf = tmp_path / f"{code}.pdf"
    done = run_zwgk("render", "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
                    "--item", str(item["id"]), "-o", str(pdf), cwd=tmp_path)
    assert done.code == 0, done.err
    reader = pypdf.PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (420, 297)
    text = "".join(page.extract_text() for page in reader.pages)
    assert ("东岗村2026年第三季度集体资产公开" if code == "assets" else "东岗村2026年第三季度集体资源公开") in text
    assert ("净值合计（大写）" if code == "assets" else "承包（租赁）方") in text
    fit = run_zwgk("render", "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
                   "--item", str(item["id"]), "--paper", "A4", "--fit", "-o", str(tmp_path / "a4.pdf"), cwd=tmp_path)
    assert fit.code == 0, fit.err


def test_a_person_is_masked_a_company_is_named(demo_copy: Path, tmp_path: Path) -> None:
    item = next(i for i in _items(demo_copy) if i["category"] == "resources")
    export = tmp_path / "rows.xlsx"
    assert run_zwgk("export", "--db", str(demo_copy), "--village", "donggang", "--item", str(item["id"]),
                    "-o", str(export), cwd=tmp_path).code == 0
    sheet = load_workbook(export)["明细"]
    header = [c.value.rstrip("*") if c.value else c.value for c in sheet[2]]
    rows = [dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=3, values_only=True)]
    people = [r["承包（租赁）方"] for r in rows if r["承包方类型"] == "个人"]
    companies = [r["承包（租赁）方"] for r in rows if r["承包方类型"] == "单位"]
    assert people and companies
    pdf = tmp_path / "r.pdf"
    assert run_zwgk("render", "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
                    "--item", str(item["id"]), "-o", str(pdf), cwd=tmp_path).code == 0
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    for name in people:
        assert name not in text and mask_name(name) in text
    site = tmp_path / "www"
    assert run_zwgk("site", "--db", str(demo_copy), "-o", str(site), cwd=tmp_path).code == 0
    page = (site / "donggang" / "2026Q3" / f"{item['id']}.html").read_text(encoding="utf-8")
    data = (site / "donggang" / "2026Q3" / f"{item['id']}.json").read_text(encoding="utf-8")
    for name in people:
        assert name not in page and name not in data and mask_name(name) in page
    for name in companies:  # in full (on the sheet a long name wraps inside its cell)
        assert json.dumps(name, ensure_ascii=False) in data
    assert "13800000000" not in data and "承包方电话" not in page


# ---------------------------------------------------------------------------------------------
# Template and import.

names = st.text(alphabet=st.sampled_from(list("东西南北岗洼坑塘林地厂房仓库一二三四")), min_size=2, max_size=12)
money = st.integers(0, 10**9)


def asset_rows() -> Any:
    row = st.builds(lambda name, original, cut, change: {
        "name": name, "class": "房屋及建筑物", "quantity": 1, "unit": "栋", "acquired": None,
        "original": original, "net": original - cut * original // 100, "location": "村部院内", "use": "自用",
        "user": None, "change": change, "change_reason": None if change == "无变动" else "村民代表会议决定"},
        names, money, st.integers(0, 100), st.sampled_from(["无变动", "增加", "处置"]))
    return st.lists(row, min_size=1, max_size=15)


def resource_rows() -> Any:
    row = st.builds(lambda name, area, person, rent: {
        "name": name, "kind": "耕地", "location": "三组东", "area": area, "operation": "发包",
        "party_type": "个人" if person else "单位", "party": "王建国" if person else "中牟县丰源食品有限公司",
        "party_phone": "13912345678" if person else None, "start": Q3.first_day, "end": Q3.last_day,
        "yearly_rent": rent, "due": rent, "received": rent}, names, st.integers(0, 10**8), st.booleans(), money)
    return st.lists(row, min_size=1, max_size=15, unique_by=lambda r: r["name"])


# The export-then-import round trip of both: tests/test_spreadsheets.py (ROWS takes these rows).


@pytest.mark.parametrize("code", CODES)
def test_the_template_is_filled_in_and_imports(code: str, demo_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / f"{code}.xlsx"
    assert run_zwgk("template", code, "-o", str(path), cwd=tmp_path).code == 0
    book = load_workbook(path)
    sheet = book["明细"]
    assert any(v.type == "list" for v in sheet.data_validations.dataValidation)
    # The clerk writes a line of their own below the example and imports the file.
    example = [c.value for c in sheet[3]]
    sheet.append([("东岗新" + v if isinstance(v, str) and i == 0 else v) for i, v in enumerate(example)])
    book.save(path)
    done = run_zwgk("import", str(path), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
                    "--category", code, "--accept-warnings", "--json", cwd=tmp_path)
    assert done.code == 0, done.err + done.out


@pytest.mark.parametrize(("code", "column", "value", "said"), [
    ("resources", "面积（亩）", "三十亩", "不是数字"),
    ("resources", "面积（亩）", "35.125", "最多两位小数"),
    ("resources", "起始日期", "明年", "不是日期"),
    ("assets", "数量", "两台", "不是整数"),
    ("assets", "原值（元）", "-500", "负数"),
    ("assets", "资产类别", "飞机", "不在可选项中"),
])
@pytest.mark.slow
def test_wrong_types_are_refused_naming_row_and_column(code: str, column: str, value: str, said: str,
                                                       demo_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / f"{code}.xlsx"
    assert run_zwgk("template", code, "-o", str(path), cwd=tmp_path).code == 0
    book = load_workbook(path)
    sheet = book["明细"]
    header = [c.value for c in sheet[2]]
    row = [c.value for c in sheet[3]]
    index = next(i for i, h in enumerate(header) if h and h.rstrip("*") == column)
    row[0] = "新增" + str(row[0])
    row[index] = value
    sheet.append(row)
    book.save(path)
    before = len(_items(demo_copy))
    done = run_zwgk("import", str(path), "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q3",
                    "--category", code, cwd=tmp_path)
    assert done.code == 2 and said in done.err and "第4行" in done.err and column.rstrip("（元）") in done.err, done.err
    assert len(_items(demo_copy)) == before  # nothing stored


def test_a_broken_sum_and_a_lease_without_its_term_are_errors() -> None:
    item = new_item("assets", Q3)
    item.rows = [{"name": "办公楼", "class": "房屋及建筑物", "quantity": 1, "unit": "栋", "acquired": None,
                  "original": 68_000_000, "net": 45_200_000, "location": "村部", "use": "自用", "user": None,
                  "change": "无变动", "change_reason": None}]
    item.fields.update(report_date=Q3.last_day, total_original=68_000_000, total_net=45_200_000)
    assert not [p for p in validate(item, category("assets")).errors if p.field in ("原值合计", "净值合计")]
    item.fields["total_net"] = 45_000_000
    (broken,) = [p for p in validate(item, category("assets")).errors if p.field == "净值合计"]
    assert "相差 2,000.00 元" in broken.message
    item.rows[0]["net"] = 70_000_000
    assert any("净值不能大于原值" in p.message for p in validate(item, category("assets")).errors)
    plot = new_item("resources", Q3)
    plot.rows = [{"name": "东洼", "kind": "耕地", "location": "三组东", "area": 3560, "operation": "发包",
                  "party_type": "个人", "party": "王建国", "start": None, "end": None, "yearly_rent": 2_492_000}]
    found = {p.field for p in validate(plot, category("resources")).errors}
    assert {"起始日期", "截止日期"} <= found


@pytest.mark.parametrize(("column", "said"), [
    ('field = "party_phone"\nheader = "电话"\nformat = "text"', "个人隐私字段"),
    ('field = "party"\nheader = "承包方"\nformat = "text"', ""),
])
def test_a_format_that_shows_a_private_field_is_refused(column: str, said: str, tmp_path: Path) -> None:
    folder = tmp_path / "layouts"
    shutil.copytree(standard_layouts_dir(), folder)
    path = folder / "resources.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('[[columns]]\nfield = "name"', f'[[columns]]\n{column}\nwidth = 2\nalign = "left"\n\n'
                                 '[[columns]]\nfield = "name"', 1), encoding="utf-8")
    if said:
        with pytest.raises(BadInput) as refused:
            load_layouts(folder)
        assert said in str(refused.value) and "resources.toml" in str(refused.value)
    else:  # a township may choose to print every 承包方 in full: its format says so, and prints it
        load_layouts(folder)


def test_masked_person_needs_a_field_that_says_who_is_a_person(tmp_path: Path) -> None:
    folder = tmp_path / "layouts"
    shutil.copytree(standard_layouts_dir(), folder)
    path = folder / "assets.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('field = "user"')
    end = text.index('format = "text"', start) + len('format = "text"')
    path.write_text(text[:start] + text[start:end].replace('"text"', '"masked_person"') + text[end:],
                    encoding="utf-8")
    with pytest.raises(BadInput, match="masked_when"):
        load_layouts(folder)


def test_both_registers_are_in_the_shipped_formats_with_an_a4_edition() -> None:
    for code in CODES:
        layout = LAYOUTS.for_category(code)
        assert layout.orientation == "landscape" and layout.a4 is not None


# ---------------------------------------------------------------------------------------------
# Online, on a phone 360 px wide (real Chromium): the page fits, its wide table scrolls in its own box.

from test_site_phone import _fits, browser  # noqa: E402,F401  (the phone browser fixture)


@pytest.fixture(scope="module")
def sanzi_site(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Path:
    from zwgk_desktop.office import online as online_copy

    root = tmp_path_factory.mktemp("sanzi") / "www"
    with sessions(demo_db)() as session:
        online_copy.write_site(session, LAYOUTS, root, "https://qingshan.example/zwgk")
    return root


@pytest.mark.parametrize("code", CODES)
def test_the_register_online_fits_a_360_px_phone(code: str, browser: Any, sanzi_site: Path) -> None:  # noqa: F811
    page = next(p for p in sorted((sanzi_site / "donggang" / "2026Q3").glob("*.json"))
                if p.stem.isdigit() and json.loads(p.read_bytes()).get("category") == code)
    html = page.with_suffix(".html")
    _fits(browser, html.as_uri(), 360)
    table_wide, table_box = browser.execute_script(
        "const t = document.querySelector('table'); return [t.scrollWidth, t.parentElement.clientWidth];")
    assert table_wide > 0 and table_box <= 360
    shot = sanzi_site.parent / f"{code}-360.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
