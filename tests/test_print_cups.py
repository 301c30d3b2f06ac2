"""The very PDF through a real CUPS scheduler to Debian's cups-pdf (`.ci/cups` starts both): every
paper × orientation a layout may name prints at its size, the spooled job is the PDF itself, and a
queue that is gone, refuses, or an `lp` that is missing are told in words. Skips without a spooler."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from printers import PRINTER, add_queue, needs_spooler, printed, remove_queue, spooled_file

from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.office import handle
from zwgk_desktop.office.printing import print_board
from zwgk_desktop.office.spooling import (
    Paper,
    PrintRefused,
    PrintRequest,
    page_papers,
    spool_with_lp,
    still_waiting,
)
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import PAPER_MM

pytestmark = needs_spooler
SHAPES = [(paper, orientation) for paper in PAPER_MM for orientation in ("portrait", "landscape")]


def layouts_on(paper: str, orientation: str, folder: Path) -> Path:
    """The standard formats, every one set on this paper in this orientation."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in standard_layouts_dir().glob("*.toml"):
        text = source.read_text(encoding="utf-8")
        text = re.sub(r'(?m)^size = "A3"$', f'size = "{paper}"', text)
        text = re.sub(r'(?m)^orientation = "portrait"$', f'orientation = "{orientation}"', text)
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def boards(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """The demo's 2026Q3 notices of 东岗村 on every paper × orientation."""
    made = {}
    for paper, orientation in SHAPES:
        folder = tmp_path_factory.mktemp(f"{paper}-{orientation}")
        db = folder / "demo.sqlite3"
        db.write_bytes(demo_db.read_bytes())
        archive = handle.Archive.open(db, layouts=layouts_on(paper, orientation, folder / "layouts"))
        try:
            out = folder / "board.pdf"
            print_board(archive, "donggang", Quarter.parse("2026Q3"), out, category="notice")
        finally:
            archive.close()
        made[paper, orientation] = out
    return made


@pytest.mark.parametrize(("paper", "orientation"), SHAPES)
def test_every_paper_and_orientation_prints_at_its_size(boards: dict[tuple[str, str], Path], paper: str,
                                                          orientation: str) -> None:
    pdf = boards[paper, orientation]
    sheet = page_papers(pdf)[0]
    assert sheet.name == paper
    spooled = spool_with_lp(pdf, PrintRequest(PRINTER, Paper.named(paper), landscape=orientation == "landscape",
                                              title=f"test {paper} {orientation}"))
    assert spooled.sheets == len(pypdf.PdfReader(pdf).pages) and spooled.paper.name == paper
    # What the scheduler spooled is the PDF itself, byte for byte: no picture of it.
    assert spooled_file(spooled.job).read_bytes() == pdf.read_bytes()
    out = pypdf.PdfReader(printed(spooled.job))
    assert len(out.pages) == spooled.sheets
    for page in out.pages:  # cups-pdf's page, turned the way the sheet lies
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        if page.rotation % 180:
            width, height = height, width
        got = Paper.of_size(width * 25.4 / 72, height * 25.4 / 72)
        assert got.name == paper, (got, paper)
        assert (width > height) == (orientation == "landscape")
        assert not page.images  # vectors: no page is a picture


def test_copies_and_page_ranges_reach_the_printer(boards: dict[tuple[str, str], Path]) -> None:
    pdf = boards["A4", "portrait"]
    pages = len(pypdf.PdfReader(pdf).pages)
    spooled = spool_with_lp(pdf, PrintRequest(PRINTER, Paper.named("A4"), copies=2, pages=((1, 1),)))
    assert spooled.sheets == 2
    assert len(pypdf.PdfReader(printed(spooled.job)).pages) == 2
    assert pages >= 1
    assert still_waiting(PRINTER, spooled.job) is None  # printed: nothing to watch


@pytest.fixture
def own_queue() -> Iterator[str]:
    """A cups-pdf queue of this test's own (others may be printing on the shared ones)."""
    name = add_queue("zwgk-test")
    yield name
    remove_queue(name)


def test_a_queue_that_is_gone_is_told_in_words(boards: dict[tuple[str, str], Path], own_queue: str) -> None:
    subprocess.run(["lpadmin", "-x", own_queue], capture_output=True, check=True)
    with pytest.raises(PrintRefused) as refused:
        spool_with_lp(boards["A3", "portrait"], PrintRequest(own_queue, Paper.named("A3")))
    message = str(refused.value)
    assert f"打印机“{own_queue}”已不在" in message and "另选一台" in message and "没有送出" in message


def test_a_queue_that_refuses_jobs_is_told_in_words(boards: dict[tuple[str, str], Path], own_queue: str) -> None:
    subprocess.run(["cupsreject", "-r", "纸卡住了", own_queue], capture_output=True, check=True)
    with pytest.raises(PrintRefused) as refused:
        spool_with_lp(boards["A3", "portrait"], PrintRequest(own_queue, Paper.named("A3")))
    message = str(refused.value)
    assert "不接受打印任务" in message and f"cupsaccept {own_queue}" in message and "没有送出" in message


def test_no_lp_on_this_computer_is_told_in_words(boards: dict[tuple[str, str], Path],
                                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrintRefused) as refused:
        spool_with_lp(boards["A3", "portrait"], PrintRequest(PRINTER, Paper.named("A3")))
    assert "找不到打印命令 lp" in str(refused.value) and "cups-client" in str(refused.value)


def test_no_scheduler_is_told_in_words(boards: dict[tuple[str, str], Path], monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))
    with pytest.raises(PrintRefused) as refused:
        spool_with_lp(boards["A3", "portrait"], PrintRequest(PRINTER, Paper.named("A3")))
    assert "打印服务（CUPS）没有运行" in str(refused.value), str(refused.value)
    assert os.environ["CUPS_SERVER"].endswith("no-cupsd.sock")


def test_a_paused_printer_takes_the_job_and_the_clerk_is_told_it_waits(boards: dict[tuple[str, str], Path],
                                                                       own_queue: str) -> None:
    subprocess.run(["cupsdisable", "-r", "卡纸", own_queue], capture_output=True, check=True)
    spooled = spool_with_lp(boards["A3", "portrait"], PrintRequest(own_queue, Paper.named("A3")))
    said = str(spooled)
    assert said.startswith(f"已送出 {spooled.sheets} 张 A3 到打印机 {own_queue}")
    assert "已暂停（原因：卡纸）" in said and "恢复后才会印出" in said and f"cupsenable {own_queue}" in said
    assert "已暂停（原因：卡纸）" in (still_waiting(own_queue, spooled.job) or "")
