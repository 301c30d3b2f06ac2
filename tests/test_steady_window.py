"""What the clerk sees stays where it was and whole: the toolbar's buttons never move under the
mouse, long text wraps instead of running off, and the navigator shows whole category names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QFont, QInputMethodEvent, QTextCursor, QTextLayout, QTextOption
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QListWidget,
    QPlainTextEdit,
    QStyle,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
)
from sqlalchemy import select
from test_archive import seal

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.db.store import ItemSummary
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.fields import Kind
from zwgk_desktop.domain.items import REVIEWED, Report
from zwgk_desktop.errors import Problem
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.dialogs import CorrectionReasonDialog
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.navigator import ITEM_ROLE, Navigator, VillageEntry, _walk
from zwgk_desktop.ui.row_model import SetCells
from zwgk_desktop.ui.workers import wait_for_all
from zwgk_desktop.ui.wrapping import WRAP

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
    with window.archive.sessions() as session:
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


# -- text that wraps -----------------------------------------------------------------------------
LONG_REASON = ("第12户林大田户已于2026年7月迁出本村，不再享受农村低保，月保障金额应为0元；第15户家庭人口应为3人，"
               "原录入为4人，月保障金额相应改为450元；见镇民政办复核意见 https://qingshan.example/zwgk/minzheng/2026/"
               "fuhe-yijian-0012345678.html")
LONG_PROBLEM = ("与柳树湾村2026年第二季度低保及特困供养对象公示第12行是同一身份证号（张*明），"
                "同一季度在两个村享受低保，"
                "请与镇民政办核对后删去其中一行；核对依据见 https://qingshan.example/zwgk/minzheng/2026/duplicate-0012345678")


def _wrapped_height(text: str, font: QFont, width: int) -> tuple[int, float]:
    """How many lines `text` takes at `width` when wrapped as the app wraps it, and how tall they are."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(WRAP)
    layout.setTextOption(option)
    lines, height = 0, 0.0
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        lines, height = lines + 1, height + line.height()
    layout.endLayout()
    return lines, height


def _problems_fit(problems: QListWidget) -> int:
    """Every entry of the problems pane is within the pane's width and tall enough for all its
    wrapped lines (nothing cut off or elided); returns the most lines an entry took."""
    assert problems.horizontalScrollBar().maximum() == 0
    assert problems.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    width = problems.viewport().width()
    margin = problems.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, problems) + 1
    most = 0
    for index in range(problems.count()):
        entry = problems.item(index)
        rect = problems.visualItemRect(entry)
        assert rect.left() >= 0 and rect.right() < width, entry.text()
        lines, height = _wrapped_height(entry.text(), entry.font(), rect.width() - 2 * margin)
        assert height <= rect.height(), f"{entry.text()}: {lines} lines need {height} px, has {rect.height()}"
        most = max(most, lines)
    return most


def _type(box: QWidget, text: str) -> None:
    """Type Chinese as a clerk does: the input method commits the characters to the box."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(box, event)


def _box_fits(box: QPlainTextEdit) -> int:
    """No line of the box is wider than it, and no sideways scrolling; returns its line count."""
    assert box.horizontalScrollBar().maximum() == 0
    width = box.viewport().width()
    lines = 0
    block = box.document().firstBlock()
    while block.isValid():
        layout = block.layout()
        for number in range(layout.lineCount()):
            assert layout.lineAt(number).naturalTextWidth() <= width, block.text()
        lines += layout.lineCount()
        block = block.next()
    return lines


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_problems_and_the_correction_reason_wrap(qtbot, demo_copy: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """A correction with a long 更正原因 and a mistake in a row: the reason and every problem wrap
    within their boxes, at the usual office screen and at 1024×768."""
    desktop.register_qt_font()
    fonts.register()
    seal(demo_copy, "donggang", "2026Q2")
    window = _window(qtbot, desktop.open_archive(str(demo_copy)), size)
    try:
        with window.archive.sessions() as session:
            old = session.scalars(select(DisclosureItem.id).join(store.Village).where(
                store.Village.code == "donggang", DisclosureItem.period == "2026Q2",
                DisclosureItem.category == "assistance")).one()
        _open(qtbot, window, old)
        with qtbot.waitSignal(window.preview.rendered, timeout=30000):
            window.start_correction(old, LONG_REASON)
        editor = window.editor
        assert editor is not None and editor.correction_box.isVisible()
        assert editor.correction_reason.text() == LONG_REASON
        id_column = next(c for c, f in enumerate(editor.model.fields) if f.kind is Kind.ID_NUMBER)
        number = editor.model.text(0, id_column)
        editor.model.setData(editor.model.index(0, id_column), number[:-1] + ("1" if number.endswith("0") else "0"))
        qtbot.waitUntil(lambda: not editor.report.ok, timeout=5000)
        qtbot.waitUntil(lambda: _box_fits(editor.correction_reason) > 1, timeout=5000)
        _problems_fit(editor.problems)  # the checker's own words (a wrong 校验码, a name twice)
        # A longer one, as a worker's report would bring it: it wraps too, and is not cut off.
        found = editor.report
        editor._list_problems(Report(errors=[*found.errors, Problem(LONG_PROBLEM, row=288, field="户主姓名")],
                                       warnings=list(found.warnings)))
        assert _problems_fit(editor.problems) > 2

        # What the clerk types in the box is the item's reason (the box is no line edit any more).
        editor.correction_reason.setFocus()
        editor.correction_reason.moveCursor(QTextCursor.MoveOperation.End)
        _type(editor.correction_reason, "。另：第3户电话号码不公开")
        qtbot.waitUntil(lambda: editor.is_dirty and _box_fits(editor.correction_reason) > 2, timeout=5000)
        assert editor.current_item().correction_reason == LONG_REASON + "。另：第3户电话号码不公开"
    finally:
        _close(window)


def test_the_reason_asked_for_a_correction_wraps(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = CorrectionReasonDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a correction needs its reason
    dialog.reason.setFocus()
    _type(dialog.reason, LONG_REASON)
    assert ok.isEnabled() and dialog.reason_text() == LONG_REASON
    assert _box_fits(dialog.reason) > 2


# -- the navigator -------------------------------------------------------------------------------
def _cut_off(navigator: Navigator) -> list[str]:
    """Every text the navigator shows shortened (…) or outside its view: the names of the rows
    above the items, and the items' status and dates. An item's title may be shortened (its
    tooltip has it whole) but keeps its first four characters; where the dates give way to the
    title on a narrow screen, the tooltip has them."""
    navigator.expandAll()
    navigator.doItemsLayout()
    assert navigator.horizontalScrollBar().maximum() == 0
    width = navigator.viewport().width()
    four = navigator.fontMetrics().horizontalAdvance("关于二〇")
    cut = []
    for node in [navigator.topLevelItem(0), *_walk(navigator.topLevelItem(0))]:
        is_item = node.data(0, ITEM_ROLE) is not None
        if is_item:
            assert navigator.visualRect(navigator.indexFromItem(node, 0)).width() >= four, node.text(0)
            if navigator.isColumnHidden(2):
                assert f"公示期 {node.text(2)}" in node.toolTip(0)
        for column in (1, 2) if is_item else (0,):
            if navigator.isColumnHidden(column):
                continue
            index = navigator.indexFromItem(node, column)
            option = QStyleOptionViewItem()
            navigator.initViewItemOption(option)
            need = navigator.itemDelegate().sizeHint(option, index).width()
            rect = navigator.visualRect(index)
            if need > min(rect.right() + 1, width) - rect.left():
                cut.append(node.text(column))
    return cut


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_navigator_shows_whole_names(qtbot, window: MainWindow, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """With an item open (the editor and the preview take their room too), at the usual office
    screen and at 1024×768, and the window no wider than the screen."""
    window.resize(*size)
    _open(qtbot, window, _item_id(window, "assistance"))
    qtbot.waitUntil(lambda: window.width() == size[0])
    names = {n.text(0) for n in _walk(window.navigator.topLevelItem(0)) if n.data(0, ITEM_ROLE) is None}
    assert {"低保及社会救助（1）", "工程项目招投标（1）", "柳树湾村（liushuwan）"} <= names
    assert _cut_off(window.navigator) == []
    assert window.navigator.isColumnHidden(2) == (size[0] < 1366)  # the dates show on the usual screen
    assert window.width() == size[0]


VILLAGE_NAMES = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=16)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(township=VILLAGE_NAMES, village=VILLAGE_NAMES,
       code=st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz-"), min_size=2, max_size=24))
def test_no_name_is_ever_cut_at_the_navigators_narrowest(qtbot, township: str, village: str, code: str) -> None:  # type: ignore[no-untyped-def]
    """However long the township's and the villages' names, the navigator asks to be wide enough
    for them (the window's splitter never squeezes it below that)."""
    navigator = Navigator()
    qtbot.addWidget(navigator)
    entry = VillageEntry(1, village + "村", code, ("2026Q3",))
    items = [ItemSummary(n, n, entry.name, "2026Q3", category, f"{category}的事项{n}", "reviewed", "主动公开", 3,
                         "2026-10-10", "2026-11-08") for n, category in enumerate(CATEGORIES, start=1)]
    navigator.reload(township + "镇", [entry], items)
    navigator.resize(navigator.minimumWidth(), 600)
    navigator.show()
    qtbot.waitExposed(navigator)
    assert _cut_off(navigator) == []
