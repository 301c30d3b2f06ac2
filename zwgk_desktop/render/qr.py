"""QR codes for sheets: the matrix of an item's URL, drawn as vector squares (sharp at any size),
and how large a sheet's code must be printed for a phone to read it from where people stand.

A phone reads a posted code by its modules (the small squares), not by the code's outer size: the
issue's trials with WeChat's decoder read 0.76 mm modules in 95 % of degraded photos and 0.64 mm
in 2 of 8. So a code is sized from its module count: never under `MIN_MODULE_MM` per module,
never under the layout's own `qr.size_mm` (a short address keeps the size the township chose).
A longer address gives more modules and so a larger code; the footer grows with it
(`render.board`), up to what the sheet can hold.

Error correction is level M (15 % of the code may be lost): on a wall what fails is distance,
blur and glare, which only larger modules help, and Q (25 %) or H (30 %) spend that size on
redundancy instead: a 120-character URL needs 42.4 mm at M, 48.8 mm at Q and 55.2 mm at H for
the same 0.8 mm module. M still reads through a staple, a strip of tape or a torn corner.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
MIN_MODULE_MM = 0.8  # smallest module a phone reads off a posted sheet from where people stand
# Below this no phone reads the code from any distance a person stands at a board: an address
# that would need it on some sheet is refused (none up to web_address.MAX_LENGTH does).
UNREADABLE_MODULE_MM = 0.5


def qr_matrix(text: str) -> list[list[bool]]:
    """The code's modules without quiet zone, at level M (see the module's docstring)."""
    return [list(row) for row in _matrix(text)]


@lru_cache(maxsize=256)
def _matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    # The board measures the code and the PDF draws it: one encoding for both.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return tuple(tuple(map(bool, row)) for row in code.get_matrix())


def modules_across(text: str) -> int:
    """The code's width in modules, quiet zone included."""
    return len(_matrix(text)) + 2 * QUIET_ZONE


def needed_mm(text: str) -> float:
    """The smallest printed size (quiet zone included) that keeps every module ≥ MIN_MODULE_MM."""
    return modules_across(text) * MIN_MODULE_MM


@dataclass(frozen=True)
class QrFit:
    """How one URL's code prints on a layout: its size, and what that makes of its modules."""

    size_mm: float  # printed size, quiet zone included
    modules: int  # across, quiet zone included
    wanted_mm: float  # the size that would keep modules at MIN_MODULE_MM
    largest_mm: float  # the most the layout's footer can give it

    @property
    def module_mm(self) -> float:
        return self.size_mm / self.modules

    @property
    def readable(self) -> bool:
        """Modules at least MIN_MODULE_MM: read from where people stand."""
        return self.module_mm >= MIN_MODULE_MM - 1e-9

    @property
    def printable(self) -> bool:
        return self.module_mm >= UNREADABLE_MODULE_MM - 1e-9


def fit(text: str, nominal_mm: float, largest_mm: float) -> QrFit:
    """The code for `text` sized for a layout whose own size is `nominal_mm` and whose footer holds
    at most `largest_mm`: grown for MIN_MODULE_MM, never shrunk below the layout's size."""
    modules = modules_across(text)
    wanted = modules * MIN_MODULE_MM
    size = max(nominal_mm, min(wanted, largest_mm))
    return QrFit(size, modules, wanted, largest_mm)


def qr_too_small(fitted: QrFit) -> str:
    """What a clerk is told when a sheet cannot hold the code at MIN_MODULE_MM."""
    return (f"网上公开地址较长，二维码需 {fitted.wanted_mm:.0f} 毫米才能让每格不小于 {MIN_MODULE_MM} 毫米，"
            f"但版式页脚最大只能印 {fitted.size_mm:.0f} 毫米（每格 {fitted.module_mm:.2f} 毫米）："
            "站在公开栏前的手机可能扫不出，请改用更短的网上公开地址")


def dark_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules: fewer, larger rectangles."""
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs
