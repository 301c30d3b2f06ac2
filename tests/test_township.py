"""The township office: the catalogue of required disclosures and the compliance table, on both
backends (a village's SQLite archive and the township's PostgreSQL)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import run_zwgk
from factories import went_out_on
from openpyxl import load_workbook
from sqlalchemy import func, select
from test_backends import item_id, seal, session_for

from zwgk_desktop.db import store
from zwgk_desktop.db.models import FirstPublic
from zwgk_desktop.domain.catalogue import (
    LATE,
    MISSING,
    NOT_DUE,
    NOT_REQUIRED,
    ON_TIME,
    Posted,
    Requirement,
    judge,
    load_catalogue,
)
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.printing import chosen_villages, print_villages
from zwgk_desktop.office.township import compliance_table
from zwgk_desktop.paths import standard_layouts_dir

CATALOGUE = load_catalogue(standard_layouts_dir())
Q1 = Quarter(2026, 1)


def test_judging_one_category() -> None:
    quarterly = Requirement("finance")
    # Day 3 of April 2026 is a Friday; 4–6 April is 清明 (a holiday), so the 8th is 2 working days late.
    assert judge(quarterly, Q1, [Posted(1, date(2026, 4, 3), None)], 3).status == ON_TIME
    late = judge(quarterly, Q1, [Posted(1, date(2026, 4, 8), None)], 3)
    assert (late.status, late.late_days, late.text) == (LATE, 2, "逾期 2 个工作日")
    assert judge(quarterly, Q1, [], 3).status == MISSING
    bids = Requirement("bids", "as_happens", "working_days", working_days=20, required="when_happened")
    assert judge(bids, Q1, [], 3).status == NOT_REQUIRED
    # 20 working days after a review on 2 March 2026 is 30 March.
    assert judge(bids, Q1, [Posted(2, date(2026, 3, 30), date(2026, 3, 2))], 3).status == ON_TIME
    assert judge(bids, Q1, [Posted(2, date(2026, 3, 31), date(2026, 3, 2))], 3).late_days == 1
    monthly = Requirement("finance", "monthly", "next_month_day", day=10)
    months = [Posted(1, date(2026, 2, 10), None, 1), Posted(2, date(2026, 3, 10), None, 2)]
    cell = judge(monthly, Q1, months, 10)
    assert cell.status == MISSING and "3月" in cell.note


def test_a_bad_catalogue_is_refused_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "catalogue.toml").write_text(
        '[[requirements]]\ncategory = "finance"\nfrequency = "weekly"\n', encoding="utf-8")
    with pytest.raises(BadInput, match=r"catalogue\.toml") as caught:
        load_catalogue(tmp_path)
    assert "frequency" in str(caught.value)


def _post(url: str, village: int, category: str, start: date) -> None:
    """Put an item on the board on `start`: its typed start of publicity, its review the day
    before (keeping its length), and the product's own record of printing it that day."""
    with session_for(url, write=True) as session:
        item, _ = store.load_item(session, item_id(url, category, "2026Q1", village))
        length = (item.publicity_end - item.publicity_start) if item.publicity_end and item.publicity_start else None
        item.publicity_start, item.reviewed_on = start, start - timedelta(days=1)
        item.publicity_end = start + length if length is not None else None
        store.save_item(session, item)
        session.flush()
        assert item.id is not None
        went_out_on(session, item.id, start)


def test_the_compliance_table_of_the_demo_township(demo_any: str, tmp_path: Path) -> None:
    with session_for(demo_any, write=True) as session:
        township = store.get_township(session)
        assert township is not None
        township.publication_day = 3
    _post(demo_any, 1, "finance", date(2026, 4, 2))  # 东岗村: on time
    _post(demo_any, 1, "assistance", date(2026, 4, 3))
    _post(demo_any, 2, "finance", date(2026, 4, 8))  # 柳树湾村: after 清明, 2 working days late
    _post(demo_any, 2, "assistance", date(2026, 4, 3))
    seal(demo_any, "donggang", "2026Q1")
    seal(demo_any, "liushuwan", "2026Q1")  # 石桥村 never sealed its quarter: missing
    with session_for(demo_any) as session:
        table = compliance_table(session, CATALOGUE, Q1)
    cells = {code: row for _, code, row in table.rows}
    assert cells["donggang"]["finance"].status == ON_TIME
    assert (cells["liushuwan"]["finance"].status, cells["liushuwan"]["finance"].late_days) == (LATE, 2)
    assert cells["shiqiao"]["finance"].status == MISSING and "封存" in cells["shiqiao"]["finance"].note
    assert cells["liushuwan"]["assistance"].status == ON_TIME
    # The same table from the command line, as JSON and as the workbook for the report upward.
    env = {"ZWGK_DATA_DIR": str(tmp_path)}
    done = run_zwgk("status", "--db", demo_any, "--period", "2026Q1", "--xlsx", str(tmp_path / "s.xlsx"),
                    cwd=tmp_path, env=env)
    assert done.code == 0 and "逾期 2 个工作日" in done.out, done.err
    sheet = load_workbook(tmp_path / "s.xlsx")["公开情况"]
    grid = {row[0]: row[1:] for row in sheet.iter_rows(min_row=3, max_row=5, values_only=True)}
    assert grid["柳树湾村"][0] == "逾期 2 个工作日" and grid["东岗村"][0] == "按时" and grid["石桥村"][0] == "未公开"


def test_batch_printing_every_village_or_a_chosen_set(demo_any: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    import pypdf

    # The batch's parts go to a temporary folder of this test's own: another test printing in
    # parallel (pytest-xdist) must not make or remove one between the two looks below.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    villages = [("东岗村", "donggang"), ("柳树湾村", "liushuwan"), ("石桥村", "shiqiao")]
    with Archive.open(demo_any) as archive:
        assert chosen_villages(archive) == villages and chosen_villages(archive, ["shiqiao"]) == villages[2:]
        seen: list[int] = []
        folder = print_villages(archive, Quarter(2026, 2), villages, tmp_path / "each", one_file=False,
                                progress=lambda done, total, village: seen.append(done))
        assert seen == [1, 2, 3] and len(folder.printed) == 3 and folder.recorded
        pages = {v.code: len(pypdf.PdfReader(v.path).pages) for v in folder.villages if v.path}
        assert pages == {v.code: v.sheets for v in folder.villages} and all(n >= 10 for n in pages.values())
        one = print_villages(archive, Quarter(2026, 2), villages[:2], tmp_path / "job.pdf", one_file=True)
        assert len(pypdf.PdfReader(tmp_path / "job.pdf").pages) == pages["donggang"] + pages["liushuwan"] == one.sheets
        leftovers = set(Path(tempfile.gettempdir()).glob("zwgk-batch-*"))
        stopped = print_villages(archive, Quarter(2026, 2), villages, tmp_path / "stop.pdf", one_file=True,
                                 workers=1, cancelled=lambda: True)
        assert stopped.cancelled and not (tmp_path / "stop.pdf").exists()
        assert stopped.sheets == 0 and not stopped.printed  # nothing said printed that is not on disk
        assert set(Path(tempfile.gettempdir()).glob("zwgk-batch-*")) == leftovers  # its parts are gone
        # 取消 after the first village: what the folder holds is what the summary says.
        told: list[int] = []
        partly = print_villages(archive, Quarter(2026, 2), villages, tmp_path / "part", one_file=False, workers=1,
                                progress=lambda done, total, village: told.append(done), cancelled=lambda: bool(told))
        assert partly.cancelled
        assert {v.path for v in partly.printed} == set((tmp_path / "part").glob("*.pdf"))
        with pytest.raises(BadInput, match="不存在"):  # told at once, not after every village is printed
            print_villages(archive, Quarter(2026, 2), villages, tmp_path / "no" / "x.pdf", one_file=True)
    done = run_zwgk("render", "--db", demo_any, "--all-villages", "--period", "2026Q2", "-o", str(tmp_path / "all"),
                    "--json", cwd=tmp_path, env={"ZWGK_DATA_DIR": str(tmp_path)})
    assert done.code == 0 and len(list((tmp_path / "all").glob("*-2026Q2.pdf"))) == 3, done.err


def test_batch_printing_notes_what_went_out_as_one_board_does(demo_copy: Path, tmp_path: Path) -> None:
    """The workers reopen the archive in its own mode: a writable one notes when each reviewed,
    unsealed item first went out (批量打印), as `zwgk render` of one village does."""
    env = {"ZWGK_DATA_DIR": str(tmp_path)}
    done = run_zwgk("render", "--db", str(demo_copy), "--all-villages", "--period", "2026Q1", "-o",
                    str(tmp_path / "all"), cwd=tmp_path, env=env)
    assert done.code == 0 and "没有记下" not in done.err, done.err
    with Archive.open(demo_copy, read_only=True) as archive, archive.reading() as session:
        noted = dict(session.execute(select(FirstPublic.how, func.count()).group_by(FirstPublic.how)).all())
        printable = sum(len(store.public_only(store.selected_items(session, v, Quarter(2026, 1), None, None))[0])
                        for v in store.villages(session))
    assert set(noted) == {"batch"} and 0 < noted["batch"] <= printable


READ_ONLY_MEDIA = ("write-protected file", "read-only folder", "read-only mount")


@pytest.fixture(params=READ_ONLY_MEDIA)
def read_only_archive(request: pytest.FixtureRequest, demo_db: Path, tmp_path: Path) -> Iterator[Path]:
    """The demo archive on read-only media: a write-protected file, a file in a read-only folder,
    or a read-only bind mount (a CD or a locked stick, as root sees one too)."""
    medium = tmp_path / "medium"
    medium.mkdir()
    archive = medium / "archive.sqlite3"
    shutil.copy(demo_db, archive)
    if request.param == "read-only mount":
        mounted = tmp_path / "cd"
        mounted.mkdir()
        if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("a read-only bind mount needs root and mount(8)")
        bound = subprocess.run(["mount", "--bind", str(medium), str(mounted)], capture_output=True, text=True)
        if bound.returncode != 0:
            pytest.skip(f"mount --bind is not permitted here: {bound.stderr.strip()}")
        try:
            locked = subprocess.run(["mount", "-o", "remount,ro,bind", str(mounted)], capture_output=True, text=True)
            if locked.returncode != 0:
                pytest.skip(f"remounting read-only is not permitted here: {locked.stderr.strip()}")
            yield mounted / archive.name
        finally:
            if subprocess.run(["umount", str(mounted)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "--lazy", str(mounted)], check=True)  # never left mounted
                pytest.fail("the archive on the read-only mount was still open after the test")
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip(f"root writes through a {request.param}: the read-only mount case stands for it")
    locked_path = archive if request.param == "write-protected file" else medium
    mode = locked_path.stat().st_mode
    locked_path.chmod(0o444 if locked_path is archive else 0o555)
    try:
        yield archive
    finally:
        locked_path.chmod(mode)


def test_batch_printing_from_read_only_media(read_only_archive: Path, tmp_path: Path) -> None:
    """`zwgk render --all-villages` from an archive nobody can write: each village printed, the
    file untouched, and the clerk told that when items went out could not be noted."""
    before = read_only_archive.read_bytes()
    env = {"ZWGK_DATA_DIR": str(tmp_path / "data")}
    each = run_zwgk("render", "--db", str(read_only_archive), "--all-villages", "--period", "2026Q1",
                    "-o", str(tmp_path / "each"), cwd=tmp_path, env=env)
    assert each.code == 0, each.err
    assert "已打印 3 个村" in each.out and len(list((tmp_path / "each").glob("*-2026Q1.pdf"))) == 3
    assert "档案只读，没有记下首次公开的时间" in each.err
    one = run_zwgk("render", "--db", str(read_only_archive), "--village", "donggang", "--village", "shiqiao",
                   "--period", "2026Q2", "-o", str(tmp_path / "job.pdf"), "--json", cwd=tmp_path, env=env)
    assert one.code == 0, one.err
    assert [v["code"] for v in json.loads(one.out)["villages"]] == ["donggang", "shiqiao"]
    board = run_zwgk("render", "--db", str(read_only_archive), "--village", "liushuwan", "--period", "2026Q1",
                     "-o", str(tmp_path / "one.pdf"), cwd=tmp_path, env=env)
    assert board.code == 0 and "没有记下" in board.err, board.err
    assert read_only_archive.read_bytes() == before


def test_not_yet_due_and_late_on_a_weekend() -> None:
    quarterly = Requirement("finance")
    # Deadline Friday 10 July 2026; posted on Sunday the 12th: late, though no working day has passed.
    late = judge(quarterly, Quarter(2026, 2), [Posted(1, date(2026, 7, 12), None)], 10)
    assert (late.status, late.late_days) == (LATE, 1)
    assert judge(quarterly, Quarter(2026, 4), [], 10, today=date(2026, 11, 22)).status == NOT_DUE
    assert judge(quarterly, Quarter(2026, 4), [], 10, today=date(2027, 2, 1)).status == MISSING


def test_clear_words_for_odd_requests(tmp_path: Path) -> None:
    env = {"ZWGK_DATA_DIR": str(tmp_path / "data")}
    db = str(tmp_path / "empty.sqlite3")
    assert run_zwgk("init", "--db", db, "--township", "测试镇", cwd=tmp_path, env=env).code == 0
    empty = run_zwgk("status", "--db", db, "--period", "2026Q1", cwd=tmp_path, env=env)
    assert empty.code == 0, empty.err
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for args in (["template", "finance", "-o", str(tmp_path / "afile" / "t.xlsx")],
                 ["status", "--db", db, "--period", "2026Q1", "--xlsx", str(tmp_path / "afile" / "s.xlsx")],
                 ["pack", "export", "-o", str(tmp_path / "afile" / "p.zwgkpack"), "--name", "包", "--version", "1"],
                 ["pack", "export", "-o", str(tmp_path / "p.zwgkpack"), "--name", "ctl\x01", "--version", "1"],
                 ["pack", "import", str(tmp_path)],
                 ["site", "-o", str(tmp_path), "--check", "--db", db]):
        done = run_zwgk(*args, cwd=tmp_path, env=env)
        assert done.code == 2 and "Traceback" not in done.err, (args, done.code, done.err)


def test_packs_with_names_that_clean_up_alike_do_not_overwrite_each_other(tmp_path: Path) -> None:
    from zwgk_desktop.render.packs import export_pack, import_pack

    folders = set()
    for name in ("current", "统一/格式", "统一 格式", "统一-格式"):
        if "/" in name:
            with pytest.raises(BadInput):
                export_pack(standard_layouts_dir(), tmp_path / "x.zwgkpack", name=name, version="1", township="")
            continue
        export_pack(standard_layouts_dir(), tmp_path / f"{len(folders)}.zwgkpack", name=name, version=".",
                    township="")
        _, folder = import_pack(tmp_path / f"{len(folders)}.zwgkpack", tmp_path / "packs")
        folders.add(folder)
    assert len(folders) == 3 and (tmp_path / "packs" / "current").is_file()


def test_batch_printing_names_a_bad_address_and_does_not_claim_success(demo_copy: Path, tmp_path: Path) -> None:
    done = run_zwgk("render", "--db", str(demo_copy), "--all-villages", "--period", "2026Q2", "--base-url", "ftp://x",
                    "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert done.code == 2 and "http" in done.err
