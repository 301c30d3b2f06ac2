"""Regenerate the 四性检测 report's pictures in docs/: the demo township with its first three
quarters sealed (东岗村 under 全宗号 Z012), `zwgk verify --report` run on it, and the workbook
opened as LibreOffice prints it (headless, to PDF, pages to PNG with pdftoppm).
Run: `.venv/bin/python docs/make_four_checks_screenshots.py` (needs `libreoffice-calc-nogui` and
`poppler-utils`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ZWGK = str(Path(sys.executable).with_name("zwgk"))
PAGES = {1: "four-checks-report.png", 3: "four-checks-inventory.png"}  # the summary, the 归档清单


def run(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} → {done.returncode}\n{done.stderr}")
    return done.stdout


def main() -> None:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        raise SystemExit("需要 LibreOffice（soffice）和 pdftoppm：apt-get install libreoffice-calc-nogui poppler-utils")
    with tempfile.TemporaryDirectory(prefix="zwgk-four-checks-") as folder:
        work = Path(folder)
        env = {**os.environ, "ZWGK_DATA_DIR": str(work / "data"), "ZWGK_DB": str(work / "archive.sqlite3")}
        run(ZWGK, "init", env=env)
        run(ZWGK, "demo", env=env)
        run(ZWGK, "settings", "--fonds", "donggang=Z012", "--fonds", "liushuwan=Z013", "--fonds", "shiqiao=Z014",
            env=env)
        for village in ("donggang", "liushuwan", "shiqiao"):
            for period in ("2025Q4", "2026Q1", "2026Q2"):
                run(ZWGK, "seal", "--village", village, "--period", period, "--by", "王德明", env=env)
        report = work / "四性检测报告.xlsx"
        print(run(ZWGK, "verify", "--report", str(report), env=env))
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work / 'lo'}", "--convert-to", "pdf",
                        "--outdir", str(work), str(report)], check=True, capture_output=True, timeout=180)
        for page, name in PAGES.items():
            subprocess.run([pdftoppm, "-r", "110", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                            str(report.with_suffix(".pdf")), str(DOCS / Path(name).stem)], check=True)
            print(f"wrote {DOCS / name}")


if __name__ == "__main__":
    main()
