"""What the preview's own process runs: the item as it stands in the editor, to the PDF that would
print, and when that cannot be made, why, in words for the clerk. No Qt here: the process imports
only what rendering needs."""

from __future__ import annotations

import traceback
from pathlib import Path

from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.items import Item, validate
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.publishing import RenderResult, render_item
from zwgk_desktop.render.correction import Previous
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.public import Place

# How many of the problems that stop a preview are named in its message.
NAMED = 3


class PreviewPaused(ZwgkError):
    """The draft holds values a sheet cannot be made of yet (an amount typed as "abc"): said in words."""

    exit_code = 2


class PreviewFailed(ZwgkError):
    """Making the preview failed for a reason that is not the clerk's: said in words, with the
    error's own text, so that it can be reported."""

    trace = ""


def render_preview(item: Item, layouts: LayoutSet, place: Place, out: Path,
                   previous: Previous | None = None) -> RenderResult:
    try:
        return render_item(item, layouts, place, out, previous=previous)
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


def _failed(exc: BaseException) -> PreviewFailed:
    """A fault of ours, told as such, carrying its traceback (an exception's attributes travel
    back from the process with it) for the app's log."""
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    failed = PreviewFailed(f"预览没能生成：程序出了错（{detail}）。内容没有受影响，可以继续编辑和保存；"
                           "如果一再出现，请把日志发给技术支持")
    failed.trace = traceback.format_exc()
    return failed
