"""设置 says what the online address does to the sheets' QR codes, without blocking (issue 15)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from test_gui import window  # the demo's main window, as the GUI tests open it

from zwgk_desktop.office import setup
from zwgk_desktop.ui.dialogs import SettingsDialog
from zwgk_desktop.ui.main_window import MainWindow

__all__ = ["window"]

LONG = "https://www.zhongmou.gov.cn/zwgk/xiangzhen/qingshanzhen/cunwugongkai/" + "c" * 51


def accept_with(address: str):  # type: ignore[no-untyped-def]
    """SettingsDialog.exec as if the clerk typed `address` and pressed OK (once)."""
    def exec_(dialog: SettingsDialog) -> int:
        if getattr(dialog, "_answered", False):
            return SettingsDialog.DialogCode.Rejected
        dialog._answered = True  # type: ignore[attr-defined]
        dialog.base_url.setText(address)
        return SettingsDialog.DialogCode.Accepted
    return exec_


def test_a_long_address_is_told_in_the_status_bar(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SettingsDialog, "exec", accept_with(LONG))
    window._on_settings()
    assert setup.settings(window.archive).base_url == LONG
    said = window.statusBar().currentMessage()
    assert "二维码将放大" in said and "页脚随之加高" in said
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_codes_hard_to_scan_are_warned_about_in_a_box_that_does_not_block(
        qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    warning = "注意：二维码网址最长 190 个字符，版式“公告”的二维码最大只能印 42 毫米"
    monkeypatch.setattr(setup, "qr_notes", lambda archive, base_url=None: [warning])
    monkeypatch.setattr(SettingsDialog, "exec", accept_with("https://qingshan.example/zwgk"))
    window._on_settings()  # returns: the warning is window-modal, opened, not exec()'d
    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert len(boxes) == 1 and warning in boxes[0].text()
    boxes[0].close()
