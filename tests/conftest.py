"""Test set-up: Qt offscreen, a private data directory, and a demo database shared by a session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
    script = Path(sys.executable).with_name("zwgk")
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


# ---------------------------------------------------------------------------------------------
# Both backends: SQLite files, and a real PostgreSQL server when ZWGK_TEST_POSTGRES names one
# (`.ci/run` starts one with `.ci/postgres`; without it the PostgreSQL cases skip, saying why).

POSTGRES_ADMIN = os.environ.get("ZWGK_TEST_POSTGRES", "")
DEMO_TEMPLATE = "zwgk_demo_template"


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
