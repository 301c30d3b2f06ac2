"""Schema upgrades with Alembic, run by `zwgk init` (and later at app start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError

from zwgk_desktop.errors import BadInput

_SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DatabaseError as exc:
        raise BadInput(f"{engine.url.database or engine.url} 不是本程序的数据库，或文件已损坏（{exc.orig}）") from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction: all of it or none of it."""
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
    if current != head_revision():
        raise BadInput(f"数据库结构版本 {current} 较旧（当前 {head_revision()}）：请运行 zwgk init 升级")
