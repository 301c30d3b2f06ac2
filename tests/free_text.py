"""Generated free text for the privacy tests: personal numbers written in their digit groups with
any separators between them, full names, and realistic text that holds no personal number.

The separators are whole Unicode categories (every space Zs, line and paragraph separator Zl/Zp,
dash Pd, bracket Ps/Pe, quote Pi/Pf, connector Pc, other punctuation Po, symbol Sm/Sc/Sk/So,
combining mark Mn/Mc/Me, format character Cf) plus the control line breaks and the blank fillers,
so a test covers the class of "what may stand between digit groups", not a few examples.
"""

from __future__ import annotations

import random
import sys
import unicodedata
from datetime import date, timedelta

from hypothesis import strategies as st

from zwgk_desktop.domain.identity import id_check_char


def _category(*names: str) -> list[str]:
    return [chr(i) for i in range(sys.maxunicode + 1)
            if unicodedata.category(chr(i)) in names and not 0xD800 <= i <= 0xDFFF]


SPACES = _category("Zs", "Zl", "Zp")
LINE_BREAKS = list("\n\r\v\f\x85\u2028\u2029")
DASHES = _category("Pd")
BRACKETS = _category("Ps", "Pe", "Pi", "Pf")
LIST_MARKS = list("、，,；;。")
# List marks between groups make a list of figures (147、1250、7448元), not a number, unless the
# words before say whose number it is: they are tested on their own. So are characters that
# normalise to one (U+037E GREEK QUESTION MARK is a semicolon once stored).
OTHER_PUNCTUATION = [c for c in _category("Pc", "Po") if unicodedata.normalize("NFKC", c) not in "、，,；;。？！?!"]


def _plain(chars: list[str]) -> list[str]:
    """Those that stay neither letter nor digit when stored (™ becomes TM, ㎡ m2 under NFKC)."""
    return [c for c in chars if not any(x.isalnum() for x in unicodedata.normalize("NFKC", c))]


# Whatever else is neither a letter nor a number: symbols (− × ¥ ° → …), combining and
# variation marks, invisible format characters, and the fillers that print blank.
SYMBOLS = _plain(_category("Sm", "Sc", "Sk", "So"))
MARKS = _plain(_category("Mn", "Mc", "Me"))
INVISIBLE = _plain(_category("Cf")) + list("\u115f\u1160\u3164\uffa0\u2800")
SEPARATORS = SPACES + LINE_BREAKS + DASHES + BRACKETS + OTHER_PUNCTUATION + SYMBOLS + MARKS + INVISIBLE
# Between digits only (not in names: 王一明): the letters typed for a dash.
DASH_LETTERS = list("一ーｰ")

separator_runs = st.text(alphabet=st.sampled_from(SEPARATORS), min_size=1, max_size=8)
# A run with at least one of each family, as a pasted web page may hold ("\u202f（－\n").
long_runs = st.tuples(*(st.sampled_from(f) for f in (SPACES, LINE_BREAKS, DASHES, BRACKETS))).map("".join)

id_numbers = st.builds(
    lambda region, born, seq: (lambda s: s + id_check_char(s))(f"{region}{born:%Y%m%d}{seq:03d}"),
    st.sampled_from(["110105", "410102", "410122", "440304", "653101", "810000", "230103"]),
    st.dates(min_value=date(1925, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
# A mistyped ID (the wrong 校验码) is still someone's ID.
mistyped_ids = id_numbers.map(lambda n: n[:17] + ("0" if n[17] != "0" else "1"))
mobiles = st.builds(lambda p, n: f"1{p}{n:09d}", st.sampled_from("3456789"), st.integers(0, 999_999_999))
cards = st.builds(lambda prefix, rest, length: (prefix + str(rest))[:length],
                  st.sampled_from(["62", "4", "5", "9558", "6013"]), st.integers(10**20, 10**21), st.integers(16, 19))


def _groups(number: str, sizes: tuple[int, ...]) -> list[str]:
    out, at = [], 0
    for size in sizes:
        if number[at:at + size]:
            out.append(number[at:at + size])
        at += size
    if at < len(number):
        out.append(number[at:])
    return out


@st.composite
def written(draw: st.DrawFn, number: str, sizes: tuple[int, ...], full_width: bool | None = None,
            dashes: bool = False) -> str:
    """`number` in its groups with a separator run (maybe of four or more) between each two, or
    with `dashes` one of the letters typed for a dash."""
    groups = _groups(number, sizes)
    if full_width if full_width is not None else draw(st.booleans()):
        groups = [g.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")) for g in groups]
    text = groups[0]
    for group in groups[1:]:
        text += (draw(st.sampled_from(DASH_LETTERS)) if dashes else draw(st.one_of(separator_runs, long_runs))) + group
    return text


@st.composite
def personal_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(the number, as a clerk might write it in free text)."""
    kind = draw(st.sampled_from(["id", "mistyped_id", "mobile", "card"]))
    if kind == "id":
        number = draw(id_numbers)
        sizes = draw(st.sampled_from([(6, 8, 4), (6, 4, 4, 4), (18,), (3, 3, 4, 4, 4), (6, 4, 2, 2, 4)]))
    elif kind == "mistyped_id":
        number, sizes = draw(mistyped_ids), (6, 8, 4)
    elif kind == "mobile":
        number = draw(mobiles)
        sizes = draw(st.sampled_from([(3, 4, 4), (11,), (3, 8), (1,) * 11]))
    else:
        number = draw(cards)
        sizes = draw(st.sampled_from([(4,) * 5, (8, 8, 3)] if len(number) == 19 else [(4,) * 5]))
    text = draw(written(number, sizes))
    if draw(st.integers(0, 9)) == 0:  # a letter typed for a dash: 138一1234一5678
        text = draw(written(number, sizes, dashes=True))
    return number, text


surnames = list("张王李赵刘陈杨黄周吴林郑孙马朱胡郭何高罗")
given_chars = list("建国秀英桂兰德明大田小红志强丽华金凤玉梅春生")
names = st.one_of(
    st.builds(lambda s, g: s + "".join(g), st.sampled_from(surnames), st.lists(st.sampled_from(given_chars), min_size=1,
                                                                             max_size=2)),
    st.builds(lambda s, g: s + "".join(g), st.sampled_from(["欧阳", "司马", "诸葛"]),
              st.lists(st.sampled_from(given_chars), min_size=1, max_size=2)),
)
filler = st.text(alphabet=st.sampled_from(list("村组户低保金额元，。：、 （）abc-经研究决定")), max_size=10)


def spread(name: str, run: str) -> str:
    """A name as free text may hold it: its characters padded (林　大田) or split by a line."""
    return run.join(name)


# ---------------------------------------------------------------------------------------------
# Realistic text with no personal number in it: what a finance summary, a notice or a 备注 holds.

def _amount(rng: random.Random) -> str:
    fen = rng.randint(1, 10**9)
    yuan, cents = divmod(fen, 100)
    return rng.choice([
        f"{yuan:,}.{cents:02d}", f"{yuan:,}.{cents:02d}元", f"{yuan:,}元", f"¥{yuan:,}.{cents:02d}",
        f"{yuan:,}".replace(",", " ") + " 元", f"{yuan:,}".replace(",", "\u2009") + "元", f"{yuan}.{cents:02d}",
        f"{yuan}元", f"{yuan // 10000}万元" if yuan >= 10000 else f"{yuan}元", f"{yuan:,}.{cents:02d}（元）",
    ])


def _date(rng: random.Random) -> str:
    day = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2500))
    other = day + timedelta(days=rng.randint(1, 120))
    return rng.choice([
        day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}.{day.month}.{day.day}", f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d"),
        f"{day.year}-{day.month:02d}", f"{day.month}月{day.day}日", f"{day.isoformat()}至{other.isoformat()}",
        f"{day.year}.{day.month}.{day.day}-{other.year}.{other.month}.{other.day}",
        f"{day:%Y-%m-%d} {rng.randint(8, 17):02d}:{rng.choice(['00', '30'])}", f"{day:%Y/%m/%d}—{other:%Y/%m/%d}",
        f"{day:%Y%m%d}-{other:%Y%m%d}", f"{day.year}年第{rng.randint(1, 4)}季度", f"{day.year}—{day.year + 3}年",
    ])


def _invoice(rng: random.Random) -> str:
    code12 = f"{rng.choice('01')}{rng.choice(['4100', '4101', '4403', '1100', '3301'])}{rng.randint(18, 26)}" \
             f"{rng.randint(0, 99999):05d}"
    code10 = f"{rng.choice(['4100', '4101', '3300'])}{rng.randint(0, 999999):06d}"
    number = f"{rng.randint(0, 99_999_999):08d}"
    return rng.choice([
        f"发票代码{code12}", f"发票代码：{code12}，发票号码：{number}", f"发票代码 {code10} 发票号码 {number}",
        f"发票号码{number}", f"（发票代码{code12}、号码{number}）", f"票号{number}",
    ])


def _landline(rng: random.Random) -> str:
    area = rng.choice(["0371", "0379", "010", "021", "0398", "0755"])
    line = f"{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}"
    return rng.choice([
        f"{area}-{line}", f"{area} {line}", f"({area}){line}", f"（{area}）{line}", f"{area}-{line[:4]}-{line[4:]}",
        f"{area}{line}", f"{area}-{line}转{rng.randint(100, 9999)}", f"{area}-{line}-{rng.randint(1, 999)}",
        f"{area}\u202f{line}", rng.choice(["12345", "12315", "12366", "96110", "110", "120"]),
        f"400-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}", f"{area}—{line}",
    ])


def _voucher(rng: random.Random) -> str:
    day = date(2026, 1, 1) + timedelta(days=rng.randint(0, 364))
    return rng.choice([
        f"记-{day:%Y-%m}-{rng.randint(1, 999):03d}", f"记字第{rng.randint(1, 300):03d}号",
        f"凭证号{day:%Y%m}{rng.randint(1, 99):02d}",
        f"凭证号：{day:%Y%m%d}{rng.randint(1, 9999):04d}", f"{day:%Y%m}-{rng.randint(1, 999):03d}",
        f"付{rng.randint(1, 99)}号", f"附单据{rng.randint(1, 20)}张",
    ])


# GB 32100-2015's alphabet and weights, written out here rather than taken from the code under test.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(rng: random.Random) -> str:
    """A 统一社会信用代码 with its right check character (all digits, or with letters)."""
    body = f"{rng.choice(['91', '12', '52', '54'])}{rng.choice(['410100', '410122', '440300'])}" + "".join(
        rng.choice(_CREDIT_ALPHABET if rng.random() < 0.3 else "0123456789") for _ in range(9))
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return body + _CREDIT_ALPHABET[(31 - total % 31) % 31]


def _counts(rng: random.Random) -> str:
    n = rng.randint
    return rng.choice([
        f"共{n(1, 400)}户{n(1, 1200)}人", f"面积{n(1, 99999):,}.{n(0, 9)}平方米", f"{n(1, 12)}组{n(1, 99)}号",
        f"第{n(1, 30)}条", f"{n(1, 100)}.{n(0, 9)}%", f"项目编号：ZFCG-{n(2020, 2026)}-{n(1, 9999):04d}",
        f"合同编号HT{n(2020, 2026)}{n(1, 9999):04d}", "、".join(str(n(100, 9999)) for _ in range(4)) + "元",
        f"{n(2018, 2022)}、{n(2023, 2026)}年度", f"豫({n(2020, 2026)})中牟县不动产权第{n(1, 9999999):07d}号",
    ])


KINDS = {
    "amounts": _amount, "dates": _date, "invoices": _invoice, "landlines": _landline, "vouchers": _voucher,
    "credit_codes": lambda rng: f"统一社会信用代码：{credit_code(rng)}", "counts": _counts,
}
_JOINS = ["，", "；", "、", " ", "  ", "\n", "\t", "。", " | ", "：", "\u3000", "\u202f", "—", "（", "）"]


def realistic_line(rng: random.Random, kind: str | None = None) -> str:
    """One line of text holding figures of one kind (or of all kinds mixed), no personal number."""
    makers = [KINDS[kind]] if kind else list(KINDS.values())
    parts = []
    for _ in range(rng.randint(1, 6)):
        parts.append(rng.choice(makers)(rng))
        parts.append(rng.choice(_JOINS))
    return "".join(parts)
