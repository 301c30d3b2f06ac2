"""What happens to cells once they are read: one amount parser for the import and the editor,
ledgers as offices keep them (期初余额 wherever it stands, 期末余额 computed or compared, sums and
footers in any column), the township's vocabularies and private columns, values for the whole
file, and messages that name the sheet's row and the editor's."""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import run_zwgk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from test_gui import window  # noqa: F401  (the fixture)

from zwgk_desktop.domain import categories
from zwgk_desktop.domain.categories import ASSISTANCE, FINANCE
from zwgk_desktop.domain.category_file import category_from_toml
from zwgk_desktop.domain.fields import Field, FieldError, Kind
from zwgk_desktop.domain.identity import id_check_char
from zwgk_desktop.domain.items import Item, validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.io.importer import _money, plan_import

Q3 = Quarter(2026, 3)
AMOUNT = Field("amount", "金额", Kind.MONEY)
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def an_id(seq: int) -> str:
    body = f"41012219800101{seq:03d}"
    return body + id_check_char(body)


def save(path: Path, rows: list[list[Any]], merged: list[str] = ()) -> Path:  # type: ignore[assignment]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    book.save(path)
    return path


# -- one parser of amounts ------------------------------------------------------------------------


def _grouped(yuan: int) -> str:
    return f"{yuan:,}"


amount_texts = st.builds(
    lambda yuan, cents, grouping, unit, wide, sign, space: (
        f"{sign}{_grouped(yuan) if grouping else yuan}{f'.{cents:02d}' if cents is not None else ''}"
        f"{space}{unit}").translate(FULL_WIDTH if wide else {}),
    st.integers(0, 10**9), st.none() | st.integers(0, 99), st.booleans(),
    st.sampled_from(["", "元", "万", "万元"]), st.booleans(), st.sampled_from(["", "￥", "¥"]),
    st.sampled_from(["", " ", "\u3000"]),
)


def _outcome(read: Any, text: Any) -> tuple[str, Any]:
    try:
        return "ok", read(text)
    except FieldError:
        return "refused", None


@settings(max_examples=400, deadline=None)
@given(amount_texts | st.text(max_size=12) | st.floats(allow_nan=True, allow_infinity=True) | st.integers())
def test_the_editor_and_the_import_read_every_amount_alike(text: Any) -> None:
    """Whatever the import takes (a cell, no unit) the editor takes as the same 分, and what it
    refuses the editor refuses."""
    imported = _outcome(lambda t: _money(t, ""), text)
    typed = _outcome(AMOUNT.parse, text)
    assert imported == typed, (text, imported, typed)


DAY = Field("date", "日期", Kind.DATE)
date_texts = st.builds(
    lambda day, form, wide: (form.format(y=day.year, m=day.month, d=day.day, mm=f"{day.month:02d}",
                                         dd=f"{day.day:02d}")).translate(FULL_WIDTH if wide else {}),
    st.dates(date(1950, 1, 1), date(2099, 12, 31)),
    st.sampled_from(["{y}-{mm}-{dd}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日", "{y}年{m}月{d}号",
                     "{y}{mm}{dd}", "{y}-{mm}-{dd} 00:00:00", " {y} 年 {m} 月 {d} 日 "]),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(date_texts | st.text(max_size=14))
def test_the_editor_and_the_import_read_every_date_alike(text: str) -> None:
    """A date the import reads from a cell the editor reads as the same day; what one refuses the
    other refuses. Only a date without its year (7月1日, as a ledger of one quarter writes it) is
    the import's alone: it takes the quarter's year, which a cell typed in the editor is not given."""
    from zwgk_desktop.io.importer import Column, _parse

    imported = _outcome(lambda t: _parse(Column(1, "日期", DAY), t, Q3), text)
    typed = _outcome(DAY.parse, text)
    if re.fullmatch(r"\s*\d{1,2}月\d{1,2}[日号]\s*", unicodedata.normalize("NFKC", text)):
        assert typed == ("refused", None)
        return
    assert imported == typed, (text, imported, typed)


def test_a_date_without_its_year_takes_the_quarters() -> None:
    from zwgk_desktop.io.importer import Column, _parse

    assert _parse(Column(1, "日期", DAY), "7月5日", Q3) == date(2026, 7, 5)
    assert _parse(Column(1, "日期", DAY), "８月２８号", Q3) == date(2026, 8, 28)


@pytest.mark.parametrize(("typed", "fen"), [("48.6万", 48_600_000), ("1,200元", 120_000), ("１２００", 120_000),
                                            ("￥1 234.50", 123_450), ("2.5万元", 2_500_000), ("0.01", 1)])
def test_amounts_as_clerks_type_them(typed: str, fen: int) -> None:
    assert AMOUNT.parse(typed) == fen == _money(typed, "")


def test_a_column_in_wan_yuan_and_a_cell_saying_so() -> None:
    assert _money(98.6, "万元") == 98_600_000 == _money("98.6万", "")
    assert _money("１０３．８", "万元") == 103_800_000
    with pytest.raises(FieldError, match="两位小数"):
        _money("0.0000001万", "")


def test_the_editor_shows_an_amount_as_it_reads_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QUndoStack

    from zwgk_desktop.ui.row_model import RowTableModel

    model = RowTableModel(ASSISTANCE, QUndoStack())
    model.add_rows(0, 2)
    column = [f.key for f in model.fields].index("monthly_amount")
    model.setData(model.index(0, column), "48.6万")
    model.setData(model.index(1, column), "1,200元")
    assert model.data(model.index(0, column)) == "486,000.00"
    assert model.data(model.index(1, column)) == "1,200.00"
    assert model.data(model.index(1, column), Qt.ItemDataRole.EditRole) == "1,200元"  # F2: as typed
    assert [r["monthly_amount"] for r in model.values()] == [48_600_000, 120_000]
    assert (0, column) not in model._cell_errors


# -- ledgers -------------------------------------------------------------------------------------------


def ledger(path: Path, *, opening: list[Any], lines: list[list[Any]], closing: list[Any] | None,
           footer: list[Any] | None = None) -> Path:
    rows: list[list[Any]] = [["柳树湾村2026年第三季度财务收支明细账"], ["单位：元"],
                             ["日期", "凭证号", "摘要", "收入", "支出", "余额"], opening, *lines]
    if closing:
        rows.append(closing)
    if footer:
        rows.append(footer)
    return save(path, rows)


TRANSACTIONS = [["2026-07-03", "记-001", "收到转移支付", 35000, None, 87300],
                ["2026-07-09", "记-002", "支付7月村干部基本报酬", None, 15079.8, 72220.2]]


@pytest.mark.parametrize("opening", [
    [None, None, "期初余额", None, None, 52300],  # in the 余额 column
    ["期初余额", None, None, 52300, None, None],  # label in the 日期 column, amount in 收入
    [None, "上期结转", None, None, None, "52,300.00"],  # in the 凭证号 column, as text
])
def test_the_opening_balance_wherever_the_ledger_puts_it(tmp_path: Path, opening: list[Any]) -> None:
    plan = plan_import(ledger(tmp_path / "l.xlsx", opening=opening, lines=TRANSACTIONS, closing=None), "finance", Q3)
    assert plan.ok, plan.errors
    assert len(plan.item.rows) == 2 and plan.source_rows == [5, 6]
    assert plan.item.fields["opening_balance"] == 5_230_000
    assert plan.item.fields["closing_balance"] == 5_230_000 + 3_500_000 - 1_507_980  # computed: absent from the file


def test_a_closing_balance_is_compared_and_a_wrong_one_names_its_row(tmp_path: Path) -> None:
    opening = [None, None, "期初余额", None, None, 52300]
    right = plan_import(ledger(tmp_path / "r.xlsx", opening=opening, lines=TRANSACTIONS,
                               closing=[None, None, "期 末 余 额", None, None, 72220.2]), "finance", Q3)
    assert right.ok and right.item.fields["closing_balance"] == 7_222_020
    wrong = plan_import(ledger(tmp_path / "w.xlsx", opening=opening, lines=TRANSACTIONS,
                               closing=[None, None, "期末余额", None, None, 72200.2]), "finance", Q3)
    assert [str(p) for p in wrong.errors] == [
        "第7行 F列“余额”：表中期末余额 72,200.20 与计算的不符："
        "期初余额加上面各行的收入、减支出应为 72,220.20（差 -20.00）"]


TOTAL_WORDS = ["本月合计", "本季合计", "本年累计", "累计", "合计", "期末余额", "小计", "承上页", "过次页", "7月合计",
               "本页小计"]


def spaced(word: str, gap: str) -> str:
    return gap.join(word)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(TOTAL_WORDS), column=st.integers(0, 5), gap=st.sampled_from(["", " ", "  ", "\u3000"]),
       wide=st.booleans())
def test_a_sum_line_is_skipped_wherever_its_label_stands(tmp_path: Path, word: str, column: int, gap: str,
                                                         wide: bool) -> None:
    label = spaced(word, gap).translate(str.maketrans("0123456789", "０１２３４５６７８９") if wide else {})
    total: list[Any] = [None, None, None, 35000, None, 87300]  # the sums, and the balance there
    total[column] = label
    lines = [TRANSACTIONS[0], total, TRANSACTIONS[1]]
    path = ledger(tmp_path / f"t{column}.xlsx", opening=[None, None, "期初余额", None, None, 52300], lines=lines,
                  closing=None)
    plan = plan_import(path, "finance", Q3)
    assert plan.ok, (label, [str(p) for p in plan.errors])
    assert plan.source_rows == [5, 7] and 6 in plan.skipped


FOOTERS = ["制表人：王秀英", "审核人：李建国", "会计：张三", "日期：2026年9月30日", "填表日期：2026年9月28日",
           "村委会（盖章）", "制表人：王秀英　　　审核人：李建国　　　填表日期：2026年9月28日", "村民委员会（公章）",
           "说明：以上为本季度全部收支"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.sampled_from(FOOTERS), first=st.integers(1, 6), width=st.integers(1, 6), where=st.sampled_from(
    ["ledger", "roster"]))
def test_a_footer_line_is_never_read_as_a_row(tmp_path: Path, text: str, first: int, width: int, where: str) -> None:
    """Any line whose only text is a label line (merged across the table or not, in any column)
    under the data is no row: not "户主姓名太长 36 个字"."""
    last = min(6, first + width - 1)
    span = f"{'ABCDEF'[first - 1]}{{row}}:{'ABCDEF'[last - 1]}{{row}}"
    if where == "ledger":
        rows = [["日期", "凭证号", "摘要", "收入", "支出", "余额"], *TRANSACTIONS]
    else:
        rows = [["组别", "户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额"],
                ["3组", "张建国", an_id(1), 2, "农村低保", 1120]]
    footer: list[Any] = [None] * 6
    footer[first - 1] = text
    rows.append(footer)
    merged = [span.format(row=len(rows))] if last > first else []
    path = save(tmp_path / f"f{first}{width}{where}.xlsx", rows, merged)
    plan = plan_import(path, "finance" if where == "ledger" else "assistance", Q3)
    assert plan.ok, [str(p) for p in plan.errors]
    assert len(plan.item.rows) == len(rows) - 2 and len(rows) not in plan.source_rows


def test_a_row_with_a_label_like_summary_and_an_amount_is_still_a_row(tmp_path: Path) -> None:
    path = save(tmp_path / "r.xlsx", [["日期", "凭证号", "摘要", "支出"], ["2026-07-02", None, "报销：差旅费", 1200]])
    plan = plan_import(path, "finance", Q3)
    assert [r["summary"] for r in plan.item.rows] == ["报销：差旅费"]


# -- the township's words, its own columns and values for the whole file ----------------------------------


def roster(path: Path, *, extra: dict[str, list[Any]] | None = None, kind: str | None = "农村低保",
           rows: int = 3) -> Path:
    header = ["组别", "户主姓名", "身份证号", "保障人口", *(["救助类别"] if kind else []), "月保障金额"]
    lines = [[f"{n % 3 + 1}组", f"张{'建国秀英德明'[n]}", an_id(n), 2, *([kind] if kind else []), 1120]
             for n in range(rows)]
    for column, values in (extra or {}).items():
        header.append(column)
        for line, value in zip(lines, values, strict=True):
            line.append(value)
    return save(path, [header, *lines])


def test_a_column_the_category_lacks_is_kept_private_with_its_header(tmp_path: Path) -> None:
    plan = plan_import(roster(tmp_path / "r.xlsx", extra={"分类施保": ["A类", "B类", None], "序号": [1, 2, 3]}),
                       "assistance", Q3)
    assert plan.ok and plan.notes == ["分类施保"]
    assert [r.get("note") for r in plan.item.rows] == ["分类施保：A类", "分类施保：B类", None]
    assert not ASSISTANCE.row_field("note").public


def test_a_category_may_refuse_columns_it_lacks_by_name(tmp_path: Path) -> None:
    text = ASSISTANCE.text.replace('unknown_columns = "note"', 'unknown_columns = "refuse"')
    categories.install({"assistance": category_from_toml(text, "refusing.category.toml")})
    try:
        with pytest.raises(BadInput) as told:
            plan_import(roster(tmp_path / "r.xlsx", extra={"分类施保": ["A类", "B类", "C类"]}), "assistance", Q3)
        assert "G列“分类施保”" in told.value.message and "没有的列" in told.value.message
    finally:
        categories.install({})


@pytest.mark.parametrize(("text", "told"), [
    ('unknown_columns = "keep"', "unknown_columns"),
    ('unknown_columns = "note"', "note"),  # a category without a private `note` text field
])
def test_a_bad_unknown_columns_setting_is_refused_naming_the_key(text: str, told: str) -> None:
    source = FINANCE.text.replace("[import]\n", f"[import]\n{text}\n")
    with pytest.raises(BadInput) as error:
        category_from_toml(source, "x.category.toml")
    assert any(p.field == "import.unknown_columns" and told in (p.field + p.message) for p in error.value.problems)


def test_a_township_vocabulary_extends_a_closed_list(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "assistance.vocabulary.toml").write_text('[vocabulary]\nkind = ["一类低保", "二类低保", "农村低保"]\n',
                                                       encoding="utf-8")
    found = categories.read_folder(folder)
    schema = found["assistance"]
    assert schema.row_field("kind").choices == (*ASSISTANCE.row_field("kind").choices, "一类低保", "二类低保")
    assert "一类低保" in schema.text  # a seal records the words with the category
    categories.install(found)
    try:
        plan = plan_import(roster(tmp_path / "r.xlsx", kind="一类低保"), "assistance", Q3)
        assert plan.ok and {r["kind"] for r in plan.item.rows} == {"一类低保"}
    finally:
        categories.install({})
    refused = plan_import(roster(tmp_path / "r2.xlsx", kind="一类低保"), "assistance", Q3)
    assert any("一类低保" in p.message and p.row == 2 for p in refused.errors)


@pytest.mark.parametrize(("text", "told"), [('[vocabulary]\nmethod = ["x"]\n', "method"),
                                            ('kind = ["x"]\n', "vocabulary")])
def test_a_bad_vocabulary_file_is_refused_naming_the_key(tmp_path: Path, text: str, told: str) -> None:
    (tmp_path / "assistance.vocabulary.toml").write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as error:
        categories.read_folder(tmp_path)
    assert told in str(error.value)


def test_a_value_for_the_whole_file(tmp_path: Path) -> None:
    plan = plan_import(roster(tmp_path / "r.xlsx", kind=None), "assistance", Q3, fixed={"救助类别": "特困供养"})
    assert plan.ok and {r["kind"] for r in plan.item.rows} == {"特困供养"}
    by_key = plan_import(roster(tmp_path / "r.xlsx", kind=None), "assistance", Q3, fixed={"kind": "特困供养"})
    assert by_key.item.rows == plan.item.rows


@pytest.mark.parametrize(("fixed", "told"), [
    ({"救助种类": "农村低保"}, "没有“救助种类”这一栏"),
    ({"救助类别": "五保"}, "“五保”不在可选项中"),
    ({"身份证号": an_id(5)}, "每户各不相同"),
    ({"月保障金额": "八百"}, "“八百”不是数字金额"),
])
def test_a_bad_whole_file_value_is_refused_naming_it(tmp_path: Path, fixed: dict[str, str], told: str) -> None:
    with pytest.raises(BadInput) as error:
        plan_import(roster(tmp_path / "r.xlsx", kind=None), "assistance", Q3, fixed=fixed)
    assert told in error.value.message and next(iter(fixed)) in error.value.message


def test_a_whole_file_value_the_file_also_gives_is_refused_as_ambiguous(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"E列“救助类别”.*重复"):
        plan_import(roster(tmp_path / "r.xlsx"), "assistance", Q3, fixed={"救助类别": "特困供养"})


def test_set_on_the_command_line_names_a_bad_field(demo_copy: Path, tmp_path: Path) -> None:
    run = run_zwgk("import", str(roster(tmp_path / "r.xlsx", kind=None)), "--db", str(demo_copy), "--village",
                   "donggang", "--period", "2026Q3", "--category", "assistance", "--set", "救助种类=农村低保",
                   cwd=tmp_path)
    assert run.code == 2 and "救助种类" in run.err and "Traceback" not in run.err
    run = run_zwgk("import", str(roster(tmp_path / "r.xlsx", kind=None)), "--db", str(demo_copy), "--village",
                   "donggang", "--period", "2026Q3", "--category", "assistance", "--set", "救助类别", cwd=tmp_path)
    assert run.code == 2 and "栏目=值" in run.err


# -- the same name twice ----------------------------------------------------------------------------------


def household(name: str, id_number: str | None, group: str = "3组") -> dict[str, Any]:
    return {"group": group, "head_name": name, "id_number": id_number, "household_size": 1, "kind": "农村低保",
            "monthly_amount": 100}


def test_the_same_name_is_told_only_when_the_id_matches_or_is_missing() -> None:
    # 身份证号 is required in the shipped 低保 list (a row without one is an error); a township's
    # category may make it optional, and then a missing one is no proof of two households.
    optional = ASSISTANCE.text.replace('type = "id_number"\n', 'type = "id_number"\nrequired = false\n', 1)
    schema = category_from_toml(optional, "optional-id.category.toml")

    def warnings(rows: list[dict[str, Any]]) -> list[str]:
        item = Item(category="assistance", period=Q3, title="t", rows=rows, publicity_start=date(2026, 10, 1))
        return [str(p) for p in validate(item, schema).warnings if "同名" in p.message]

    assert warnings([household("张建国", an_id(1)), household("张建国", an_id(2))]) == []
    assert warnings([household("张建国", an_id(1)), household("张建国", None)]) == [
        "第2行 户主姓名：与第1行同组同名，请核对是否同一户列了两次"]
    assert len(warnings([household("张建国", None), household("张建国", None)])) == 1
    assert len(warnings([household("张建国", an_id(1)), household("李秀英", an_id(2)),
                         household("张建国", an_id(1))])) == 1
    assert warnings([household("张建国", an_id(1), "1组"), household("张建国", None, "2组")]) == []


def test_a_roster_of_distinct_households_sharing_names_gives_no_warnings(tmp_path: Path) -> None:
    names = ["张建国", "李秀英", "王德明"]
    lines = [[f"{n % 2 + 1}组", names[n % 3], an_id(n), 1, "农村低保", 800] for n in range(150)]
    path = save(tmp_path / "r.xlsx", [["组别", "户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额"], *lines])
    plan = plan_import(path, "assistance", Q3)
    assert plan.ok and len(plan.item.rows) == 150 and plan.warnings == []


# -- messages name the sheet's row and the editor's -------------------------------------------------------


def test_a_problem_names_the_sheet_row_and_the_item_row(tmp_path: Path) -> None:
    rows = [["柳树湾村低保名单"], [], ["组别", "户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额"],
            ["3组", "张建国", an_id(1), 2, "农村低保", 1120], ["合计", None, None, 2, None, 1120],
            ["3组", "李秀英", an_id(2), 1, "农村低保", "八百元"]]
    plan = plan_import(save(tmp_path / "r.xlsx", rows), "assistance", Q3)
    [problem] = plan.errors
    assert (problem.row, problem.item_row) == (6, 2)
    assert re.search(r"第6行 F列“月保障金额” （明细第2行）：“八百元”不是数字金额", str(problem))


# -- in the app: the editor's own fields take amounts as the import does ---------------------------------


def test_the_editor_takes_wan_in_an_item_amount_and_shows_it_read(qtbot, window) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from PySide6.QtWidgets import QLineEdit
    from test_gui import open_item

    open_item(qtbot, window, "finance")
    editor = window.editor
    opening = editor._inputs["opening_balance"]
    assert isinstance(opening, QLineEdit)
    opening.setText("5.23万")  # as typed (QTest cannot type 万)
    opening.textEdited.emit("5.23万")
    assert editor.current_item().fields["opening_balance"] == 5_230_000  # read before it is shown read
    opening.editingFinished.emit()
    assert opening.text() == "52300.00"
    assert not any(p.field == "期初余额" for p in editor._form_problems)


def test_an_exported_note_column_and_new_unknown_columns_are_kept_together(tmp_path: Path) -> None:
    plan = plan_import(roster(tmp_path / "r.xlsx", extra={"其他信息": ["低保证号：DB01", None, None],
                                                         "分类施保": ["A类", "B类", None]}), "assistance", Q3)
    assert plan.ok and plan.notes == ["分类施保"]
    assert [r.get("note") for r in plan.item.rows] == ["低保证号：DB01；分类施保：A类", "分类施保：B类", None]


def test_an_opening_balance_that_does_not_read_names_its_cell(tmp_path: Path) -> None:
    plan = plan_import(ledger(tmp_path / "l.xlsx", opening=[None, None, "期初余额", None, None, "五万"],
                              lines=TRANSACTIONS, closing=None), "finance", Q3)
    assert [str(p) for p in plan.errors] == ["第4行 F列“余额”：“五万”不是数字金额"]


def test_the_wizards_whole_file_form_reads_the_file_again_with_the_value(qtbot, demo_copy: Path,  # type: ignore[no-untyped-def]
                                                                          tmp_path: Path) -> None:
    with _wizard_on(demo_copy, qtbot) as wizard:
        wizard.choose_category("assistance")
        with qtbot.waitSignal(wizard.planned, timeout=60_000) as planned:
            wizard.read(roster(tmp_path / "r.xlsx", kind=None))
        assert planned.args[0] is None  # 救助类别 is required and the file has no column for it
        assert "救助类别" in wizard.problems.item(0).text()
        wizard.fixed_field.setCurrentIndex(wizard.fixed_field.findText("救助类别"))
        wizard.fixed_value.setText("特困供养")
        with qtbot.waitSignal(wizard.planned, timeout=60_000) as planned:
            wizard.fixed_add.click()
        plan = planned.args[0]
        assert plan.ok and {r["kind"] for r in plan.item.rows} == {"特困供养"}
        assert "救助类别 = 特困供养" in wizard.fixed_shown.text() and wizard.import_button.isEnabled()


@contextmanager
def _wizard_on(demo_copy: Path, qtbot):  # type: ignore[no-untyped-def]
    """The import wizard on a copy of the demo, for its first village's 2026Q3."""
    from sqlalchemy import select

    from zwgk_desktop.db.models import Village
    from zwgk_desktop.ui import app as desktop
    from zwgk_desktop.ui.import_wizard import ImportWizard

    archive = desktop.open_archive(str(demo_copy))
    try:
        with archive.sessions() as session:
            village_id = session.scalars(select(Village.id).order_by(Village.id)).first()
        wizard = ImportWizard(archive, village_id, "2026Q3")
        qtbot.addWidget(wizard)
        yield wizard
    finally:
        archive.engine.dispose()


def test_the_wizards_file_chooser_offers_every_format_the_reader_takes(qtbot, demo_copy: Path,  # type: ignore[no-untyped-def]
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from zwgk_desktop.io.sheets import BOOK_SUFFIXES
    from zwgk_desktop.ui import import_wizard

    offered: list[str] = []
    monkeypatch.setattr(import_wizard.QFileDialog, "getOpenFileName",
                        lambda parent, caption, folder, filters: (offered.append(filters), ("", ""))[1])
    with _wizard_on(demo_copy, qtbot) as wizard:
        wizard._on_choose()
    patterns = offered[0].split(";;")[0].split("(")[1].rstrip(")").split()
    assert all(f"*{suffix}" in patterns for suffix in (*BOOK_SUFFIXES, ".csv"))
