"""Opening the store: a path means SQLite (WAL, full sync, foreign keys on), a URL any server.

SQLite is tuned for an office PC that may lose power: WAL with `synchronous=FULL` makes every
commit durable, and `foreign_keys=ON` lets the database itself refuse orphans.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from zwgk_desktop.errors import BadInput, NotFound


def database_url(target: str) -> URL:
    """`--db` as given: a SQLAlchemy URL (`postgresql+psycopg://…`) or a path to a SQLite file."""
    if "://" in target:
        try:
            return make_url(target)
        except ArgumentError as exc:
            raise BadInput(f"数据库地址“{target}”无法识别：{exc}") from None
    return URL.create("sqlite+pysqlite", database=str(Path(target).expanduser()))


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _read_only_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA query_only=ON")  # and the file itself is opened read-only
    cursor.close()


def open_engine(target: str, *, create: bool = False, read_only: bool = False) -> Engine:
    """An engine for the database; for SQLite, refuse a missing file unless `create`.

    `read_only` opens a SQLite file read-only at the SQLite level (the auditor's view): no
    statement of this program, nor a bug in it, can change the archive.
    """
    url = database_url(target)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if (not create or read_only) and not path.exists():
            raise NotFound(f"数据库文件 {path} 不存在：请先运行 zwgk init（或用 --db 指定正确的文件）")
        if read_only:
            # On read-only media (an auditor's disc) SQLite cannot make the shared-memory file a
            # WAL archive needs; nobody can write there either, so the file is read as immutable.
            stuck = not os.access(path.parent, os.W_OK) and not path.with_name(path.name + "-shm").exists()
            location = f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if stuck else ''}"
            engine = create_engine(url, creator=lambda: sqlite3.connect(location, uri=True, check_same_thread=False))
            event.listen(engine, "connect", _read_only_pragmas)
            return engine
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
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
        raise BadInput(f"无法使用数据库地址“{url.render_as_string()}”：{exc}") from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
