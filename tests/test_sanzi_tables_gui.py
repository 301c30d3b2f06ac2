"""The app's editor, generic over category files, opens and saves an 经济合同, a 债权债务 and a
收益分配 item as a clerk would (offscreen): an edit is stored, a broken balance or sum is named in
the problem list with its row, and the item's own values have their boxes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from test_gui import column, window  # noqa: F401  (the app on a copy of the demo)

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.ui.main_window import MainWindow

# category → (period, a text column to edit, the row key it is stored under)
EDITS = {"contracts": ("2026Q3", "备注", "note"), "debts": ("2026Q3", "形成原因", "reason"),
         "distribution": ("2025Q4", "依据及说明", "basis")}


def _open(qtbot: Any, window: MainWindow, code: str) -> int:  # noqa: F811
    period = EDITS[code][0]
    with window.archive.sessions() as session:
        wanted = session.scalars(select(DisclosureItem.id).join(store.Village).where(
            store.Village.code == "donggang", DisclosureItem.period == period,
            DisclosureItem.category == code)).first()
    assert wanted is not None
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        window.navigator.setCurrentItem(window.navigator.find_item(wanted))
    assert window.editor is not None and window.editor.item is not None and window.editor.item.id == wanted
    return int(wanted)


@pytest.mark.parametrize("code", list(EDITS))
def test_the_editor_opens_and_saves_one_of_each(code: str, qtbot: Any, window: MainWindow) -> None:  # noqa: F811
    number = _open(qtbot, window, code)
    editor = window.editor
    assert editor is not None
    # The category's own values have their boxes, and the table its columns, from the category file.
    labels = {f.label for f in editor.model.fields}
    assert EDITS[code][1] in labels
    assert set(editor._inputs) == {f.key for f in editor.category.item_fields}
    assert not [editor.problems.item(i).text() for i in range(editor.problems.count())
                if "错误" in editor.problems.item(i).text()]
    cell = editor.model.index(1, column(window, EDITS[code][1]))
    with qtbot.waitSignal(window.saved, timeout=20000):
        editor.model.setData(cell, "经村民代表会议讨论通过")
    with window.archive.sessions() as session:
        item, _ = store.load_item(session, number)
    assert item.rows[1][EDITS[code][2]] == "经村民代表会议讨论通过"
    assert item.status == "draft"  # an edited item needs a new review


def _told_after(qtbot: Any, window: MainWindow, code: str, label: str, typed: str) -> list[str]:  # noqa: F811
    """What the problem list says once the first row's `label` is typed over."""
    _open(qtbot, window, code)
    editor = window.editor
    assert editor is not None
    editor.model.setData(editor.model.index(0, column(window, label)), typed)
    editor.flush()
    return [editor.problems.item(i).text() for i in range(editor.problems.count())]


def test_a_broken_balance_is_named_with_its_row(qtbot: Any, window: MainWindow) -> None:  # noqa: F811
    said = _told_after(qtbot, window, "debts", "期末余额", "1.00")
    assert any("第1行" in s and "余额不符" in s for s in said), said
    assert any("债权的期末余额合计" in s or "债务的期末余额合计" in s for s in said), said
    assert not window.print_action.isEnabled() and not window.pdf_action.isEnabled()


def test_a_distribution_that_does_not_add_up_is_told(qtbot: Any, window: MainWindow) -> None:  # noqa: F811
    said = _told_after(qtbot, window, "distribution", "金额", "1.00")
    assert any("金额合计" in s and "本年可分配收益" in s for s in said), said
    assert not window.print_action.isEnabled()
