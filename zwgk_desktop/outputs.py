"""Writing an output file whole or not at all: it is written beside its place under a temporary
name and moved into place only when complete, so a crash, a full disk or a cancelled job never
leaves half a PDF, workbook or bundle where a clerk would pick it up. A place that cannot be
written (a folder that is a file, no permission) is told in words naming the file."""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import stat
import sys
import tempfile
import traceback
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from zwgk_desktop.errors import BadInput, Blocked, ZwgkError


@contextlib.contextmanager
def replacing(out: Path, what: str = "") -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `out`, on any failure it is removed."""
    check_target(out, what)
    partial = out.with_name(out.name + ".partial")
    try:
        yield partial
        partial.replace(out)
    except OSError as exc:
        _let_go(exc)
        _discard(partial)
        raise cannot_write(f"无法写出{what} {out}", exc) from None
    except BaseException:
        _discard(partial)
        raise


# The operating system's reasons, as a clerk should read them (its own words are in English).
_REASONS = {
    errno.ENOENT: "文件夹不存在", errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限（文件或文件夹被设为只读或锁定）",
    errno.ENOSPC: "磁盘已满", errno.EDQUOT: "磁盘已满（超出了分给这个用户的空间）",
    errno.EROFS: "这个位置只能读不能写（光盘或写保护的 U 盘？）",
    errno.EISDIR: "这是一个文件夹", errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EEXIST: "已有同名文件", errno.EBUSY: "文件正被其他程序使用",
    errno.EIO: "读写出错（磁盘故障，或 U 盘被拔出？）", errno.EFBIG: "文件太大，这个磁盘放不下",
}
_READING = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限"}

# A disk that is full or failing is no mistake in what the user asked: another place, or a freed
# disk, and the same command works (exit 3 rather than 2).
_NOT_THE_INPUT = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EBUSY}


def check_target(out: Path, what: str = "") -> None:
    """Refuse an output place that holds a device or a pipe (/dev/null, say): moving a file into
    place would replace the device itself, and an administrator may do that."""
    with contextlib.suppress(OSError):
        mode = out.stat().st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise BadInput(f"{out} 是设备或管道，不能用来写出{what or '文件'}：请给出一个文件名")


def cannot_make_files_in(folder: Path) -> OSError | None:
    """Why no file can be made in `folder`, or None if one can. Tried, since permission bits do not
    tell: an administrator passes them, a locked folder or read-only media stops even the
    administrator."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".zwgk-probe-"):
            return None
    except OSError as exc:
        return exc


# Windows's own codes for a file another program holds open (a PDF reader showing last week's
# board): Python maps them to EACCES, which would tell the clerk of permissions she has.
_WINDOWS_IN_USE = {32: "文件正被其他程序打开（如 PDF 阅读器或 WPS）：请先关闭它再试",
                   33: "文件的一部分被其他程序锁定：请先关闭正在使用它的程序再试"}


def why(exc: OSError, *, reading: bool = False) -> str:
    """Why a file could not be read or written, in words (the system's own for rare cases)."""
    in_use = _WINDOWS_IN_USE.get(getattr(exc, "winerror", None) or 0)
    if in_use:
        return in_use
    code = exc.errno or 0
    return (reading and _READING.get(code)) or _REASONS.get(code) or exc.strerror or str(exc)


def cannot_write(message: str, exc: OSError) -> ZwgkError:
    """The error for an output that could not be written: `message`, then why; a full or failing
    disk is `Blocked`, a place that cannot be written (no folder, no permission) `BadInput`."""
    held = (getattr(exc, "winerror", None) or 0) in _WINDOWS_IN_USE  # closing the other program is the fix
    kind = Blocked if exc.errno in _NOT_THE_INPUT or held else BadInput
    return kind(f"{message}：{why(exc)}")


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


def _let_go(exc: BaseException) -> None:
    """Close now, and quietly, what a failed writer left open. openpyxl's zip writer, stopped by a
    full disk, would try to finish its file when collected later, and print a traceback about the
    full disk on the screen ("Exception ignored in ZipFile.__del__")."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        traceback.clear_frames(exc.__traceback__)  # the finished frames that hold the writer
        gc.collect()
    finally:
        sys.unraisablehook = hook


def _discard(partial: Path) -> None:
    with contextlib.suppress(OSError):  # e.g. the folder is a file: nothing was written there
        partial.unlink(missing_ok=True)
