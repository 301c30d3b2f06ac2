"""The 密钥 dialog: after the first seal the clerk is asked for the copies off the PC; the dialog
shows the fingerprint as read over the phone, copies the key to a folder, prints the sheet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from test_archive import seal
from test_gui import window  # noqa: F401  (the fixture)

from zwgk_desktop.archive import signing
from zwgk_desktop.ui.key_dialog import KeyDialog
from zwgk_desktop.ui.main_window import MainWindow


def test_the_key_dialog_shows_the_fingerprint_and_keeps_the_copies(qtbot, window: MainWindow, tmp_path: Path,  # type: ignore[no-untyped-def]  # noqa: F811
                                                                  monkeypatch) -> None:
    before = KeyDialog(window.archive, "donggang", window)
    qtbot.addWidget(before)
    assert "还没有密钥" in before.fingerprint.text() and not before.export_button.isEnabled()
    seal(Path(window.archive.sessions.kw["bind"].url.database), "donggang", "2026Q2")
    dialog = window.key_dialog("donggang")
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.fingerprint.text()
    assert len(text.split()) == 6 and dialog.export_button.isEnabled()
    shot = tmp_path / "key-dialog.png"
    dialog.grab().save(str(shot))
    assert shot.stat().st_size > 0
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, said: told.append(said))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    dialog.export_button.click()
    assert list(tmp_path.glob(f"*{signing.KEY_SUFFIX}")) and "已复制到" in told[-1]
    sheet = tmp_path / "sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(sheet), "PDF (*.pdf)"))
    dialog.print_button.click()
    assert sheet.exists() and "锁柜" in told[-1]


def test_after_the_first_seal_the_clerk_is_asked_to_keep_a_copy(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]  # noqa: F811
                                                                monkeypatch) -> None:
    with qtbot.waitSignal(window.sealed, timeout=60000):
        window.seal(1, "2026Q2", "王德明")
    qtbot.waitUntil(lambda: window.key_question is not None, timeout=5000)
    box = window.key_question
    assert box is not None
    assert box.isVisible() and box.windowModality() != Qt.WindowModality.NonModal  # asked, without blocking
    asked = [box.text()]
    box.done(QMessageBox.StandardButton.No)
    assert "U盘" in asked[-1] and "恢复单" in asked[-1] and "找不回" in asked[-1]
