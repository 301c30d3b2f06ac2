"""The errors a user can be shown: known problems with a message in words, and an exit code.

Anything that is not one of these is a bug: the CLI logs its traceback and says where the log is.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

# Set once the user asked the command to stop (Ctrl-C, SIGTERM, SIGHUP). The signal's handler
# raises KeyboardInterrupt, but Python swallows an exception raised while a finaliser or weakref
# callback runs ("Exception ignored in …") and the work goes on: so no transaction commits once a
# stop was asked (`office.handle.Archive.writing`), whatever swallowed the exception.
STOP_ASKED = threading.Event()


def toml_mistake(exc: ValueError) -> str:
    """Where a TOML file (a format, the catalogue, a pack) went wrong, in words: tomllib says it
    in English ("… (at line 3, column 8)")."""
    found = re.search(r"line (\d+), column (\d+)", str(exc))
    where = f"第{found.group(1)}行第{found.group(2)}列附近" if found else ""
    return f"{where}写法不对（引号、等号或方括号？）"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we know it."""

    message: str
    where: str = ""  # file, item, sheet …
    row: int | None = None  # 1-based, as a clerk counts rows
    field: str = ""  # the field's Chinese label
    # Another row the message names ("与第3行重复"), counted as `row` is: whoever counts rows
    # differently (an import counts the sheet's rows) rewrites both.
    other_row: int | None = None
    # The row as the editor numbers it (明细第 M 行), where `row` counts otherwise (an import: the
    # sheet's own row, title lines included, as the clerk sees it in Excel).
    item_row: int | None = None

    def __str__(self) -> str:
        place = [p for p in (self.where, f"第{self.row}行" if self.row is not None else "", self.field,
                             f"（明细第{self.item_row}行）" if self.item_row is not None else "") if p]
        return f"{' '.join(place)}：{self.message}" if place else self.message


class ZwgkError(Exception):
    """A known problem the user can act on."""

    exit_code = 3

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def __str__(self) -> str:
        lines = [self.message, *(f"  - {p}" for p in self.problems)]
        return "\n".join(lines)


class BadInput(ZwgkError):
    """The input (a value, a file, a name, a layout) is wrong; nothing was stored."""

    exit_code = 2


class NotFound(BadInput):
    """A village, period or item the user named does not exist."""


class Blocked(ZwgkError):
    """What was asked is fine, but the computer stands in the way: a full disk, a write-protected,
    read-only or locked database, a data folder that cannot be used. Nothing was changed."""


class VerificationFailed(ZwgkError):
    """The archive does not match what was sealed."""

    exit_code = 1
