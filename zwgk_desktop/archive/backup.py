"""Online backups of the SQLite archive (SQLite's backup API), kept N at a time, and restore.

Taken before every seal, import and migration, so a mistake or a crash can always be undone.
The backup API copies a consistent snapshot while the database stays in use (WAL included).
Each archive's backups live in a folder of their own, keyed by where the archive is. A restore
checks the backup as a whole archive first and names what the current archive would lose.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from zwgk_desktop import paths
from zwgk_desktop.db.engine import busy_timeout, connect_read_only, in_use, read_only_uri, sqlite_reason
from zwgk_desktop.errors import BadInput, ZwgkError
from zwgk_desktop.outputs import why

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

DEFAULT_KEEP = 20
_NAME_RE = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}\d{6}Z)-(?P<reason>[a-z0-9-]+)\.sqlite3$")


log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime
    reason: str


def backup_folder(database: Path) -> Path:
    """`backups/<database name>-<key>/` in the user data folder: one archive's backups only.

    Every default archive is called `archive.sqlite3`, and a copy on a USB stick keeps the name
    (and everything in it): only where the file is tells two archives apart, so the key is a hash
    of its full path. A note in the folder says whose backups they are, for a person looking.
    """
    where = os.path.normcase(str(database.expanduser().resolve()))
    key = hashlib.sha256(where.encode("utf-8")).hexdigest()[:12]
    folder = paths.data_dir() / "backups" / f"{database.stem}-{key}"
    folder.mkdir(parents=True, exist_ok=True)
    note = folder / "ARCHIVE.txt"
    if not note.exists():
        try:
            note.write_text(f"这里是此档案的备份：{where}\n", encoding="utf-8")
        except OSError:  # only a note for a person looking; a full disk is told by the backup itself
            note.unlink(missing_ok=True)
    return folder


def unsorted_backups(database: Path) -> Path | None:
    """The folder where earlier versions kept every same-named archive's backups together, if it
    holds any: they are neither listed nor pruned as this archive's (whose they are is unknown)."""
    folder = paths.data_dir() / "backups" / database.stem
    return folder if folder.is_dir() and any(folder.glob(f"{database.stem}-*.sqlite3")) else None


def take_backup(database: Path, reason: str, *, keep: int = DEFAULT_KEEP, folder: Path | None = None) -> Backup:
    """Copy the live database to a new backup file, then keep only the newest `keep` backups."""
    if not database.exists():
        raise BadInput(f"数据库文件 {database} 不存在，无法备份")
    now = datetime.now(UTC)
    reason = re.sub(r"[^a-z0-9-]", "-", reason.lower()) or "manual"
    try:
        folder = folder or backup_folder(database)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ZwgkError(f"备份失败（无法建立备份目录 {folder or paths.data_dir() / 'backups'}）：{why(exc)}；"
                        "操作没有执行") from None
    target = folder / f"{database.stem}-{now:%Y%m%dT%H%M%S%f}Z-{reason}.sqlite3"
    partial = target.with_suffix(".partial")
    try:
        _copy(database, partial)
        partial.replace(target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        reason = why(exc) if isinstance(exc, OSError) else sqlite_reason(exc)
        raise ZwgkError(f"备份失败（{database} → {folder}）：{reason}；操作没有执行") from None
    prune(folder, database.stem, keep)
    _keep_keys(folder, target)
    return Backup(target, now, reason)


def _keep_keys(folder: Path, backup: Path) -> None:
    """Keep beside the archive's backups a copy of its villages' signing keys (archive.signing):
    a key folder deleted by mistake comes back with a restore. Not a copy off the PC: that is
    the USB stick and the printed 密钥恢复单."""
    from zwgk_desktop.archive.signing import keep_keys_with

    try:
        check = sqlite3.connect(read_only_uri(backup), uri=True)
        try:
            codes = [code for (code,) in check.execute("SELECT code FROM village")]
        finally:
            check.close()
        keep_keys_with(folder, codes)
    except (sqlite3.Error, OSError) as exc:  # the backup itself is whole; the keys have their own copies
        log.warning("keeping keys with backup %s: %r", backup, exc)


def _copy(source_path: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file (WAL included) as one self-contained file."""
    source = connect_read_only(source_path)  # a database on read-only media is backed up too
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    finally:
        source.close()


def list_backups(database: Path, folder: Path | None = None) -> list[Backup]:
    """Backups of this database (this file, where it is), oldest first."""
    folder = folder or backup_folder(database)
    found = []
    for path in folder.glob(f"{database.stem}-*.sqlite3"):
        match = _NAME_RE.match(path.name)
        if match and match.group("stem") == database.stem:
            taken = datetime.strptime(match.group("stamp"), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
            found.append(Backup(path, taken, match.group("reason")))
    return sorted(found, key=lambda b: b.taken_at)


def prune(folder: Path, stem: str, keep: int) -> None:
    """Keep the newest `keep` backups in the archive's own folder (never another archive's)."""
    backups = list_backups(Path(stem + ".sqlite3"), folder)
    for old in backups[: max(0, len(backups) - keep)]:
        old.path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Restore: the backup is checked as a whole archive before it replaces anything, and what the
# current archive would lose is named first, for the person to confirm.


@dataclass
class RestorePlan:
    """A checked backup, ready to replace the archive, and what that would lose."""

    backup: Path
    database: Path
    checked: Path  # the backup as checked: upgraded to this program's schema, numbers carried over
    backup_seals: int
    current_seals: int | None  # None: no current archive, or one that cannot be read
    lost_seals: list[str] = field(default_factory=list)  # "东岗村 2026Q3 季度封存", …
    lost_items: int = 0  # items the current archive has and the backup lacks

    def summary(self) -> list[str]:
        lines = [f"备份 {self.backup}：完整性、结构、保护触发器和封存核验都通过（{self.backup_seals} 个封存）"]
        if self.current_seals is None:
            lines.append(f"当前档案 {self.database} 不存在或无法读取，将用备份替换")
            return lines
        lines.append(f"当前档案 {self.database} 有 {self.current_seals} 个封存")
        if self.lost_seals:
            lines.append(f"恢复后将丢失当前档案中这 {len(self.lost_seals)} 个备份里没有的封存：")
            lines += [f"  - {seal}" for seal in self.lost_seals]
        if self.lost_items:
            lines.append(f"恢复后将丢失 {self.lost_items} 个备份之后录入的事项（它们用过的编号不会再用）")
        if not self.lost_seals and not self.lost_items:
            lines.append("当前档案中的封存和事项备份里都有；备份之后的修改将被撤销")
        lines.append("恢复前会先备份当前档案，恢复之后仍可再恢复回来")
        return lines

    def discard(self) -> None:
        """Remove the checked copy (restored or not)."""
        shutil.rmtree(self.checked.parent, ignore_errors=True)


def prepare_restore(backup: Path, database: Path) -> RestorePlan:
    """Check `backup` as an archive (see `check_backup`) and compare it with the current one;
    `apply_restore` then puts exactly what was checked in place. The caller discards the plan."""
    checked = Path(tempfile.mkdtemp(prefix="zwgk-restore-")) / "checked.sqlite3"
    plan = RestorePlan(backup, database, checked, 0, None)
    try:
        plan.backup_seals = check_backup(backup, checked)
        if database.exists():
            _compare(plan)
    except BaseException:
        plan.discard()
        raise
    return plan


@contextmanager
def restoring(backup: Path, database: Path) -> Iterator[RestorePlan]:
    """`prepare_restore`, its checked copy removed afterwards."""
    plan = prepare_restore(backup, database)
    try:
        yield plan
    finally:
        plan.discard()


def check_backup(backup: Path, checked: Path) -> int:
    """Copy `backup` to `checked` and refuse it, in words, unless it is a whole, untouched archive:
    SQLite's integrity check, a schema this program knows, every protective trigger and index the
    migrations create (a backup whose triggers were dropped would accept any change to what is
    sealed), and a full verify of every seal. Returns how many seals it holds."""
    try:
        check = sqlite3.connect(read_only_uri(backup), uri=True)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
    except sqlite3.Error as exc:
        log.info("checking backup %s: %r", backup, exc)
        raise BadInput(f"{backup} 不是可用的备份：不是本程序的数据库，或文件已损坏") from None
    if result != "ok":
        raise BadInput(f"备份 {backup} 已损坏（{result}），未恢复")
    _require_archive(backup)
    from sqlalchemy import func, select

    from zwgk_desktop.archive.seal import verify
    from zwgk_desktop.db import migrate
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.db.models import Seal

    _copy(backup, checked)
    engine = open_engine(str(checked))
    try:
        migrate.upgrade(engine)  # an older backup is checked as it will be used
        missing = _protection_missing(engine)
        if missing:
            raise BadInput(f"备份 {backup} 缺少保护封存档案的数据库规则（{'、'.join(missing[:8])}"
                           f"{' 等' if len(missing) > 8 else ''}）：封存的内容在其中可以被随意改动，未恢复")
        with session_factory(engine)() as session:
            _, problems = verify(session)
            seals = session.scalar(select(func.count()).select_from(Seal)) or 0
    finally:
        engine.dispose()
    if problems:
        raise BadInput(f"备份 {backup} 的档案核验未通过（{len(problems)} 处问题），未恢复：", problems[:20])
    return seals


def _protection_missing(engine: Engine) -> list[str]:
    """Triggers and indexes a freshly made archive has that this one lacks or has changed."""
    expected = _reference_schema()
    with engine.connect() as connection:
        found = _schema_rules(connection)
    return sorted(name for name, sql in expected.items() if found.get(name) != sql)


def _schema_rules(connection: Connection) -> dict[str, str]:
    rows = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') "
                                      "AND sql IS NOT NULL").fetchall()
    return {name: " ".join(sql.split()) for name, sql in rows}


@functools.cache
def _reference_schema() -> dict[str, str]:
    """The triggers and indexes the migrations make, read from a new archive made by them."""
    from zwgk_desktop.db import migrate
    from zwgk_desktop.db.engine import open_engine

    with tempfile.TemporaryDirectory(prefix="zwgk-reference-") as folder:
        engine = open_engine(str(Path(folder) / "reference.sqlite3"), create=True)
        try:
            migrate.upgrade(engine)
            with engine.connect() as connection:
                return _schema_rules(connection)
        finally:
            engine.dispose()


def _compare(plan: RestorePlan) -> None:
    """Name what the current archive holds that the backup lacks, and keep every item number the
    current archive ever gave in the restored one (retired): sheets printed since the backup carry
    them, and a restored archive must not give them to other items."""
    try:
        current = sqlite3.connect(read_only_uri(plan.database), uri=True)
    except sqlite3.Error:
        return
    checked = sqlite3.connect(plan.checked)
    try:
        seals = ("SELECT v.name, v.code, s.period, s.kind, s.chain_hash FROM seal s JOIN village v "
                 "ON v.id = s.village_id ORDER BY v.id, s.id")
        try:
            mine = current.execute(seals).fetchall()
            numbers = _numbers(current)
        except sqlite3.Error:
            return  # not an archive this program can read: nothing to compare with
        held = {row[4] for row in checked.execute(seals)}
        plan.current_seals = len(mine)
        plan.lost_seals = [f"{name} {period} {_KIND_NAMES.get(kind, '季度封存')}"
                           for name, _code, period, kind, chain in mine if chain not in held]
        known = _numbers(checked)
        villages = dict(checked.execute("SELECT code, id FROM village").fetchall())
        now = datetime.now(UTC).isoformat(timespec="seconds")
        gone = [(villages[code], number, period, retired or now) for (code, number), (period, retired, live)
                in numbers.items() if (code, number) not in known and code in villages]
        plan.lost_items = sum(1 for key, (_p, _r, live) in numbers.items() if live and key not in known)
        checked.executemany("INSERT INTO item_number (village_id, number, item_id, period, retired_at) "
                            "VALUES (?, ?, NULL, ?, ?)", gone)
        checked.commit()
    finally:
        checked.close()
        current.close()


_KIND_NAMES = {"quarter": "季度封存", "correction": "更正封存", "key": "密钥记录"}


def _numbers(connection: sqlite3.Connection) -> dict[tuple[str, int], tuple[str, str | None, bool]]:
    """Every item number the archive ever gave: (village code, number) → (period, retired at, live)."""
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "item_number" in tables:
        query = ("SELECT v.code, n.number, n.period, n.retired_at, n.item_id IS NOT NULL FROM item_number n "
                 "JOIN village v ON v.id = n.village_id")
    else:  # an archive from before the register: its items' numbers
        query = ("SELECT v.code, coalesce(i.number, i.id), i.period, NULL, 1 FROM disclosure_item i "
                 "JOIN village v ON v.id = i.village_id")
    return {(code, number): (period, retired, bool(live))
            for code, number, period, retired, live in connection.execute(query)}


def apply_restore(plan: RestorePlan) -> Backup | None:
    """Put the checked backup in place of the archive, the current one backed up first (reason
    `before-restore`), so a restore can be undone too."""
    before = take_backup(plan.database, "before-restore") if plan.database.exists() else None
    try:
        source = sqlite3.connect(read_only_uri(plan.checked), uri=True)
        destination = sqlite3.connect(plan.database)
        deadline = time.monotonic() + busy_timeout()

        def waited(status: int, _remaining: int, _total: int) -> None:
            # sqlite3's backup retries a busy database for ever: the app open on it would hang us.
            if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
                raise in_use(plan.database)

        try:
            source.backup(destination, progress=waited)
        finally:
            destination.close()
            source.close()
    except sqlite3.Error as exc:
        raise ZwgkError(f"恢复失败：数据库 {plan.database} {sqlite_reason(exc)}（原数据库已先备份）") from None
    from zwgk_desktop.archive.signing import restore_kept_keys

    restore_kept_keys(plan.backup.parent)  # keys kept with the backups, where the key folder lost them
    return before


def restore(backup: Path, database: Path) -> RestorePlan:
    """Check the backup and put it in place, without asking (scripts and tests; people are asked:
    see `restoring`)."""
    with restoring(backup, database) as plan:
        apply_restore(plan)
        return plan


def _require_archive(backup: Path) -> None:
    """A backup must be an archive of this program that it can open: not any SQLite file, not an
    empty one, not one made by a later version (it would replace the archive with what cannot be used)."""
    from zwgk_desktop.db.migrate import is_newer, newer_message

    check = sqlite3.connect(read_only_uri(backup), uri=True)
    try:
        tables = {name for (name,) in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        found = check.execute("SELECT version_num FROM alembic_version").fetchone() \
            if "alembic_version" in tables else None
    except sqlite3.Error as exc:
        log.info("checking backup %s: %r", backup, exc)
        raise BadInput(f"{backup} 不是可用的备份：不是本程序的数据库，或文件已损坏") from None
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
    # Parsed, not cut at "///": an engine's address %-escapes the path (a folder 张三, a space),
    # and the escaped name is no file, so an archive under C:\Users\张三 went unbacked-up.
    try:
        url = make_url(target)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database or "")


def backup_before(target: str, reason: str) -> Backup | None:
    """A backup before a seal, an import or a migration, when the archive is a SQLite file."""
    path = sqlite_path(target)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    return take_backup(path, reason)
