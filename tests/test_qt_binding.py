"""The Qt binding must not corrupt Python's reference counts (PySide6 6.12.0 on Python 3.11 did:
every signal emitted and every None returned by Qt took a reference from True or None, and the
app aborted with `Fatal Python error: none_dealloc` after about 75 autosaved edits)."""

import sys

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QTreeWidgetItem


class Emitter(QObject):
    fired = Signal()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None and True are immortal from Python 3.12 on")
def test_signals_and_none_returns_keep_reference_counts(qapp) -> None:  # type: ignore[no-untyped-def]
    emitter, item = Emitter(), QTreeWidgetItem(["甲"])
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(20_000):
        emitter.fired.emit()
        item.parent()
        item.data(0, 256)
    assert sys.getrefcount(None) > none_before - 1_000
    assert sys.getrefcount(True) > true_before - 1_000
