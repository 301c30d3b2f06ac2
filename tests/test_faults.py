"""Faults in words (issue 12, point 10), as a user meets them with the installed `zwgk` command: a
write-protected, read-only-folder or locked archive, a data folder that is a file, a pipe, device,
folder, missing or unreadable file given as input, a full disk under every output. Each is told in
Chinese naming the file, with exit 2 (what was given is wrong) or 3 (the computer is in the way),
no traceback, and nothing changed or half-written.

Making a file or folder unwritable: `chattr +i` when the tests run as root (root passes permission
bits, but not the immutable flag), else `chmod`; and, as root, the same faults once more as an
ordinary user (`setpriv` to nobody) with plain permission bits. A full disk is a tiny tmpfs,
mounted when the tests may mount (root).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Run, run_zwgk, zwgk_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop import paths
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.errors import BadInput, Blocked, NotFound
from zwgk_desktop.inputs import readable_file
from zwgk_desktop.outputs import cannot_write, why

pytestmark = pytest.mark.slow

ROOT = os.geteuid() == 0


def told(run: Run, code: int, *words: str) -> None:
    """Exit `code`, every one of `words` in the message, no traceback."""
    assert "Traceback" not in run.err + run.out, run.err
    assert run.code == code, (run.code, run.err)
    for word in words:
        assert word in run.err, (word, run.err)


# ---------------------------------------------------------------------------------------------
# Ways to make a place unwritable


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """`path` (a file or a folder) cannot be changed, not even by root, while inside."""
    if ROOT:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i does not work here: {done.stderr.strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


@pytest.fixture(scope="module")
def sealed_db(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Path:
    """The demo with 东岗村 2026Q1 sealed (for correct and bundle commands)."""
    folder = tmp_path_factory.mktemp("sealed")
    db = folder / "sealed.sqlite3"
    shutil.copy(demo_db, db)
    done = run_zwgk("seal", "--db", str(db), "--village", "donggang", "--period", "2026Q1", cwd=folder,
                    env={"ZWGK_DATA_DIR": str(folder / "data")})
    assert done.code == 0, done.err
    return db


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, sealed_db: Path) -> dict[str, Path]:
    """Good input files of every kind: a sheet, a bundle, a backup (the demo), a pack."""
    folder = tmp_path_factory.mktemp("inputs")
    env = {"ZWGK_DATA_DIR": str(folder / "data")}  # module fixtures run before each test's own data folder
    listed = json.loads(run_zwgk("list", "--db", str(sealed_db), "--json", cwd=folder, env=env).out)
    sealed = next(i for i in listed["items"] if i["sealed"] and i["category"] == "bids")
    sheet = folder / "sheet.xlsx"
    bundle = folder / "donggang.zwgk"
    pack = folder / "formats.zwgkpack"
    for command in (("export", "--item", str(sealed["id"]), "-o", str(sheet)),
                    ("bundle", "export", "--village", "donggang", "-o", str(bundle)),
                    ("pack", "export", "-o", str(pack), "--name", "青山镇格式", "--version", "1")):
        done = run_zwgk(*command, "--db", str(sealed_db), cwd=folder, env=env)
        assert done.code == 0, (command, done.err)
    return {"sheet": sheet, "bundle": bundle, "pack": pack, "backup": sealed_db, "item": Path(str(sealed["id"]))}


def changing_commands(inputs: dict[str, Path]) -> dict[str, tuple[str, ...]]:
    """Every command that changes the archive, with arguments that would succeed on the demo."""
    return {
        "init": ("init",),
        "demo": ("demo",),
        "import": ("import", str(inputs["sheet"]), "--village", "shiqiao", "--period", "2026Q1",
                   "--category", "bids", "--accept-warnings"),
        "delete": ("delete", "--item", "3"),
        "seal": ("seal", "--village", "shiqiao", "--period", "2026Q2"),
        "correct": ("correct", "--item", str(inputs["item"]), "--reason", "金额写错"),
        "bundle import": ("bundle", "import", str(inputs["bundle"])),
        "restore": ("restore", str(inputs["backup"]), "--yes"),
    }


READING = {
    "list": ("list",),
    "verify": ("verify",),
    "search": ("search", "路灯"),
    "status": ("status", "--period", "2026Q2"),
    "render": ("render", "--village", "donggang", "--period", "2026Q2", "-o", "{out}/board.pdf"),
    "render all": ("render", "--all-villages", "--period", "2026Q2", "-o", "{out}/all.pdf"),
    "export": ("export", "--item", "3", "-o", "{out}/item.xlsx"),
    "backup": ("backup",),
}

CHANGING = ("init", "demo", "import", "delete", "seal", "correct", "bundle import", "restore")


def _archive(sealed_db: Path, folder: Path) -> Path:
    """A copy of the sealed demo without its 东岗村 seals' bundle already in (so bundle import
    would change it): the demo itself, with its WAL folded in."""
    folder.mkdir(exist_ok=True)
    db = folder / "archive.sqlite3"
    source, target = sqlite3.connect(sealed_db), sqlite3.connect(db)
    source.backup(target)
    source.close()
    target.close()
    return db


# ---------------------------------------------------------------------------------------------
# The archive that cannot be changed: write-protected, in a read-only folder, locked


@pytest.mark.parametrize("fault", ["write-protected", "read-only folder"])
@pytest.mark.parametrize("command", CHANGING)
def test_a_command_that_changes_an_archive_that_cannot_be_changed_says_why(
        fault: str, command: str, demo_db: Path, inputs: dict[str, Path], tmp_path: Path) -> None:
    db = _archive(demo_db, tmp_path / "place")
    before = db.read_bytes()
    args = changing_commands(inputs)[command]
    with unwritable(db if fault == "write-protected" else db.parent):
        done = run_zwgk(*args, "--db", str(db), cwd=tmp_path)
    if fault == "write-protected":
        told(done, 3, str(db), "只读的（写保护）", "没有执行")
    else:
        told(done, 3, str(db.parent), "文件夹", "是只读的", f"{db.name}-wal", "没有执行")
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]  # no journal left beside it


@pytest.mark.parametrize("fault", ["write-protected", "read-only folder"])
@pytest.mark.parametrize("command", sorted(READING))
def test_reading_an_archive_that_cannot_be_changed_works(fault: str, command: str, demo_db: Path,
                                                          tmp_path: Path) -> None:
    """An auditor's write-protected stick or CD: every command that only reads works on it."""
    db = _archive(demo_db, tmp_path / "place")
    before = db.read_bytes()
    args = [a.format(out=tmp_path) for a in READING[command]]
    with unwritable(db if fault == "write-protected" else db.parent):
        done = run_zwgk(*args, "--db", str(db), cwd=tmp_path)
    told(done, 0)
    assert db.read_bytes() == before


@pytest.mark.skipif(not ROOT or not shutil.which("setpriv"), reason="needs root to act as another user")
@pytest.mark.parametrize("fault", ["write-protected", "read-only folder"])
def test_plain_permissions_for_an_ordinary_user(fault: str, demo_db: Path) -> None:
    """The same as a clerk meets it: a file or folder without write permission (chmod), as nobody."""
    with _public_folder() as folder:
        db = _archive(demo_db, folder / "place")
        db.chmod(0o444 if fault == "write-protected" else 0o666)
        db.parent.chmod(0o777 if fault == "write-protected" else 0o555)
        delete = _as_nobody(folder, "delete", "--item", "3", "--db", str(db))
        listed = _as_nobody(folder, "list", "--db", str(db))
        db.parent.chmod(0o755)
    told(delete, 3, str(db.parent if fault != "write-protected" else db), "只读")
    told(listed, 0)


def test_a_locked_archive_is_waited_for_then_named(demo_db: Path, inputs: dict[str, Path],
                                                    sealed_db: Path, tmp_path: Path) -> None:
    """Another program holds a write transaction: a command that only reads works meanwhile (WAL);
    one that writes waits `ZWGK_BUSY_TIMEOUT` seconds, then says who is in the way; nothing changed."""
    env = {"ZWGK_BUSY_TIMEOUT": "0.5"}
    township = tmp_path / "township.sqlite3"  # a township archive without 东岗村's seals: a bundle is news
    assert run_zwgk("init", "--db", str(township), "--township", "青山镇", cwd=tmp_path).code == 0
    sources = {"correct": sealed_db, "bundle import": township}
    for number, (command, args) in enumerate(changing_commands(inputs).items()):
        source_db = sources.get(command, demo_db)
        db = _archive(source_db, tmp_path / str(number))
        with _held(db):
            done = run_zwgk(*args, "--db", str(db), cwd=tmp_path, env=env)
            assert done.code == 3, (command, done.err)
            told(done, 3, str(db), "正被另一个程序使用")
            told(run_zwgk("list", "--db", str(db), cwd=tmp_path, env=env), 0)
        check = sqlite3.connect(db)
        counts = [check.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("seal", "disclosure_item")]
        check.close()
        source = sqlite3.connect(source_db)
        assert counts == [source.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                          for table in ("seal", "disclosure_item")], command
        source.close()


@contextlib.contextmanager
def _held(db: Path) -> Iterator[None]:
    """Another program in the middle of writing to `db`."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE village SET name = name")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


# ---------------------------------------------------------------------------------------------
# The user data folder


def test_a_data_folder_that_is_a_file(demo_db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    for where in (blocker, blocker / "inside"):
        env = {"ZWGK_DATA_DIR": str(where)}
        for args in (("list",), ("init",), ("backup", "--db", str(demo_db)), ("pack", "show")):
            done = run_zwgk(*args, cwd=tmp_path, env=env)
            told(done, 3, str(where), "用户数据文件夹", "ZWGK_DATA_DIR")
    assert blocker.read_text() == "not a folder"


def test_a_data_folder_that_cannot_be_written(demo_db: Path, inputs: dict[str, Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = _archive(demo_db, tmp_path / "place")
    env = {"ZWGK_DATA_DIR": str(data)}
    with unwritable(data):
        for args in (("backup", "--db", str(db)), ("delete", "--item", "3", "--db", str(db)),
                     ("pack", "import", str(inputs["pack"]))):
            told(run_zwgk(*args, cwd=tmp_path, env=env), 3, str(data), "无法", "没有写入权限")
        told(run_zwgk("list", "--db", str(db), cwd=tmp_path, env=env), 0)  # reading needs no data folder


# ---------------------------------------------------------------------------------------------
# Input files that are no files


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


FAULTY = {  # how to make it in place of a file, what the message says
    "fifo": (_fifo, "命名管道"),
    "folder": (_folder, "文件夹"),
    "/dev/zero": (lambda _: Path("/dev/zero"), "设备"),
    "/dev/null": (lambda _: Path("/dev/null"), "设备"),
    "missing": (lambda path: path, "找不到"),
}


def input_command(command: str, bad: Path, sheet: Path) -> tuple[str, ...]:
    """A command with `bad` in place of the file it reads."""
    period = ("--village", "donggang", "--period", "2026Q3", "--category", "bids")
    return {
        "import": ("import", str(bad), *period),
        "import --mapping": ("import", str(sheet), "--mapping", str(bad), *period),
        "restore": ("restore", str(bad)),
        "bundle import": ("bundle", "import", str(bad)),
        "pack import": ("pack", "import", str(bad)),
        "--db": ("list", "--db", str(bad)),
    }[command]


INPUT_COMMANDS = ("import", "import --mapping", "restore", "bundle import", "pack import", "--db")


@pytest.mark.parametrize("kind", sorted(FAULTY))
@pytest.mark.parametrize("command", INPUT_COMMANDS)
def test_an_input_that_is_no_ordinary_file(kind: str, command: str, demo_db: Path, inputs: dict[str, Path],
                                           tmp_path: Path) -> None:
    """Never opened (a pipe would hang, /dev/zero never ends): told what it is, exit 2, at once."""
    make, words = FAULTY[kind]
    bad = make(tmp_path / ("mapping.toml" if command == "import --mapping" else "input.zwgk"))
    db = _archive(demo_db, tmp_path / "place")
    before = db.read_bytes()
    args = input_command(command, bad, inputs["sheet"])
    done = run_zwgk(*args, *(() if command == "--db" else ("--db", str(db))), cwd=tmp_path)
    told(done, 2, str(bad), "不存在" if (kind, command) == ("missing", "--db") else words)
    assert db.read_bytes() == before


@pytest.mark.skipif(not ROOT or not shutil.which("setpriv"),
                    reason="root reads every file; needs root to act as nobody")
@pytest.mark.parametrize("command", INPUT_COMMANDS)
def test_an_input_this_user_may_not_read(command: str, demo_db: Path, inputs: dict[str, Path]) -> None:
    with _public_folder() as folder:
        db = _archive(demo_db, folder / "place")
        db.chmod(0o666)
        db.parent.chmod(0o777)
        sheet = folder / "sheet.xlsx"
        shutil.copy(inputs["sheet"], sheet)
        sheet.chmod(0o644)
        bad = folder / ("secret.toml" if command == "import --mapping" else "secret.zwgk")
        bad.write_bytes(b"x")
        bad.chmod(0o000)
        args = input_command(command, bad, sheet)
        done = _as_nobody(folder, *args, *(() if command == "--db" else ("--db", str(db))))
    told(done, 2, str(bad), "没有读取权限")


@contextlib.contextmanager
def _public_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="zwgk-faults-"))
    folder.chmod(0o777)
    (folder / "data").mkdir(mode=0o777)
    (folder / "data").chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _as_nobody(folder: Path, *args: str) -> Run:
    env = {**os.environ, "ZWGK_DATA_DIR": str(folder / "data"), "HOME": str(folder)}
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *zwgk_command(), *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    return Run(done.returncode, done.stdout, done.stderr)


# ---------------------------------------------------------------------------------------------
# A full disk


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a disk with no room left (a 256 KB tmpfs, filled)."""
    place = tmp_path / "full"
    place.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(place)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {done.stderr.strip()}")
    try:
        with contextlib.suppress(OSError), (place / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        yield place
    finally:
        subprocess.run(["umount", "-l", str(place)], check=False)


OUTPUTS = {
    "template xlsx": ("template", "bids", "-o", "{full}/template.xlsx"),
    "export xlsx": ("export", "--item", "3", "-o", "{full}/item.xlsx"),
    "status xlsx": ("status", "--period", "2026Q2", "--xlsx", "{full}/status.xlsx"),
    "board pdf": ("render", "--village", "donggang", "--period", "2026Q2", "-o", "{full}/board.pdf"),
    "batch pdf": ("render", "--all-villages", "--period", "2026Q2", "-o", "{full}/all.pdf"),
    "batch folder": ("render", "--all-villages", "--period", "2026Q2", "-o", "{full}/boards"),
    "site": ("site", "-o", "{full}/site"),
    "bundle": ("bundle", "export", "--village", "donggang", "-o", "{full}/donggang.zwgk"),
    "pack": ("pack", "export", "-o", "{full}/formats.zwgkpack", "--name", "格式", "--version", "1"),
}


@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_a_full_disk_under_an_output(output: str, full_disk: Path, sealed_db: Path, tmp_path: Path) -> None:
    args = [a.format(full=full_disk) for a in OUTPUTS[output]]
    done = run_zwgk(*args, "--db", str(sealed_db), cwd=tmp_path)
    told(done, 3, str(full_disk), "磁盘已满")
    assert "Exception ignored" not in done.err
    left = sorted(p.relative_to(full_disk).as_posix() for p in full_disk.rglob("*") if p.is_file())
    assert left == ["filler"]  # nothing half-written: neither the output nor a temporary part


def test_a_full_disk_under_the_backups(full_disk: Path, demo_db: Path, tmp_path: Path) -> None:
    db = _archive(demo_db, tmp_path / "place")
    for args in (("backup",), ("delete", "--item", "3")):
        done = run_zwgk(*args, "--db", str(db), cwd=tmp_path, env={"ZWGK_DATA_DIR": str(full_disk)})
        told(done, 3, "备份失败", "磁盘已满")
    assert not [p for p in full_disk.rglob("*.sqlite3*") if p.is_file()]
    check = sqlite3.connect(db)  # the delete was not done without its backup
    assert check.execute("SELECT count(*) FROM disclosure_item").fetchone()[0] > 0
    check.close()


# ---------------------------------------------------------------------------------------------
# The pure parts


@pytest.mark.parametrize(("make", "error", "words"), [
    (lambda d: d, BadInput, "文件夹"),
    (lambda d: _fifo(d / "pipe"), BadInput, "命名管道"),
    (lambda _: Path("/dev/zero"), BadInput, "设备"),
    (lambda d: d / "nothing", NotFound, "找不到"),
    (lambda d: d / "f" / "below-a-file", BadInput, "路径中有一段是文件"),
])
def test_readable_file_names_what_is_there_instead(make, error, words, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "f").write_text("")
    path = make(tmp_path)
    with pytest.raises(error) as raised:
        readable_file(path, "档案包")
    assert words in str(raised.value) and str(path) in str(raised.value)


def test_readable_file_passes_an_ordinary_file(tmp_path: Path) -> None:
    path = tmp_path / "表格.xlsx"
    path.write_bytes(b"PK")
    assert readable_file(path) == path


@pytest.mark.parametrize(("code", "kind"), [
    (errno.ENOSPC, Blocked), (errno.EDQUOT, Blocked), (errno.EIO, Blocked),
    (errno.EACCES, BadInput), (errno.ENOENT, BadInput), (errno.EROFS, BadInput), (errno.EISDIR, BadInput),
])
def test_a_write_failure_is_blocked_or_bad_input(code: int, kind: type, tmp_path: Path) -> None:
    error = OSError(code, os.strerror(code))
    made = cannot_write(f"无法写出 {tmp_path}", error)
    assert type(made) is kind and why(error) in str(made) and str(tmp_path) in str(made)
    assert all(ord(c) < 128 for c in os.strerror(code))  # the system's words are English …
    assert why(error) != os.strerror(code)  # … and are never what the clerk reads


def test_an_archive_on_a_full_disk(full_disk: Path, demo_db: Path, tmp_path: Path) -> None:
    """The archive itself on the full disk: changing it is refused in words and leaves it whole; a
    new archive that cannot be made is not left behind half-made."""
    subprocess.run(["umount", "-l", str(full_disk)], check=True)
    assert subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={demo_db.stat().st_size + 64 * 1024}", "tmpfs",
                           str(full_disk)]).returncode == 0
    db = full_disk / "archive.sqlite3"
    shutil.copy(demo_db, db)
    with contextlib.suppress(OSError), (full_disk / "filler").open("wb") as filler:
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()
    before = db.read_bytes()
    env = {"ZWGK_DATA_DIR": str(tmp_path / "data")}
    for args in (("delete", "--item", "3"), ("correct", "--item", "3", "--reason", "x"),
                 ("seal", "--village", "shiqiao", "--period", "2026Q2")):
        done = run_zwgk(*args, "--db", str(db), cwd=tmp_path, env=env)
        told(done, 3, str(db), "磁盘")
    assert db.read_bytes() == before
    (full_disk / "filler").unlink()
    (full_disk / "filler").write_bytes(b"\0" * (64 * 1024 - 8192))
    new = full_disk / "new.sqlite3"
    told(run_zwgk("init", "--db", str(new), cwd=tmp_path, env=env), 3, str(new), "磁盘")
    assert not new.exists() and not list(full_disk.glob("new.sqlite3-*"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(category=st.sampled_from(sorted(CATEGORIES)), room=st.integers(0, 6))
def test_an_xlsx_is_written_whole_or_not_at_all_wherever_the_disk_fills(
        full_disk: Path, category: str, room: int) -> None:
    """However much room is left (0 to 24 KB, in the disk's 4 KB blocks), the template is either
    written whole and opens, or refused as Blocked with no file and no part left."""
    from openpyxl import load_workbook

    from zwgk_desktop.io.workbook import write_workbook

    filler = full_disk / "filler"
    filler.unlink()
    size = subprocess.run(["df", "--output=size", "-B1", str(full_disk)], capture_output=True, text=True,
                          check=True).stdout.split()[-1]
    filler.write_bytes(b"\0" * max(0, int(size) - room * 4096))
    out = full_disk / f"{category}.xlsx"
    try:
        write_workbook(category, out)
    except Blocked as exc:
        assert "磁盘已满" in str(exc) and str(out) in str(exc)
        assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]
    else:
        assert load_workbook(out).sheetnames
        out.unlink()


@pytest.mark.parametrize("output", sorted(set(OUTPUTS) - {"batch folder", "site"}))
def test_an_output_place_that_holds_a_pipe_is_left_alone(output: str, sealed_db: Path, tmp_path: Path) -> None:
    """Moving the finished file into place would replace the pipe (or, for an administrator, a
    device such as /dev/null) itself: refused, naming it."""
    args = [a.format(full=tmp_path) for a in OUTPUTS[output]]
    place = Path(next(a for a in args if a.startswith(str(tmp_path))))
    os.mkfifo(place)
    done = run_zwgk(*args, "--db", str(sealed_db), cwd=tmp_path)
    told(done, 2, str(place), "设备或管道")
    assert place.is_fifo() and not list(tmp_path.glob("*.partial"))


def test_the_app_offers_an_archive_it_cannot_change_read_only(qapp: object, demo_db: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The desktop app on a write-protected stick: asked, it opens the archive read-only; declined,
    the words of the refusal are what the clerk sees."""
    from PySide6.QtWidgets import QMessageBox

    from zwgk_desktop.db import store
    from zwgk_desktop.ui import app as desktop

    db = _archive(demo_db, tmp_path / "place")
    asked: list[str] = []

    def yes(*args: object, **_: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    with unwritable(db.parent):
        archive = desktop.open_sessions(str(db), read_only=False)
        with archive.reading() as session:
            assert [v.code for v in store.villages(session)] == ["donggang", "liushuwan", "shiqiao"]
        archive.close()
    assert archive.read_only and "是只读的" in asked[0] and "只读方式打开" in asked[0]
    monkeypatch.setattr(QMessageBox, "question", lambda *_, **__: QMessageBox.StandardButton.No)
    with unwritable(db), pytest.raises(Blocked, match="写保护"):
        desktop.open_sessions(str(db), read_only=False)


# ---------------------------------------------------------------------------------------------
# A formats folder (--layouts) holding a pipe, device, folder or unreadable file in place of one
# of its files: every file of it is read through incoming.read_small, which looks before it opens.

FORMAT_FILES = ("notice.toml", "catalogue.toml", "holidays-2027.toml", "extra.toml", "pack.toml")

IN_FOLDER = {  # how to put it in place of the file, what the message says
    "fifo": (_fifo, "命名管道"),
    "folder": (_folder, "文件夹"),
    "/dev/zero link": (lambda path: (path.symlink_to("/dev/zero"), path)[-1], "设备"),
    "dangling link": (lambda path: (path.symlink_to(path.with_name("gone.toml")), path)[-1], "找不到"),
    "unreadable": (lambda path: (path.write_text('id = "x"\n'), path.chmod(0o000), path)[-1], "没有读取权限"),
}

FORMAT_COMMANDS = {
    "render": ("render", "--village", "donggang", "--period", "2026Q2", "-o", "{out}/board.pdf"),
    "status": ("status", "--period", "2026Q2"),
    "pack export": ("pack", "export", "-o", "{out}/p.zwgkpack", "--name", "青山镇格式", "--version", "1"),
}


def _bounded(args: tuple[str, ...], cwd: Path, *, as_nobody: bool) -> Run:
    """The command, killed after 30 s: a hang fails the test instead of stalling the suite."""
    env = {**os.environ, "ZWGK_DATA_DIR": str(cwd / "data"), "HOME": str(cwd)}
    who = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if as_nobody else []
    try:
        done = subprocess.run([*who, *zwgk_command(), *args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"zwgk {' '.join(args)} hung")
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize("command", sorted(FORMAT_COMMANDS))
@pytest.mark.parametrize("kind", sorted(IN_FOLDER))
@pytest.mark.parametrize("name", FORMAT_FILES)
def test_a_formats_folder_holding_no_ordinary_file(name: str, kind: str, command: str, demo_db: Path) -> None:
    """Told in Chinese naming the file, exit 2, at once; nothing half-written. A file the command
    never reads (`pack export` writes its own pack.toml, posters need no catalogue) may be there.
    A pack.toml makes the folder a township's pack, which without its manifest is refused."""
    as_nobody = kind == "unreadable" and ROOT  # root reads every file
    if kind == "unreadable" and ROOT and not shutil.which("setpriv"):
        pytest.skip("root reads every file; needs setpriv to act as nobody")
    with _public_folder() as folder:
        layouts = folder / "layouts"
        shutil.copytree(paths.standard_layouts_dir(), layouts)
        (layouts / name).unlink(missing_ok=True)
        make, words = IN_FOLDER[kind]
        bad = make(layouts / name)
        db = folder / "demo.sqlite3"
        shutil.copy(demo_db, db)
        for place in (folder, db, layouts, *layouts.iterdir()):
            if not place.is_symlink() and place != bad:
                place.chmod(0o777 if place.is_dir() else 0o666)
        before = db.read_bytes()
        args = tuple(a.format(out=folder) for a in FORMAT_COMMANDS[command])
        done = _bounded((*args, "--db", str(db), "--layouts", str(layouts)), folder, as_nobody=as_nobody)
        if (name, command) in (("pack.toml", "pack export"), ("catalogue.toml", "render")) and done.code == 0:
            assert "Traceback" not in done.err
            return
        told(done, 2, *(("版式包", "校验清单") if name == "pack.toml" else (name, words)))
        assert not any(p.suffix == ".partial" or p.suffix in (".pdf", ".zwgkpack") for p in folder.iterdir())
        assert db.read_bytes() == before


@pytest.mark.parametrize("command", sorted(FORMAT_COMMANDS))
@pytest.mark.parametrize("kind", ["missing", "file", "fifo"])
def test_the_formats_folder_itself_is_no_folder(kind: str, command: str, demo_db: Path, tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    if kind == "file":
        layouts.write_text("x")
    elif kind == "fifo":
        os.mkfifo(layouts)
    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo_db, db)
    args = tuple(a.format(out=tmp_path) for a in FORMAT_COMMANDS[command])
    done = _bounded((*args, "--db", str(db), "--layouts", str(layouts)), tmp_path, as_nobody=False)
    told(done, 2, str(layouts), "不存在" if kind == "missing" else "不是文件夹")


# ---------------------------------------------------------------------------------------------
# What the checker refuses in a command's own arguments: exit 2, nothing stored (as import).

_PHONES = [f"联系138{sep}1234{sep}5678" for sep in ("", " ", "-", "—", "）（", " . ")]


def _correct(item: Path, *args: str) -> tuple[str, ...]:
    return ("correct", "--item", str(item), *args)


REFUSED_ARGUMENTS = {
    **{f"correct --reason {text}": lambda i, t=text: _correct(i, "--reason", t) for text in _PHONES[:3]},
    "correct --set text": lambda i: _correct(i, "--reason", "工期写错", "--set", f"duration=工期90天，{_PHONES[3]}"),
    "correct --set money": lambda i: _correct(i, "--reason", "金额写错", "--set", "budget=12abc"),
    "correct --set row": lambda i: _correct(i, "--reason", "报价写错", "--set", "1.price=-"),
    "correct --set unknown": lambda i: _correct(i, "--reason", "写错", "--set", "nonsense=1"),
    "correct reviewed": lambda i: _correct(i, "--reason", _PHONES[4], "--reviewer", "李四"),
    "init --township": lambda _: ("init", "--township", f"青山镇{_PHONES[5]}"),
    "init --village": lambda _: ("init", "--village", f"东岗村{_PHONES[0]}=dg2"),
    "init --township-phone": lambda _: ("init", "--township-phone", "12abc"),
    "import --title": lambda _: ("import", "{sheet}", "--village", "shiqiao", "--period", "2026Q1",
                                 "--category", "bids", "--accept-warnings", "--title", f"招标{_PHONES[1]}"),
}


@pytest.mark.parametrize("case", sorted(REFUSED_ARGUMENTS))
def test_an_argument_the_checker_refuses_stores_nothing(case: str, sealed_db: Path, inputs: dict[str, Path],
                                                        tmp_path: Path) -> None:
    db = tmp_path / "archive.sqlite3"
    shutil.copy(sealed_db, db)
    env = {"ZWGK_DB": str(db)}
    args = tuple(a.replace("{sheet}", str(inputs["sheet"])) for a in REFUSED_ARGUMENTS[case](inputs["item"]))

    def contents() -> list[str]:  # every row of every table
        with contextlib.closing(sqlite3.connect(db)) as archive:
            return list(archive.iterdump())

    before = contents()
    done = run_zwgk(*args, cwd=tmp_path, env=env)
    told(done, 2)
    assert "1234" not in done.out, done.out
    assert contents() == before


# ---------------------------------------------------------------------------------------------
# A zip whose member is damaged or whose header lies: told which member, in Chinese; Python's
# English ("Bad CRC-32 for file …") only in the log.


def _damaged_copy(original: Path, out: Path, how: str) -> str:
    """`original` rewritten uncompressed with its largest member damaged `how`; that member's name."""
    with zipfile.ZipFile(original) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    victim = max(members, key=lambda m: len(m[1]))[0]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as target:
        for name, data in members:
            target.writestr(name, data)
    raw = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as written:
        info = written.getinfo(victim)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    if how == "bit flipped":
        raw[start + info.file_size // 2] ^= 0x01
    elif how == "size understated":  # header and directory both claim 100 bytes
        small = (100).to_bytes(4, "little")
        raw[info.header_offset + 18:info.header_offset + 26] = small + small
        for at in _central_entries(raw):
            if raw[at + 46:at + 46 + len(info.filename.encode())] == info.filename.encode():
                raw[at + 20:at + 28] = small + small
    elif how == "bad method":
        raw[info.header_offset + 8:info.header_offset + 10] = (99).to_bytes(2, "little")
        for at in _central_entries(raw):
            if raw[at + 46:at + 46 + len(info.filename.encode())] == info.filename.encode():
                raw[at + 10:at + 12] = (99).to_bytes(2, "little")
    out.write_bytes(bytes(raw))
    return victim


def _central_entries(raw: bytearray) -> Iterator[int]:
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        yield at
        at = raw.find(b"PK\x01\x02", at + 4)


@pytest.mark.parametrize("how", ["bit flipped", "size understated", "bad method"])
@pytest.mark.parametrize("kind", ["bundle", "pack"])
def test_a_damaged_zip_member_is_named_in_chinese(kind: str, how: str, demo_db: Path, inputs: dict[str, Path],
                                                  tmp_path: Path) -> None:
    bad = tmp_path / inputs[kind].name
    victim = _damaged_copy(inputs[kind], bad, how)
    db = _archive(demo_db, tmp_path / "place")
    before = db.read_bytes()
    command = ("bundle", "import") if kind == "bundle" else ("pack", "import")
    done = run_zwgk(*command, str(bad), "--db", str(db), cwd=tmp_path, env={"ZWGK_DATA_DIR": str(tmp_path / "data")})
    told(done, 2, victim)
    assert any(word in done.err for word in ("损坏", "改动", "不认识")), done.err
    for english in ("CRC", "Bad", "Error", "file '", "compression", "method"):
        assert english not in done.err, done.err
    assert db.read_bytes() == before


@pytest.mark.parametrize("address", ["://", "foo+bar://x/y", "mysql+nodriver://u@h/x", "postgresql+nope://h/x"])
def test_a_database_address_that_cannot_be_used_is_told_in_chinese(address: str, tmp_path: Path) -> None:
    done = run_zwgk("list", "--db", address, cwd=tmp_path)
    told(done, 2, address, "数据库地址")
    rest = done.err.replace(address, "")
    for ours in ("zwgk list", "postgresql+psycopg", "SQLite"):
        rest = rest.replace(ours, "")
    assert not re.search(r"[A-Za-z]{4,}", rest), done.err  # the library's English stays in the log
