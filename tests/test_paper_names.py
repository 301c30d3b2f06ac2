"""Every message that counts sheets names the paper of the pages counted (read off the PDF), not
the paper a board was asked for: a township's formats may all be set on A4, or some of them. Through
the CLI (render, --paper A4, --fit, the batch, seal, their JSON) with a formats folder all on A4 and
one mixed; the counting itself over generated boards of any papers. Also: an A4 format that keeps
an `[a4]` table prints (it is not refused), the CLI names the options of the app's choices, and a
refusal is logged in one line, a bug with its traceback."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zwgk_desktop import choices
from zwgk_desktop.errors import Blocked, ZwgkError
from zwgk_desktop.logfile import log_failure
from zwgk_desktop.office.spooling import Paper, PrintRefused, roomier
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import PAPER_MM, load_layout
from zwgk_desktop.render.sheet_papers import added, counted_words, papers, sheets_said

PERIOD = "2026Q3"


def formats(folder: Path, on_a4: set[str] | None = None) -> Path:
    """The standard formats copied, those named (all when None) set on A4, their `[a4]` kept."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in standard_layouts_dir().glob("*.toml"):
        text = source.read_text(encoding="utf-8")
        if on_a4 is None or source.stem in on_a4:
            text = re.sub(r'(?m)^size = "A3"$', 'size = "A4"', text)
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


def pages_by_paper(pdf: Path) -> dict[str, int]:
    """An independent count (pypdf's media boxes), to hold the messages against."""
    found: dict[str, int] = {}
    for page in pypdf.PdfReader(pdf).pages:
        short, long = sorted((float(page.mediabox.width) * 25.4 / 72, float(page.mediabox.height) * 25.4 / 72))
        name = next(n for n, (w, h) in PAPER_MM.items() if abs(short - w) < 2 and abs(long - h) < 2)
        found[name] = found.get(name, 0) + 1
    return found


def said_papers(message: str, found: dict[str, int]) -> None:
    """The message counts every page under its own paper, and names no paper there is none of."""
    total = sum(found.values())
    assert f"共 {total} 张" in message, message
    for name in PAPER_MM:
        if name in found:
            assert f"{found[name]} 张 {name}" in message or f"共 {total} 张 {name}" in message, message
        elif name == "A3":
            assert not re.search(r"\d 张 A3(?! 拼贴)", message), message


# -- counting ------------------------------------------------------------------------------------

sizes = st.sampled_from([*PAPER_MM, "B4"])


@given(st.lists(sizes, max_size=40), st.booleans())
def test_a_count_names_each_paper_it_has_and_no_other(names: list[str], edition: bool) -> None:
    counted = papers(names)
    said = sheets_said(counted, edition=edition)
    assert said.startswith(f"共 {len(names)} 张")
    for name in set(names):
        assert name in said
    for name in {*PAPER_MM, "B4"} - set(names):
        assert f" {name}" not in said.replace("A4 版式", "")
    if len(set(names)) == 1:
        assert said.startswith(f"共 {len(names)} 张 {names[0]}")
    assert counted_words(counted) == "、".join(f"{n} 张 {p}" for p, n in counted) or not names


@given(st.integers(0, 30), st.integers(0, 30))
def test_tiled_counts_say_how_many_a3_sheets_were_split(split: int, own_a4: int) -> None:
    counted = papers(["A4"] * (2 * split + own_a4))
    said = sheets_said(counted, split=split)
    if split and not own_a4:
        assert said == f"共 {2 * split} 张 A4（{split} 张 A3 拼贴）"
    elif split:
        assert said == f"共 {2 * split + own_a4} 张 A4（其中 {split} 张 A3 拼贴为 {2 * split} 张）"
    else:  # a board on A4 already: nothing tiled, and no A3 named
        assert "A3" not in said


def test_a_batch_adds_the_villages_papers() -> None:
    assert added(papers(["A3", "A4"]), papers(["A4"]), ()) == (("A3", 1), ("A4", 2))


# -- the CLI, with formats on A4 -----------------------------------------------------------------

def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from zwgk_desktop.cli import main

    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("on_a4", [None, {"finance"}], ids=["all-A4", "mixed"])
def test_render_names_the_paper_of_its_pages(demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             on_a4: set[str] | None) -> None:
    layouts = formats(tmp_path / "layouts", on_a4)
    common = ["render", "--db", str(demo_copy), "--layouts", str(layouts), "--village", "donggang",
              "--period", PERIOD]
    for paper in ([], ["--paper", "A4"], ["--paper", "A4", "--fit"]):
        out = tmp_path / f"board{len(paper)}.pdf"
        code, said, err = _run([*common, *paper, "-o", str(out)], capsys)
        assert code == 0, err
        found = pages_by_paper(out)
        said_papers(said, found)
        if paper == ["--paper", "A4"]:  # an A4 sheet prints as it is; only A3 sheets are tiled
            assert set(found) == {"A4"}
            assert ("拼贴" in said) == (on_a4 is not None), said
        code, said, err = _run([*common, *paper, "--json", "-o", str(out)], capsys)
        assert code == 0 and json.loads(said)["sheets_by_paper"] == pages_by_paper(out), err


def test_the_batch_names_the_paper_of_each_village_and_in_all(demo_copy: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    layouts = formats(tmp_path / "layouts", {"finance", "notice"})
    out = tmp_path / "boards"
    code, said, err = _run(["render", "--db", str(demo_copy), "--layouts", str(layouts), "--all-villages",
                            "--period", PERIOD, "-o", str(out)], capsys)
    assert code == 0, err
    files = sorted(out.glob("*.pdf"))
    total: dict[str, int] = {}
    for f in files:
        for name, n in pages_by_paper(f).items():
            total[name] = total.get(name, 0) + n
    assert set(total) == {"A3", "A4"}
    said_papers(said, total)
    for line in err.splitlines():
        if line.startswith("["):  # each village as it is done: "[1/3] 东岗村：13 张 A3、10 张 A4"
            assert "张 A3" in line and "张 A4" in line, line


def test_seal_names_the_paper_of_the_sheets_it_stores(demo_copy: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    layouts = formats(tmp_path / "layouts")
    args = ["seal", "--db", str(demo_copy), "--layouts", str(layouts), "--village", "donggang",
            "--period", "2025Q4", "--by", "张三"]
    code, said, err = _run([*args, "--json"], capsys)
    assert code == 0, err
    result = json.loads(said)
    assert result["sheets_by_paper"] == {"A4": result["sheets"]} and result["sheets"] > 0
    code, said, err = _run([*args[:-4], "--period", "2026Q1", "--by", "张三"], capsys)
    assert code == 0, err
    assert re.search(r"\d+ 张 A4 海报存档", said) and "A3" not in said, said


def test_an_a4_format_keeping_its_a4_table_prints(demo_copy: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A township that only changed `size` keeps its `[a4]` table: every format still loads, prints
    as set, and its A4 版式 applies the table."""
    layouts = formats(tmp_path / "layouts")
    for path in layouts.glob("*.toml"):
        if "[a4]" in path.read_text(encoding="utf-8"):
            layout = load_layout(path)
            assert layout.paper == "A4" and layout.a4 is not None and layout.a4.paper == "A4"
    finance = load_layout(layouts / "finance.toml")
    assert finance.a4 is not None and finance.a4 != finance  # the table applied
    common = ["render", "--db", str(demo_copy), "--layouts", str(layouts), "--village", "donggang",
              "--period", PERIOD]
    assert _run([*common, "-o", str(tmp_path / "a.pdf")], capsys)[0] == 0
    code, said, err = _run([*common, "--paper", "A4", "--fit", "-o", str(tmp_path / "b.pdf")], capsys)
    assert code == 0 and "A4 版式" in said, err


# -- the ways out, worded for where they are shown ----------------------------------------------

def test_the_cli_names_the_option_of_each_choice_once() -> None:
    text = f"可改用{choices.TILED}，或改用{choices.EDITION}"
    cli = choices.for_cli(text)
    assert cli == "可改用“A4 两张拼一张”（--paper A4，不加 --fit），或改用“A4 版式”（--paper A4 --fit）"
    assert choices.for_cli(cli) == cli  # said once, however often it passes


def test_refusals_name_the_apps_choices_not_options(demo_copy: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The format without an A4 edition, as the app shows it (no option) and as the CLI says it."""
    from zwgk_desktop.render.packs import load_pack_layouts

    layouts = formats(tmp_path / "layouts", set())
    finance = layouts / "finance.toml"
    text = finance.read_text("utf-8")
    finance.write_text(text[:text.index("\n[a4]")] + "\n", "utf-8")
    with pytest.raises(ZwgkError) as caught:
        load_pack_layouts(layouts).a4_edition().for_category("finance")
    assert "“A4 两张拼一张”" in str(caught.value) and "--" not in str(caught.value)
    code, _, err = _run(["render", "--db", str(demo_copy), "--layouts", str(layouts), "--village", "donggang",
                         "--period", PERIOD, "--category", "finance", "--paper", "A4", "--fit",
                         "-o", str(tmp_path / "x.pdf")], capsys)
    assert code == 2 and "“A4 两张拼一张”（--paper A4，不加 --fit）" in err, err


def test_the_tiling_refusal_names_the_format_and_the_app_choice() -> None:
    from dataclasses import replace

    from zwgk_desktop.errors import BadInput
    from zwgk_desktop.render.tiling import frame_of, halves_of

    layout = load_layout(standard_layouts_dir() / "finance.toml")
    thin = replace(layout, margins_mm=(3.0, 3.0, 3.0, 3.0))
    with pytest.raises(BadInput) as caught:
        halves_of(1, thin.page_size_mm, frame_of(thin))
    said = str(caught.value)
    assert said.startswith(f"版式“{layout.name}”（finance.toml）的页边距"), said
    assert "“A4 版式”" in said and "--" not in said


# -- paper larger than the sheets ----------------------------------------------------------------

@pytest.mark.parametrize("sheet", list(PAPER_MM))
@pytest.mark.parametrize("paper", list(PAPER_MM))
def test_sheets_smaller_than_the_paper_get_a_note(sheet: str, paper: str) -> None:
    note = roomier([Paper.named(sheet)] * 2, Paper.named(paper))
    smaller = PAPER_MM[sheet][0] < PAPER_MM[paper][0]
    assert (note is not None) == smaller
    if note is not None:
        assert f"这些海报是 {sheet} 纸的" in str(note) and f"居中印在一张 {paper} 上" in str(note)


# -- the log -------------------------------------------------------------------------------------

@pytest.mark.parametrize("error", [PrintRefused("打印机“x”已不在这台电脑上"), Blocked("找不到打印命令 lp")])
def test_a_refusal_is_logged_as_one_line_of_words(caplog: pytest.LogCaptureFixture, error: ZwgkError) -> None:
    with caplog.at_level(logging.INFO):
        log_failure(logging.getLogger("t"), "background task", error)
    [record] = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert error.message in record.getMessage() and "\n" not in record.getMessage()
    assert "Traceback" not in caplog.text


def test_a_bug_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise KeyError("oops")
    except KeyError as exc:
        error = exc
    with caplog.at_level(logging.INFO):
        log_failure(logging.getLogger("t"), "background task", error)
    assert caplog.records[0].levelno == logging.ERROR and "Traceback" in caplog.text and "KeyError" in caplog.text




def test_no_online_address_is_told_as_the_app_and_the_cli_each_do_it(demo_copy: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from zwgk_desktop.db import store
    from zwgk_desktop.domain.periods import Quarter
    from zwgk_desktop.office.handle import Archive
    from zwgk_desktop.office.printing import print_board

    archive = Archive.open(demo_copy)
    try:
        with archive.writing() as session:
            for village in store.villages(session):
                village.township.base_url = ""
        with pytest.raises(ZwgkError) as caught:  # what the app shows (the dashboard's batch, say)
            print_board(archive, "donggang", Quarter.parse(PERIOD), tmp_path / "x.pdf")
    finally:
        archive.close()
    assert "在“设置”中填写网上公开地址" in str(caught.value) and "--" not in str(caught.value)
    code, _, err = _run(["render", "--db", str(demo_copy), "--village", "donggang", "--period", PERIOD,
                         "-o", str(tmp_path / "x.pdf")], capsys)
    assert code == 2 and "zwgk init --base-url" in err and "“设置”" not in err, err
