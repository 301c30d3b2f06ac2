"""Files dragged from the file manager onto a widget (photos onto a quarter, vouchers onto a line),
and the thumbnails those widgets show of them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QPixmap

# What a file dialog offers for photos of the board (a HEIC is offered, to be refused in words).
PHOTO_FILES = "照片 (*.jpg *.jpeg *.png *.JPG *.JPEG *.PNG *.heic *.HEIC);;所有文件 (*)"


def offer(event: QDragEnterEvent, wanted: bool) -> None:
    """Take a drag of files if the widget takes them now (`wanted`), else refuse it."""
    if wanted and event.mimeData().hasUrls():
        event.acceptProposedAction()
    else:
        event.ignore()


def dropped(event: QDropEvent) -> list[Path]:
    """The local files dropped (the drop is accepted if there are any)."""
    files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
    if files:
        event.acceptProposedAction()
    return files


def thumbnail(data: bytes) -> QIcon:
    """An attachment's thumbnail (JPEG bytes made by office.attachments) as a list icon."""
    pixmap = QPixmap()
    pixmap.loadFromData(data)
    return QIcon(pixmap)
