"""Categories are data (issue 16 item 1): a category declared only in a township's format pack,
with no line of Python, goes through template, import, render, seal, site and status from the
command line; a bad category file is refused naming file, key and reason; and the demo's
验证码 are those of before categories were data."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pypdf
import pytest

from tests.conftest import run_zwgk
from zwgk_desktop.domain import categories
from zwgk_desktop.domain.category_file import category_from_toml
from zwgk_desktop.domain.items import Item, validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts

# 村级公益设施维护：a category no program ships, as a township would write it.
UPKEEP = '''
code = "upkeep"
name = "公益设施维护"
order = 60
new_title = "{period}公益设施维护公开"
min_rows = 1
min_publicity_days = 5
search_engines = true

[[item_fields]]
key = "facility"
label = "设施名称"
type = "text"
max_length = 40

[[item_fields]]
key = "approved"
label = "批复金额"
type = "money"

[[row_fields]]
key = "date"
label = "日期"
type = "date"
example = "2026-05-06"
headers = ["维护日期", "施工日期"]

[[row_fields]]
key = "work"
label = "维护内容"
type = "text"
max_length = 60
example = "（示例）更换路灯灯头"
headers = ["内容", "项目"]

[[row_fields]]
key = "contractor"
label = "施工单位"
type = "name"
example = "某某电器维修部"

[[row_fields]]
key = "amount"
label = "金额"
type = "money"
example = "320.00"

[[rules]]
rule = "in_period"
field = "date"

[[rules]]
rule = "sum"
of = "amount"
at_most = "approved"

[[rules]]
rule = "unique"
fields = ["date", "work"]
level = "warning"
message = "与第{other}行同日同一内容，请核对是否重复列支"
'''

UPKEEP_LAYOUT = '''
id = "upkeep-standard"
name = "公益设施维护公开（乡镇格式）"
category = "upkeep"

[paper]
size = "A3"
orientation = "portrait"
margins_mm = { top = 16, bottom = 14, left = 16, right = 16 }

[title]
pattern = "{village}{year}年第{quarter}季度公益设施维护公开"
show_item_title = true

[fonts]
title = 28
subtitle = 15
meta = 11
header = 12
body = 12
footer = 10.5

[table]
number_header = "序号"
rows_per_sheet = "auto"

[[info]]
label = "设施名称"
value = "item.facility"
format = "text"

[[info]]
label = "批复金额（元）"
value = "item.approved"
format = "money"

[[columns]]
field = "date"
header = "日期"
width = 2
align = "center"
format = "date"

[[columns]]
field = "work"
header = "维护内容"
width = 5
align = "left"
format = "text"

[[columns]]
field = "contractor"
header = "施工单位"
width = 3
align = "left"
format = "text"

[[columns]]
field = "amount"
header = "金额（元）"
width = 2
align = "right"
format = "money"

[totals]
label = "合计"
sum = ["amount"]

[footer]
publication_date = true
publicity_period = true
supervision_phones = true
signatures = ["村务监督委员会", "村民委员会"]

[qr]
position = "bottom-right"
size_mm = 34

[a4]
fonts = { title = 20, subtitle = 12, meta = 10, header = 10.5, body = 10.5, footer = 10 }
'''

CATALOGUE_ENTRY = '''
[[requirements]]
category = "upkeep"
frequency = "as_happens"
deadline = "working_days"
working_days = 20
required = "when_happened"
retention = "10年"
'''


@pytest.fixture
def shipped_categories() -> object:
    """Whatever a test installs, the next one finds the program's own categories."""
    yield
    categories.install(categories.SHIPPED)


def township_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "formats"
    shutil.copytree(standard_layouts_dir(), folder)
    (folder / "upkeep.category.toml").write_text(UPKEEP, encoding="utf-8")
    (folder / "upkeep.toml").write_text(UPKEEP_LAYOUT, encoding="utf-8")
    with (folder / "catalogue.toml").open("a", encoding="utf-8") as catalogue:
        catalogue.write(CATALOGUE_ENTRY)
    return folder


@pytest.mark.slow
def test_a_category_only_a_pack_declares_goes_through_the_whole_program(
        demo_copy: Path, tmp_path: Path, shipped_categories: object) -> None:
    pack = tmp_path / "青山镇.zwgkpack"
    made = run_zwgk("pack", "export", "--layouts", str(township_folder(tmp_path)), "-o", str(pack),
                    "--name", "青山镇统一格式", "--version", "2026.2", "--db", str(demo_copy), cwd=tmp_path)
    assert made.code == 0, made.err
    env = {"ZWGK_DATA_DIR": str(tmp_path / "village"), "ZWGK_DB": str(demo_copy)}
    assert run_zwgk("pack", "import", str(pack), cwd=tmp_path, env=env).code == 0

    # The template: the pack's columns, its example line, the 填写说明.
    template = tmp_path / "upkeep.xlsx"
    done = run_zwgk("template", "upkeep", "-o", str(template), cwd=tmp_path, env=env)
    assert done.code == 0 and "公益设施维护导入模板" in done.out, done.err
    book = openpyxl.load_workbook(template)
    sheet = book["明细"]
    assert [c.value for c in sheet[2]] == ["日期*", "维护内容*", "施工单位*", "金额（元）*"]
    assert sheet["B3"].value == "（示例）更换路灯灯头"
    # Filled in by a clerk, with the headers spelt another way the category file allows.
    sheet["A2"], sheet["B2"] = "维护日期", "内容"
    for row in (("2026-04-12", "更换路灯灯头 6 个", "东岗电器维修部", 960),
                ("2026/5/3", "修补村委会门前路面", "中牟县路桥工程有限公司", 4200.5),
                ("2026-06-18", "清理排水沟", "东岗电器维修部", 1500)):
        sheet.append(row)
    info = book["事项信息"]
    for row in info.iter_rows(min_row=2):
        if row[0].value == "设施名称":
            row[1].value = "村内路灯及道路"
        elif row[0].value == "批复金额":
            row[1].value = 8000
        elif row[0].value == "公示开始":
            row[1].value = "2026-06-20"
        elif row[0].value == "公示结束":
            row[1].value = "2026-06-30"
    book.save(template)

    # A broken sum is refused, naming the rule in words; nothing is stored.
    over = tmp_path / "over.xlsx"
    shutil.copy(template, over)
    broken = openpyxl.load_workbook(over)
    next(r for r in broken["事项信息"].iter_rows(min_row=2) if r[0].value == "批复金额")[1].value = 5000
    broken.save(over)
    refused = run_zwgk("import", str(over), "--village", "donggang", "--period", "2026Q2", "--category", "upkeep",
                       cwd=tmp_path, env=env)
    assert refused.code == 2 and "金额合计 6,660.50 超过批复金额 5,000.00" in refused.err, refused.err

    imported = run_zwgk("import", str(template), "--village", "donggang", "--period", "2026Q2",
                        "--category", "upkeep", "--json", cwd=tmp_path, env=env)
    assert imported.code == 0, imported.err
    number = json.loads(imported.out)["item"]
    reviewed = run_zwgk("review", "--item", str(number), "--reviewer", "王德明", "--on", "2026-06-19",
                        cwd=tmp_path, env=env)
    assert reviewed.code == 0, reviewed.err

    poster = tmp_path / "upkeep.pdf"
    printed = run_zwgk("render", "--village", "donggang", "--period", "2026Q2", "--category", "upkeep",
                       "-o", str(poster), cwd=tmp_path, env=env)
    assert printed.code == 0, printed.err
    text = "".join(page.extract_text() for page in pypdf.PdfReader(poster).pages)
    assert "东岗村2026年第二季度公益设施维护公开" in text and "修补村委会门前路面" in text
    assert "6,660.50" in text and "青山镇统一格式 2026.2" in text

    sealed = run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明", cwd=tmp_path, env=env)
    assert sealed.code == 0, sealed.err
    verified = run_zwgk("verify", cwd=tmp_path, env=env)
    assert verified.code == 0, verified.out + verified.err

    site = tmp_path / "www"
    written = run_zwgk("site", "-o", str(site), "--base-url", "https://zwgk.example.cn/zwgk", cwd=tmp_path, env=env)
    assert written.code == 0, written.err
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    assert any("修补村委会门前路面" in page and "公益设施维护" in page for page in pages)
    assert run_zwgk("site", "-o", str(site), "--check", "--base-url", "https://zwgk.example.cn/zwgk",
                    cwd=tmp_path, env=env).code == 0

    status = run_zwgk("status", "--period", "2026Q2", "--json", cwd=tmp_path, env=env)
    assert status.code == 0, status.err
    assert "upkeep" in status.out or "公益设施维护" in status.out, status.out


def test_a_category_file_is_checked_as_strictly_as_a_layout(tmp_path: Path, shipped_categories: object) -> None:
    bad = UPKEEP.replace('type = "name"', 'type = "mobile"\npublic = true').replace(
        'rule = "sum"', 'rule = "sums"').replace('of = "amount"\nat_most = "approved"\n', '')
    with pytest.raises(BadInput) as refused:
        category_from_toml(bad, "upkeep.category.toml")
    said = {(p.field, p.message) for p in refused.value.problems}
    assert any(f == "row_fields[2].public" and "不能是公开字段" in m for f, m in said), said
    assert any(f == "rules[1].rule" and "没有“sums”这种规则" in m for f, m in said), said
    assert all(p.where == "upkeep.category.toml" for p in refused.value.problems)
    # A pack can never bring code: only a rule function the program ships, by name.
    with pytest.raises(BadInput, match="没有“eval”这个规则函数"):
        category_from_toml(UPKEEP + '\n[[rules]]\nrule = "function"\nname = "eval"\n', "x.category.toml")
    # A layout may not put a private field of a pack's category on a sheet either.
    folder = township_folder(tmp_path)
    (folder / "upkeep.category.toml").write_text(UPKEEP.replace(
        'type = "name"\nexample = "某某电器维修部"', 'type = "mobile"\npublic = false'), encoding="utf-8")
    with pytest.raises(BadInput) as no_layout:
        load_layouts(folder)
    assert any("个人隐私字段" in p.message for p in no_layout.value.problems)


def test_the_declared_rules_say_what_they_find_in_words(shipped_categories: object) -> None:
    schema = category_from_toml(UPKEEP, "upkeep.category.toml")
    item = Item(category="upkeep", period=Quarter(2026, 2), title="维护公开", disclosure="不予公开",
                fields={"facility": "路灯", "approved": 100_000},
                rows=[{"date": date(2026, 7, 1), "work": "换灯", "contractor": "某维修部",
                       "amount": 90_000},
                      {"date": date(2026, 5, 1), "work": "换灯", "contractor": "某维修部",
                       "amount": 20_000},
                      {"date": date(2026, 5, 1), "work": "换灯", "contractor": "某维修部",
                       "amount": 1}])
    report = validate(item, schema)
    errors = [(p.row, p.message) for p in report.errors]
    assert (1, "日期 2026-07-01 不在 2026年第二季度（2026-04-01 至 2026-06-30）内") in errors
    assert (None, "金额合计 1,100.01 超过批复金额 1,000.00") in errors
    assert [(p.row, p.other_row, p.message) for p in report.warnings] == [
        (3, 2, "与第2行同日同一内容，请核对是否重复列支")]


DEMO_CODES = Path(__file__).parent / "data" / "demo_codes.json"


def test_the_demo_codes_are_those_of_before_categories_were_data(tmp_path: Path, demo_copy: Path) -> None:
    """Every demo item's 验证码 on the online copy equals the one it had when the categories were
    still Python (tests/data/demo_codes.json, written by `zwgk site` at commit 5d73bc0). A 低保 list
    past its publicity period is withdrawn from the copy, so the items compared are those online
    today (all 51 on the day the file was written)."""
    site = tmp_path / "www"
    written = run_zwgk("site", "--db", str(demo_copy), "-o", str(site), cwd=tmp_path)
    assert written.code == 0, written.err
    codes = {}
    for page in site.glob("*/*/*.json"):
        if page.stem.isdigit():
            data = json.loads(page.read_text(encoding="utf-8"))
            codes[f"{data['item_id']}@{data['village_code']}"] = data["code"]
    before = json.loads(DEMO_CODES.read_text(encoding="utf-8"))
    # Items added to the demo since (the 三资 tables) have no code before; they are numbered after the rest.
    kept = {key: code for key, code in codes.items() if key in before}
    added = [int(key.split("@")[0]) for key in codes if key not in before]
    assert len(kept) >= 30 and all(number > max(int(k.split("@")[0]) for k in before) for number in added)
    assert {key: before[key] for key in kept} == kept


def test_a_category_crosses_to_a_worker_process_with_its_rules(shipped_categories: object) -> None:
    """The preview and print workers get the category pickled: its rules are made again there."""
    import pickle

    schema = category_from_toml(UPKEEP, "upkeep.category.toml")
    again = pickle.loads(pickle.dumps(schema))
    item = Item(category="upkeep", period=Quarter(2026, 2), title="维护公开", disclosure="不予公开",
                fields={"facility": "路灯", "approved": 100},
                rows=[{"date": date(2026, 5, 1), "work": "换灯", "contractor": "某维修部", "amount": 200}])
    assert again == schema
    assert [p.message for p in validate(item.snapshot(), again).errors] == [
        p.message for p in validate(item.snapshot(), schema).errors] == ["金额合计 2.00 超过批复金额 1.00"]
