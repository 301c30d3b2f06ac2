"""Dialogs: the office's shared settings, the first run, the reason for a correction, and the
crash report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.db.store import Settings, VillageSettings
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.office.monthly import monthly_text, parse_monthly_text
from zwgk_desktop.ui.workers import Progress
from zwgk_desktop.ui.wrapping import WrappingLineEdit


class SettingsDialog(QDialog):
    """Township, villages, the online copy's address, supervision phones, the publication day.

    Stored in the database, so the whole office shares them.
    """

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("设置")
        self.resize(720, 520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.township = QLineEdit(settings.township)
        self.base_url = QLineEdit(settings.base_url, placeholderText="https://…（二维码指向此地址）")
        self.township_phone = QLineEdit(settings.township_phone, placeholderText="如 0371-62340000")
        self.publication_day = QSpinBox(minimum=1, maximum=28, value=settings.publication_day)
        self.publication_day.setSuffix(" 日")
        self.licence = QLineEdit(settings.licence,
                                 placeholderText="如 可自由转载、使用，请注明来源（网上公开件每页和数据文件中显示）")
        self.licence.setMaxLength(200)
        self.objection_url = QLineEdit(settings.objection_url,
                                       placeholderText="乡镇自己的网上信访或监督页面 https://…（网上公开件每页注明；没有就留空）")
        self._kept = settings  # what the dialog does not show (档号格式, 全宗号) is saved as it was
        form.addRow("乡镇名称", self.township)
        form.addRow("网上公开地址", self.base_url)
        form.addRow("乡镇纪委监督电话", self.township_phone)
        form.addRow("每季度公开截止：次月", self.publication_day)
        form.addRow("开放数据使用许可", self.licence)
        form.addRow("网上异议渠道", self.objection_url)
        layout.addLayout(form)
        layout.addWidget(QLabel("村（代码用于网址和文件名；留空则按拼音生成）"))
        self.villages = QTableWidget(0, 4)
        self.villages.setHorizontalHeaderLabels(["村名", "代码", "村务监督委员会电话", "按月公开（类别@起始季度）"])
        monthly = self.villages.horizontalHeaderItem(3)
        assert monthly is not None
        monthly.setToolTip("交易多的村，乡镇可定其按月公开财务：如“财务收支@2026Q3”（自 2026 年第三季度起每月公开）；"
                           "留空为按季度公开")
        self.villages.horizontalHeader().setStretchLastSection(True)
        self.villages.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for entry in settings.villages:
            self._add_row(entry)
        self.villages.resizeColumnToContents(2)  # the phone's header whole, beside the monthly setting
        layout.addWidget(self.villages, 1)
        row = QHBoxLayout()
        self.add_village = QPushButton("添加村")
        row.addWidget(self.add_village)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.add_village.clicked.connect(lambda: self._add_row(VillageSettings("")))

    def _add_row(self, entry: VillageSettings) -> None:
        row = self.villages.rowCount()
        self.villages.insertRow(row)
        name = QTableWidgetItem(entry.name)
        name.setData(256, entry.id)
        self.villages.setItem(row, 0, name)
        code = QTableWidgetItem(entry.code)
        if entry.id is not None:
            code.setFlags(code.flags() & ~Qt.ItemFlag.ItemIsEditable)  # codes are in printed URLs
            code.setToolTip("代码已印在二维码网址中，不能修改")
        self.villages.setItem(row, 1, code)
        self.villages.setItem(row, 2, QTableWidgetItem(entry.phone))
        self.villages.setItem(row, 3, QTableWidgetItem(monthly_text(entry.monthly)))

    def settings(self) -> Settings:
        villages = []
        for row in range(self.villages.rowCount()):
            cells = [self.villages.item(row, c) for c in range(4)]
            texts = [c.text().strip() if c else "" for c in cells]
            if not any(texts):
                continue
            village_id = cells[0].data(256) if cells[0] else None
            fonds = next((v.fonds for v in self._kept.villages if village_id is not None and v.id == village_id), "")
            villages.append(VillageSettings(texts[0], texts[1], texts[2], village_id, fonds,
                                            parse_monthly_text(texts[3])))
        return Settings(self.township.text().strip(), self.base_url.text().strip(),
                        self.township_phone.text().strip(), self.publication_day.value(), villages,
                        self._kept.archive_pattern, self.licence.text().strip(), self.objection_url.text().strip())


class FirstRunDialog(QDialog):
    """An empty database: create the township, or open the demo township to look around."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("欢迎使用村务公开栏")
        self.choice = ""
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("这是一个新的档案。可以先打开示范乡镇看看，或者直接建立本乡镇。"))
        form = QFormLayout()
        self.township = QLineEdit(placeholderText="如 青山镇")
        self.villages = QPlainTextEdit(placeholderText="每行一个村，如\n东岗村\n柳树湾村")
        form.addRow("乡镇名称", self.township)
        form.addRow("村", self.villages)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.demo_button = QPushButton("打开示范乡镇（青山镇）")
        self.create_button = QPushButton("建立本乡镇")
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        self.demo_button.clicked.connect(self._on_demo)
        self.create_button.clicked.connect(self._on_create)

    def _on_demo(self) -> None:
        self.choice = "demo"
        self.accept()

    def _on_create(self) -> None:
        if not self.township.text().strip() or not self.village_names():
            QMessageBox.warning(self, "还缺信息", "请填写乡镇名称，并至少写一个村。")
            return
        self.choice = "create"
        self.accept()

    def village_names(self) -> list[str]:
        return [line.strip() for line in self.villages.toPlainText().splitlines() if line.strip()]


class CorrectionReasonDialog(QDialog):
    """Why a sealed item is corrected: the words printed on the 更正公告, wrapped as they are typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("发更正")
        self.resize(520, 300)
        layout = QVBoxLayout(self)
        intro = QLabel("已封存的事项不能修改，更正会新建一个版本，原事项保持不变。"
                       "审核并封存后，张贴打印出的更正公告。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(QLabel("更正原因（将印在更正公告上）："))
        self.reason = WrappingLineEdit(placeholderText="如：第12户月保障金额录入有误", lines=6)
        layout.addWidget(self.reason)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("新建更正")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.reason.textEdited.connect(lambda text: ok.setEnabled(bool(text.strip())))

    def reason_text(self) -> str:
        return self.reason.text().strip()


def ask_correction_reason(parent: QWidget) -> str | None:
    """Ask why the sealed item on screen is corrected; None if the clerk thought better of it."""
    dialog = CorrectionReasonDialog(parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.reason_text():
        return None
    return dialog.reason_text()


def cancellable_progress(parent: QWidget, label: str, title: str) -> tuple[Progress, QProgressDialog]:
    """A progress dialog with 取消 for work in the background: the worker calls
    `progress.report(done, total)` (or emits `progress.moved`); 取消 stops it at its next step."""
    progress = Progress(parent)
    dialog = QProgressDialog(label, "取消", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(300)
    dialog.canceled.connect(progress.cancel)

    def moved(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)

    progress.moved.connect(moved)
    return progress, dialog


def show_error(parent: QWidget | None, title: str, error: BaseException, log_path: Path | None = None) -> None:
    """A known problem in words; anything else with where the details were written."""
    if isinstance(error, ZwgkError):
        QMessageBox.warning(parent, title, str(error))
        return
    detail = f"\n\n详细信息已记入 {log_path}，请把该文件发给技术支持。" if log_path else ""
    QMessageBox.critical(parent, title,
                         f"程序内部出错：{error}{detail}\n\n您的数据没有丢失：最近一次保存的内容仍在档案中。")
