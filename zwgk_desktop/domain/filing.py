"""How a sealed item is filed in the village's archive: its 档号 and 保管期限. Pure: no database.

The township sets the 档号's pattern (Settings, `zwgk settings --archive-pattern`), each village
its 全宗号 (given by the county 档案馆), and the catalogue (`layouts/catalogue.toml`) the 保管期限
of each category. Sealing fills the pattern in once; the 档号 is then part of the seal's hash.

The pattern's parts follow DA/T 22-2015 (归档文件整理规则): the 保管期限 is written as its code
(永久 Y, 30年 D30, 10年 D10) and the 件号 with at least four digits (0007).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from zwgk_desktop.errors import BadInput

RETENTIONS = ("永久", "30年", "10年")
RETENTION_CODES = {"永久": "Y", "30年": "D30", "10年": "D10"}
DEFAULT_RETENTION = "永久"  # a category the catalogue says nothing of is kept rather than lost

DEFAULT_PATTERN = "{全宗号}-{年度}-{保管期限}-{件号}"
PLACEHOLDERS = {
    "全宗号": "村的全宗号（县档案馆给定；未设置时用村代码的大写）",
    "年度": "季度所在的年份，如 2026",
    "季度": "季度，如 2026Q3",
    "保管期限": "保管期限代码：永久 Y，30年 D30，10年 D10",
    "保管期限名": "保管期限的中文：永久、30年、10年",
    "件号": "本村档案的件号，至少四位，如 0007",
    "村代码": "村的网址代码，如 donggang",
    "类别": "类别代码，如 finance",
}
# The longest value each placeholder can take (a village code is at most 40 characters, a 件号 ten digits).
LONGEST = {"全宗号": 40, "年度": 4, "季度": 6, "保管期限": 3, "保管期限名": 3, "件号": 10, "村代码": 40, "类别": 20}
MAX_PATTERN = 60
MAX_REF = 80  # `SealedItem.archive_ref`
MAX_FONDS = 20
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# What a 档号 may hold besides the placeholders' values: letters, digits and the joiners archivists use.
_LITERAL = re.compile(r"[0-9A-Za-z\-_.·/（）()]*")


def _plain(text: str, what: str) -> str:
    if any(unicodedata.category(c)[0] in "CZ" for c in text):
        raise BadInput(f"{what}“{text[:40]}”含有空格、控制或不可见字符")
    return text


def check_pattern(text: str) -> str:
    """The 档号 pattern as typed, or refused in words naming what is wrong."""
    pattern = _plain(text.strip(), "档号格式")
    if not pattern:
        return ""  # the default
    if len(pattern) > MAX_PATTERN:
        raise BadInput(f"档号格式不能超过 {MAX_PATTERN} 个字符（现有 {len(pattern)} 个）")
    names = _PLACEHOLDER.findall(pattern)
    unknown = [name for name in names if name not in PLACEHOLDERS]
    if unknown:
        raise BadInput(f"档号格式中的“{{{unknown[0][:20]}}}”不认识：可用 "
                       + " ".join(f"{{{name}}}" for name in PLACEHOLDERS))
    if "件号" not in names:
        raise BadInput("档号格式必须含有 {件号}：否则同一村的事项会得到相同的档号")
    literal = _PLACEHOLDER.sub("", pattern)
    longest = len(literal) + sum(LONGEST[name] for name in names)
    if longest > MAX_REF:
        raise BadInput(f"按此档号格式，档号最长可达 {longest} 个字符，超过了 {MAX_REF} 个：请减少 {{…}}")
    if not _LITERAL.fullmatch(literal):
        bad = next(c for c in literal if not _LITERAL.fullmatch(c))
        raise BadInput(f"档号格式中的“{bad}”不能用：除 {{…}} 外只能有字母、数字和 - _ . · / （）")
    return pattern


def check_fonds(text: str) -> str:
    """A village's 全宗号 as typed ("" for none), or refused in words."""
    fonds = _plain(text.strip(), "全宗号")
    if len(fonds) > MAX_FONDS or not re.fullmatch(r"[0-9A-Za-z\-_.]*", fonds):
        raise BadInput(f"全宗号“{fonds[:40]}”无效：最多 {MAX_FONDS} 个字母、数字或 - _ .")
    return fonds


def check_retention(text: object) -> str:
    if text not in RETENTIONS:
        raise BadInput(f"保管期限“{str(text)[:20]}”无效：应为 {' / '.join(RETENTIONS)}")
    return str(text)


@dataclass(frozen=True)
class Filing:
    """What a village's items are filed under: the pattern (checked) and the village's 全宗号."""

    pattern: str
    fonds: str  # the village's 全宗号, or its code in capitals when it has none
    village_code: str

    def reference(self, *, year: int, period: str, retention: str, number: int, category: str) -> str:
        """The item's 档号, e.g. `Z012-2026-D30-0007`."""
        values = {"全宗号": self.fonds, "年度": str(year), "季度": period,
                  "保管期限": RETENTION_CODES[retention], "保管期限名": retention,
                  "件号": f"{number:04d}", "村代码": self.village_code, "类别": category}
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.pattern)


def filing_for(pattern: str, fonds: str, village_code: str) -> Filing:
    """The filing of a village from the stored settings (empty: the defaults)."""
    checked = check_pattern(pattern) or DEFAULT_PATTERN
    return Filing(checked, check_fonds(fonds) or village_code.upper(), village_code)
