"""A cell that shows an error instead of a value is never imported as one, in any column of any
category: an error cell (#N/A, #DIV/0!, #REF! …, with or without its formula) and a number no
spreadsheet can hold (`<v>inf</v>`, NaN, 1e999: only a file written by hand or by a faulty tool
holds one). Each is refused naming its sheet row and column and what the cell shows; before, a
#N/A in a text column was imported as the text "#N/A" and an infinite ID number crashed the
import with OverflowError."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain.categories import CATEGORIES, category
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.io.importer import plan_import
from zwgk_desktop.io.sheets import CellError, column_letter
from zwgk_desktop.io.workbook import write_workbook

Q3 = Quarter(2026, 3)
EXAMPLE = "&#65288;&#31034;&#20363;&#65289;"  # （示例）, as openpyxl writes it in inline strings

# (what the cell holds in the sheet XML, what the spreadsheet shows)
BAD_CELLS = [
    ('t="e"><v>#N/A</v>', "#N/A"),
    ('t="e"><f>1/0</f><v>#DIV/0!</v>', "#DIV/0!"),
    ('t="e"><v>#REF!</v>', "#REF!"),
    ('t="e"><f>A1+</f><v>#NAME?</v>', "#NAME?"),
    ("><v>inf</v>", "#NUM!"),
    ('t="n"><v>NaN</v>', "#NUM!"),
    ("><v>-Infinity</v>", "#NUM!"),
    ("><v>1e999</v>", "#NUM!"),
]


def _with_cell(template: Path, out: Path, part: str, ref: str, body: str, example: bool = True) -> None:
    """The template with the cell `ref` of `part` replaced (and, in the 明细 sheet, its example line
    made an ordinary line, so it is read)."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                xml = data.decode()
                if example:
                    xml = xml.replace(EXAMPLE, "")
                xml, count = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', f'<c r="{ref}" {body}</c>', xml,
                                     count=1)
                if not count:  # an empty cell openpyxl did not write: put it at the row's end
                    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    xml = re.sub(rf'(<row r="{row}"[^>]*>.*?)(</row>)', rf'\1<c r="{ref}" {body}</c>\2', xml,
                                 count=1)
                data = xml.encode()
            target.writestr(info, data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), code=st.sampled_from(sorted(CATEGORIES)), bad=st.sampled_from(BAD_CELLS))
def test_a_cell_showing_an_error_is_refused_in_any_column(data: st.DataObject, code: str,
                                                           bad: tuple[str, str], tmp_path: Path) -> None:
    template = tmp_path / f"{code}.xlsx"
    if not template.exists():
        write_workbook(code, template)
    fields = category(code).row_fields
    column = data.draw(st.integers(1, len(fields)), label="column")
    ref = f"{column_letter(column)}3"
    body, shown = bad
    sheet = tmp_path / f"{code}_{column}_bad.xlsx"
    _with_cell(template, sheet, "xl/worksheets/sheet1.xml", ref, body)

    plan = plan_import(sheet, code, Q3)

    said = [str(p) for p in plan.errors]
    named = [s for s in said if s.startswith(f"第3行 {column_letter(column)}列") and shown in s and "错误值" in s]
    assert named, said
    assert not plan.ok
    for row in plan.item.rows:  # what a row was given is no error's text
        assert not any(isinstance(v, str) and v == shown for v in row.values()), row


def test_the_same_line_without_the_error_imports(tmp_path: Path) -> None:
    """The lines above are refused for the error cell alone: the template's example line, made an
    ordinary line, reads without a problem in every category."""
    for code in sorted(CATEGORIES):
        template = tmp_path / f"{code}.xlsx"
        write_workbook(code, template)
        sheet = tmp_path / f"{code}_plain.xlsx"
        _with_cell(template, sheet, "xl/worksheets/sheet1.xml", "ZZ9", "/>")  # no such cell: nothing changed
        plan = plan_import(sheet, code, Q3)
        assert not [p for p in plan.errors if p.row == 3 and "错误值" in str(p)], (code, plan.errors)
        assert len(plan.item.rows) == 1, code


def test_an_error_in_the_item_sheet_is_refused_naming_its_label(tmp_path: Path) -> None:
    template = tmp_path / "finance.xlsx"
    write_workbook("finance", template)
    sheet = tmp_path / "finance_info.xlsx"
    _with_cell(template, sheet, "xl/worksheets/sheet2.xml", "B2", 't="e"><v>#VALUE!</v>', example=False)
    plan = plan_import(sheet, "finance", Q3)
    assert any("错误值（#VALUE!）" in str(p) and p.row == 2 for p in plan.errors), plan.errors


def test_an_error_cell_keeps_what_it_shows() -> None:
    assert CellError("#N/A") == "#N/A" and isinstance(CellError("#N/A"), str)
