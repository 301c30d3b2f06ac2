"""Backups of a SQLite archive and restoring one: `zwgk backup [--list]`, `zwgk restore` and the
app's 从备份恢复.

These take the archive's file as `--db` names it as well as an open `Archive`: a restore is
most needed when the archive can no longer be opened (damaged, or changed by a newer program),
so it must not depend on opening it. A server's archive is backed up by the server's tools."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop import paths
from zwgk_desktop.archive.backup import (
    Backup,
    RestorePlan,
    apply_restore,
    backup_folder,
    list_backups,
    prepare_restore,
    sqlite_path,
    take_backup,
    unsorted_backups,
)
from zwgk_desktop.archive.backup import (
    restoring as checked_restore,
)
from zwgk_desktop.errors import BadInput
from zwgk_desktop.inputs import readable_file
from zwgk_desktop.office.handle import Archive

Where = Archive | str | Path | None  # None: the default archive


def database_file(where: Where, refusal: str = "服务器数据库请用服务器自己的备份工具（如 pg_dump）") -> Path:
    """The SQLite file of the archive, or BadInput (`refusal`) for a server's."""
    target = where.target if isinstance(where, Archive) else str(where or paths.default_db())
    path = sqlite_path(target)
    if path is None:
        raise BadInput(refusal)
    return path


def backup_now(where: Where, reason: str = "manual") -> Backup:
    """A backup of the archive now (SQLite's online backup: the archive may be in use)."""
    return take_backup(database_file(where), reason)


@dataclass(frozen=True)
class Backups:
    folder: Path
    backups: tuple[Backup, ...]  # oldest first
    unsorted: Path | None  # where older versions of this program kept same-named archives' backups together


def backups_of(where: Where) -> Backups:
    database = database_file(where)
    return Backups(backup_folder(database), tuple(list_backups(database)), unsorted_backups(database))


def check_restore(where: Where, backup: Path) -> RestorePlan:
    """Check `backup` as a whole, untouched archive and say what replacing the archive with it
    would lose; the caller then `restore`s or `discard`s the plan."""
    database = database_file(where, "服务器数据库请用服务器自己的恢复工具")
    return prepare_restore(readable_file(backup, "备份文件"), database)


def restoring(where: Where, backup: Path) -> AbstractContextManager[RestorePlan]:
    """`check_restore`, its checked copy removed afterwards (restored or not)."""
    database = database_file(where, "服务器数据库请用服务器自己的恢复工具")
    return checked_restore(readable_file(backup, "备份文件"), database)


def restore(where: Where, plan: RestorePlan) -> Backup | None:
    """Put the checked backup in place of the archive; the archive as it was is backed up first
    (returned), so a restore can be undone too. An open `Archive` lets go of its connections
    first, and reads the restored file from then on."""
    if isinstance(where, Archive):
        where.engine.dispose()  # no connection keeps reading the archive as it was
    return apply_restore(plan)
