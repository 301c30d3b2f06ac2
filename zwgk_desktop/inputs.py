"""Reading a file the user named (a spreadsheet, a backup, a bundle, a pack, a column mapping, the
archive itself): what it is is told in words before anything opens it.

Opening a named pipe waits for a writer that never comes, and a device such as /dev/zero never
ends: a restore or an import would hang or fill the memory. So a name must be an ordinary,
readable file; it is looked at with `stat`, which never blocks, and opened only when it is one.
"""

from __future__ import annotations

import stat
from pathlib import Path

from zwgk_desktop.errors import BadInput, NotFound
from zwgk_desktop.outputs import why

_KINDS = ((stat.S_ISFIFO, "命名管道"), (stat.S_ISCHR, "设备"), (stat.S_ISBLK, "磁盘设备"), (stat.S_ISSOCK, "套接字"))


def not_a_file(path: Path, what: str = "文件") -> str | None:
    """Why `path` cannot be read as an ordinary file, in words (None if it can): looked at with
    `stat`, which never blocks, so a named pipe is told, never opened. `NotFound` if nothing is
    there."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise NotFound(f"找不到{what} {path}") from None
    except OSError as exc:  # a path through a file, a name too long, a broken network drive …
        return why(exc, reading=True)
    if stat.S_ISDIR(mode):
        return f"这是一个文件夹，不是{what}"
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "特殊文件")
        return f"这是{kind}，不是普通文件，不能作为{what}读取"
    return None


def readable_file(path: Path, what: str = "文件") -> Path:
    """`path` if it is an ordinary file this user may read, else `BadInput` (`NotFound` if there is
    nothing there) naming it and saying what it is instead."""
    if problem := not_a_file(path, what):
        raise BadInput(f"无法读取{what} {path}：{problem}")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise BadInput(f"无法读取{what} {path}：{why(exc, reading=True)}") from None
    return path
