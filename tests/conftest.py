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
    from zwgk_desktop.demo import load_demo

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
