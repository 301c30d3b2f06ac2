"""The app's chooser of a link (关联事项): it offers the village's earlier items of the categories the
field takes, and what is chosen is saved as the item's link and shows on the preview's sheet."""

from __future__ import annotations

from pathlib import Path

import pypdf
from test_gui import window  # noqa: F401  (the main window on a copy of the demo)
from test_links import chain_numbers, follows

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, public_number
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.ui.item_editor import ItemChooser
from zwgk_desktop.ui.main_window import MainWindow


def test_the_chooser_offers_earlier_items_of_the_allowed_categories_and_saves_the_choice(
        qtbot, window: MainWindow, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    chain = chain_numbers(demo_copy)
    with window.archive.sessions() as session:
        progress = store.find_item(session, chain["progress"], "liushuwan")
        village = progress.village_id
        # 柳树湾村's only (the numbers are the archive's, so another village's cannot be among them).
        expected = {public_number(r) for r in session.query(DisclosureItem).filter(
            DisclosureItem.village_id == village, DisclosureItem.category.in_(("bids", "notice")))
            if public_number(r) < chain["progress"] and Quarter.parse(r.period) <= Quarter(2026, 3)}
        wanted = progress.id
    with qtbot.waitSignal(window.preview.rendered, timeout=20000):
        window.navigator.setCurrentItem(window.navigator.find_item(wanted))
    editor = window.editor
    assert editor is not None and editor.item is not None and editor.item.id == wanted
    chooser = editor._inputs["follows"]
    assert isinstance(chooser, ItemChooser)
    offered = {chooser.itemData(i) for i in range(1, chooser.count())}
    assert offered == expected and chooser.itemData(0) is None  # （无） first
    assert chain["settlement"] not in offered and chain["progress"] not in offered
    assert chooser.currentData() == chain["bid"]
    shown = chooser.currentText()
    assert shown.startswith(f"第 {chain['bid']} 号 · 2026年第二季度 · 工程项目招投标 · ") and "中标结果公示" in shown
    before = window.preview.result.items[0].code  # type: ignore[union-attr]
    with qtbot.waitSignal(window.saved, timeout=20000), qtbot.waitSignal(window.preview.rendered, timeout=20000):
        chooser.setCurrentIndex(chooser.findData(chain["decision"]))
    assert follows(demo_copy, chain["progress"]) == chain["decision"]
    assert window.preview.result.items[0].code != before  # type: ignore[union-attr]  # the link is content
    assert window.preview.pdf_path is not None
    sheet = pypdf.PdfReader(window.preview.pdf_path).pages[0].extract_text()
    assert "关联事项" in sheet and f"第 {chain['decision']} 号" in sheet
    with qtbot.waitSignal(window.saved, timeout=20000):
        chooser.setCurrentIndex(0)
    assert follows(demo_copy, chain["progress"]) is None
