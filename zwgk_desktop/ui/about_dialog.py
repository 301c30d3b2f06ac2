"""帮助 → 关于: the version, the formats in use, the data folder and the log file, as text a
village can copy into a message (or read out on the phone) to the township's IT person."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.office.about import About, about
from zwgk_desktop.office.handle import Archive


class AboutDialog(QDialog):
    def __init__(self, archive: Archive | None, log_file: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("关于村务公开栏")
        self.about: About = about(archive, log_file, extra_system=f"Qt {qVersion()}")
        heading = QLabel(f"<b>村务公开栏</b> {self.about.version}<br>"
                         "村务公开事项的本地档案、标准版式、A3 公开栏海报与二维码")
        heading.setWordWrap(True)
        self.details = QPlainTextEdit(self.about.text())
        self.details.setReadOnly(True)  # selectable and copyable, not editable
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        # Wide enough for the longest line (a deep data folder) on the screen, so none is cut.
        longest = max(self.details.fontMetrics().horizontalAdvance(line) for line in self.about.text().splitlines())
        self.details.setMinimumSize(min(max(640, longest + 40), 1100), 200)
        hint = QLabel("打电话或发消息给乡镇技术人员时，请把上面的内容告诉对方（可以“复制”后粘贴到微信或邮件中）。")
        hint.setWordWrap(True)
        self.copy_button = QPushButton("复制")
        self.copy_button.clicked.connect(self._on_copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.details)
        layout.addWidget(hint)
        layout.addLayout(row)

    def _on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self.about.text())
        self.copy_button.setText("已复制")
