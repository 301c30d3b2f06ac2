"""The main window's toolbar: every button keeps its place, whatever the undo history says.

A toolbar button is as wide as its text. Qt's undo actions (`QUndoGroup.createUndoAction`) put the
action's description in their text (“重做 修改第12行月保障金额”), so each edit resized 撤销/重做
and pushed every button after them sideways: a click aimed at 审核通过 landed on 重做 and put an
undone amount back without a word. The toolbar therefore gets its own undo and redo actions with
fixed texts, as icon toolbars do (the icon never changes; what will be undone is in the tooltip and
the status bar). The 编辑 menu keeps the describing actions and their shortcuts: a menu grows
downwards, and nothing moves under the mouse there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMainWindow, QToolBar


def steady_undo_actions(group: QUndoGroup, parent: QObject) -> tuple[QAction, QAction]:
    """撤销 and 重做 for the toolbar: texts that never change, enabled as the group's active stack
    allows, and the description of what they would do in the tooltip and the status tip."""
    undo = QAction("撤销", parent)
    redo = QAction("重做", parent)
    undo.triggered.connect(group.undo)
    redo.triggered.connect(group.redo)
    group.canUndoChanged.connect(undo.setEnabled)
    group.canRedoChanged.connect(redo.setEnabled)
    describe_undo = _describer(undo, "撤销", QKeySequence.StandardKey.Undo)
    describe_redo = _describer(redo, "重做", QKeySequence.StandardKey.Redo)
    group.undoTextChanged.connect(describe_undo)
    group.redoTextChanged.connect(describe_redo)
    undo.setEnabled(group.canUndo())
    redo.setEnabled(group.canRedo())
    describe_undo(group.undoText())
    describe_redo(group.redoText())
    return undo, redo


def _describer(action: QAction, verb: str, key: QKeySequence.StandardKey) -> Callable[[str], None]:
    shortcut = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
    suffix = f"（{shortcut}）" if shortcut else ""

    def describe(text: str) -> None:
        what = f"{verb}：{text}" if text else verb
        action.setToolTip(what + suffix)
        action.setStatusTip(what if text else "")

    return describe


def build_toolbar(window: QMainWindow, actions: Iterable[QAction]) -> QToolBar:
    """The 常用 toolbar, text only, fixed in place (it cannot be dragged off or floated, so a
    clerk's muscle memory of where 审核通过 is stays right)."""
    toolbar = window.addToolBar("常用")
    toolbar.setObjectName("main-toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    toolbar.setMovable(False)
    toolbar.setFloatable(False)
    for action in actions:
        toolbar.addAction(action)
    return toolbar
