"""The 密钥 dialog: a village's signing key, its fingerprint as read over the phone, and the two
copies a clerk keeps off the PC (a USB stick, the printed 密钥恢复单); putting the key back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.office import keys
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.ui.dialogs import show_error


class KeyDialog(QDialog):
    """One village's key at a time; every action goes through `office.keys`."""

    def __init__(self, archive: Archive, village_code: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.setWindowTitle("密钥")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        self.village = QComboBox()
        for name, code in keys.villages(archive):
            self.village.addItem(name, code)
        if village_code is not None:
            self.village.setCurrentIndex(max(0, self.village.findData(village_code)))
        row = QHBoxLayout()
        row.addWidget(QLabel("村："))
        row.addWidget(self.village, 1)
        layout.addLayout(row)
        layout.addWidget(QLabel("签名密钥的指纹（乡镇打电话核对时，念这 6 组）："))
        self.fingerprint = QLabel()
        big = QFont(self.fingerprint.font())
        big.setPointSize(big.pointSize() + 6)
        big.setFamily("monospace")
        self.fingerprint.setFont(big)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.fingerprint)
        self.state = QLabel(wordWrap=True)
        layout.addWidget(self.state)
        why = QLabel(keys.WHY_A_COPY, wordWrap=True)
        layout.addWidget(why)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("复制到U盘…")
        self.print_button = QPushButton("打印密钥恢复单…")
        self.restore_file_button = QPushButton("从U盘恢复…")
        self.restore_text_button = QPushButton("从恢复单恢复…")
        for button in (self.export_button, self.print_button, self.restore_file_button, self.restore_text_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        close = QDialogButtonBox()
        close.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self._connect_signals()
        self._show()

    def _connect_signals(self) -> None:
        self.village.currentIndexChanged.connect(self._show)
        self.export_button.clicked.connect(self._on_export)
        self.print_button.clicked.connect(self._on_print)
        self.restore_file_button.clicked.connect(self._on_restore_file)
        self.restore_text_button.clicked.connect(self._on_restore_text)

    @property
    def code(self) -> str:
        return str(self.village.currentData())

    def _show(self) -> None:
        try:
            shown = keys.village_key(self.archive, self.code) if self.village.count() else None
        except ZwgkError as exc:
            show_error(self, "密钥", exc)
            return
        if shown is None:
            self.fingerprint.setText("（还没有密钥）")
            self.state.setText("第一次封存时自动生成本村的签名密钥。")
        else:
            self.fingerprint.setText(shown.short)
            here = "密钥文件在本机。" if shown.here else "本机找不到密钥文件！请从U盘或恢复单恢复，否则不能封存。"
            self.state.setText(f"启用于 {shown.added_at[:10]}。{here}\n"
                               f"完整指纹：{shown.fingerprint}")
        has_key = shown is not None and shown.here
        self.export_button.setEnabled(has_key)
        self.print_button.setEnabled(has_key)

    def _on_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择U盘（或要保存密钥的文件夹）")
        if folder:
            self._do(lambda: f"已复制到 {keys.export_key(self.archive, self.code, Path(folder))}。"
                             "请把U盘锁进柜子，不要复制给他人。")

    def _on_print(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存密钥恢复单", f"{self.village.currentText()}密钥恢复单.pdf",
                                              "PDF (*.pdf)")
        if path:
            self._do(lambda: f"已写出 {keys.print_recovery_sheet(self.archive, self.code, Path(path))}。"
                             "打印后锁柜保管，并删除这个 PDF 文件。")

    def _on_restore_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择U盘上的密钥文件", "", "密钥文件 (*.zwgkkey)")
        if path:
            self._do(lambda: self._restored(keys.restore_key(self.archive, file=Path(path))))

    def _on_restore_text(self) -> None:
        text, ok = QInputDialog.getText(self, "从恢复单恢复", "照恢复单输入 14 组恢复码（可带空格）：")
        if ok and text.strip():
            self._do(lambda: self._restored(keys.restore_key(self.archive, text=text)))

    @staticmethod
    def _restored(done: keys.Restored) -> str:
        return f"已恢复{done.village}的签名密钥，可以继续封存。"

    def _do(self, action: object) -> None:
        try:
            said = action()  # type: ignore[operator]
        except ZwgkError as exc:
            show_error(self, "密钥", exc)
            return
        QMessageBox.information(self, "密钥", said)
        self._show()
