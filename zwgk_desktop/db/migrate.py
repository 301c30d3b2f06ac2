"""Schema upgrades with Alembic, run by `zwgk init` (and later at app start).

Commands that only read (list, render) check the schema's version with one query and never
import Alembic: a clerk printing a board should not wait for the migration machinery to load.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError

from zwgk_desktop.errors import BadInput

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
# The newest revision in migrations/versions; a test keeps the two in step.
SCHEMA_HEAD = "0004"


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
        raise BadInput(f"{engine.url.database or engine.url} 不是本程序的数据库，或文件已损坏（{exc.orig}）") from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction: all of it or none of it.

    An existing archive is backed up first (SQLite's backup API), so a migration can be undone.
    """
    from alembic import command

    from zwgk_desktop.archive.backup import backup_before

    current = current_revision(engine)
    if current is not None and current != (SCHEMA_HEAD if revision == "head" else revision):
        backup_before(engine.url.render_as_string(hide_password=False), f"before-migration-{current}")
    config = _config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except DatabaseError as exc:
        raise BadInput(f"无法升级数据库 {engine.url.database or engine.url}：{exc.orig}") from None


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that was never initialised or is older than this program."""
    current = current_revision(engine)
    if current is None:
        raise BadInput("数据库尚未初始化：请先运行 zwgk init")
    if current != SCHEMA_HEAD:
        raise BadInput(f"数据库结构版本 {current} 与本程序（{SCHEMA_HEAD}）不符：请运行 zwgk init 升级")
