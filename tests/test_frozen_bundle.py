"""The frozen bundle, built and smoke-tested as a clerk's PC would run it (packaging/build.py):
`pytest -m bundle` (left out of the default run: the build alone takes one to two minutes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.bundle


def test_the_frozen_programs_work_from_a_fresh_build(tmp_path: Path) -> None:
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed (pip install -e '.[bundle]')")
    report = tmp_path / "figures.json"
    kept = tmp_path / "smoke"
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(tmp_path / "dist"),
                           "--work", str(tmp_path / "build"), "--runs", "3", "--keep", str(kept),
                           "--report", str(report)], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for step in ("zwgk init", "zwgk demo", "zwgk render", "zwgk render --all-villages", "zwgk seal",
                 "zwgk verify", "zwgk site", "zwgk pack export",
                 "an older archive upgraded, backed up first", "the app shows the first sheet"):
        assert f"ok  {step}" in done.stdout, step
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert 50 < figures["bundle MB"] < 800
    assert (kept / "张三" / "输出" / "window-sheet.png").is_file()
