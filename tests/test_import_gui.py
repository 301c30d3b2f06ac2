"""The import wizard and the export, driven in the app as a clerk would."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from test_gui import window  # noqa: F401  (the fixture)

from zwgk_desktop.ui.main_window import MainWindow

BAD = Path(__file__).resolve().parent / "data" / "bad"


def test_a_file_with_mistakes_shows_them_and_imports_nothing(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window.navigator.select_place(1, "2026Q3")
    assert window.import_action.isEnabled()
    wizard = window.import_wizard()
    qtbot.addWidget(wizard)
    wizard.choose_category("assistance")
    with qtbot.waitSignal(wizard.planned, timeout=20000) as planned:
        wizard.read(BAD / "negative_amount.xlsx")
    plan = planned.args[0]
    assert plan.errors and not wizard.import_button.isEnabled()
    texts = [wizard.problems.item(i).text() for i in range(wizard.problems.count())]
    assert any("第4行" in t and "F列" in t and "负数" in t for t in texts)
    assert "不能导入" in wizard.summary.text()
    with qtbot.waitSignal(wizard.planned, timeout=20000) as planned:
        wizard.read(BAD / "corrupt.xlsx")
    assert planned.args[0] is None and "无法读取" in wizard.problems.item(0).text()


def test_export_then_import_in_the_app(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from test_gui import open_item

    open_item(qtbot, window, "assistance")
    target = tmp_path / "list.xlsx"
    with qtbot.waitSignal(window.rows_exported, timeout=30000):
        window.export_rows(target)
    assert load_workbook(target)["明细"].max_row == 2 + 320
    window.navigator.select_place(1, "2026Q3")
    wizard = window.import_wizard()
    qtbot.addWidget(wizard)
    wizard.choose_category("assistance")
    with qtbot.waitSignal(wizard.planned, timeout=30000) as planned:
        wizard.read(target)
    plan = planned.args[0]
    assert plan.ok and len(plan.item.rows) == 320
    if plan.warnings:
        assert not wizard.import_button.isEnabled()
        wizard.accept_warnings.setChecked(True)
    assert wizard.import_button.isEnabled()
    with qtbot.waitSignal(window.preview.rendered, timeout=30000), qtbot.waitSignal(wizard.imported) as imported:
        wizard.do_import()
    assert window.editor is not None and window.editor.item is not None
    assert window.editor.item.id == imported.args[0] and window.editor.model.rowCount() == 320


def test_a_blank_template_from_the_wizard_and_wrong_numbers_masked(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from zwgk_desktop.domain.identity import id_check_char

    window.navigator.select_place(1, "2026Q3")
    wizard = window.import_wizard()
    qtbot.addWidget(wizard)
    wizard.choose_category("assistance")
    template = tmp_path / "低保模板.xlsx"
    wizard.save_template(template)
    assert "空白模板已保存" in wizard.file_label.text()
    book = load_workbook(template)
    assert "填写说明" in book.sheetnames
    sheet = book["明细"]
    first17 = "41012219650812001"
    wrong = first17 + str((int(id_check_char(first17)) + 1) % 10 if id_check_char(first17) != "X" else 0)
    sheet.append(["1组", "王建国", wrong, 2, "农村低保", 600])
    book.save(template)
    with qtbot.waitSignal(wizard.planned, timeout=20000) as planned:
        wizard.read(template)
    assert planned.args[0].errors  # the checksum is wrong
    shown = [wizard.preview.item(r, c).text() for r in range(wizard.preview.rowCount())
             for c in range(wizard.preview.columnCount())]
    assert wrong not in shown and any(text.startswith("410122") and "*" in text for text in shown)
