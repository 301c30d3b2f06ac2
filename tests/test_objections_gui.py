"""The objection register in the app: the quarter view lists the quarter's objections with their
due dates and states, 登记异议… and 答复… open small dialogs that store through the same functions
as the CLI, a refusal is said in the dialog (no modal box), and the list says anew what is due."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from test_gui import window  # noqa: F401  (the fixture)
from test_home_gui import acting, click, shown

from zwgk_desktop.domain import objections as rules
from zwgk_desktop.office import quarter as home
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.objection_dialogs import AddObjectionDialog, ReplyDialog


def _texts(window: MainWindow) -> str:  # noqa: F811
    page = window.home.widget()
    assert page is not None
    return "\n".join(label.text() for label in page.findChildren(QLabel))


def _ok(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))


def test_an_objection_added_and_replied_late_in_the_quarter_view(qtbot, window: MainWindow) -> None:  # noqa: F811
    data = shown(qtbot, window, village_id=1, period="2026Q3")
    assert isinstance(data, home.VillageQuarter)
    demo = {e.id: e.status for e in data.objections}
    assert sorted(demo.values()) == sorted([rules.REPLIED, rules.LATE, rules.OVERDUE])  # the demo's three
    texts = _texts(window)
    assert "异议登记（3 件，待答复 1 件）" in texts and rules.OVERDUE in texts and rules.LATE in texts
    assert "件异议逾期未答复" in texts  # the quarter's summary says it too

    click(qtbot, acting(window.home, "objection-add:1:2026Q3"))
    dialog = window.findChild(AddObjectionDialog)
    assert dialog is not None and dialog.isVisible()
    bids = dialog.item.findText("中标结果公示", flags=qtbot_match())
    dialog.item.setCurrentIndex(bids)
    dialog.received.setDate(QDate(2026, 10, 9))
    dialog.channel.setCurrentText("网上")
    dialog.text.setPlainText("请回电 13912345678")
    _ok(qtbot, dialog)
    assert dialog.isVisible() and "手机号" in dialog.problem.text()  # refused in the dialog, nothing stored
    dialog.text.setPlainText("第二名报价更低，为何不是中标人？")
    dialog.by.setText("孙小红")
    with qtbot.waitSignal(window.home.shown, timeout=20000) as done:
        _ok(qtbot, dialog)
    data = done.args[0]
    [added] = [e for e in data.objections if e.id not in demo]
    assert added.status == rules.OVERDUE and added.due == date(2026, 10, 19)
    assert "孙小红" not in _texts(window)  # the person is kept, not shown on the register's lines

    click(qtbot, acting(window.home, f"objection-reply:{added.id}"))
    reply = next(d for d in window.findChildren(ReplyDialog) if d.objection_id == added.id)
    reply.text.setPlainText("第二名投标文件资格审查不合格，评标报告已公开，维持中标结果。")
    reply.by.setText("刘建国")
    reply.on.setDate(QDate(2026, 10, 30))
    reply.outcome.setCurrentIndex(reply.outcome.findData("维持"))
    with qtbot.waitSignal(window.home.shown, timeout=20000) as done:
        _ok(qtbot, reply)
    [answered] = [e for e in done.args[0].objections if e.id == added.id]
    assert answered.status == rules.LATE and answered.objection.handler == "刘建国"
    page = window.home.widget()
    assert page is not None
    assert not [w for w in page.findChildren(object) if getattr(w, "property", None)
                and w.property("action") == f"objection-reply:{added.id}"]  # answered: no 答复… any more


def qtbot_match():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MatchFlag.MatchContains


def test_the_dashboard_shows_the_objections_column(qtbot, window: MainWindow) -> None:  # noqa: F811
    dashboard = window.open_dashboard()
    qtbot.waitUntil(lambda: dashboard.table_data is not None, timeout=20000)
    with qtbot.waitSignal(dashboard.shown, timeout=20000) as shown:
        dashboard.choose("2026Q3")
    table = shown.args[0]
    column = len(table.categories)
    header = dashboard.grid.horizontalHeaderItem(column)
    assert header is not None and header.text() == "异议"
    texts = {name: dashboard.grid.item(row, column).text() for row, (name, _, _) in enumerate(table.rows)}
    assert texts["东岗村"].startswith("异议 3 件，逾期未答复 ") and texts["石桥村"] == "异议 0 件，逾期未答复 0 件"
    dashboard.close()
