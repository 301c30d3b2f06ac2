"""The 照片和凭证 tab of the archive browser: a quarter's photos of the posted board with the
camera's time beside the product's own record of printing and exporting, the vouchers of its
finance lines, and adding photos by dragging them in or with a button (office.attachments)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.io.pictures import taken_at_shown
from zwgk_desktop.office.attachments import CLOCK_CAVEAT, Added, QuarterAttachments, add_photos, quarter_attachments
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.ui.dialogs import show_error
from zwgk_desktop.ui.file_drops import PHOTO_FILES, dropped, offer, thumbnail
from zwgk_desktop.ui.workers import Task, run_in_background

_NOTE = "background: #fff8e1; color: #5d4300; padding: 6px;"


def _moment(at: str) -> str:
    """A stored UTC moment as Beijing time, as a clerk reads it."""
    from datetime import datetime

    from zwgk_desktop.domain.periods import CHINA

    try:
        return datetime.fromisoformat(at).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


class PhotoPanel(QWidget):
    """A village's quarter: its photos and vouchers; photos dropped on it are added to the quarter."""

    shown = Signal(object)  # the QuarterAttachments shown
    added = Signal(object)  # the Added result of a drop or the button

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.village: str | None = None
        self.period: str | None = None
        self.setAcceptDrops(archive.may_write)
        self.heading = QLabel("选中左侧的事项，这里显示该村该季度的公开栏照片和凭证。")
        self.heading.setWordWrap(True)
        self.add_button = QPushButton("添加照片…")
        self.add_button.setToolTip("选择张贴后拍的公开栏照片（也可以直接把照片拖到这里）")
        self.add_button.setEnabled(False)
        self.photos = QListWidget()
        self.photos.setViewMode(QListView.ViewMode.IconMode)
        self.photos.setIconSize(QSize(200, 200))
        self.photos.setGridSize(QSize(230, 290))
        self.photos.setResizeMode(QListView.ResizeMode.Adjust)
        self.photos.setWordWrap(True)
        self.photos.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.record = QLabel("")
        self.record.setWordWrap(True)
        self.caveat = QLabel(CLOCK_CAVEAT + "。")
        self.caveat.setWordWrap(True)
        self.caveat.setStyleSheet(_NOTE)
        self.vouchers_label = QLabel("凭证（财务收支明细行所附）")
        self.vouchers = QListWidget()
        self.vouchers.setIconSize(QSize(56, 56))
        self.vouchers.setMaximumHeight(180)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.caveat)
        layout.addWidget(self.record)
        layout.addWidget(self.photos, 1)
        layout.addWidget(self.vouchers_label)
        layout.addWidget(self.vouchers)
        self.add_button.clicked.connect(self._on_add)

    # -- showing -------------------------------------------------------------------------------
    def show_quarter(self, village: str, period: str) -> Task:
        self.village, self.period = village, period
        self.add_button.setEnabled(self.archive.may_write)
        archive = self.archive
        self.heading.setText(f"{village} {period}：正在读取照片……")
        return run_in_background(lambda: quarter_attachments(archive, village, period), on_done=self._show,
                                 on_error=lambda exc: show_error(self, "无法读取照片", exc))

    def _show(self, found: QuarterAttachments) -> None:
        if found.period != self.period:
            return  # another quarter was chosen meanwhile
        self.photos.clear()
        for attachment, thumb in found.photos:
            state = "已封存" if attachment.sealed else "待封存"
            text = f"{attachment.name}\n拍摄 {taken_at_shown(attachment.taken_at)}（相机时钟）\n{state}"
            item = QListWidgetItem(text)
            item.setToolTip(f"{attachment.name}\nSHA-256 {attachment.sha256}\n{attachment.size / 1024:.0f} KB\n"
                            f"添加于 {_moment(attachment.added_at)}（本机时钟）")
            if thumb:
                item.setIcon(thumbnail(thumb))
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            self.photos.addItem(item)
        count = len(found.photos)
        self.heading.setText(f"{found.village} {found.period} 的公开栏照片：{count} 张" if count
                             else f"{found.village} {found.period} 还没有公开栏照片"
                                  + ("：把照片拖到这里，或点“添加照片…”" if self.archive.may_write else ""))
        if found.went_out:
            lines = [f"事项 {w.item}“{w.title}” {_moment(w.at)} {w.how}" for w in found.went_out[:6]]
            more = f"（另有 {len(found.went_out) - 6} 个事项）" if len(found.went_out) > 6 else ""
            self.record.setText("本程序记录的首次打印/导出时间（北京时间）：\n" + "\n".join(lines) + more)
        else:
            self.record.setText("本程序没有此季度事项首次打印或导出的记录。")
        self.vouchers.clear()
        for attachment, thumb in found.vouchers:
            public = "随网上公开件公开（版式规定）" if attachment.public else "不公开，只存档"
            state = "已封存" if attachment.sealed else "待封存"
            item = QListWidgetItem(f"事项 {attachment.item} 第 {attachment.row} 行：{attachment.name}"
                                   f"（{public}；{state}；SHA-256 {attachment.sha256[:12]}…）")
            if thumb:
                item.setIcon(thumbnail(thumb))
            self.vouchers.addItem(item)
        if not found.vouchers:
            self.vouchers.addItem("此季度没有凭证（命令行：zwgk voucher add --item 编号 --row 行号 文件）")
        self.shown.emit(found)

    # -- adding ----------------------------------------------------------------------------------
    def add_files(self, files: list[Path]) -> Task | None:
        """Attach photos to the quarter shown (all of them, or none: a bad one is said in words)."""
        if self.village is None or self.period is None or not files:
            return None
        archive, village, period = self.archive, self.village, self.period
        from zwgk_desktop.domain.periods import parse_period

        return run_in_background(lambda: add_photos(archive, village, parse_period(period), files),
                                 on_done=self._on_added, on_error=lambda exc: show_error(self, "照片没有保存", exc))

    def _on_added(self, added: Added) -> None:
        self.added.emit(added)
        if self.village is not None and self.period is not None:
            self.show_quarter(self.village, self.period)

    def _on_add(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "选择公开栏照片", "", PHOTO_FILES)
        self.add_files([Path(name) for name in chosen])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        offer(event, self.village is not None and self.archive.may_write)

    def dropEvent(self, event: QDropEvent) -> None:
        self.add_files(dropped(event))
