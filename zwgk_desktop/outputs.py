"""Writing an output file whole or not at all: it is written beside its place under a temporary
name and moved into place only when complete, so a crash, a full disk or a cancelled job never
leaves half a PDF, workbook or bundle where a clerk would pick it up. A place that cannot be
written (a folder that is a file, no permission) is told in words naming the file."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from functools import cache
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
        raise BadInput(f"无法写出{what} {out}：{why(exc)}") from None
    except BaseException:
        _discard(partial)
        raise


# The operating system's reasons, as a clerk should read them (its own words are in English).
_REASONS = {
    errno.ENOENT: "文件夹不存在", errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限",
    errno.ENOSPC: "磁盘已满", errno.EROFS: "这个位置只能读不能写（光盘或写保护的 U 盘？）",
    errno.EISDIR: "这是一个文件夹", errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EEXIST: "已有同名文件", errno.EBUSY: "文件正被其他程序使用",
}


def why(exc: OSError) -> str:
    """Why a file could not be read or written, in words (the system's own for rare cases)."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def readable_by_others(path: str | Path) -> None:
    """Give a file made under a temporary name the mode any new file of the user gets.

    `tempfile.mkstemp` makes files only their owner may read; an output is for others too: the web
    server that serves the online copy, the office's shared folder, the print spooler.
    """
    os.chmod(path, 0o666 & ~_umask())


@cache
def _umask() -> int:
    # Reading the umask means setting it: once per process, before any worker thread writes files.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _discard(partial: Path) -> None:
    with contextlib.suppress(OSError):  # e.g. the folder is a file: nothing was written there
        partial.unlink(missing_ok=True)
