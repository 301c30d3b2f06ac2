"""The home view in the app, driven as a clerk would: it is where the app opens, each line is one
click from its item (or from making it), and it says anew what is left after a save, a review
and a seal. Nothing on it is cut off or elided at the usual screen sizes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QInputDialog, QLabel, QMessageBox, QWidget
from test_gui import item_id, window  # noqa: F401  (the fixture)

from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.office import quarter as home
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.home import HomeView, Tile
from zwgk_desktop.ui.import_wizard import ImportWizard
from zwgk_desktop.ui.main_window import MainWindow

Q3 = "2026Q3"


def shown(qtbot, window: MainWindow, **where: object) -> home.VillageQuarter | home.TownshipQuarter:  # type: ignore[no-untyped-def]  # noqa: F811
    """Show the home (a village's quarter, or with township=True every village's) and wait for it."""
    with qtbot.waitSignal(window.home.shown, timeout=20000) as done:
        assert window.show_home(**where)  # type: ignore[arg-type]
    return done.args[0]


def acting(view: QWidget, action: str) -> QWidget:
    """The button or tile on the home that does `action` (`open:12`, `new:1:2026Q4:finance` …)."""
    found = [w for w in view.findChildren(QWidget) if w.property("action") == action]
    assert found, f"nothing on the home does {action}"
    return found[0]


def click(qtbot, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    widget.window().raise_()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def nothing_cut(view: HomeView) -> list[str]:
    """Every text on the home that does not fit where it is shown (elided, cut or overflowing)."""
    QApplication.processEvents()
    cut = []
    page = view.widget()
    assert page is not None
    if page.width() > view.viewport().width() or page.minimumSizeHint().width() > view.viewport().width():
        cut.append(f"the page is wider ({page.minimumSizeHint().width()}) than the view ({view.viewport().width()})")
    for label in page.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            needs = label.heightForWidth(label.width())
            if needs > label.height() + 1:
                cut.append(f"“{label.text()[:40]}” needs {needs} px, has {label.height()}")
        elif label.fontMetrics().horizontalAdvance(label.text()) > label.width():
            cut.append(f"“{label.text()}” is wider than its {label.width()} px")
    for button in page.findChildren(QAbstractButton):
        if button.isVisible() and button.sizeHint().width() > button.width():
            cut.append(f"button “{button.text()}” is {button.width()} px, needs {button.sizeHint().width()}")
    return cut


def test_the_app_opens_on_the_village_quarter_of_today(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    qtbot.waitUntil(lambda: window.home.data is not None, timeout=20000)
    data = window.home.data
    assert isinstance(data, home.VillageQuarter)
    assert (data.village, data.period) == ("东岗村", Quarter.containing(date.today()))
    assert window.center.currentWidget() is window.home and not window.preview.isVisible()
    texts = [label.text() for label in window.home.findChildren(QLabel)]
    assert not any("请在左侧选择" in t for t in texts)
    assert any("本季度应公开" in t for t in texts) and any("待村务监督委员会审核" in t for t in texts)
    for size in ((1366, 768), (1024, 768)):
        window.resize(*size)
        for where in ({"village_id": 1}, {"village_id": 1, "period": Q3}, {"township": True, "period": Q3}):
            shown(qtbot, window, **where)
            assert nothing_cut(window.home) == [], (size, where)


def test_a_line_opens_its_item_and_the_home_says_anew_what_is_left(qtbot, window: MainWindow,  # noqa: F811
                                                                    monkeypatch) -> None:  # type: ignore[no-untyped-def]
    q3 = shown(qtbot, window, village_id=1, period=Q3)
    assert isinstance(q3, home.VillageQuarter)
    draft = q3.to_review[0]
    assert not q3.sealable and q3.blockers[0].item_id == draft.item_id

    # One click on the line of the draft waiting for the 村务监督委员会 opens it, with its preview.
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        click(qtbot, acting(window.home, f"open:{draft.item_id}"))
    assert window.editor is not None and window.editor.item is not None and window.editor.item.id == draft.item_id
    assert window.center.currentWidget() is window.editor and window.preview.isVisible()

    editor = window.editor
    for edit, text in ((editor.title, "关于2026年耕地地力保护补贴发放情况的公告（核定）"),
                       (editor.reviewer, "王德明"), (editor.reviewed_on, "2026-10-09")):
        edit.setText(text)
        edit.textEdited.emit(text)
    editor.flush()
    assert window.mark_reviewed() is True  # saved, as reviewed

    # Back home (首页): the saved title, nothing waits, nothing stops the seal.
    with qtbot.waitSignal(window.home.shown, timeout=20000):
        window.show_home(1, Q3)
    after = window.home.data
    assert isinstance(after, home.VillageQuarter) and window.editor is None
    assert not after.to_review and not after.blockers and after.sealable
    notice = next(line for line in after.lines if line.category == "notice")
    assert any(e.title.endswith("（核定）") and e.status == "reviewed" for e in notice.items)

    # The seal from the home: asked as the menu asks, then the home shows the quarter sealed.
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("李秀芬", True))
    with qtbot.waitSignal(window.sealed, timeout=60000), qtbot.waitSignal(window.home.shown, timeout=60000):
        click(qtbot, acting(window.home, f"seal:1:{Q3}"))
    qtbot.waitUntil(lambda: isinstance(window.home.data, home.VillageQuarter) and window.home.data.sealed,
                    timeout=20000)
    sealed = window.home.data
    assert isinstance(sealed, home.VillageQuarter)
    # Every line sealed, but a category with nothing this quarter (收益分配 outside Q4): none needed.
    states = {line.category: line.state for line in sealed.lines}
    assert set(states.values()) <= {home.SEALED, home.NONE_NEEDED} and not sealed.sealable
    assert all(states[c] == home.SEALED for c in ("finance", "assistance", "bids", "notice"))
    assert any("本季度已封存" in label.text() for label in window.home.findChildren(QLabel))


def test_making_an_item_from_its_line(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    today = str(Quarter.containing(date.today()))
    data = shown(qtbot, window, village_id=2)
    assert isinstance(data, home.VillageQuarter) and data.village == "柳树湾村"
    finance = next(line for line in data.lines if line.category == "finance")
    assert finance.state == home.TO_ENTER
    # 从 Excel 导入 opens the wizard for that village, quarter and category.
    opened: list[tuple[int, str, str]] = []
    monkeypatch.setattr(ImportWizard, "exec", lambda wizard: opened.append(
        (wizard.village_id, str(wizard.period), wizard.category.currentData())) or 0)
    click(qtbot, acting(window.home, f"import:2:{today}:assistance"))
    assert opened == [(2, today, "assistance")]
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        click(qtbot, acting(window.home, f"new:2:{today}:finance"))
    assert window.editor is not None and window.editor.item is not None
    assert (window.editor.item.category, str(window.editor.item.period)) == ("finance", today)
    assert window.chosen_place == (2, today)
    again = shown(qtbot, window, village_id=2)
    assert isinstance(again, home.VillageQuarter)
    assert next(line for line in again.lines if line.category == "finance").state == home.FIX  # a blank draft


def test_the_township_at_the_root_of_the_tree(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    shown(qtbot, window, village_id=1)
    with qtbot.waitSignal(window.home.shown, timeout=20000) as done:
        window.navigator.setCurrentItem(window.navigator.topLevelItem(0))
    township = done.args[0]
    assert isinstance(township, home.TownshipQuarter)
    with qtbot.waitSignal(window.home.shown, timeout=20000) as done:
        window.home.show_township(Quarter.parse(Q3))
    township = done.args[0]
    assert [v.village for v in township.villages] == ["东岗村", "柳树湾村", "石桥村"]
    # A cell opens that village's item of that category, in one click.
    wanted = item_id(window, "assistance", village="shiqiao", period=Q3)
    with qtbot.waitSignal(window.preview.rendered, timeout=30000):
        click(qtbot, acting(window.home, f"open:{wanted}"))
    assert window.editor is not None and window.editor.item is not None and window.editor.item.id == wanted
    # A village's quarter from the navigator, and from the village's name on the township's grid.
    with qtbot.waitSignal(window.home.shown, timeout=20000) as done:
        window.navigator.select_place(3, Q3)
    assert window.editor is None and isinstance(done.args[0], home.VillageQuarter)
    assert (done.args[0].village, str(done.args[0].period)) == ("石桥村", Q3)
    shown(qtbot, window, township=True, period=Q3)
    names = [t for t in window.home.findChildren(Tile) if t.title.text() == "柳树湾村"]
    with qtbot.waitSignal(window.home.shown, timeout=20000) as done:
        click(qtbot, names[0])
    assert isinstance(done.args[0], home.VillageQuarter) and done.args[0].village == "柳树湾村"


def test_the_auditor_sees_the_home_without_ways_to_change(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    desktop.register_qt_font()
    main = MainWindow(desktop.open_read_only(str(demo_copy)))
    qtbot.addWidget(main)
    main.show()
    with qtbot.waitSignal(main.home.shown, timeout=20000):
        main.show_home(1, "2025Q4")
    actions = {w.property("action") for w in main.home.findChildren(QWidget) if w.property("action")}
    assert actions and all(str(a).startswith("open:") for a in actions)
    from zwgk_desktop.ui.workers import wait_for_all

    wait_for_all()
    main.preview.stop()
