"""One handle on an archive: where it is, whether it may be changed, its sessions and its formats.

Every use case takes an `Archive` rather than a session factory or a `--db` string, so the rules
that must hold everywhere are written once, here:

- an archive opened read-only (the auditor's view, a CD, a write-protected stick) is read through a
  read-only connection, refuses `writing()` in words, and is reopened read-only by worker processes
  (`reopen`), so batch printing works from read-only media;
- "back up first, then change" is one call, `changing(reason)`;
- the layouts (formats folder or pack) are loaded once per handle, and reloaded from the same folder
  in a worker.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from zwgk_desktop import paths
from zwgk_desktop.db import migrate
from zwgk_desktop.db.engine import database_problem, database_url, open_engine, session_factory
from zwgk_desktop.errors import STOP_ASKED, Blocked, ZwgkError

if TYPE_CHECKING:
    from zwgk_desktop.archive.backup import Backup
    from zwgk_desktop.render.layout import LayoutSet

# What a database library raises: the faces catch these without importing SQLAlchemy themselves.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, sqlite3.Error)
# What a use case may fail with that is told in words, not as a bug.
TOLD_ERRORS: tuple[type[BaseException], ...] = (ZwgkError, *DATABASE_ERRORS)

READ_ONLY_REFUSAL = "档案以只读方式打开（审计查看或只读介质），不能修改；需要修改时请不加 --read-only 打开可写的档案"


@dataclass(frozen=True)
class Reopen:
    """What a worker process needs to open the same archive in the same mode (picklable)."""

    target: str
    read_only: bool
    layouts_folder: str | None


@dataclass(eq=False)
class Archive:
    """An open archive. Use `Archive.open(...)`; close it (or use it as a context manager) when done."""

    target: str  # as `--db` gives it: a SQLite path or a SQLAlchemy URL (with its password)
    read_only: bool
    engine: Engine
    layouts_folder: Path | None = None  # None: the formats that ship with the program (or ZWGK_LAYOUTS)
    _layouts: LayoutSet | None = field(default=None, repr=False)

    @classmethod
    def open(cls, target: str | os.PathLike[str] | None = None, *, read_only: bool = False, create: bool = False,
             upgrade: bool = False, layouts: Path | str | None = None) -> Archive:
        """Open the archive at `target` (default: `paths.default_db()`).

        `create` makes a missing SQLite file, `upgrade` brings the schema to this program's (an
        existing file is backed up first); otherwise the schema must be current. `read_only` opens
        it so that nothing of this program can change it.
        """
        where = str(target) if target is not None else str(paths.default_db())
        new_file = _sqlite_file(where) if create and not read_only else None
        new_file = new_file if new_file is not None and not new_file.exists() else None
        engine = open_engine(where, create=create and not read_only, read_only=read_only)
        try:
            if upgrade and not read_only:
                older = migrate.upgrade_needed(engine)
                if older is not None:  # an existing archive: a migration can be undone
                    from zwgk_desktop.archive.backup import backup_before

                    backup_before(engine.url.render_as_string(hide_password=False), f"before-migration-{older}")
                migrate.upgrade(engine)
            else:
                migrate.require_current(engine)
        except BaseException:
            engine.dispose()
            _remove_new_archive(new_file)  # one that could not be made whole (a full disk) is not left
            raise
        return cls(where, read_only, engine, Path(layouts) if layouts is not None else None)

    @classmethod
    def reopen(cls, spec: Reopen) -> Archive:
        """In a worker process: the same archive, in the same mode, with the same formats."""
        return cls.open(spec.target, read_only=spec.read_only, layouts=spec.layouts_folder)

    @property
    def spec(self) -> Reopen:
        return Reopen(self.url, self.read_only, str(self.layouts_folder) if self.layouts_folder else None)

    @property
    def url(self) -> str:
        """The database's address with its password, for reopening it elsewhere (never shown)."""
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @property
    def is_sqlite_file(self) -> bool:
        url = database_url(self.target)
        return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")

    @property
    def may_write(self) -> bool:
        """Whether changes can be made: not opened read-only, and for a SQLite file, the file and
        its folder writable (WAL keeps two files beside it)."""
        return not self.read_only and writable(self.target)

    @property
    def layouts(self) -> LayoutSet:
        """The formats in use, loaded (and checked) once."""
        if self._layouts is None:
            from zwgk_desktop.render.packs import load_pack_layouts

            self._layouts = load_pack_layouts(self.layouts_folder or paths.default_layouts_dir())
        return self._layouts

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for looking only; nothing it does is committed."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session in one transaction: committed whole when the block ends, rolled back on error."""
        if self.read_only:
            raise Blocked(READ_ONLY_REFUSAL)
        with self.sessions() as session, session.begin():
            yield session
            if STOP_ASKED.is_set():  # a Ctrl-C that something swallowed still stops the commit
                raise KeyboardInterrupt

    def backup(self, reason: str) -> Backup | None:
        """A backup of a SQLite archive (None for a server's, or an empty new file)."""
        from zwgk_desktop.archive.backup import backup_before

        if self.read_only:
            raise Blocked(READ_ONLY_REFUSAL)
        return backup_before(self.url, reason)

    @contextmanager
    def changing(self, reason: str) -> Iterator[tuple[Session, Backup | None]]:
        """Back up first, then change in one transaction: what every import, seal, delete and
        restore does."""
        taken = self.backup(reason)
        with self.writing() as session:
            yield session, taken

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def writable(target: str | os.PathLike[str] | None = None) -> bool:
    """Whether the archive at `target` can be written, before it is opened: a SQLite file on
    read-only media, write-protected or in a read-only folder cannot (a server's can)."""
    url = database_url(str(target) if target is not None else str(paths.default_db()))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return True
    path = Path(url.database or "")
    # access() also says no on a read-only mount, even to root (EROFS)
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def database_fault(error: BaseException, target: str) -> ZwgkError | None:
    """A database library's error as the user should read it (locked, write-protected, full, a
    lost server …), or None when it is not one of those (then it is a bug, for the log)."""
    return database_problem(error, target) if isinstance(error, DATABASE_ERRORS) else None


def _sqlite_file(target: str) -> Path | None:
    url = database_url(target)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database or "")


def _remove_new_archive(new_file: Path | None) -> None:
    if new_file is not None:
        for made in (new_file, new_file.with_name(new_file.name + "-wal"), new_file.with_name(new_file.name + "-shm")):
            made.unlink(missing_ok=True)
