"""The desktop app leaves no process behind (issue 12, point 10): ended by SIGTERM (a logout, a
shutdown, `kill`), SIGHUP or SIGINT it stops its preview render process and multiprocessing's
resource tracker; killed outright (SIGKILL, where nothing of it runs any more), its children see
their parent gone and end by themselves (zwgk_desktop/children.py).

The app runs as a user starts it (`python -m zwgk_desktop`, offscreen), in a session of its own,
so that every process it made can be found in /proc by its session id.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc (Linux)")]


def session_processes(session: int) -> list[tuple[int, str]]:
    """Live (not zombie) processes of a session: pid and command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append((int(entry.name), command))
    return found


def start_app(db: Path, tmp_path: Path) -> subprocess.Popen[Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ZWGK_DATA_DIR": str(tmp_path / "data")}
    app = subprocess.Popen([sys.executable, "-m", "zwgk_desktop", "--db", str(db)], cwd=tmp_path, env=env,
                           start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        commands = [command for _, command in session_processes(app.pid)]
        if any("spawn_main" in c for c in commands) and any("resource_tracker" in c for c in commands):
            return app  # the preview's render process is up, and the tracker beside it
        assert app.poll() is None, "the app ended while starting"
        time.sleep(0.2)
    app.kill()
    pytest.fail(f"the preview's render process never started: {session_processes(app.pid)}")


def left_after(app: subprocess.Popen[Any], seconds: float) -> list[tuple[int, str]]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.poll()  # reap the app itself
        left = session_processes(app.pid)
        if not left:
            return []
        time.sleep(0.1)
    return session_processes(app.pid)


def _end(app: subprocess.Popen[Any]) -> None:
    for pid, _ in session_processes(app.pid):
        os.kill(pid, signal.SIGKILL)
    # Reaped here, so a failure here is told here and not as a warning in a later test.
    with contextlib.suppress(subprocess.TimeoutExpired):
        app.wait(10)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_ends_the_app_and_all_its_processes(how: signal.Signals, demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "archive.sqlite3"
    shutil.copy(demo_db, db)
    app = start_app(db, tmp_path)
    try:
        app.send_signal(how)
        left = left_after(app, 15)
        assert not left, f"still running after {how.name}: {left}"
        assert app.wait(5) == 0  # a clean end, as closing the window
    finally:
        _end(app)


def test_children_end_by_themselves_when_the_app_is_killed(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "archive.sqlite3"
    shutil.copy(demo_db, db)
    app = start_app(db, tmp_path)
    try:
        app.kill()  # SIGKILL: nothing of the app runs to stop anything
        app.wait(5)
        left = left_after(app, 10)
        assert not left, f"still running after the app was killed: {left}"
    finally:
        _end(app)


def test_sigterm_stops_a_batch_print_of_the_zwgk_command_cleanly(demo_copy: Path, tmp_path: Path) -> None:
    """`zwgk render --all-villages` ended by SIGTERM stops as Ctrl-C does: says so, leaves no
    half-made print file and none of its worker processes."""
    from conftest import zwgk_command

    out = tmp_path / "all.pdf"
    env = {**os.environ, "ZWGK_DATA_DIR": str(tmp_path / "data")}
    batch = subprocess.Popen([*zwgk_command(), "render", "--all-villages", "--period", "2026Q2", "-o", str(out),
                              "--db", str(demo_copy)], cwd=tmp_path, env=env, start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("spawn_main" in c for _, c in session_processes(batch.pid)):
            time.sleep(0.05)
        batch.send_signal(signal.SIGTERM)
        _, err = batch.communicate(timeout=60)
        assert batch.returncode == 3 and "已中断" in err and "Traceback" not in err, err
        assert not out.exists() and not list(tmp_path.glob("*.partial"))
        assert not left_after(batch, 10)
    finally:
        _end(batch)
