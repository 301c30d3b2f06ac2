"""The township's dashboard: for a quarter, every village × category on time, late, missing or not
required (from the sealed archive, against the catalogue), exported to xlsx for the report
upward, and the quarter's boards printed for all villages or a chosen set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.domain.catalogue import (
    LATE,
    MISSING,
    NOT_DUE,
    NOT_REQUIRED,
    ON_TIME,
    STATUS_NAMES,
    Compliance,
    load_catalogue,
)
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.io.status_sheet import arrival_text
from zwgk_desktop.office.browsing import list_archive, township_of
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.printing import A3, PAPERS, BatchResult, Paper, VillageResult, print_villages
from zwgk_desktop.office.township import StatusTable, status_table, write_status_xlsx
from zwgk_desktop.render.layout import PAPER_MM
from zwgk_desktop.ui.dialogs import cancellable_progress, show_error
from zwgk_desktop.ui.workers import Cancelled, Task, run_in_background

COLOURS = {ON_TIME: "#e3f4e1", LATE: "#fff1c2", MISSING: "#fde2e1", NOT_REQUIRED: "#f1f1f1", NOT_DUE: "#e8eef6"}


class Dashboard(QMainWindow):
    """One quarter of the township at a glance."""

    shown = Signal(object)  # the Compliance on screen
    placeRequested = Signal(int, str)  # village id, period: open that village's quarter
    printed = Signal(object)  # BatchResult

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.catalogue = load_catalogue(archive.layouts.folder)
        self.status: StatusTable | None = None
        self.table_data: Compliance | None = None
        self.village_ids: list[int] = []
        self.setWindowTitle("公开情况（乡镇）")
        self.resize(1366, 768)
        self._build()
        self._fill_periods()

    def _formats_paper(self) -> str:
        """What the first choice prints on: the paper the township's formats set ("A3", "A4",
        "A3 和 A4"), not always A3; A3 when the formats cannot be read (said when printing)."""
        try:
            named = {lay.paper for lay in self.archive.layouts.layouts}
        except ZwgkError:
            return "A3"
        return " 和 ".join(name for name in PAPER_MM if name in named) or "A3"

    def _build(self) -> None:
        self.period = QComboBox()
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setToolTip("写出公开情况表（含明细），供上报")
        self.print_button = QPushButton("批量打印本季度…")
        self.print_button.setToolTip("打印所选的村（不选则全部村）本季度的公开栏海报")
        # The township's printer: A3, or A4 (each A3 sheet tiled on two A4, or the A4 editions).
        self.paper = QComboBox()
        for paper in PAPERS:
            self.paper.addItem(f"纸张：{self._formats_paper() if paper == A3 else paper.name}", paper)
        self.paper.setToolTip("A4 两张拼一张：每张 A3 按原大印在两张 A4 上，剪齐拼贴；A4 版式：按 A4 重排，验证码不变")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("季度"))
        bar.addWidget(self.period)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        bar.addWidget(self.paper)
        bar.addWidget(self.print_button)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        legend = QLabel("  ".join(f'<span style="background:{COLOURS[s]}">&nbsp;{STATUS_NAMES[s]}&nbsp;</span>'
                                  for s in STATUS_NAMES)
                        + "　依据：已封存的事项与公开目录；按时与否以程序记录的首次打印或导出时间为准"
                          "（无记录的以封存时间为准），填写的公示开始早于它的标“补登”；逾期按法定工作日计。"
                          "双击一行打开该村本季度。")
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setWordWrap(True)  # the rule it states is long; a narrow window wraps it
        self.grid = QTableWidget(0, 0)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.verticalHeader().setDefaultSectionSize(30)
        self.rules = QLabel("")
        self.rules.setWordWrap(True)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.rules)
        self.setCentralWidget(central)
        self.period.currentIndexChanged.connect(lambda _=0: self.refresh())
        self.export_button.clicked.connect(self._on_export)
        self.print_button.clicked.connect(self._on_print)
        self.grid.cellDoubleClicked.connect(self._on_double_click)
        for button in (self.export_button, self.print_button):
            button.setEnabled(False)  # until a table is shown

    def _fill_periods(self) -> None:
        listing = list_archive(self.archive)
        periods = {period for village in listing.villages for period in village.periods}
        day = self._publication_day()
        # Recent quarters too, items or not: a quarter where nothing was posted is what the report
        # must show (all 未公开), and a new township has no items at all yet.
        recent = Quarter.containing(date.today())
        for _ in range(8):
            periods.add(str(recent))
            recent = recent.previous()
        self.rules.setText("公开目录：" + "；".join(
            f"{CATEGORIES[r.category].name}：{r.describe(day)}" for r in self.catalogue.requirements))
        self.period.blockSignals(True)
        for period in sorted(periods, reverse=True):
            self.period.addItem(Quarter.parse(period).chinese, period)
        self.period.blockSignals(False)
        if periods:
            self.refresh()

    def _publication_day(self) -> int:
        found = township_of(self.archive)
        return found[1] if found else 10

    def choose(self, period: str) -> None:
        self.period.setCurrentIndex(self.period.findData(period))

    # -- the table ----------------------------------------------------------------------------------
    def refresh(self) -> Task | None:
        period = self.period.currentData()
        if not period:
            return None
        archive = self.archive
        self.summary.setText("正在统计…")
        return run_in_background(lambda: status_table(archive, Quarter.parse(period)), on_done=self._show,
                                 on_error=lambda exc: show_error(self, "无法统计", exc))

    def _show(self, status: StatusTable) -> None:
        if str(status.table.period) != self.period.currentData():
            # The answer to an earlier choice, arriving after the quarter was changed: shown, it
            # would be what 批量打印 prints (the quarter the clerk left, not the one on screen).
            return
        self.status, table, self.village_ids = status, status.table, list(status.village_ids)
        self.table_data = table
        self.grid.clear()
        arrivals = bool(table.arrived)  # at the township: when each village's bundle arrived
        self.grid.setColumnCount(len(table.categories) + 1 + arrivals)
        self.grid.setRowCount(len(table.rows))
        self.grid.setHorizontalHeaderLabels([CATEGORIES[c].name for c in table.categories] + ["异议"]
                                            + (["档案包到达"] if arrivals else []))
        self.grid.setVerticalHeaderLabels([name for name, _, _ in table.rows])
        for row, (_, code, cells) in enumerate(table.rows):
            objections = QTableWidgetItem(table.objection_text(code))
            objections.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if table.objections.get(code, (0, 0, 0))[1]:  # one past due without a reply
                objections.setBackground(QBrush(QColor(COLOURS[LATE])))
            self.grid.setItem(row, len(table.categories), objections)
            if arrivals:
                arrived = QTableWidgetItem(arrival_text(table.arrived.get(code)) or "—")
                arrived.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.grid.setItem(row, len(table.categories) + 1, arrived)
            for column, code in enumerate(table.categories):
                cell = cells[code]
                entry = QTableWidgetItem(cell.text)
                entry.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                entry.setBackground(QBrush(QColor(COLOURS[cell.status])))
                entry.setToolTip(cell.note or cell.text)
                self.grid.setItem(row, column, entry)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        counts = table.counts()
        self.summary.setText(f"{table.period.chinese}：{len(table.rows)} 个村 × {len(table.categories)} 类；"
                             + "，".join(f"{STATUS_NAMES[s]} {n}" for s, n in counts.items()) + table.calendar)
        for button in (self.export_button, self.print_button):
            button.setEnabled(True)
        self.shown.emit(table)

    def _on_double_click(self, row: int, _column: int) -> None:
        if self.table_data is not None and 0 <= row < len(self.village_ids):
            self.placeRequested.emit(self.village_ids[row], str(self.table_data.period))

    # -- exporting and printing -------------------------------------------------------------------------
    def _on_export(self) -> None:
        if self.table_data is None:
            return
        target, _ = QFileDialog.getSaveFileName(self, "导出公开情况表", f"公开情况-{self.table_data.period}.xlsx",
                                                "Excel 工作簿 (*.xlsx)")
        if target:
            self.export(Path(target if target.endswith(".xlsx") else target + ".xlsx"))

    def export(self, target: Path) -> None:
        assert self.status is not None
        try:
            write_status_xlsx(self.status, target)
        except Exception as exc:  # told in words, as everywhere in the app
            show_error(self, "未能导出", exc)
            return
        self.statusBar().showMessage(f"已导出 {target}", 8000)

    def _chosen_villages(self) -> list[tuple[str, str]]:
        assert self.table_data is not None
        rows = sorted({index.row() for index in self.grid.selectedIndexes()}) or range(len(self.table_data.rows))
        return [(self.table_data.rows[r][0], self.table_data.rows[r][1]) for r in rows]

    def _on_print(self) -> None:
        if self.table_data is None:
            return
        villages = self._chosen_villages()
        answer = QMessageBox.question(
            self, "批量打印", f"打印 {len(villages)} 个村 {self.table_data.period.chinese} 的公开栏"
            f"（{self.paper.currentData().name}）。\n\n"
            "“是”：合成一个 PDF，一次打印；“否”：每村一个 PDF，放在一个文件夹里。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Cancel:
            return
        if answer == QMessageBox.StandardButton.Yes:
            target, _ = QFileDialog.getSaveFileName(self, "保存为", f"公开栏-{self.table_data.period}.pdf",
                                                    "PDF (*.pdf)")
            if target:
                self.print_boards(villages, Path(target), one_file=True)
        else:
            folder = QFileDialog.getExistingDirectory(self, "每村一个 PDF，放在哪个文件夹")
            if folder:
                self.print_boards(villages, Path(folder), one_file=False)

    def print_boards(self, villages: list[tuple[str, str]], out: Path, *, one_file: bool,
                     paper: Paper | None = None) -> Task:
        """Render the boards in separate processes, with progress and 取消, for `paper` (the
        paper chosen beside the button, when not given)."""
        assert self.table_data is not None
        archive, period = self.archive, self.table_data.period
        paper = paper or self.paper.currentData()
        progress, dialog = cancellable_progress(self, "正在打印…", "批量打印")

        def work() -> BatchResult:
            def told(done: int, total: int, _village: VillageResult) -> None:
                progress.moved.emit(done, total)

            # The workers reopen the archive in its mode: a read-only one prints too.
            return print_villages(archive, period, villages, out, one_file=one_file, progress=told,
                                  cancelled=lambda: progress.cancelled, paper=paper)

        def finished(result: BatchResult) -> None:
            dialog.reset()
            text = f"{'已取消。' if result.cancelled else ''}已打印 {len(result.printed)} 个村，{result.said}"
            drafts = [v.village for v in result.villages if v.drafts and v.path is not None]
            if drafts:
                text += f"；{'、'.join(drafts)}有未经审核的事项，已印“草稿”字样，不得张贴"
            if result.printed and not result.recorded:
                text += "；档案只读，没有记下首次公开的时间"
            self.statusBar().showMessage(text, 12000)
            unprinted = [v for v in result.villages if v.path is None and v.problem != "已取消"]
            if unprinted:  # each village's own reason: no items, no online address, …
                QMessageBox.information(self, "有的村没有打印", text + "。\n\n没有打印的村：\n"
                                        + "\n".join(f"{v.village}：{v.problem}" for v in unprinted))
            self.printed.emit(result)

        def failed(error: BaseException) -> None:
            dialog.reset()
            if not isinstance(error, Cancelled):
                show_error(self, "未能打印", error)

        return run_in_background(work, on_done=finished, on_error=failed)
