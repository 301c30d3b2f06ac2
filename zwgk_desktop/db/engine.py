"""Opening the store: a path means SQLite (WAL, full sync, foreign keys on), a URL any server.

SQLite is tuned for an office PC that may lose power: WAL with `synchronous=FULL` makes every
commit durable, and `foreign_keys=ON` lets the database itself refuse orphans.

What can stand in the way of a SQLite file is told in words (`database_problem`): a file that
is write-protected, a folder that is read-only (WAL keeps two files beside the database, so
changing it means making files there), another program holding it, a full disk.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from zwgk_desktop.errors import BadInput, Blocked, NotFound, ZwgkError
from zwgk_desktop.inputs import not_a_file
from zwgk_desktop.outputs import cannot_make_files_in, why

log = logging.getLogger(__name__)

def busy_timeout() -> float:
    """How many seconds to wait for another program (a second window, a `zwgk` run, the township's
    server) to finish writing before saying the archive is in use: `ZWGK_BUSY_TIMEOUT`, else 10."""
    try:
        return max(0.0, float(os.environ.get("ZWGK_BUSY_TIMEOUT", "10")))
    except ValueError:
        return 10.0


def database_url(target: str) -> URL:
    """`--db` as given: a SQLAlchemy URL (`postgresql+psycopg://…`) or a path to a SQLite file."""
    if "://" in target:
        try:
            return make_url(target)
        except ArgumentError as exc:
            log.info("database address %r: %s", target, exc)
            raise BadInput(f"数据库地址“{target}”无法识别：应形如 postgresql+psycopg://用户@服务器/库名，"
                           "或是一个 SQLite 文件的路径") from None
    return URL.create("sqlite+pysqlite", database=str(Path(target).expanduser()))


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _read_only_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
    cursor.execute("PRAGMA query_only=ON")  # and the file itself is opened read-only
    cursor.close()


def open_engine(target: str, *, create: bool = False, read_only: bool = False) -> Engine:
    """An engine for the database; for SQLite, refuse a missing file unless `create`.

    `read_only` opens a SQLite file read-only at the SQLite level (the auditor's view): no
    statement of this program, nor a bug in it, can change the archive.
    """
    url = database_url(target)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database or "")
        if (not create or read_only) and not path.exists():
            raise NotFound(f"数据库文件 {path} 不存在：请先运行 zwgk init（或用 --db 指定正确的文件）")
        if path.exists() or path.is_symlink():
            _readable_archive(path)  # a folder, a pipe or a device is said so, and never opened
        if read_only:
            resolved = path.resolve()
            engine = create_engine(url, creator=lambda: connect_read_only(resolved))
            event.listen(engine, "connect", _read_only_pragmas)
            return engine
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise BadInput(f"无法建立数据库文件夹 {path.parent}：{why(exc)}") from None
        require_writable(path)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() == "sqlite":  # in memory: for tests
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        if read_only and url.get_backend_name() == "postgresql":
            # Every transaction of this engine is read-only on the server's side.
            return create_engine(url, pool_pre_ping=True,
                                 connect_args={"options": "-c default_transaction_read_only=on"})
        return create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # unknown dialect or missing driver: tell the user in words
        log.info("database address %s: %r", url.render_as_string(), exc)
        raise BadInput(f"无法使用数据库地址“{url.render_as_string()}”：不认识这种数据库，或这台电脑没有装它的驱动"
                       "（本程序支持 SQLite 文件和 postgresql+psycopg://）") from None


def read_only_uri(path: Path) -> str:
    """SQLite's address for opening `path` read-only. A URI, so its characters are %-escaped:
    `file:` and the path as it is would lose a `?`, `#` or `%` in a folder's name, and a Windows
    path's drive and backslashes are not a URI's path."""
    return f"{path.resolve().as_uri()}?mode=ro"


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection; on read-only media (an auditor's disc, a write-protected stick)
    SQLite cannot make the shared-memory file a WAL archive needs, and nobody can write there
    either, so the file is then read as immutable."""
    connection = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.OperationalError as exc:
        connection.close()
        # Which error says so depends on who asks: CANTOPEN for root, READONLY_DIRECTORY for a user.
        stuck = exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY)
        if not stuck or cannot_make_files_in(path.parent) is None:
            raise
    return sqlite3.connect(f"{read_only_uri(path)}&immutable=1", uri=True, check_same_thread=False)


def _readable_archive(path: Path) -> None:
    """As `inputs.readable_file`, but asked of the system rather than by opening the file (see
    `_can_write`: this process may hold the archive open already)."""
    if problem := not_a_file(path, "数据库文件"):
        raise BadInput(f"无法读取数据库文件 {path}：{problem}")
    if not os.access(path, os.R_OK):
        raise BadInput(f"无法读取数据库文件 {path}：没有读取权限")


def _can_write(path: Path) -> bool:
    # Asked of the system, never by opening the file: closing any descriptor of a SQLite file drops
    # every POSIX lock this process holds on it, so a process that already had the archive open
    # (the app, a test) would look gone to the others, and the next to close would checkpoint and
    # delete the WAL under it ("database disk image is malformed"). access() tells a read-only
    # mount and a write-protected file apart from a writable one, for root too (EROFS).
    return os.access(path, os.W_OK)


def require_writable(path: Path) -> None:
    """Refuse, before any work, to change a database that cannot be changed (write-protected, or in
    a read-only folder), saying which and what to do; reading it still works."""
    if path.exists() and not _can_write(path):
        raise Blocked(_write_protected(path))
    if cannot_make_files_in(path.parent) is not None:
        raise Blocked(_read_only_folder(path))


_ONLY_LOOKING = "只是查看的话，zwgk list、render、verify 和 zwgk-desktop --read-only 仍然可用"


def _write_protected(path: Path) -> str:
    return (f"数据库文件 {path} 是只读的（写保护），这个操作要修改档案，没有执行：请去掉文件的只读属性"
            f"或写保护，或把它复制到可以写的地方再用 --db 指定；{_ONLY_LOOKING}")


def _read_only_folder(path: Path) -> str:
    return (f"数据库所在的文件夹 {path.parent} 是只读的，这个操作要修改档案，没有执行：修改时要在数据库旁边"
            f"建立 {path.name}-wal 和 {path.name}-shm 两个文件。请把数据库复制到可以写的文件夹再用 --db 指定；"
            f"{_ONLY_LOOKING}")


# SQLite's words for what most often goes wrong with a file, as a clerk should read them.
_SQLITE_REASONS = {
    sqlite3.SQLITE_FULL: "磁盘已满", sqlite3.SQLITE_READONLY: "文件是只读的",
    sqlite3.SQLITE_CANTOPEN: "无法打开（文件或文件夹是只读的，或没有权限？）",
    sqlite3.SQLITE_BUSY: "正被另一个程序使用", sqlite3.SQLITE_LOCKED: "正被另一个程序使用",
    sqlite3.SQLITE_IOERR: "读写出错（磁盘已满、磁盘故障，或 U 盘被拔出？）",
    sqlite3.SQLITE_NOTADB: "不是数据库文件", sqlite3.SQLITE_CORRUPT: "文件已损坏",
}


def sqlite_reason(error: sqlite3.Error) -> str:
    """Why SQLite could not do it, in words (its own for rare cases)."""
    return _SQLITE_REASONS.get((getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF) or str(error)


def in_use(path: Path) -> Blocked:
    """Another program holds the database longer than `busy_timeout` seconds."""
    return Blocked(f"数据库 {path} 正被另一个程序使用（等了 {busy_timeout():g} 秒仍没有让出）：请等它做完，"
                   "或关闭正在使用它的程序（另一个桌面程序窗口、另一个 zwgk 命令）后再试。"
                   "操作没有完成，什么也没有改动")


def database_problem(exc: BaseException, target: str) -> ZwgkError | None:
    """What a SQLite error says about the database file `target`, in words; None for anything else
    (a bug, a server's error), which the caller reports as such."""
    error = getattr(exc, "orig", exc)
    if not target or not isinstance(error, sqlite3.Error) or ("://" in target and not target.startswith("sqlite")):
        return None
    path = Path(database_url(target).database or target)
    code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return in_use(path)
    if code == sqlite3.SQLITE_READONLY or (code == sqlite3.SQLITE_CANTOPEN and path.exists()):
        if path.exists() and not _can_write(path):
            return Blocked(_write_protected(path))
        if cannot_make_files_in(path.parent) is not None:
            return Blocked(_read_only_folder(path))
        log.info("database %s: %s", path, error)
        return Blocked(f"数据库 {path} 现在不能修改：操作没有完成，什么也没有改动")
    if code == sqlite3.SQLITE_FULL:
        return Blocked(f"磁盘已满：数据库 {path} 写不进去，操作没有完成，什么也没有改动。请腾出磁盘空间后再试")
    if code == sqlite3.SQLITE_IOERR:
        return Blocked(f"读写数据库 {path} 时出错（磁盘已满、磁盘故障，或 U 盘被拔出？）：操作没有完成")
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        log.info("database %s: %s", path, error)
        return BadInput(f"{path} 不是本程序的数据库，或文件已损坏")
    return None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
