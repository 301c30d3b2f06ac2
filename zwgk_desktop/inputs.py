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


def readable_file(path: Path, what: str = "文件") -> Path:
    """`path` if it is an ordinary file this user may read, else `BadInput` (`NotFound` if there is
    nothing there) naming it and saying what it is instead."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise NotFound(f"找不到{what} {path}") from None
    except OSError as exc:  # a path through a file, a name too long, a broken network drive …
        raise BadInput(f"无法读取{what} {path}：{why(exc, reading=True)}") from None
    if stat.S_ISDIR(mode):
        raise BadInput(f"{path} 是一个文件夹，不是{what}：请给出文件夹里的那个文件")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "特殊文件")
        raise BadInput(f"{path} 是{kind}，不是普通文件，不能作为{what}读取")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise BadInput(f"无法读取{what} {path}：{why(exc, reading=True)}") from None
    return path
