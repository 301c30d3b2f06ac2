"""Test set-up: Qt offscreen, a private data directory, and a demo database shared by a session.

The suite runs in parallel (pytest-xdist, `-n auto` in pyproject's addopts): each worker is its own
process with its own QApplication, temp folders, demo database and PostgreSQL template; tests that
share a module-scoped fixture (a browser, a rendered site) stay on one worker so it is made once.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Fixtures of a wider scope than a test (a module's sealed archive) run before the per-test data
# folder is set: they too must never write the real user's data folder (sealing makes keys there).
os.environ["ZWGK_DATA_DIR"] = tempfile.mkdtemp(prefix="zwgk-test-data-")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the tests that use a module-scoped fixture of their own module (a headless browser, a
    rendered site, a sealed archive) on one xdist worker (`--dist loadgroup`), so each such fixture is
    made once rather than once per worker; every other test goes wherever a worker is free."""
    for item in items:
        module = getattr(item, "module", None)
        info = getattr(item, "_fixtureinfo", None)
        if module is None or info is None:
            continue
        if any(defs[-1].scope == "module" and getattr(defs[-1].func, "__module__", None) == module.__name__
               for defs in info.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user's data directory or database."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("ZWGK_DATA_DIR", str(data))
    monkeypatch.delenv("ZWGK_DB", raising=False)
    monkeypatch.delenv("ZWGK_LAYOUTS", raising=False)


@dataclass
class Run:
    code: int
    out: str
    err: str


def zwgk_command() -> list[str]:
    """The installed `zwgk` script beside this Python: what a user runs, not our source tree."""
    script = Path(sys.executable).with_name("zwgk.exe" if sys.platform == "win32" else "zwgk")  # Scripts\zwgk.exe
    if not script.exists():
        pytest.skip("the zwgk command is not installed next to this Python (run pip install .)")
    return [str(script)]


def run_zwgk(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run([*zwgk_command(), *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=120)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the demo township, made once; tests copy it before changing it."""
    from zwgk_desktop.db import migrate
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.office.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    engine = open_engine(str(path), create=True)
    migrate.upgrade(engine)
    with session_factory(engine)() as session, session.begin():
        load_demo(session)
    engine.dispose()
    return path


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(demo_db, copy)
    yield copy


def sqlite_copy(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite archive, whatever is still in its WAL or open on it."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


class ArchiveCache:
    """Archives that take seconds to make (quarters sealed, corrections sealed: each seal renders
    and stores its PDFs), made once a session (per xdist worker) from the demo, then copied for
    each test that asks for one, as `demo_copy` copies the demo itself. `build(path)` changes the
    demo at `path` into the archive wanted; `key` names that archive (same key, same build)."""

    def __init__(self, folder: Path, demo: Path) -> None:
        self._folder, self._demo = folder, demo
        self._made: dict[str, Path] = {}

    def copy(self, key: str, build: Callable[[Path], object], to: Path) -> Path:
        if key not in self._made:
            made = self._folder / f"{key}.sqlite3"
            shutil.copy(self._demo, made)
            try:
                build(made)
            except BaseException:
                made.unlink(missing_ok=True)
                raise
            # Sealing made the villages' signing keys in that test's data folder: kept with the archive.
            keys = Path(os.environ["ZWGK_DATA_DIR"]) / "keys"
            if keys.is_dir():
                shutil.copytree(keys, self._folder / f"{key}.keys", dirs_exist_ok=True)
            self._made[key] = made
        kept = self._folder / f"{key}.keys"
        if kept.is_dir():  # this test's data folder holds the keys, as the clerk's PC would
            shutil.copytree(kept, Path(os.environ["ZWGK_DATA_DIR"]) / "keys", dirs_exist_ok=True)
        return sqlite_copy(self._made[key], to)


@pytest.fixture(scope="session")
def archive_cache(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> ArchiveCache:
    return ArchiveCache(tmp_path_factory.mktemp("archives"), demo_db)


# ---------------------------------------------------------------------------------------------
# Both backends: SQLite files, and a real PostgreSQL server when ZWGK_TEST_POSTGRES names one
# (`.ci/run` starts one with `.ci/postgres`; without it the PostgreSQL cases skip, saying why).

POSTGRES_ADMIN = os.environ.get("ZWGK_TEST_POSTGRES", "")
# One template per xdist worker ("gw0", "gw1" …; "main" without xdist): workers share the server.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
DEMO_TEMPLATE = f"zwgk_demo_template_{WORKER}"


def _postgres_admin():  # type: ignore[no-untyped-def]
    if not POSTGRES_ADMIN:
        pytest.skip("no PostgreSQL server: set ZWGK_TEST_POSTGRES (.ci/run starts one with .ci/postgres)")
    from sqlalchemy import create_engine

    return create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")


def _postgres_database(template: str | None = None) -> Iterator[str]:
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = _postgres_admin()
    name = f"zwgk_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_demo_template() -> str:
    """A PostgreSQL database holding the demo township, made once, copied by each test."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from zwgk_desktop.db import migrate
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.office.demo import load_demo

    admin = _postgres_admin()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DEMO_TEMPLATE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DEMO_TEMPLATE}"'))
    url = make_url(POSTGRES_ADMIN).set(database=DEMO_TEMPLATE).render_as_string(hide_password=False)
    engine = open_engine(url)
    migrate.upgrade(engine)
    with session_factory(engine)() as session, session.begin():
        load_demo(session)
    engine.dispose()
    admin.dispose()
    return DEMO_TEMPLATE


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database (not yet initialised) on each backend, as `--db` takes it."""
    if backend == "sqlite":
        yield str(tmp_path / "archive.sqlite3")
    else:
        yield from _postgres_database()


@pytest.fixture
def demo_any(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The demo township on each backend, a fresh copy per test."""
    if backend == "sqlite":
        demo = request.getfixturevalue("demo_db")
        copy = tmp_path / "demo.sqlite3"
        shutil.copy(demo, copy)
        yield str(copy)
    else:
        yield from _postgres_database(request.getfixturevalue("postgres_demo_template"))
