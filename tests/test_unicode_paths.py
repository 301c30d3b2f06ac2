"""A Windows user called 张三 has 张三 in every path the program uses (C:\\Users\\张三\\AppData\\…):
the data folder, the archive, its backups, the outputs. Tested here with such folders on Linux;
what differs on Windows (drive letters, backslashes) is tested through the same parsing, which
SQLAlchemy and pathlib do alike on both."""

from __future__ import annotations

import errno
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from conftest import run_zwgk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop.archive.backup import backup_before, list_backups, sqlite_path
from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import database_url, open_engine, read_only_uri
from zwgk_desktop.errors import BadInput, Blocked
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.outputs import cannot_write, why

# Folder names as people make them: Chinese, spaces, and the characters a URI gives meaning to.
# Windows allows no `?` in a name (the one test input that differs there), and drops a trailing
# dot or space, so neither is generated.
_LETTERS = "张三李四村务公开栏数据 abc-_.%#&=+@!()'[]{};,~" + ("" if sys.platform == "win32" else "?")
FOLDER_NAMES = st.text(st.sampled_from(_LETTERS), min_size=1, max_size=12).map(str.strip).filter(
    lambda name: name not in ("", ".", "..") and not name.endswith("."))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folder=FOLDER_NAMES, name=FOLDER_NAMES)
def test_the_archive_file_is_found_again_from_its_engines_address(tmp_path: Path, folder: str, name: str) -> None:
    """Backups and restores find the file behind the engine's address: SQLAlchemy %-escapes it,
    and an address cut at "///" named a file that does not exist (no backup was taken)."""
    path = tmp_path / folder / f"{name}.sqlite3"
    address = database_url(str(path)).render_as_string(hide_password=False)  # what Archive.url gives
    assert sqlite_path(address) == path
    assert sqlite_path(str(path)) == path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folder=FOLDER_NAMES)
def test_a_backup_is_read_back_read_only_wherever_it_is(tmp_path: Path, folder: str) -> None:
    place = tmp_path / folder
    place.mkdir(exist_ok=True)
    path = place / "备份.sqlite3"
    with sqlite3.connect(path) as made:
        made.execute("CREATE TABLE IF NOT EXISTS t (x)")
    with sqlite3.connect(read_only_uri(path), uri=True) as reading:
        assert reading.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reading.execute("INSERT INTO t VALUES (1)")
    assert not (place / "备份.sqlite3?mode=ro").exists()  # the mode was read, not made a file name


def test_an_upgrade_under_a_chinese_user_folder_is_backed_up_first(tmp_path: Path) -> None:
    old = tmp_path / "张三" / "我的 文档" / "档案.sqlite3"
    old.parent.mkdir(parents=True)
    engine = open_engine(str(old), create=True)
    migrate.upgrade(engine, "0002")
    engine.dispose()
    with Archive.open(old, upgrade=True) as archive:
        assert migrate.current_revision(archive.engine) == migrate.SCHEMA_HEAD
        backup = backup_before(archive.url, "manual")
    reasons = [b.reason for b in list_backups(old)]
    assert reasons[0] == "before-migration-0002" and backup is not None and backup.path.is_file()


def test_init_demo_render_seal_verify_in_a_chinese_data_folder(tmp_path: Path) -> None:
    """The whole round as a clerk called 张三 runs it: every file in folders named in Chinese."""
    data = tmp_path / "张三" / "AppData" / "村务公开栏"
    out = tmp_path / "张三" / "桌面"
    out.mkdir(parents=True)
    env = {"ZWGK_DATA_DIR": str(data)}
    assert run_zwgk("init", "--township", "青山镇", cwd=out, env=env).code == 0
    demo = run_zwgk("demo", cwd=out, env=env)
    assert demo.code == 0 and "已装入示范数据" in demo.out, demo.err
    listing = json.loads(run_zwgk("list", "--json", cwd=out, env=env).out)
    village = listing["villages"][0]
    period = listing["items"][0]["period"]
    board = out / "石桥村 公开栏.pdf"
    rendered = run_zwgk("render", "--village", village["code"], "--period", period, "-o", str(board), cwd=out, env=env)
    assert rendered.code == 0 and board.read_bytes().startswith(b"%PDF"), rendered.err
    sealed = run_zwgk("seal", "--village", village["code"], "--period", period, "--by", "张三", "--json",
                      cwd=out, env=env)
    assert sealed.code == 0, sealed.err
    backup = Path(json.loads(sealed.out)["backup"])
    assert backup.is_file() and data in backup.parents  # the seal was backed up, in the data folder
    assert list((data / "keys").glob("*")), "the signing key is kept in the data folder"
    verified = run_zwgk("verify", cwd=out, env=env)
    assert verified.code == 0 and "核验通过" in verified.out, verified.out + verified.err
    listed = run_zwgk("backup", "--list", cwd=out, env=env)
    assert "seal" in listed.out, listed.out


def _held_open(code: int) -> OSError:
    """The error Windows gives for a file another program has open (ERROR_SHARING_VIOLATION is 32):
    Python maps it to EACCES and keeps the Windows code in `winerror`, which only Windows sets."""
    error = PermissionError(errno.EACCES, "The process cannot access the file")
    error.winerror = code  # type: ignore[attr-defined]
    return error


def test_a_board_held_open_by_a_pdf_reader_is_told_as_such() -> None:
    held = _held_open(32)
    assert "其他程序打开" in why(held) and "权限" not in why(held)
    told = cannot_write("无法写出 公开栏.pdf", held)
    assert isinstance(told, Blocked) and "PDF 阅读器" in str(told)  # close it and try again: no bad input
    refused = cannot_write("无法写出 公开栏.pdf", PermissionError(errno.EACCES, "denied"))
    assert isinstance(refused, BadInput) and "没有写入权限" in str(refused)


def _older_archive(path: Path) -> None:
    """An archive as an older version left it (schema 0002): a township with a village, named in
    Chinese, in a folder named in Chinese."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = open_engine(str(path), create=True)
    migrate.upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO township (id, name, base_url) VALUES (1, '青山镇', '')")
        connection.exec_driver_sql("INSERT INTO village (township_id, name, code) VALUES (1, '东岗村', 'donggang')")
    engine.dispose()


def test_the_app_started_on_an_older_archive_backs_it_up_then_upgrades(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                       monkeypatch) -> None:
    """What an installer's upgrade comes to: the new program's first start on the archive the old
    one left. The window opens on it, upgraded, after a backup of it as it was."""
    from zwgk_desktop.ui import app as desktop

    old = tmp_path / "张三" / "AppData" / "archive.sqlite3"
    _older_archive(old)
    monkeypatch.setenv("ZWGK_STARTUP_PROBE", "1")  # the window closes as soon as it is shown
    # The test process keeps its own signal handlers, excepthook and logging.
    monkeypatch.setattr(desktop, "end_on_signals", lambda app: None)
    monkeypatch.setattr(desktop, "install_crash_handler", lambda log_path: None)
    monkeypatch.setattr(desktop, "log_to_file", lambda: None)
    assert desktop.main(["--db", str(old)]) == 0
    backups = list_backups(old)
    assert [b.reason for b in backups] == ["before-migration-0002"]
    engine = open_engine(str(backups[0].path))
    try:
        assert migrate.current_revision(engine) == "0002"  # the backup is the archive as it was
    finally:
        engine.dispose()
    with Archive.open(old) as archive:  # opens without upgrading: it is current, its village kept
        assert migrate.current_revision(archive.engine) == migrate.SCHEMA_HEAD
        with archive.reading() as session:
            assert [v.name for v in store.villages(session)] == ["东岗村"]
