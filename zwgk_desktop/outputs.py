"""Writing an output file whole or not at all: it is written beside its place under a temporary
name and moved into place only when complete, so a crash, a full disk or a cancelled job never
leaves half a PDF, workbook or bundle where a clerk would pick it up. A place that cannot be
written (a folder that is a file, no permission) is told in words naming the file."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from zwgk_desktop.errors import BadInput


@contextlib.contextmanager
def replacing(out: Path, what: str = "") -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `out`, on any failure it is removed."""
    partial = out.with_name(out.name + ".partial")
    try:
        yield partial
        partial.replace(out)
    except OSError as exc:
        _discard(partial)
        raise BadInput(f"无法写出{what} {out}：{exc.strerror or exc}") from None
    except BaseException:
        _discard(partial)
        raise


def _discard(partial: Path) -> None:
    with contextlib.suppress(OSError):  # e.g. the folder is a file: nothing was written there
        partial.unlink(missing_ok=True)
