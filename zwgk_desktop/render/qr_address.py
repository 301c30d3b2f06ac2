"""What an online address (网上公开地址) does to the QR codes the sheets print, told when the
address is set (`zwgk init`, `zwgk settings`, the app's 设置) rather than found on the wall.

Every item's URL is the address plus a short path (design §4.4); the longest path the office can
make is measured with its villages' own codes, the longest item number (the township's block
starts at 10,000,000: eight digits) and a full 验证码. Each format's code is then sized as a sheet
will size it (`board.qr_fit`). An address is refused only when some format could not print a
code a phone reads at all (`qr.UNREADABLE_MODULE_MM`); one that keeps the modules under 0.8 mm
on a format is warned about; one that only grows a code is told, so the clerk is not surprised
by a taller footer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zwgk_desktop.errors import BadInput
from zwgk_desktop.render.board import qr_fit
from zwgk_desktop.render.layout import Layout
from zwgk_desktop.render.public import CODE_LENGTH, item_url
from zwgk_desktop.render.qr import MIN_MODULE_MM, QrFit

LONGEST_NUMBER = 99_999_999  # the township's numbers run above 10,000,000 (db.store)
LONGEST_PERIOD = "2026Q3"  # every quarter is written in six characters
FALLBACK_VILLAGE = "cunmingpinyin"  # a village code as long as most, before any village is added


def longest_url(base_url: str, village_codes: Iterable[str] = ()) -> str:
    """The longest item URL this address gives with these villages."""
    codes = list(village_codes) or [FALLBACK_VILLAGE]
    return max((item_url(base_url, code, LONGEST_PERIOD, LONGEST_NUMBER, "A" * CODE_LENGTH) for code in codes),
               key=lambda url: len(url.encode("utf-8")))


@dataclass(frozen=True)
class AddressFit:
    """How one format prints the longest code of an address."""

    layout: Layout
    fit: QrFit

    @property
    def grown(self) -> bool:
        return self.fit.size_mm > self.layout.qr_size_mm + 0.05


def address_fits(base_url: str, village_codes: Iterable[str], layouts: Iterable[Layout]) -> list[AddressFit]:
    url = longest_url(base_url, village_codes)
    return [AddressFit(layout, qr_fit(layout, url)) for layout in layouts]


def address_notes(base_url: str, village_codes: Iterable[str], layouts: Iterable[Layout]) -> list[str]:
    """What to tell the clerk about this address's codes ([] when every code keeps its size).

    Raises BadInput when a format cannot print a readable code at all."""
    codes = list(village_codes)
    fits = address_fits(base_url, codes, layouts)
    length = len(longest_url(base_url, codes))
    unreadable = [f for f in fits if not f.fit.printable]
    if unreadable:
        raise BadInput(f"网上公开地址太长：二维码网址长 {length} 个字符，版式"
                       + "、".join(f"“{f.layout.name}”" for f in unreadable)
                       + f"最大只能印 {unreadable[0].fit.size_mm:.0f} 毫米，每格仅 "
                       f"{unreadable[0].fit.module_mm:.2f} 毫米，手机无法扫出。请改用更短的地址")
    notes = []
    small = [f for f in fits if not f.fit.readable]
    if small:
        worst = min(small, key=lambda f: f.fit.module_mm)
        notes.append(f"注意：二维码网址最长 {length} 个字符，版式"
                     + "、".join(f"“{f.layout.name}”" for f in small)
                     + f"的二维码最大只能印 {worst.fit.size_mm:.0f} 毫米，每格 {worst.fit.module_mm:.2f} 毫米"
                     f"（小于 {MIN_MODULE_MM} 毫米，站在公开栏前的手机可能扫不出）。建议改用更短的网上公开地址")
    grown = [f for f in fits if f.grown and f.fit.readable]
    if grown:
        largest = max(f.fit.size_mm for f in grown)
        notes.append(f"二维码网址最长 {length} 个字符：为使每格不小于 {MIN_MODULE_MM} 毫米，"
                     f"{len(grown)} 个版式的二维码将放大（最大 {largest:.0f} 毫米），页脚随之加高")
    return notes
