"""Monthly finance in the app: the navigator shows the months of a monthly village's quarter (each
a place new items go), a new finance item of the quarter asks which month, and 设置 shows and
keeps the township's monthly setting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog

from zwgk_desktop.db import store
from zwgk_desktop.domain.periods import Month
from zwgk_desktop.office import items
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.dialogs import SettingsDialog
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.navigator import ITEM_ROLE, PLACE_ROLE, _walk


@pytest.fixture
def window(qtbot, demo_copy: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    desktop.register_qt_font()
    fonts.register()
    main = MainWindow(desktop.open_archive(str(demo_copy)))
    qtbot.addWidget(main)
    main.show()
    yield main
    main._autosave.stop()
    from zwgk_desktop.ui.workers import wait_for_all

    wait_for_all()
    main.preview.stop()


def _donggang(window: MainWindow) -> int:
    return next(v for v, code in window._village_codes.items() if code == "donggang")


def test_the_navigator_shows_the_months_of_a_monthly_quarter(window: MainWindow) -> None:
    village = _donggang(window)
    places = {n.data(0, PLACE_ROLE): n for n in _walk(window.navigator.invisibleRootItem())
              if n.data(0, PLACE_ROLE) and n.data(0, ITEM_ROLE) is None and n.parent() is not None
              and n.parent().data(0, PLACE_ROLE) == (village, "2026Q3")}
    months = [key[1] for key in places if "-" in key[1]]
    assert months == ["2026-07", "2026-08", "2026-09"]
    assert places[(village, "2026-07")].text(0) == "2026年7月"
    leaves = [n for n in _walk(places[(village, "2026-07")]) if n.data(0, ITEM_ROLE) is not None]
    assert [leaf.text(0) for leaf in leaves] == ["财务收支明细"]  # its month is said by the node above
    assert not places[(village, "2026-09")].childCount()  # nothing entered for September yet
    # Villages that disclose by quarter have no months.
    other = next(v for v, code in window._village_codes.items() if code == "shiqiao")
    assert not [n for n in _walk(window.navigator.invisibleRootItem())
                if n.data(0, PLACE_ROLE) and n.data(0, PLACE_ROLE)[0] == other and "-" in n.data(0, PLACE_ROLE)[1]]


def test_a_new_finance_item_of_the_quarter_asks_which_month(window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    village = _donggang(window)
    asked: list[list[str]] = []

    def choose(_parent, _title, _label, choices, *_args):  # type: ignore[no-untyped-def]
        asked.append(list(choices))
        return "2026年9月（按月公开）", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    window._on_place_chosen(village, "2026Q3")
    made = window.new_item("finance")
    assert made is not None
    assert asked == [[*(f"2026年{m}月（按月公开）" for m in (7, 8, 9)), "2026年第三季度（整个季度）"]]
    assert window.editor is not None and window.editor.item is not None
    assert window.editor.item.month == Month(2026, 9) and window.editor.title.text() == "2026年9月财务收支明细"
    # The editor keeps its month when it saves.
    editor = window.editor
    editor.title.setText("2026年9月财务收支明细（初稿）")
    editor.title.textEdited.emit(editor.title.text())
    editor.flush()
    assert window.save_current(wait=True)
    with window.archive.sessions() as session:
        saved, _ = store.load_item(session, made)
    assert saved.month == Month(2026, 9) and saved.title.endswith("（初稿）")
    # At a month's place, a category disclosed by quarter goes to the quarter, without asking.
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a: pytest.fail("asked")))
    window._on_place_chosen(village, "2026-09")
    notice = window.new_item("notice")
    assert notice is not None
    with window.archive.sessions() as session:
        item, _ = store.load_item(session, notice)
    assert item.month is None and str(item.period) == "2026Q3"
    assert items.monthly_periods(window.archive, village, "2026Q3", "notice") == []


def test_settings_show_and_keep_the_monthly_setting(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with window.archive.sessions() as session:
        current = store.load_settings(session)
    dialog = SettingsDialog(current)
    qtbot.addWidget(dialog)
    row = next(r for r in range(dialog.villages.rowCount()) if dialog.villages.item(r, 0).text() == "东岗村")
    assert dialog.villages.item(row, 3).text() == "财务收支@2026Q3"
    assert dialog.settings() == current
    other = next(r for r in range(dialog.villages.rowCount()) if dialog.villages.item(r, 0).text() == "石桥村")
    dialog.villages.item(other, 3).setText("财务收支@2026Q4")
    with window.archive.sessions() as session, session.begin():
        store.save_settings(session, dialog.settings())
    with window.archive.sessions() as session:
        assert store.monthly_setting(store.find_village(session, "shiqiao")) == ("finance@2026Q4",)
    dialog.villages.item(other, 3).setText("公告")
    from zwgk_desktop.errors import BadInput

    with pytest.raises(BadInput, match="notice"), window.archive.sessions() as session, session.begin():
        store.save_settings(session, dialog.settings())
