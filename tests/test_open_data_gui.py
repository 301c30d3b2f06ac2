"""设置 sets the open data's licence line (render/open_data.py) and keeps what it does not show."""

from __future__ import annotations

from typing import Any

import pytest
from test_gui import window  # the demo's main window, as the GUI tests open it

from zwgk_desktop.office import setup
from zwgk_desktop.ui.dialogs import SettingsDialog
from zwgk_desktop.ui.main_window import MainWindow

__all__ = ["window"]

LICENCE = "可自由转载、使用，请注明来源：青山镇村务公开"


def test_the_settings_dialog_sets_the_licence_and_keeps_the_filing_settings(
        qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    setup.change_settings(window.archive, archive_pattern="{全宗号}-{年度}-{件号}",
                          village_fonds=[("donggang", "Z012")])

    def exec_(dialog: SettingsDialog) -> int:
        if getattr(dialog, "_answered", False):
            return SettingsDialog.DialogCode.Rejected
        dialog._answered = True  # type: ignore[attr-defined]
        assert dialog.licence.text() == ""
        dialog.licence.setText(f" {LICENCE} ")
        return SettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(SettingsDialog, "exec", exec_)
    window._on_settings()
    saved = setup.settings(window.archive)
    assert saved.licence == LICENCE
    # Fields the dialog does not show are saved as they were, not cleared.
    assert saved.archive_pattern == "{全宗号}-{年度}-{件号}"
    assert next(v.fonds for v in saved.villages if v.code == "donggang") == "Z012"
