"""The app's window shows each character as the sheet prints it (issue 15, fixc 1): a character
文泉驿微米黑 maps to an empty glyph (ǎ, ℃, Ⅴ…) shows ink in the editor's font, taken from the
bundled sans, as an Extension B ideograph is taken from the Han fallback."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from zwgk_desktop.ui import app as desktop

SHOWN = "ǎǐǒǔǖǘǚǜˊˋ℃℉ⅤⅩ\u212b∼‾𠮷䶮张"


def _ink(char: str) -> int:
    image = QImage(64, 64, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(desktop.app_font(24))
    painter.setPen(QColor("black"))
    painter.drawText(8, 48, char)
    painter.end()
    return sum(1 for y in range(64) for x in range(64) if image.pixelColor(x, y).lightness() < 128)


@pytest.mark.parametrize("char", list(SHOWN))
def test_the_window_font_shows_what_prints(qapp: QApplication, char: str) -> None:
    assert desktop.register_qt_font()
    assert _ink(char) > 10, f"U+{ord(char):04X} shows blank in the window"
