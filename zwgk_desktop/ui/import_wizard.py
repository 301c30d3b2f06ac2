"""The import wizard: choose a spreadsheet, see what would be imported and everything wrong with it
(by row and column, in words), accept the warnings, import. Nothing is stored until the last
step, and nothing at all while any error remains."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.domain import money
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.fields import PRIVATE_KINDS, Field, Kind
from zwgk_desktop.domain.identity import mask_account, mask_id, mask_phone
from zwgk_desktop.domain.periods import parse_period
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.io.importer import ImportPlan
from zwgk_desktop.io.sheets import BOOK_SUFFIXES, cell_text
from zwgk_desktop.office import importing, items
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.ui.dialogs import show_error
from zwgk_desktop.ui.workers import Progress, Task, run_in_background

PREVIEW_ROWS = 200
PROBLEMS_SHOWN = 500  # of each kind: a file with thousands of mistakes has one mistake many times


def _masked(spec: Field, value: object) -> str:
    """Personal numbers are masked on screen, as everywhere in the app."""
    if not value:
        return ""
    text = str(value)
    return {Kind.ID_NUMBER: mask_id, Kind.MOBILE: mask_phone, Kind.ACCOUNT: mask_account}[spec.kind](text)
ERROR_BRUSH = QBrush(QColor("#fde2e1"))
WARNING_BRUSH = QBrush(QColor("#fff1c2"))


# Every kind of file the reader takes (io.sheets), so a .ods or WPS .et shows in the chooser.
SHEET_PATTERNS = " ".join(f"*{suffix}" for suffix in (*BOOK_SUFFIXES, ".csv", ".txt"))


class ImportWizard(QDialog):
    """Import a sheet into a village's quarter as a new draft item."""

    planned = Signal(object)  # the ImportPlan on screen
    imported = Signal(int)  # the new item's id

    def __init__(self, archive: Archive, village_id: int, period: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.village_id = village_id
        self.period = parse_period(period)  # a month, where the village discloses monthly
        self.plan: ImportPlan | None = None
        self.path: Path | None = None
        self.fixed: dict[str, str] = {}  # 整表统一填写: field label → value as typed, as `--set`
        self._reading = 0
        place = items.place_of_village(archive, village_id)
        self.village_name = place.village if place else "?"
        self.setWindowTitle("从 Excel 导入")
        self.resize(1100, 720)
        self._build()

    def _build(self) -> None:
        self.category = QComboBox()
        for code, spec in CATEGORIES.items():
            self.category.addItem(spec.name, code)
        self.choose = QPushButton("选择文件…")
        self.template = QPushButton("空白模板…")
        self.template.setToolTip("保存所选类别的空白表格：表头、示例行、下拉选项和填写说明都已备好，照着填再导入")
        self.file_label = QLabel("还没有选择文件（.xlsx、.xls 或 .csv）")
        top = QHBoxLayout()
        top.addWidget(QLabel(f"导入到：{self.village_name} {self.period.chinese}　类别"))
        top.addWidget(self.category)
        top.addWidget(self.choose)
        top.addWidget(self.template)
        top.addWidget(self.file_label, 1)
        # 整表统一填写: a value for every row (a roster that is all 农村低保), as `zwgk import --set`.
        self.fixed_field = QComboBox()
        self.fixed_value = QLineEdit()
        self.fixed_value.setPlaceholderText("值，如 农村低保")
        self.fixed_add = QPushButton("加上")
        self.fixed_clear = QPushButton("清除")
        self.fixed_shown = QLabel("")
        whole = QHBoxLayout()
        whole.addWidget(QLabel("整表统一填写："))
        whole.addWidget(self.fixed_field)
        whole.addWidget(self.fixed_value)
        whole.addWidget(self.fixed_add)
        whole.addWidget(self.fixed_clear)
        whole.addWidget(self.fixed_shown, 1)
        self._fill_fixed_fields()
        self._show_fixed()
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems = QListWidget()
        self.problems.setMaximumHeight(190)
        self.accept_warnings = QCheckBox("我已逐条核对以上提醒，仍要导入")
        self.accept_warnings.setVisible(False)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(whole)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.preview, 1)
        layout.addWidget(QLabel("问题（错误必须改正后重新导入；提醒核对后可以接受）："))
        layout.addWidget(self.problems)
        layout.addWidget(self.accept_warnings)
        layout.addWidget(self.buttons)
        self.choose.clicked.connect(self._on_choose)
        self.template.clicked.connect(self._on_template)
        self.category.currentIndexChanged.connect(self._on_category)
        self.fixed_add.clicked.connect(self._on_fixed_add)
        self.fixed_value.returnPressed.connect(self._on_fixed_add)
        self.fixed_clear.clicked.connect(self._on_fixed_clear)
        self.accept_warnings.toggled.connect(lambda _=False: self._update_button())
        self.import_button.clicked.connect(self.do_import)
        self.buttons.rejected.connect(self.reject)

    def _fill_fixed_fields(self) -> None:
        schema = CATEGORIES[self.category.currentData()]
        self.fixed_field.clear()
        for spec in (*schema.row_fields, *schema.item_fields):
            if spec.public and spec.kind not in (Kind.NAME, Kind.LONGTEXT):
                self.fixed_field.addItem(spec.label, spec.key)

    def _on_category(self, _: int = 0) -> None:
        self.fixed.clear()  # another category's fields
        self._fill_fixed_fields()
        self._show_fixed()
        if self.path:
            self.read(self.path)

    def set_whole_file(self, label: str, value: str) -> Task | None:
        """Give a field one value for every row, and read the file again (as `--set label=value`)."""
        self.fixed[label] = value
        self._show_fixed()
        return self.read(self.path) if self.path else None

    def _on_fixed_add(self) -> None:
        if self.fixed_field.currentIndex() >= 0 and self.fixed_value.text().strip():
            self.set_whole_file(self.fixed_field.currentText(), self.fixed_value.text().strip())
            self.fixed_value.clear()

    def _on_fixed_clear(self) -> None:
        self.fixed.clear()
        self._show_fixed()
        if self.path:
            self.read(self.path)

    def _show_fixed(self) -> None:
        self.fixed_shown.setText("；".join(f"{label} = {value}" for label, value in self.fixed.items())
                                 or "（不填：各行的值都从表中读）")

    def choose_category(self, code: str) -> None:
        self.category.setCurrentIndex(self.category.findData(code))

    def _on_choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择要导入的表格", str(Path.home()),
                                              f"表格 ({SHEET_PATTERNS});;所有文件 (*)")
        if path:
            self.read(Path(path))

    def _on_template(self) -> None:
        suggested = Path.home() / f"{CATEGORIES[self.category.currentData()].name}模板.xlsx"
        target, _ = QFileDialog.getSaveFileName(self, "保存空白模板", str(suggested), "Excel 工作簿 (*.xlsx)")
        if target:
            self.save_template(Path(target if target.endswith(".xlsx") else target + ".xlsx"))

    def save_template(self, target: Path) -> None:
        try:
            importing.template(self.category.currentData(), target)  # as `zwgk template`
        except ZwgkError as exc:
            show_error(self, "未能保存模板", exc)
            return
        self.file_label.setText(f"空白模板已保存到 {target}：填好后点“选择文件…”导入")

    # -- reading and checking (nothing stored) ---------------------------------------------------------
    def read(self, path: Path) -> Task:
        self.path, self.plan = path, None
        self._reading += 1
        reading = self._reading  # a newer read (another file or category) makes this one's result moot
        self.file_label.setText(str(path))
        code, period, village_id, archive = self.category.currentData(), self.period, self.village_id, self.archive
        fixed = dict(self.fixed)
        progress = Progress(self)
        progress.moved.connect(self._on_progress)

        def work() -> ImportPlan:  # what `zwgk import` does before it stores anything
            return importing.plan(archive, path, code, period, village_id, progress=progress.report, fixed=fixed)

        self.progress.setVisible(True)
        self.summary.setText("正在读取和检查……")
        self.import_button.setEnabled(False)
        def done(plan: ImportPlan) -> None:
            if reading == self._reading:
                self._show(plan)

        def failed(error: BaseException) -> None:
            if reading == self._reading:
                self._on_unreadable(error)

        return run_in_background(work, on_done=done, on_error=failed)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _on_unreadable(self, error: BaseException) -> None:
        self.progress.setVisible(False)
        self.preview.setRowCount(0)
        self.problems.clear()
        entry = QListWidgetItem(f"错误：{error}")
        entry.setForeground(Qt.GlobalColor.darkRed)
        self.problems.addItem(entry)
        self.summary.setText("这个文件不能导入：")
        self.planned.emit(None)

    def _show(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.progress.setVisible(False)
        bad_rows, odd_rows = plan.rows_named(plan.errors), plan.rows_named(plan.warnings)
        shown = plan.item.rows[:PREVIEW_ROWS]
        self.preview.clear()
        self.preview.setColumnCount(len(plan.columns))
        self.preview.setHorizontalHeaderLabels([c.header for c in plan.columns])
        self.preview.setRowCount(len(shown))
        # The sheet's row as Excel shows it, and the row as the editor will number it.
        self.preview.setVerticalHeaderLabels([f"第{n}行（明细{m}）" for m, n in
                                              enumerate(plan.source_rows[:PREVIEW_ROWS], start=1)])
        for index, row in enumerate(shown):
            source = plan.source_rows[index]
            for column, spec in enumerate(plan.columns):
                key = spec.field.key
                if key in row:
                    value = row[key]
                    text = _masked(spec.field, value) if spec.field.kind in PRIVATE_KINDS else \
                        spec.field.to_text(value) if value is not None else ""
                else:  # the cell did not read: show it as found, so the clerk sees what to fix
                    text = cell_text(plan.raw[index].get(key))[:60]
                    if spec.field.kind in PRIVATE_KINDS:
                        text = _masked(spec.field, text)  # a wrong number is one digit from a real one
                cell = QTableWidgetItem(text)
                if source in bad_rows:
                    cell.setBackground(ERROR_BRUSH)
                elif source in odd_rows:
                    cell.setBackground(WARNING_BRUSH)
                self.preview.setItem(index, column, cell)
        self.preview.resizeColumnsToContents()
        self.problems.clear()
        for label, problems, colour in (("错误", plan.errors, Qt.GlobalColor.darkRed),
                                        ("提醒", plan.warnings, Qt.GlobalColor.darkYellow),
                                        ("导入后还需补填", plan.to_complete, Qt.GlobalColor.darkGray)):
            for problem in problems[:PROBLEMS_SHOWN]:
                entry = QListWidgetItem(f"{label}：{problem}")
                entry.setForeground(colour)
                self.problems.addItem(entry)
        more = f"（预览前 {PREVIEW_ROWS} 行）" if len(plan.item.rows) > PREVIEW_ROWS else ""
        verdict = (f"有 {len(plan.errors)} 处错误，不能导入：请在表格中改正后重新选择文件" if plan.errors
                   else f"没有错误；{len(plan.warnings)} 条提醒" if plan.warnings else "没有发现问题，可以导入")
        kept = (f"表中{len(plan.notes)}列（{'、'.join(plan.notes[:6])}）存入不公开的“其他信息”。"
                if plan.notes else "")
        passed = f"合计、期初/期末余额和表尾共 {len(plan.skipped)} 行不作明细。" if plan.skipped else ""
        schema = CATEGORIES[plan.category]
        amounts = "、".join(f"{f.label} {money.format_fen(plan.item.fields[f.key])}" for f in schema.item_fields
                           if f.kind is Kind.MONEY and isinstance(plan.item.fields.get(f.key), int))
        passed += f"{amounts}。" if amounts else ""
        self.summary.setText(f"{plan.file}，工作表“{plan.sheet}”，表头在第{plan.header_row}行，"
                             f"读到 {len(plan.item.rows)} 行{more}。{passed}{kept}{verdict}。")
        self.accept_warnings.setChecked(False)
        self.accept_warnings.setVisible(plan.ok and bool(plan.warnings))
        self._update_button()
        self.planned.emit(plan)

    def _update_button(self) -> None:
        plan = self.plan
        self.import_button.setEnabled(plan is not None and plan.ok
                                      and (not plan.warnings or self.accept_warnings.isChecked()))

    # -- storing -----------------------------------------------------------------------------------------
    def do_import(self) -> Task | None:
        plan = self.plan
        if plan is None or not self.import_button.isEnabled():
            return None
        archive, village_id = self.archive, self.village_id
        accepted = not plan.warnings or self.accept_warnings.isChecked()

        def work() -> int:  # backed up first, as `zwgk import`
            return importing.store(archive, plan, village_id, warnings_accepted=accepted).item_id

        self.import_button.setEnabled(False)
        self.summary.setText("正在导入……")
        return run_in_background(work, on_done=self._on_imported, on_error=self._on_failed)

    def _on_failed(self, error: BaseException) -> None:
        show_error(self, "未能导入", error)
        self._update_button()

    def _on_imported(self, item_id: int) -> None:
        self.imported.emit(item_id)
        self.accept()
