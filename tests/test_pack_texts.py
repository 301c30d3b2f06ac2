"""A format's texts cannot hang or bloat the sheets: the title pattern takes only its plain
placeholders, every other text prints as written, each has a sane length; generated over the
whole `str.format` grammar, and checked where a clerk meets it (a `--layouts` folder)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from factories import finance
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain import glyphs
from zwgk_desktop.domain.periods import QUARTER_NAMES
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.board import layout_board
from zwgk_desktop.render.layout import TITLE_PLACEHOLDERS, load_layout, load_layouts
from zwgk_desktop.render.pack_text import NAME_LIMIT, NOTE_LIMIT, SHORT_LIMIT, TEMPLATE_LIMIT, text_problem
from zwgk_desktop.render.public import Place, build_public_item

STANDARD = standard_layouts_dir()
FINANCE = (STANDARD / "finance.toml").read_text(encoding="utf-8")
PLACE = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk", (("村务监督委员会", "0371-62341101"),))
CJK = re.compile(r"[\u4e00-\u9fff]")

# Every text of a format, by the key a complaint names and the line of finance.toml that holds it.
TEXTS = {
    "name": ('name = "村级财务收支明细公开（标准格式）"', "name = {}", NAME_LIMIT),
    "title.pattern": ('pattern = "{village}{year}年第{quarter}季度财务收支公开"', "pattern = {}", TEMPLATE_LIMIT),
    "table.number_header": ('number_header = "序号"', "number_header = {}", SHORT_LIMIT),
    "table.continued_mark": ('continued_mark = "（续表）"', "continued_mark = {}", SHORT_LIMIT),
    "columns[0].header": ('header = "日期"', "header = {}", SHORT_LIMIT),
    "totals.label": ('label = "本期合计"', "label = {}", SHORT_LIMIT),
    "info[0].label": ('label = "期初余额（元）"', "label = {}", SHORT_LIMIT),
    "summary[0].label": ('label = "期初余额"\n', "label = {}\n", SHORT_LIMIT),
    "footer.note": ('note = "以上收支', 'note = {} # "', NOTE_LIMIT),
    "footer.signatures[0]": ('signatures = ["村务监督委员会"', "signatures = [{}", SHORT_LIMIT),
}


def finance_with(tmp_path: Path, key: str, value: str) -> Path:
    """finance.toml with one text replaced (written as a TOML string, escapes and all)."""
    old, new, _ = TEXTS[key]
    assert old in FINANCE
    folder = tmp_path / "layouts"
    folder.mkdir(exist_ok=True)
    path = folder / "finance.toml"
    path.write_text(FINANCE.replace(old, new.format(json.dumps(value, ensure_ascii=False)), 1), encoding="utf-8")
    return path


def refused_quickly(path: Path, key: str) -> str:
    started = time.process_time()  # CPU time: the machine is shared
    with pytest.raises(BadInput) as caught:
        load_layouts(path.parent)
    assert time.process_time() - started < 1
    message = str(caught.value)
    assert str(path) in message and key in message and CJK.search(message.split(key, 1)[1]), message
    assert len(message) < 2000  # a megabyte of hostile text is not echoed back
    return message


# ---------------------------------------------------------------------------------------------
# The grammar of str.format (https://docs.python.org/3/library/string.html#formatstrings).

# Characters a sheet can print (a bundled font has them; others are refused, tests/test_glyphs.py).
LITERAL = st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn"), exclude_characters="{}")
                  .filter(glyphs.printable), max_size=8)
IDENTIFIER = st.from_regex(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]{0,8}", fullmatch=True)
ARG_NAME = st.one_of(st.sampled_from(TITLE_PLACEHOLDERS), IDENTIFIER, st.from_regex(r"[0-9]{1,3}", fullmatch=True),
                     st.just(""))
ACCESSOR = st.one_of(IDENTIFIER.map(lambda a: "." + a), st.from_regex(r"\[[0-9a-z_]{1,6}\]", fullmatch=True),
                     st.just("[__class__]"), st.just(".__class__.__mro__"))
WIDTH = st.one_of(st.integers(0, 10**4).map(str), st.just("100000000"), st.just("9" * 20),
                  st.sampled_from(TITLE_PLACEHOLDERS).map(lambda n: "{" + n + "}"))
FORMAT_SPEC = st.builds(
    lambda fill, align, sign, z, alt, zero, width, grouping, precision, kind:
        fill + align + sign + z + alt + zero + width + grouping + precision + kind,
    st.sampled_from(["", "*", "x", "中", " "]), st.sampled_from(["", "<", ">", "=", "^"]),
    st.sampled_from(["", "+", "-", " "]), st.sampled_from(["", "z"]), st.sampled_from(["", "#"]),
    st.sampled_from(["", "0"]), st.one_of(st.just(""), WIDTH), st.sampled_from(["", ",", "_"]),
    st.one_of(st.just(""), st.integers(0, 10**8).map(lambda p: f".{p}"), st.just(".{year}")),
    st.sampled_from(["", *"bcdeEfFgGnosxX%"]),
).filter(bool)


@st.composite
def hostile_field(draw: st.DrawFn) -> str:
    """One replacement field with at least one thing a format may not do."""
    name = draw(ARG_NAME)
    accessors = draw(st.lists(ACCESSOR, max_size=3))
    conversion = draw(st.one_of(st.none(), st.sampled_from("rsa")))
    spec = draw(st.one_of(st.none(), FORMAT_SPEC))
    if name in TITLE_PLACEHOLDERS and not accessors and conversion is None and spec is None:
        spec = draw(FORMAT_SPEC)
    return ("{" + name + "".join(accessors) + (f"!{conversion}" if conversion else "")
            + (f":{spec}" if spec else "") + "}")


PLAIN = st.sampled_from(TITLE_PLACEHOLDERS).map(lambda n: "{" + n + "}")
GOOD_PART = st.one_of(LITERAL, PLAIN, st.sampled_from(["{{", "}}"]))
GOOD_PATTERN = st.lists(GOOD_PART, min_size=1, max_size=8).map("".join).filter(lambda s: s.strip())
# A lone brace between two ordinary characters can never be part of a well-formed field.
UNBALANCED = st.builds(lambda a, brace, b: f"{a}x{brace}x{b}", GOOD_PATTERN, st.sampled_from("{}"), GOOD_PATTERN)
HOSTILE_PATTERN = st.one_of(
    st.builds(lambda a, f, b: a + f + b, GOOD_PATTERN, hostile_field(), GOOD_PATTERN),
    UNBALANCED,
)
VALUES = {"village": "东岗村", "township": "青山镇", "year": "2026", "quarter": "二", "period": "2026Q2",
          "category_name": "财务收支", "title": "二季度收支"}


@settings(max_examples=200, deadline=None)
@given(HOSTILE_PATTERN)
@example("{village!r:>100000000}")
@example("{village.__class__.__mro__[1].__subclasses__}")
@example("{title:{year}>{year}}")
@example("{}{0}")
@example("{village")
def test_a_hostile_title_pattern_is_refused(pattern: str) -> None:
    started = time.process_time()  # CPU time: the machine is shared
    assert text_problem(pattern, limit=TEMPLATE_LIMIT, placeholders=TITLE_PLACEHOLDERS) is not None
    assert time.process_time() - started < 0.1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HOSTILE_PATTERN)
@example("{village!r:>100000000}")
def test_a_hostile_title_pattern_is_refused_when_a_layouts_folder_loads(tmp_path: Path, pattern: str) -> None:
    refused_quickly(finance_with(tmp_path, "title.pattern", pattern), "title.pattern")


@settings(max_examples=200, deadline=None)
@given(st.one_of(GOOD_PATTERN, HOSTILE_PATTERN, st.text(max_size=30)))
def test_whatever_passes_formats_fast_and_only_with_the_placeholders(pattern: str) -> None:
    """Soundness: a pattern the check lets through formats with exactly the named values, in
    time and space proportional to its length."""
    if text_problem(pattern, limit=TEMPLATE_LIMIT, placeholders=TITLE_PLACEHOLDERS) is None:
        heading = pattern.format(**VALUES)
        assert len(heading) <= len(pattern) * max(len(v) for v in VALUES.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(LITERAL, PLAIN), min_size=1, max_size=8).map("".join).filter(lambda s: s.strip()))
def test_a_plain_title_pattern_still_loads_and_prints(tmp_path: Path, pattern: str) -> None:
    layout = load_layout(finance_with(tmp_path, "title.pattern", pattern))
    item = finance()
    item.id = 7
    public = build_public_item(item, layout, PLACE)
    expected = pattern.format(village="东岗村", township="青山镇", year=item.period.year,
                              quarter=QUARTER_NAMES[item.period.number], period=str(item.period),
                              category_name="财务收支", title=item.title)
    assert public.heading == expected
    board = layout_board(public, layout, lambda text, size: len(text) * size, PLACE.supervision_phones)
    assert board.sheets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([k for k in TEXTS if k != "title.pattern"]),
       st.one_of(hostile_field(), PLAIN, st.sampled_from(["{", "}", "{{", "}}"])).filter(lambda s: len(s) < 25),
       LITERAL)
def test_other_texts_print_as_written_so_take_no_braces(tmp_path: Path, key: str, braces: str, text: str) -> None:
    message = refused_quickly(finance_with(tmp_path, key, text + braces + "说明"), key)
    assert "花括号" in message


@pytest.mark.parametrize("key", list(TEXTS))
def test_every_text_has_a_length_limit(tmp_path: Path, key: str) -> None:
    limit = TEXTS[key][2]
    assert load_layout(finance_with(tmp_path, key, "字" * limit))  # the limit itself is fine
    message = refused_quickly(finance_with(tmp_path, key, "字" * 30_000), key)
    assert f"最多 {limit} 个" in message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(list(TEXTS)),
       st.characters(categories=("Cc", "Cf", "Co")).filter(lambda c: c not in "\x7f"))
def test_control_and_invisible_characters_are_refused(tmp_path: Path, key: str, char: str) -> None:
    message = refused_quickly(finance_with(tmp_path, key, f"村务{char}公开"), key)
    assert "控制字符" in message


def test_a_hostile_title_in_a_layouts_folder_stops_render_in_words(demo_copy: Path, tmp_path: Path) -> None:
    from conftest import run_zwgk

    for name in ("assistance", "bids", "correction", "notice"):
        (tmp_path / "layouts").mkdir(exist_ok=True)
        (tmp_path / "layouts" / f"{name}.toml").write_bytes((STANDARD / f"{name}.toml").read_bytes())
    finance_with(tmp_path, "title.pattern", "{village!r:>100000000}")
    started = time.perf_counter()
    done = run_zwgk("render", "--db", str(demo_copy), "--layouts", str(tmp_path / "layouts"), "--village",
                    "donggang", "--period", "2026Q2", "-o", str(tmp_path / "x.pdf"), cwd=tmp_path)
    assert time.perf_counter() - started < 20
    assert done.code == 2 and "title.pattern" in done.err and "不能带转换" in done.err, done.err
    assert not (tmp_path / "x.pdf").exists()


# ---------------------------------------------------------------------------------------------
# Nesting: Python's tomllib and json die with a RecursionError on deep nesting; ours say so.

NESTINGS = {
    "array": lambda d: "deep = " + "[" * d + "1" + "]" * d,
    "inline table": lambda d: "deep = " + "{ a = " * d + "1" + " }" * d,
    "mixed": lambda d: "deep = " + "[{ a = " * (d // 2) + "1" + " }]" * (d // 2),
    "dotted table": lambda d: "[deep" + ".a" * d + "]\nb = 1",
    "array of tables": lambda d: "[[deep" + ".a" * d + "]]\nb = 1",
    "dotted key": lambda d: "deep" + ".a" * d + " = 1",
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(list(NESTINGS)), st.integers(33, 5000), st.sampled_from(["finance.toml", "catalogue.toml"]))
def test_deep_toml_is_refused_in_words(tmp_path: Path, kind: str, depth: int, name: str) -> None:
    from zwgk_desktop.domain.catalogue import load_catalogue

    folder = tmp_path / "layouts"
    folder.mkdir(exist_ok=True)
    for source in STANDARD.glob("*.toml"):
        (folder / source.name).write_bytes(source.read_bytes())
    path = folder / name
    path.write_text(NESTINGS[kind](depth) + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    started = time.process_time()  # CPU time: the machine is shared
    with pytest.raises(BadInput) as caught:
        load_catalogue(folder) if name == "catalogue.toml" else load_layouts(folder)
    assert time.process_time() - started < 1
    assert str(path) in str(caught.value) and "嵌套过深" in str(caught.value), str(caught.value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["[", "{\"a\": "]), min_size=33, max_size=3000))
def test_deep_json_is_refused_in_words(openings: list[str]) -> None:
    from zwgk_desktop.incoming import parse_json

    text = "".join(openings) + "1" + "".join("]" if o == "[" else "}" for o in reversed(openings))
    with pytest.raises(BadInput, match="嵌套过深"):
        parse_json(text, "x.zwgk 中的 data/archive.json")
    assert parse_json("".join(openings[:32]) + "1" + "".join("]" if o == "[" else "}"
                                                             for o in reversed(openings[:32])), "x") is not None
