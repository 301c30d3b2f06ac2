"""What the clerk sees stays where it was and whole: the toolbar's buttons never move under the
mouse, long text wraps instead of running off, and the navigator shows whole category names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton
from sqlalchemy import select

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.domain.fields import Kind
from zwgk_desktop.domain.items import REVIEWED
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.row_model import SetCells
from zwgk_desktop.ui.workers import wait_for_all

SCREENS = [(1366, 768), (1024, 768)]


def _window(qtbot, archive, size: tuple[int, int] = (1366, 768)) -> MainWindow:  # type: ignore[no-untyped-def]
    main = MainWindow(archive)
    qtbot.addWidget(main)
    main.resize(*size)
    main.show()
    qtbot.waitExposed(main)
    return main


def _close(main: MainWindow) -> None:
    main._autosave.stop()
    wait_for_all()
    main.preview.stop()


@pytest.fixture
def window(qtbot, demo_copy: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    desktop.register_qt_font()
    fonts.register()
    main = _window(qtbot, desktop.open_archive(str(demo_copy)))
    yield main
    _close(main)


def _item_id(window: MainWindow, category: str) -> int:
    with window.sessions() as session:
        found = session.scalars(select(DisclosureItem.id).join(store.Village).where(
            store.Village.code == "donggang", DisclosureItem.period == "2026Q3",
            DisclosureItem.category == category)).first()
    assert found is not None
    return found


def _open(qtbot, window: MainWindow, item_id: int) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        window.navigator.setCurrentItem(window.navigator.find_item(item_id))
    assert window.editor is not None and window.editor.item is not None and window.editor.item.id == item_id


# -- the toolbar ---------------------------------------------------------------------------------
def _click(window: MainWindow, point: QPoint) -> tuple[QToolButton, list[QAction]]:
    """Click the window where `point` is, as a mouse would: the press goes to whatever widget is
    there now. Returns that widget and the toolbar actions the click triggered."""
    target = window.childAt(point)
    assert isinstance(target, QToolButton), f"no toolbar button at {point}: {target!r}"
    triggered: list[QAction] = []
    window.toolbar.actionTriggered.connect(triggered.append)
    try:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(window, point))
    finally:
        window.toolbar.actionTriggered.disconnect(triggered.append)
    return target, triggered


def _review_point(window: MainWindow) -> QPoint:
    button = window.toolbar.widgetForAction(window.review_action)
    return button.mapTo(window, button.rect().center())


def _toolbar_places(window: MainWindow) -> list[tuple[str, int, int]]:
    return [(a.text(), window.toolbar.widgetForAction(a).x(), window.toolbar.widgetForAction(a).width())
            for a in window.toolbar.actions()]


def test_a_click_where_review_is_always_hits_review(qtbot, window: MainWindow, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    """The clerk's report: undo showed its action's text, 审核通过 moved 150 px right, and a click
    meant for it hit 重做 and put an undone amount back. The same spot must hit 审核通过 before an
    edit, after it, after an undo, after a redo, with a very long action text, and in the
    auditor's read-only window."""
    item = _item_id(window, "finance")
    _open(qtbot, window, item)
    editor = window.editor
    assert editor is not None and editor.item is not None and editor.item.status == REVIEWED
    point = _review_point(window)
    places = _toolbar_places(window)
    column = next(c for c, f in enumerate(editor.model.fields) if f.kind is Kind.TEXT)

    def review_is_hit(*, enabled: bool = True) -> None:
        if enabled:  # an edit sends the item back to 草稿 after the editor's pause
            qtbot.waitUntil(window.review_action.isEnabled, timeout=5000)
        assert _toolbar_places(window) == places
        button, triggered = _click(window, point)
        assert button.defaultAction() is window.review_action
        assert triggered == ([window.review_action] if enabled else [])
        if enabled:
            assert editor.item is not None and editor.item.status == REVIEWED

    review_is_hit(enabled=False)  # before an edit: reviewed already, so the button is disabled

    original = editor.model.text(0, column)
    editor.model.setData(editor.model.index(0, column), original + "（补）")
    assert window.undo_action.text() != "撤销"  # the menu still says what would be undone
    assert "修改第1行" in window.toolbar_undo.toolTip() and window.toolbar_undo.text() == "撤销"
    review_is_hit()  # after an edit

    window.undo_action.trigger()  # Ctrl+Z, or 编辑 → 撤销 …
    assert editor.model.text(0, column) == original
    assert "修改第1行" in window.toolbar_redo.toolTip() and window.toolbar_redo.text() == "重做"
    review_is_hit()  # after an undo: the click did not redo the edit
    assert editor.model.text(0, column) == original

    window.redo_action.trigger()
    assert editor.model.text(0, column) == original + "（补）"
    review_is_hit()  # after a redo

    long_text = "修改第1行" + "一个乡镇自己添加的类别里名字特别长的栏目" * 8
    editor.undo.push(SetCells(editor.model, [(0, column, editor.model.text(0, column), "改了又改")], long_text))
    review_is_hit()  # a very long undo text
    window.undo_action.trigger()
    assert window.toolbar_redo.toolTip().startswith("重做：" + long_text)
    review_is_hit()  # a very long redo text
    assert editor.model.text(0, column) == original + "（补）"

    auditor = _window(qtbot, desktop.open_read_only(str(demo_copy)))
    try:
        _open(qtbot, auditor, item)
        assert _review_point(auditor) == point
        button, triggered = _click(auditor, point)
        assert button.defaultAction() is auditor.review_action and triggered == []
    finally:
        _close(auditor)
