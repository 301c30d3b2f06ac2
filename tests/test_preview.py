"""The live preview: a long list shows its first sheet at once and then the whole, an edit sends
the process only the rows it changed, a cell is checked as soon as it is committed, and what
stops a preview reaches the clerk in words."""

from __future__ import annotations

import pickle
from pathlib import Path

import factories
import pypdf
import pytest

from zwgk_desktop import paths
from zwgk_desktop.domain.categories import category
from zwgk_desktop.domain.items import Item
from zwgk_desktop.render import fonts
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.render.public import Place
from zwgk_desktop.ui import preview_job
from zwgk_desktop.ui.item_editor import PROBLEMS_LISTED, ItemEditor
from zwgk_desktop.ui.preview import PreviewPane
from zwgk_desktop.ui.preview_job import (
    PreviewFailed,
    PreviewPaused,
    PreviewResult,
    RowChanges,
    RowsUnknown,
    render_preview,
)

LAYOUTS = load_layouts(paths.standard_layouts_dir())
PLACE = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk", ())


def _list(count: int) -> Item:
    item = factories.assistance(count=count, seed=4)
    item.id = 7
    return item


# ---------------------------------------------------------------------------------------------
# In the preview's process (no Qt): words for what stops a preview, rows sent as changes.

def test_a_value_typed_wrong_pauses_the_preview_naming_the_cell(tmp_path: Path) -> None:
    item = _list(5)
    item.rows[1]["monthly_amount"] = "abc"
    with pytest.raises(PreviewPaused) as paused:
        render_preview(item, LAYOUTS, PLACE, tmp_path / "p.pdf")
    assert paused.value.message.startswith("表中还有填错的值：第2行 月保障金额：") and "abc" in paused.value.message
    assert not (tmp_path / "p.pdf").exists()


def test_a_fault_of_ours_is_told_in_words_and_its_traceback_travels_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("unsupported operand type(s) for +: 'int' and 'NoneType'")

    monkeypatch.setattr(preview_job, "posters_for", broken)
    with pytest.raises(PreviewFailed) as failed:
        render_preview(_list(3), LAYOUTS, PLACE, tmp_path / "p.pdf")
    back = pickle.loads(pickle.dumps(failed.value))  # as it comes back from the process
    assert back.message.startswith("预览没能生成：程序出了错（TypeError: unsupported operand")
    assert "可以继续编辑和保存" in back.message and "in broken" in back.trace


def test_rows_sent_as_changes_render_as_the_whole_would(tmp_path: Path) -> None:
    item = _list(60)
    whole = render_preview(item, LAYOUTS, PLACE, tmp_path / "a.pdf", rows=(101, None))
    edited = item.snapshot()
    edited.rows[30]["monthly_amount"] = 123_400
    without_rows = edited.snapshot()
    without_rows.rows = []
    changes = RowChanges(101, 60, {30: edited.rows[30]})
    changed = render_preview(without_rows, LAYOUTS, PLACE, tmp_path / "b.pdf", rows=(102, changes))
    direct = render_preview(edited, LAYOUTS, PLACE, tmp_path / "c.pdf")
    assert changed.items == direct.items and changed.items != whole.items  # a new verification code
    assert _text(tmp_path / "b.pdf") == _text(tmp_path / "c.pdf")
    with pytest.raises(RowsUnknown):  # rows this process never got: the window sends them whole
        render_preview(without_rows, LAYOUTS, PLACE, tmp_path / "d.pdf", rows=(104, RowChanges(103, 60, {})))


def test_the_first_sheet_alone_is_numbered_as_in_the_whole(tmp_path: Path) -> None:
    first = render_preview(_list(200), LAYOUTS, PLACE, tmp_path / "first.pdf", first=1)
    whole = render_preview(_list(200), LAYOUTS, PLACE, tmp_path / "whole.pdf")
    assert first.partial and (first.drawn, first.sheets) == (1, whole.sheets) and whole.sheets > 1
    assert not whole.partial and first.items == whole.items
    assert f"共 {whole.sheets} 张" in _text(tmp_path / "first.pdf")
    assert _text(tmp_path / "first.pdf") == pypdf.PdfReader(tmp_path / "whole.pdf").pages[0].extract_text()


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


# ---------------------------------------------------------------------------------------------
# In the window.

@pytest.fixture
def pane(qtbot):  # type: ignore[no-untyped-def]
    fonts.register()
    shown = PreviewPane(LAYOUTS)
    qtbot.addWidget(shown)
    yield shown
    shown.stop()


def test_a_long_list_shows_its_first_sheet_then_the_whole(qtbot, pane: PreviewPane) -> None:  # type: ignore[no-untyped-def]
    seen: list[PreviewResult] = []
    pane.shown.connect(seen.append)
    with qtbot.waitSignal(pane.rendered, timeout=60000):
        pane.request(_list(200), PLACE, at_once=True, tag=("list", 0))
    assert [(r.partial, r.drawn) for r in seen] == [(True, 1), (False, seen[-1].sheets)]
    assert pane.rendered_tag == ("list", 0) and pane.sheet_count == seen[-1].sheets
    before = seen[-1].items[0].code
    # An edit then: the whole at once (a sheet is on screen), with the rows sent as changes.
    edited = _list(200)
    edited.rows[150]["monthly_amount"] = 99_900
    sent, (_, changes) = pane._rows_to_send(edited)
    assert sent.rows == [] and changes is not None and list(changes.changed) == [150]
    seen.clear()
    with qtbot.waitSignal(pane.rendered, timeout=60000):
        pane.request(edited, PLACE, tag=("list", 1))
    assert [r.partial for r in seen] == [False] and pane.rendered_tag == ("list", 1)
    assert pane.result is not None and pane.result.items[0].code != before


def test_a_fault_reaches_the_clerk_in_words(qtbot, pane: PreviewPane) -> None:  # type: ignore[no-untyped-def]
    failure = PreviewFailed("预览没能生成：程序出了错（KeyError: 'rank'）。内容没有受影响，可以继续编辑和保存")
    with qtbot.waitSignal(pane.failed) as told:
        pane._on_failed(pane._generation, failure)
    assert told.args == [failure.message] and pane.state.text() == f"预览未更新：{failure.message}"


def test_a_committed_cell_is_checked_without_the_typing_pause(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = ItemEditor(category("assistance"))
    qtbot.addWidget(editor)
    editor.load(factories.assistance(count=20, seed=2))
    amount = next(c for c, f in enumerate(editor.model.fields) if f.key == "monthly_amount")
    with qtbot.waitSignal(editor.changed, timeout=1000):  # the typing pause is 200 ms; this is the next pass
        editor.model.setData(editor.model.index(3, amount), "abc")
    assert [(p.row, p.field) for p in editor.report.errors] == [(4, "月保障金额")]


def test_the_problems_pane_lists_the_first_problems_and_counts_the_rest(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = ItemEditor(category("assistance"))
    qtbot.addWidget(editor)
    item = factories.assistance(count=PROBLEMS_LISTED + 50, seed=2)
    for row in item.rows:  # every household after the first: 同组同名 and the same 身份证号
        row["group"], row["head_name"], row["id_number"] = "1组", "张建国", item.rows[0]["id_number"]
    editor.load(item)
    assert len(editor.report.warnings) == len(editor.report.errors) == PROBLEMS_LISTED + 49
    assert editor.problems.count() == PROBLEMS_LISTED + 1
    rest = len(editor.report.errors) + len(editor.report.warnings) - PROBLEMS_LISTED
    assert editor.problems.item(PROBLEMS_LISTED).text().startswith(f"……还有 {rest} 处")


def test_an_item_being_opened_shows_its_first_sheet_and_prints_once_asked_whole(qtbot, pane: PreviewPane) -> None:  # type: ignore[no-untyped-def]
    """As the window opens an item: its first sheet as soon as it is read, the whole once the
    editor is shown; only the whole may print, even of a list that has one sheet."""
    rendered: list[PreviewResult] = []
    pane.rendered.connect(rendered.append)
    with qtbot.waitSignal(pane.shown, timeout=60000) as first:
        pane.request_soon(_list(5), PLACE, tag=("item", 0))
    assert first.args[0].sheets == 1 and rendered == [] and pane.rendered_tag is None
    with qtbot.waitSignal(pane.rendered, timeout=60000):
        pane.request(_list(5), PLACE, at_once=True, tag=("item", 0))
    assert pane.rendered_tag == ("item", 0) and len(rendered) == 1
