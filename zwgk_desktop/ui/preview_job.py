"""What the preview's own process runs: the item as it stands in the editor, to the PDF that would
print, and when that cannot be made, why, in words for the clerk. No Qt here: the process imports
only what rendering needs.

The process is long-lived and renders one item after another, so it keeps the last item's layout:
asked for the first sheet of a long list (to show it at once) and then for the whole, it lays
the list out once.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.items import Item, validate
from zwgk_desktop.domain.place import Place
from zwgk_desktop.errors import Problem, ZwgkError
from zwgk_desktop.render.correction import Previous
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.posters import RenderResult, posters_for

# How many of the problems that stop a preview are named in its message.
NAMED = 3
NO_ADDRESS = "https://（未设置网上公开地址）"


class PreviewPaused(ZwgkError):
    """The draft holds values a sheet cannot be made of yet (an amount typed as "abc"): said in words."""

    exit_code = 2


class PreviewFailed(ZwgkError):
    """Making the preview failed for a reason that is not the clerk's: said in words, with the
    error's own text, so that it can be reported."""

    trace = ""


@dataclass(frozen=True)
class Shown:
    """An item on the preview, as the window needs it (not its 10,000 rows: they stay in the process)."""

    item_id: int
    code: str  # the verification code its sheets carry
    content_hash: str


@dataclass
class PreviewResult:
    """What a preview holds: its sheets (`drawn` of them in this PDF), its items, what to tell."""

    sheets: int
    drawn: int
    base_url: str
    items: list[Shown] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    printed: list[tuple[int, str]] = field(default_factory=list)  # as RenderResult.printed

    @property
    def partial(self) -> bool:
        """Only the first sheets, shown while the others are drawn."""
        return self.drawn < self.sheets


class RowsUnknown(Exception):
    """An edit's rows were sent as changes to rows this process does not hold (it was restarted,
    or the job that sent them was dropped): the window sends them whole."""


@dataclass(frozen=True)
class RowChanges:
    """An item's rows as the ones sent before under the number `base`, with `changed` replaced
    (by position) and `count` of them: what an edit of a long list sends to the process, rather
    than pickling 10,000 rows while the window waits for the interpreter."""

    base: int
    count: int
    changed: dict[int, dict[str, Any]]


# Rows this process was sent lately, by the number the window gave them.
_received: dict[int, list[dict[str, Any]]] = {}
_RECEIVED_KEPT = 3
# The last item laid out in this process, with what it was laid out from.
_laid_out: tuple[tuple[Item, LayoutSet, Place, Previous | None], list[Poster], RenderResult] | None = None


def render_preview(item: Item, layouts: LayoutSet, place: Place, out: Path,
                   previous: Previous | None = None, first: int | None = None,
                   rows: tuple[int, RowChanges | None] | None = None) -> PreviewResult:
    """The item to `out` as it would print (only its `first` sheets, if given); the base URL is the
    place's, and without one the QR code points at a placeholder and the clerk is told.

    `rows`: the number the window gives the item's rows, and the changes they are (then the item
    comes without rows) or None (they come with it).
    """
    if rows is not None:
        number, changes = rows
        if changes is not None:
            item = replace(item, rows=_rows_from(changes))
        _received[number] = item.rows
        while len(_received) > _RECEIVED_KEPT:
            del _received[min(_received)]
    try:
        posters, laid_out = _posters(item, layouts, place, previous)
        drawn = write_pdf(posters, out, first=first)
    except ZwgkError:
        raise
    except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError) as exc:
        # A draft's cells hold what was typed until corrected; say which, as the problems list does.
        report = validate(item.snapshot(), category_of(item.category))
        if report.errors:
            named = "；".join(str(p) for p in report.errors[:NAMED])
            more = f"等 {len(report.errors)} 处" if len(report.errors) > NAMED else ""
            raise PreviewPaused(f"表中还有填错的值：{named}{more}。改正后预览会自动更新") from None
        raise _failed(exc) from None
    except Exception as exc:
        raise _failed(exc) from None
    return PreviewResult(
        sheets=sum(len(p.board.sheets) for p in posters), drawn=drawn, base_url=laid_out.base_url,
        items=[Shown(p.item_id, p.code, p.content_hash) for p in laid_out.items],
        drafts=list(laid_out.drafts), warnings=list(laid_out.warnings), printed=list(laid_out.printed))


def _rows_from(changes: RowChanges) -> list[dict[str, Any]]:
    base = _received.get(changes.base)
    if base is None or len(base) != changes.count:
        raise RowsUnknown(changes.base)
    rows = list(base)
    for index, row in changes.changed.items():
        rows[index] = row
    return rows


def _posters(item: Item, layouts: LayoutSet, place: Place, previous: Previous | None
             ) -> tuple[list[Poster], RenderResult]:
    """The item laid out, or the same as last time if it is the same item (compared whole)."""
    global _laid_out
    asked = (item, layouts, place, previous)
    if _laid_out is not None and _laid_out[0] == asked:
        return _laid_out[1], _laid_out[2]
    _laid_out = None
    base_url = place.base_url or NO_ADDRESS
    result = RenderResult(base_url=base_url)
    if not place.base_url:
        result.warnings.append(Problem("还没有设置网上公开地址：二维码暂时无效，请在“设置”中填写"))
    replaced = {item.id: previous} if previous is not None and item.id is not None else {}
    posters = posters_for([item], layouts, place, base_url, result, replaced)
    _laid_out = (asked, posters, result)
    return posters, result


def _failed(exc: BaseException) -> PreviewFailed:
    """A fault of ours, told as such, carrying its traceback (an exception's attributes travel
    back from the process with it) for the app's log."""
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    failed = PreviewFailed(f"预览没能生成：程序出了错（{detail}）。内容没有受影响，可以继续编辑和保存；"
                           "如果一再出现，请把日志发给技术支持")
    failed.trace = traceback.format_exc()
    return failed
