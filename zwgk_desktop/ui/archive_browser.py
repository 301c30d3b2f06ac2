"""The archive browser: every sealed item, filtered and searched; its sheets exactly as printed;
its versions and, side by side, what a correction changed; and a verify button with the result
in words, which also compares the archive with its seals as published elsewhere (an online copy's
folder, a seals.json, a bundle: 与公布件核对). The auditor's main view (`zwgk-desktop --read-only`),
and open to clerks too."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.archive import browse
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.errors import Problem
from zwgk_desktop.office.browsing import sealed_filters, sealed_item, sealed_items
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.sealing import Compared, compare_with_published, verify_archive
from zwgk_desktop.render.correction import Change
from zwgk_desktop.render.sheet_papers import papers_of, sheets_said
from zwgk_desktop.ui.dialogs import show_error
from zwgk_desktop.ui.photo_panel import PhotoPanel
from zwgk_desktop.ui.workers import Task, run_in_background

_COLUMNS = ("村", "季度", "类别", "标题", "验证码", "版本", "封存日期", "件号")
_GOOD = "background: #e3f4e1; color: #1d5e20; padding: 6px; font-weight: bold;"
_BAD = "background: #fde2e1; color: #8a1c17; padding: 6px; font-weight: bold;"
_CHANGED = QColor("#fff3c4")

Shown = tuple[bytes | None, list[browse.Version], list[Change], int | None]  # PDF, versions, changes, number compared


class ArchiveBrowser(QMainWindow):
    """Browse and check the sealed archive; nothing here can change it."""

    listed = Signal(int)  # entries shown
    itemShown = Signal(int)  # item id whose PDF and versions are shown
    verified = Signal(object)  # the problems found (empty: all is well)

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.entries: list[browse.SealedEntry] = []
        self._folder = tempfile.TemporaryDirectory(prefix="zwgk-archive-")
        self._shown_id: int | None = None
        self.setWindowTitle("档案浏览（已封存，只读）")
        self.resize(1366, 768)
        self._build()
        self._fill_filters()
        self.refresh()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.village = QComboBox()
        self.period = QComboBox()
        self.category = QComboBox()
        self.category.addItem("全部类别", None)
        for code, spec in CATEGORIES.items():
            self.category.addItem(spec.name, code)
        self.text = QLineEdit(placeholderText="查找：姓名、摘要、项目、单位……")
        self.text.setClearButtonEnabled(True)
        self.find_button = QPushButton("查找")
        self.verify_button = QPushButton("核验档案")
        self.verify_button.setToolTip("重算每个封存事项的哈希、封存链和封存的 PDF，看是否与封存时一致")
        self.against_button = QPushButton("与公布件核对…")
        self.against_button.setToolTip("核验档案，并与以前公布的封存记录核对：删掉的封存、重算或重签的历史都会查出")
        against_menu = QMenu(self.against_button)
        self.against_folder_action = against_menu.addAction("网上公开件的文件夹…")
        self.against_file_action = against_menu.addAction("封存记录文件（seals.json）或档案包（.zwgk）…")
        self.against_button.setMenu(against_menu)
        bar = QHBoxLayout()
        for widget in (QLabel("村"), self.village, QLabel("季度"), self.period, QLabel("类别"), self.category):
            bar.addWidget(widget)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.find_button)
        bar.addSpacing(16)
        bar.addWidget(self.verify_button)
        bar.addWidget(self.against_button)

        self.verdict = QLabel("尚未核验。点“核验档案”检查档案是否与封存时一致。")
        self.verdict.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setVisible(False)
        self.problems.setMaximumHeight(130)
        self.count = QLabel("")

        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setAlternatingRowColors(True)

        self.document = QPdfDocument(self)
        self.pdf = QPdfView()
        self.pdf.setDocument(self.document)
        self.pdf.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_note = QLabel("选中左侧的事项，这里显示封存时打印的海报原件。")
        pdf_tab = QWidget()
        pdf_layout = QVBoxLayout(pdf_tab)
        pdf_layout.addWidget(self.pdf_note)
        pdf_layout.addWidget(self.pdf, 1)

        self.versions = QTableWidget(0, 5)
        self.versions.setHorizontalHeaderLabels(("版本", "事项", "状态", "验证码", "更正原因"))
        self.versions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions.verticalHeader().setVisible(False)
        self.versions.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.versions.setMaximumHeight(150)
        self.comparison_note = QLabel("")
        self.comparison_note.setWordWrap(True)
        self.comparison = QTableWidget(0, 3)
        self.comparison.setHorizontalHeaderLabels(("更正位置", "原为", "更正为"))
        self.comparison.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.comparison.setWordWrap(True)
        header = self.comparison.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        versions_tab = QWidget()
        versions_layout = QVBoxLayout(versions_tab)
        versions_layout.addWidget(QLabel("版本（原公告保持不变，每次更正都是新版本）"))
        versions_layout.addWidget(self.versions)
        versions_layout.addWidget(self.comparison_note)
        versions_layout.addWidget(self.comparison, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(pdf_tab, "封存的海报")
        self.tabs.addTab(versions_tab, "版本与更正")
        self.photo_panel = PhotoPanel(self.archive)
        self.tabs.addTab(self.photo_panel, "照片和凭证")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.count)
        left_layout.addWidget(self.table, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setSizes([800, 560])
        splitter.setChildrenCollapsible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(bar)
        layout.addWidget(self.verdict)
        layout.addWidget(self.problems)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self.find_button.clicked.connect(self.refresh)
        self.text.returnPressed.connect(self.refresh)
        for box in (self.village, self.period, self.category):
            box.currentIndexChanged.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify_archive)
        self.against_folder_action.triggered.connect(self._on_against_folder)
        self.against_file_action.triggered.connect(self._on_against_file)
        self.table.itemSelectionChanged.connect(self._on_selected)

    def _fill_filters(self) -> None:
        found = sealed_filters(self.archive)
        villages, periods = found.villages, found.periods
        for box in (self.village, self.period):
            box.blockSignals(True)
        self.village.addItem("全部村", None)
        for village_id, name in villages:
            self.village.addItem(name, village_id)
        self.period.addItem("全部季度", None)
        for period in periods:
            self.period.addItem(period, period)
        for box in (self.village, self.period):
            box.blockSignals(False)

    # -- the list ----------------------------------------------------------------------------------
    def refresh(self) -> Task:
        """List the sealed items that match the filters (read in a worker)."""
        archive = self.archive
        village, period, category = self.village.currentData(), self.period.currentData(), self.category.currentData()
        text = self.text.text().strip()

        def read() -> list[browse.SealedEntry]:
            return sealed_items(archive, village_id=village, period=period, category=category, text=text or None)

        self.count.setText("正在读取…")
        return run_in_background(read, on_done=self._show_entries,
                                 on_error=lambda exc: show_error(self, "无法读取档案", exc))

    def _show_entries(self, entries: list[browse.SealedEntry]) -> None:
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            version = "更正" if entry.correction else "原公告"
            if entry.superseded_by is not None:
                version += "·已更正"
            cells = (entry.village, entry.period, CATEGORIES[entry.category].name if entry.category in CATEGORIES
                     else entry.category, entry.title, entry.code, version, entry.sealed_at[:10],
                     str(entry.archive_number or ""))
            tip = (f"{entry.title}\n封存：{entry.sealed_at.replace('T', ' ')[:16]}（UTC） {entry.sealed_by}"
                   + (f"\n已被事项 {entry.superseded_by_number} 更正" if entry.superseded_by is not None else ""))
            for column, value in enumerate(cells):
                cell = QTableWidgetItem(value)
                cell.setToolTip(tip)
                if entry.superseded_by is not None or entry.correction:
                    cell.setBackground(_CHANGED)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.count.setText(f"已封存的事项：{len(entries)} 个" if entries else "没有符合条件的已封存事项")
        self.listed.emit(len(entries))

    def select_item(self, item_id: int) -> None:
        for row, entry in enumerate(self.entries):
            if entry.item_id == item_id:
                self.table.selectRow(row)
                return

    # -- one item ----------------------------------------------------------------------------------
    def _on_selected(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) != 1:
            return
        entry = self.entries[rows.pop()]
        archive = self.archive

        def read() -> Shown:
            found = sealed_item(archive, entry)
            return found.pdf, list(found.versions), list(found.changes), found.compared

        run_in_background(read, on_done=lambda shown: self._show_item(entry, shown),
                          on_error=lambda exc: show_error(self, "无法读取事项", exc))

    def _show_item(self, entry: browse.SealedEntry, shown: Shown) -> None:
        pdf, versions, changes, compared = shown
        self._shown_id = entry.item_id
        self.document.close()
        if pdf is None:
            self.pdf_note.setText(f"“{entry.title}”不是主动公开事项，封存时没有打印海报。")
        else:
            path = Path(self._folder.name) / f"{entry.item_id}.pdf"
            path.write_bytes(pdf)
            self.document.load(str(path))
            self.pdf_note.setText(f"{entry.village} {entry.period}“{entry.title}”封存时打印的海报原件，"
                                  f"{sheets_said(papers_of(pdf))}；验证码 {entry.code}")
        self.versions.setRowCount(len(versions))
        for row, version in enumerate(versions):
            for column, value in enumerate((version.label, str(version.number), version.status, version.code,
                                            version.reason)):
                cell = QTableWidgetItem(value)
                if version.item_id == entry.item_id:
                    cell.setBackground(_CHANGED)
                self.versions.setItem(row, column, cell)
        self.versions.resizeColumnsToContents()
        self.versions.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        if compared is None:
            self.comparison_note.setText("此事项没有更正。")
        elif not changes:
            self.comparison_note.setText(f"更正（事项 {compared}）尚未封存，或没有改动公开内容。")
        else:
            self.comparison_note.setText(f"事项 {compared} 的更正公告所列改动（左：原公告；右：更正后）：")
        self.comparison.setRowCount(len(changes))
        for row, change in enumerate(changes):
            for column, value in enumerate((change.place, change.before, change.after)):
                self.comparison.setItem(row, column, QTableWidgetItem(value))
        self.comparison.resizeRowsToContents()
        self.photo_panel.show_quarter(entry.village, entry.period)
        self.itemShown.emit(entry.item_id)

    # -- verifying -----------------------------------------------------------------------------------
    def verify_archive(self) -> Task:
        archive = self.archive

        def work() -> tuple[int, list[Problem]]:
            verified = verify_archive(archive)
            return verified.checked, list(verified.problems)

        self.verdict.setStyleSheet("")
        self.verdict.setText("正在核验：重算每个封存事项的哈希、封存链和 PDF……")
        self.verify_button.setEnabled(False)
        return run_in_background(work, on_done=self._on_verified, on_error=self._on_verify_failed)

    def _on_verified(self, outcome: tuple[int, list[Problem]]) -> None:
        checked, problems = outcome
        self.verify_button.setEnabled(True)
        self.problems.clear()
        if problems:
            self.verdict.setStyleSheet(_BAD)
            self.verdict.setText(f"核验未通过：检查了 {checked} 个封存事项，发现 {len(problems)} 处与封存时不符。"
                                 "下列内容在封存后被改动或删除，档案不可信，请保留现场并报告乡镇。")
            self.problems.addItems([f"· {p}" for p in problems])
        else:
            self.verdict.setStyleSheet(_GOOD)
            self.verdict.setText(f"核验通过：{checked} 个封存事项的内容、海报原件和封存链都与封存时一致。")
        self.problems.setVisible(bool(problems))
        self.verified.emit(problems)

    def _on_against_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "选择以前导出的网上公开件文件夹（或其中一个村的文件夹）")
        if chosen:
            self.verify_against(Path(chosen))

    def _on_against_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "选择封存记录文件或档案包", "",
                                                "封存记录或档案包 (*.json *.zwgk);;所有文件 (*)")
        if chosen:
            self.verify_against(Path(chosen))

    def verify_against(self, source: Path) -> Task:
        """Verify the archive, then compare it with the seals published in `source`."""
        archive = self.archive

        def work() -> tuple[int, list[Problem], Compared]:
            verified = verify_archive(archive)
            return verified.checked, list(verified.problems), compare_with_published(archive, source)

        self.verdict.setStyleSheet("")
        self.verdict.setText(f"正在核验，并与 {source.name} 中公布的封存记录核对……")
        self.verify_button.setEnabled(False)
        self.against_button.setEnabled(False)
        return run_in_background(work, on_done=self._on_compared, on_error=self._on_verify_failed)

    def _on_compared(self, outcome: tuple[int, list[Problem], Compared]) -> None:
        checked, problems, compared = outcome
        self.verify_button.setEnabled(True)
        self.against_button.setEnabled(True)
        differences = list(compared.differences)
        self.problems.clear()
        if problems or differences:
            self.verdict.setStyleSheet(_BAD)
            said = [f"档案自身：发现 {len(problems)} 处与封存时不符" if problems
                    else f"档案自身：{checked} 个封存事项都与封存时一致",
                    f"与 {compared.source.name} 公布的 {compared.published} 次封存核对：{len(differences)} 处不同"
                    if differences else f"与 {compared.source.name} 公布的 {compared.published} 次封存一致"]
            self.verdict.setText("核验未通过。" + "；".join(said) + "。档案不可信，请保留现场并报告乡镇。")
            self.problems.addItems([f"· {p}" for p in problems + differences])
        else:
            self.verdict.setStyleSheet(_GOOD)
            self.verdict.setText(f"核验通过：{checked} 个封存事项与封存时一致；与 {compared.source.name} 公布的 "
                                 f"{compared.published} 次封存也都一致（没有删掉、改写或重签的封存）。")
        self.problems.setVisible(bool(problems or differences))
        self.verified.emit(problems + differences)

    def _on_verify_failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.against_button.setEnabled(True)
        self.verdict.setText("核验没有完成。")
        show_error(self, "核验出错", error)

    def closeEvent(self, event: object) -> None:
        self.document.close()
        # The main window opens this same window again later: keep the folder, drop the sheets.
        for shown in Path(self._folder.name).glob("*.pdf"):
            shown.unlink(missing_ok=True)
        self._shown_id = None
        super().closeEvent(event)  # type: ignore[arg-type]
