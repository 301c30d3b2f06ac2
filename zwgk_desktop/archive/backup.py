"""Online backups of the SQLite archive (SQLite's backup API), kept N at a time, and restore.

Taken before every seal, import and migration, so a mistake or a crash can always be undone.
The backup API copies a consistent snapshot while the database stays in use (WAL included).
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from zwgk_desktop import paths
from zwgk_desktop.db.engine import busy_timeout, connect_read_only, in_use, sqlite_reason
from zwgk_desktop.errors import BadInput, ZwgkError
from zwgk_desktop.outputs import why

DEFAULT_KEEP = 20
_NAME_RE = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}\d{6}Z)-(?P<reason>[a-z0-9-]+)\.sqlite3$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime
    reason: str


def backup_folder(database: Path) -> Path:
    """`backups/<database name>/` in the user data folder."""
    folder = paths.data_dir() / "backups" / database.stem
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def take_backup(database: Path, reason: str, *, keep: int = DEFAULT_KEEP, folder: Path | None = None) -> Backup:
    """Copy the live database to a new backup file, then keep only the newest `keep` backups."""
    if not database.exists():
        raise BadInput(f"数据库文件 {database} 不存在，无法备份")
    folder = folder or backup_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    reason = re.sub(r"[^a-z0-9-]", "-", reason.lower()) or "manual"
    target = folder / f"{database.stem}-{now:%Y%m%dT%H%M%S%f}Z-{reason}.sqlite3"
    partial = target.with_suffix(".partial")
    try:
        source = connect_read_only(database)  # a database on read-only media is backed up too
        try:
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)
                destination.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
            finally:
                destination.close()
        finally:
            source.close()
        partial.replace(target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        reason = why(exc) if isinstance(exc, OSError) else sqlite_reason(exc)
        raise ZwgkError(f"备份失败（{database} → {folder}）：{reason}；操作没有执行") from None
    prune(folder, database.stem, keep)
    return Backup(target, now, reason)


def list_backups(database: Path, folder: Path | None = None) -> list[Backup]:
    """Backups of this database, oldest first."""
    folder = folder or backup_folder(database)
    found = []
    for path in folder.glob(f"{database.stem}-*.sqlite3"):
        match = _NAME_RE.match(path.name)
        if match and match.group("stem") == database.stem:
            taken = datetime.strptime(match.group("stamp"), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
            found.append(Backup(path, taken, match.group("reason")))
    return sorted(found, key=lambda b: b.taken_at)


def prune(folder: Path, stem: str, keep: int) -> None:
    backups = list_backups(Path(stem + ".sqlite3"), folder)
    for old in backups[: max(0, len(backups) - keep)]:
        old.path.unlink(missing_ok=True)


def restore(backup: Path, database: Path) -> None:
    """Put a backup back in place of the database, after checking the backup is whole.

    The current database is itself backed up first (reason `before-restore`), so a restore can be
    undone too.
    """
    try:
        check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
    except sqlite3.Error as exc:
        raise BadInput(f"{backup} 不是可用的备份：{exc}") from None
    if result != "ok":
        raise BadInput(f"备份 {backup} 已损坏（{result}），未恢复")
    _require_archive(backup)
    if database.exists():
        take_backup(database, "before-restore")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        destination = sqlite3.connect(database)
        deadline = time.monotonic() + busy_timeout()

        def waited(status: int, _remaining: int, _total: int) -> None:
            # sqlite3's backup retries a busy database for ever: the app open on it would hang us.
            if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
                raise in_use(database)

        try:
            source.backup(destination, progress=waited)
        finally:
            destination.close()
            source.close()
    except sqlite3.Error as exc:
        raise ZwgkError(f"恢复失败：数据库 {database} {sqlite_reason(exc)}（原数据库已先备份）") from None


def _require_archive(backup: Path) -> None:
    """A backup must be an archive of this program that it can open: not any SQLite file, not an
    empty one, not one made by a later version (it would replace the archive with what cannot be used)."""
    from zwgk_desktop.db.migrate import is_newer, newer_message

    check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        found = check.execute("SELECT version_num FROM alembic_version").fetchone() \
            if "alembic_version" in tables else None
    except sqlite3.Error as exc:
        raise BadInput(f"{backup} 不是可用的备份：{exc}") from None
    finally:
        check.close()
    if found is None or not {"township", "village", "disclosure_item"} <= tables:
        raise BadInput(f"{backup} 不是本程序的档案（不是 zwgk 的数据库或其备份），未恢复")
    if is_newer(str(found[0])):
        raise BadInput(f"{backup}：{newer_message(str(found[0]))}；未恢复")


def sqlite_path(target: str) -> Path | None:
    """The file behind `--db`, or None for a server database (backed up by the server's tools)."""
    if "://" not in target:
        return Path(target).expanduser()
    if target.startswith("sqlite"):
        database = target.split("///", 1)[-1]
        return Path(database) if database and database != ":memory:" else None
    return None


def backup_before(target: str, reason: str) -> Backup | None:
    """A backup before a seal, an import or a migration, when the archive is a SQLite file."""
    path = sqlite_path(target)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    return take_backup(path, reason)
