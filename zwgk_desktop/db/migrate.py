"""Schema upgrades with Alembic, run by `zwgk init` (and later at app start).

Commands that only read (list, render) check the schema's version with one query and never
import Alembic: a clerk printing a board should not wait for the migration machinery to load.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import NullPool

from zwgk_desktop.db.engine import busy_timeout, database_problem
from zwgk_desktop.errors import BadInput

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
# The newest revision in migrations/versions; a test keeps the two in step.
SCHEMA_HEAD = "0016"


log = logging.getLogger(__name__)

def head_revision() -> str:
    """The newest revision as Alembic sees it (imports Alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError as exc:
        told = database_problem(exc, engine.url.render_as_string(hide_password=False))
        if told is not None:  # locked, write-protected, a read-only folder: not a damaged file
            raise told from None
        if engine.url.get_backend_name() != "sqlite" and isinstance(exc, OperationalError):
            where = engine.url.render_as_string(hide_password=True)
            raise BadInput(f"连不上数据库服务器 {where}：请确认服务器已开启、地址和用户名密码正确"
                           f"（{str(exc.orig).strip().splitlines()[0]}）") from None
        log.info("opening %s: %s", engine.url.database or engine.url, exc.orig)
        raise BadInput(f"{engine.url.database or engine.url} 不是本程序的数据库，或文件已损坏") from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction: all of it or none of it.

    Backing up an existing archive first is for whoever opens it (`office.handle.Archive.open`
    with `upgrade=True`, which asks `upgrade_needed`): the store knows nothing of backups.
    """
    from alembic import command

    current = current_revision(engine)
    if current is not None and is_newer(current):
        raise BadInput(newer_message(current))
    config = _config()
    migrating = _migration_engine(engine)
    try:
        with migrating.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise BadInput(f"升级后有 {len(broken)} 处引用不一致（如表 {broken[0][0]}），"
                                   "升级已撤销，数据库未改动")
    except DatabaseError as exc:
        told = database_problem(exc, engine.url.render_as_string(hide_password=False))
        if told is not None:
            raise told from None
        log.info("upgrading %s: %s", engine.url.database or engine.url, exc.orig)
        raise BadInput(f"无法升级数据库 {engine.url.database or engine.url}：文件已损坏或不是本程序的数据库") from None
    finally:
        if migrating is not engine:
            migrating.dispose()


def _migration_engine(engine: Engine) -> Engine:
    """The engine a migration runs on: for SQLite, connections of its own.

    Python's sqlite3 only opens a transaction before INSERT/UPDATE/DELETE, so each CREATE or ALTER
    would be committed on its own: here the transaction is begun explicitly and holds every
    statement of the upgrade. Foreign keys are off while tables are rebuilt (SQLite's documented
    way to alter a table) and checked before the commit instead.
    """
    if engine.dialect.name != "sqlite":
        return engine
    migrating = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(migrating, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we say BEGIN ourselves
        for pragma in ("foreign_keys=OFF", f"busy_timeout={int(busy_timeout() * 1000)}", "journal_mode=WAL",
                       "synchronous=FULL"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(migrating, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating


def upgrade_needed(engine: Engine, revision: str = "head") -> str | None:
    """The revision of an existing archive that `upgrade(engine, revision)` would change (the
    backup before it is named after it); None for a new one, or one already there."""
    current = current_revision(engine)
    target = SCHEMA_HEAD if revision == "head" else revision
    return current if current is not None and current != target and not is_newer(current) else None


def is_newer(revision: str) -> bool:
    """Whether a database's schema was made by a later version of this program (revisions are
    numbered 0001, 0002, …): then this one must not touch it, and should say to upgrade itself."""
    return revision.isdigit() and revision > SCHEMA_HEAD


def newer_message(revision: str) -> str:
    return (f"此数据库由较新版本的本程序建立（结构版本 {revision}，本程序只认识到 {SCHEMA_HEAD}）："
            "请先升级本程序再打开，不要用旧版本修改它")


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that was never initialised, or is older or newer than this program."""
    current = current_revision(engine)
    if current is None:
        raise BadInput("数据库尚未初始化：请先运行 zwgk init")
    if is_newer(current):
        raise BadInput(newer_message(current))
    if current != SCHEMA_HEAD:
        raise BadInput(f"数据库结构版本 {current} 比本程序（{SCHEMA_HEAD}）旧，需要先升级："
                       "用桌面程序正常打开一次（不要只读），或运行 zwgk init；升级前会自动备份")
