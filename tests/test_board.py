"""Board pagination: every row once and in order, header on every sheet, totals never alone."""

from dataclasses import replace

import pytest
from factories import assistance, finance, notice
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.board import layout_board, wrap
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.render.public import Place, build_public_item

LAYOUTS = load_layouts(standard_layouts_dir())
PLACE = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk",
              (("村务监督委员会", "0371-62341101"),))


def cjk_measure(text: str, size: float) -> float:
    """Every character a square: enough to test pagination without a font."""
    return len(text) * size


def board_for(item, layout=None):  # type: ignore[no-untyped-def]
    item.id = item.id or 7
    layout = layout or LAYOUTS.for_category(item.category)
    public = build_public_item(item, layout, PLACE)
    return public, layout_board(public, layout, cjk_measure, PLACE.supervision_phones)


def table_rows(board):  # type: ignore[no-untyped-def]
    return [[block for _, block in sheet.blocks if block.kind == "row"] for sheet in board.sheets]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=260))
def test_every_row_once_in_order_with_header_each_sheet(count: int) -> None:
    _, board = board_for(assistance(count=count))
    numbers = [int(block.cells[0][0]) for sheet in table_rows(board) for block in sheet]
    assert numbers == list(range(1, count + 1))
    for sheet in board.sheets:
        kinds = [block.kind for _, block in sheet.blocks]
        if "row" in kinds:
            assert kinds.index("header") < kinds.index("row")
        assert sheet.continued == (sheet.number > 1)
        bottom = max(offset + block.height for offset, block in sheet.blocks)
        assert bottom <= board.body_height + 0.01
    last = [block.kind for _, block in board.sheets[-1].blocks]
    assert "totals" in last and "row" in last  # the totals keep company with a row
    assert "summary" in last


def test_rows_per_sheet_cap() -> None:
    layout = replace(LAYOUTS.for_category("assistance"), rows_per_sheet=10)
    _, board = board_for(assistance(count=25), layout)
    assert [len(rows) for rows in table_rows(board)] == [10, 10, 5]


def test_totals_and_summary() -> None:
    public, board = board_for(finance())
    assert public.totals == ("本期合计", "", "", "", "100,000.00", "15,450.00", "")
    assert [row[-1] for row in public.rows] == ["150,000.00", "135,000.00", "134,550.00"]  # running 余额
    assert dict(public.info) == {"期初余额（元）": "50,000.00"}
    assert dict(public.summary)["期末余额（大写）"] == "壹拾叁万肆仟伍佰伍拾元整"
    totals = next(block for _, block in board.sheets[-1].blocks if block.kind == "totals")
    assert totals.span == 4  # the label spreads over the empty cells before the first figure


def test_notice_without_rows_has_no_table() -> None:
    public, board = board_for(notice())
    kinds = {block.kind for sheet in board.sheets for _, block in sheet.blocks}
    assert "header" not in kinds and "para" in kinds
    assert public.title == "村民代表会议决议公告"


def test_long_body_flows_onto_more_sheets() -> None:
    item = notice()
    item.fields["body"] = "\n".join(["本村召开村民代表会议，讨论通过了道路硬化、路灯安装和垃圾清运等事项。" * 3] * 30)
    _, board = board_for(item)
    assert board.count >= 2


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("一二三四五六", 60, ["一二三四五六"]),
    ("一二三四五六七八", 40, ["一二三四", "五六七八"]),
    ("一二三，四五", 30, ["一二三，", "四五"]),  # a comma never starts a line
    ("甲\n乙", 100, ["甲", "乙"]),
])
def test_wrap(text: str, width: float, lines: list[str]) -> None:
    assert wrap(text, width, 10, cjk_measure) == lines
