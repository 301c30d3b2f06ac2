"""Reading a spreadsheet ahead (`io.sheets.prefetch`, begun by `zwgk import` before it loads the
database machinery): the next `read_grids` of the file gives exactly what reading it then would
have given, its grids or its refusal in the same words; a file changed since is read again; and
`zwgk import` still tells a wrong village before anything about the file."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import run_zwgk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from zwgk_desktop import cli
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.io import sheets

DATA = Path(__file__).parent / "data"
# Every file of the corpora: each format offices save, and each file built to hit a reader's
# failure mode (formulas without values, a far-away cell, a whole-grid claim, damaged zips).
CORPUS = sorted(p for folder in ("sheets/formats", "sheets/shapes", "bad") for p in (DATA / folder).iterdir()
                if p.is_file() and not p.name.endswith((".json", ".py")))


def outcome(path: Path) -> tuple[str, Any]:
    """What `read_grids` gives: the grids, or the refusal's class, words and problems."""
    try:
        return "grids", sheets.read_grids(path)
    except ZwgkError as exc:
        return type(exc).__name__, (exc.message, [str(p) for p in exc.problems])


def prefetched(path: Path) -> tuple[str, Any]:
    sheets.prefetch(path)
    return outcome(path)


@pytest.fixture(autouse=True, params=["child", "thread"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test reading ahead in a child process (where the system forks) and in a thread."""
    if request.param == "child" and not hasattr(os, "fork"):
        pytest.skip("no fork here: the reading ahead is a thread")
    monkeypatch.setattr(sheets, "_forking", lambda: request.param == "child")
    monkeypatch.setattr(sheets, "_idle_core", lambda: True)  # whatever the machine's load now
    return str(request.param)


def wait_for_reading(path: Path) -> None:
    """Until the reading begun ahead is done (a small file's child has handed it over and ended)."""
    ahead = sheets._ahead[path.resolve()]
    if ahead.thread is not None:
        assert ahead.thread is not threading.current_thread()
        ahead.thread.join(timeout=60)
        assert not ahead.thread.is_alive()
    else:
        assert ahead.pid is not None
        os.waitid(os.P_PID, ahead.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped


def test_the_corpus_is_there() -> None:
    assert len(CORPUS) > 40
    assert {p.suffix for p in CORPUS} >= {".xlsx", ".xls", ".ods", ".xlsb", ".et", ".csv"}


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_read_ahead_gives_what_reading_then_gives(path: Path) -> None:
    """Grids cell for cell, or the same refusal in the same words, for every corpus file."""
    expected = outcome(path)
    assert prefetched(path) == expected
    assert not sheets._ahead  # taken, not kept
    assert outcome(path) == expected  # the next reading reads again


def sheet_of(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "明细"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


CELLS = st.one_of(st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                  st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=8))
def test_read_ahead_of_any_workbook_equals_reading_it(tmp_path: Path, rows: list[list[Any]]) -> None:
    path = sheet_of(tmp_path / "名单.xlsx", rows)
    assert prefetched(path) == outcome(path)


def test_a_file_changed_after_the_read_ahead_is_read_again(tmp_path: Path) -> None:
    path = sheet_of(tmp_path / "名单.xlsx", [["户主姓名"], ["张三"]])
    sheets.prefetch(path)
    wait_for_reading(path)  # what it holds is the old file's
    stamp = path.stat().st_mtime_ns
    sheet_of(path, [["户主姓名"], ["李四"]])
    os.utime(path, ns=(stamp + 10**9, stamp + 10**9))  # a later time, even on a coarse clock
    [grid] = sheets.read_grids(path)
    assert grid.rows == [["户主姓名"], ["李四"]]
    assert not sheets._ahead


def test_a_file_changed_to_the_same_size_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_text("户主姓名\n张三\n", encoding="utf-8")
    sheets.prefetch(path)
    wait_for_reading(path)
    stamp = path.stat().st_mtime_ns
    path.write_text("户主姓名\n李四\n", encoding="utf-8")  # the same number of bytes
    os.utime(path, ns=(stamp + 10**9, stamp + 10**9))
    assert sheets.read_grids(path)[0].rows == [["户主姓名"], ["李四"]]


def test_a_file_gone_after_the_read_ahead_is_refused_as_gone(tmp_path: Path) -> None:
    path = sheet_of(tmp_path / "名单.xlsx", [["户主姓名"], ["张三"]])
    sheets.prefetch(path)
    wait_for_reading(path)
    path.unlink()
    assert prefetched(path) == outcome(path)
    assert outcome(path)[0] == "NotFound"


@pytest.mark.parametrize("kind", ["missing", "folder", "pipe"])
def test_nothing_is_read_ahead_of_what_is_not_a_file(tmp_path: Path, kind: str) -> None:
    """A pipe would hang a reading thread: `read_grids` refuses it, in words, as before."""
    path = tmp_path / "名单.xlsx"
    if kind == "folder":
        path.mkdir()
    elif kind == "pipe":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(path)
    sheets.prefetch(path)
    assert not sheets._ahead
    told = outcome(path)
    assert told[0] in ("NotFound", "BadInput") and str(path) in told[1][0]


def test_a_relative_name_and_the_full_path_are_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sheet_of(tmp_path / "名单.xlsx", [["户主姓名"], ["张三"]])
    monkeypatch.chdir(tmp_path)
    sheets.prefetch(Path("名单.xlsx"))
    wait_for_reading(path)
    assert sheets.read_grids(path)[0].rows == [["户主姓名"], ["张三"]]
    assert not sheets._ahead


def test_the_command_line_reads_ahead_without_loading_the_database_machinery() -> None:
    """`zwgk import` begins reading before SQLAlchemy loads: importing the command line (and what
    the read ahead needs) loads none of it."""
    probe = ("import sys, zwgk_desktop.cli, zwgk_desktop.io.sheets; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'reportlab')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.replace("'", '"')) == []


def test_zwgk_import_reads_the_file_ahead_and_imports_it(demo_copy: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """In the command itself: the reading is begun, taken by the import, and every row stored."""
    db = ["--db", str(demo_copy)]
    assert cli.main(["list", *db, "--village", "donggang", "--period", "2026Q2", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    item = next(i for i in listed["items"] if i["category"] == "assistance")
    sheet = tmp_path / "名单.xlsx"
    assert cli.main(["export", *db, "--item", str(item["id"]), "-o", str(sheet)]) == 0
    capsys.readouterr()
    begun: list[Path] = []
    original = sheets.prefetch
    monkeypatch.setattr(sheets, "prefetch", lambda p: (begun.append(p), original(p))[1])
    code = cli.main(["import", str(sheet), *db, "--village", "donggang", "--period", "2026Q3",
                     "--category", "assistance", "--accept-warnings", "--json"])
    done = json.loads(capsys.readouterr().out)
    assert code == 0 and done["ok"], done
    assert begun == [sheet] and not sheets._ahead  # begun, and taken by the import
    assert done["rows"] == item["rows"] > 0


def test_a_wrong_village_is_told_before_anything_about_the_file(demo_copy: Path, tmp_path: Path) -> None:
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook at all")
    run = run_zwgk("import", str(broken), "--db", str(demo_copy), "--village", "西岗村", "--period", "2026Q3",
                   "--category", "assistance", cwd=tmp_path)
    assert run.code == 2 and "没有名为或代码为“西岗村”的村" in run.err, run.err
    assert "坏.xlsx" not in run.err and "Traceback" not in run.err


@pytest.fixture(autouse=True)
def _no_reading_left_over() -> Any:
    yield
    for ahead in list(sheets._ahead.values()):
        with contextlib.suppress(Exception):
            ahead.result()  # a thread joined, a child reaped
    sheets._ahead.clear()


def test_a_child_that_dies_is_read_for_here(tmp_path: Path, mode: str) -> None:
    """Killed (out of memory, by hand), the child hands nothing over: the file is read here."""
    if mode != "child":
        pytest.skip("a child process only")
    path = sheet_of(tmp_path / "名单.xlsx", [["户主姓名"], ["张三"]])
    sheets.prefetch(path)
    ahead = sheets._ahead[path.resolve()]
    assert ahead.pid is not None
    os.kill(ahead.pid, signal.SIGKILL)
    assert sheets.read_grids(path)[0].rows == [["户主姓名"], ["张三"]]
    assert not sheets._ahead
    with pytest.raises(ChildProcessError):
        os.waitpid(ahead.pid, os.WNOHANG)  # reaped: no zombie left


def test_nothing_is_read_ahead_on_a_machine_with_no_core_free(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sheet_of(tmp_path / "名单.xlsx", [["户主姓名"], ["张三"]])
    monkeypatch.setattr(os, "getloadavg", lambda: (float(os.cpu_count() or 1), 0.0, 0.0))
    monkeypatch.setattr(sheets, "_idle_core", sheets_idle_core)
    sheets.prefetch(path)
    assert not sheets._ahead
    assert sheets.read_grids(path)[0].rows == [["户主姓名"], ["张三"]]
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    sheets.prefetch(path)
    assert list(sheets._ahead) == [path.resolve()]
    assert sheets.read_grids(path)[0].rows == [["户主姓名"], ["张三"]]


sheets_idle_core = sheets._idle_core  # the real one, as the fixture above replaces it
