"""The vouchers (凭证) of one finance line, from the editor's 凭证… button: each with a thumbnail,
whether it goes online, whether it is sealed; more added with a button or by dropping files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.office.attachments import Added, Shown, add_vouchers, row_vouchers
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.ui.dialogs import show_error
from zwgk_desktop.ui.file_drops import dropped, offer, thumbnail
from zwgk_desktop.ui.workers import Task, run_in_background

_FILES = "凭证 (*.jpg *.jpeg *.png *.pdf *.JPG *.JPEG *.PNG *.PDF);;所有文件 (*)"


class VoucherDialog(QDialog):
    """Row `row` (1-based, as saved) of item `item_id`: its vouchers, and adding more."""

    shown = Signal(list)  # [(Shown, thumbnail)]
    added = Signal(object)  # Added

    def __init__(self, archive: Archive, item_id: int, number: int, row: int, *, may_add: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive, self.item_id, self.row = archive, item_id, row
        self.may_add = may_add and archive.may_write
        self.setWindowTitle(f"事项 {number} 第 {row} 行的凭证")
        self.resize(640, 420)
        self.setAcceptDrops(self.may_add)
        self.note = QLabel(f"事项 {number} 第 {row} 行（按已保存的行号）的凭证、发票照片或扫描件。"
                           "凭证默认不公开，只随季度封存入档；版式规定公开的，网上公开件去掉全部拍摄信息后展示。")
        self.note.setWordWrap(True)
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(150, 150))
        self.list.setGridSize(QSize(190, 240))
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.add_button = QPushButton("添加凭证…")
        self.add_button.setEnabled(self.may_add)
        self.add_button.setToolTip("选择凭证的照片或 PDF（也可以把文件拖到这里）" if self.may_add
                                   else "此事项已封存或档案只读：封存后补充的凭证请在可写的档案中添加")
        buttons = QDialogButtonBox()
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self._on_add)
        self.refresh()

    def refresh(self) -> Task:
        archive, item_id, row = self.archive, self.item_id, self.row
        return run_in_background(lambda: row_vouchers(archive, item_id, row), on_done=self._show,
                                 on_error=lambda exc: show_error(self, "无法读取凭证", exc))

    def _show(self, found: list[tuple[Shown, bytes | None]]) -> None:
        self.list.clear()
        for voucher, thumb in found:
            public = "公开" if voucher.public else "不公开"
            state = "已封存" if voucher.sealed else "待封存"
            entry = QListWidgetItem(f"{voucher.name}\n{public} · {state}")
            entry.setToolTip(f"{voucher.name}\n{voucher.media_type}，{voucher.size / 1024:.0f} KB\n"
                             f"SHA-256 {voucher.sha256}")
            if thumb:
                entry.setIcon(thumbnail(thumb))
            self.list.addItem(entry)
        if not found:
            self.list.addItem("这一行还没有凭证" + ("：点“添加凭证…”或把文件拖到这里" if self.may_add else ""))
        self.shown.emit(found)

    def add_files(self, files: list[Path]) -> Task | None:
        if not files or not self.may_add:
            return None
        archive, item_id, row = self.archive, self.item_id, self.row
        return run_in_background(lambda: add_vouchers(archive, item_id, row, files), on_done=self._on_added,
                                 on_error=lambda exc: show_error(self, "凭证没有保存", exc))

    def _on_added(self, added: Added) -> None:
        self.added.emit(added)
        self.refresh()

    def _on_add(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "选择凭证", "", _FILES)
        self.add_files([Path(name) for name in chosen])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        offer(event, self.may_add)

    def dropEvent(self, event: QDropEvent) -> None:
        self.add_files(dropped(event))
