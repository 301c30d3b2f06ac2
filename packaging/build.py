"""Build the one-folder bundle (packaging/zwgk.spec) and smoke-test the FROZEN programs.

    .venv/bin/python packaging/build.py            # Linux
    .venv\\Scripts\\python packaging\\build.py       # Windows (the same script; CI: windows.yml)

Run with the Python that has the program and PyInstaller installed (`pip install -e '.[bundle]'`).
It builds dist/zwgk/, then, on a fresh data folder whose path has Chinese in it (as a Windows
user name 张三 puts in every path), runs the frozen `zwgk`: init, demo, render, seal, verify, site,
about, an older archive upgraded with a backup first; opens the frozen app offscreen on the
demo's first item and checks the picture of its first sheet is not blank; and prints the
bundle's size and start-up times (medians of several runs). Exit 0 only if every step passed.

`--no-build` tests a bundle already built; `--keep DIR` leaves the data folder and pictures there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WINDOWS = sys.platform == "win32"
EXE = ".exe" if WINDOWS else ""


class SmokeFailed(Exception):
    pass


def build(dist: Path, work: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(ROOT / "packaging" / "zwgk.spec")],
                   check=True, cwd=ROOT)
    return time.perf_counter() - started


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and files under `folder` (what `du` says, on every system)."""
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def frozen_environment(data: Path) -> dict[str, str]:
    """The machine as a clerk's: no Python of ours on the paths, no overrides, a fresh data folder."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "ZWGK_", "VIRTUAL_ENV", "QT_", "COVERAGE"))}
    env.update(ZWGK_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    return env


class Smoke:
    def __init__(self, bundle: Path, data: Path, out: Path) -> None:
        self.zwgk = bundle / f"zwgk{EXE}"
        self.app = bundle / f"zwgk-desktop{EXE}"
        self.data, self.out = data, out
        self.env = frozen_environment(data)
        self.passed: list[str] = []

    def run(self, *args: str, program: Path | None = None, env: dict[str, str] | None = None,
            expect: int = 0, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        command = [str(program or self.zwgk), *args]
        done = subprocess.run(command, env=env or self.env, cwd=self.out, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=timeout)
        if done.returncode != expect:
            raise SmokeFailed(f"{' '.join(command)}: exit {done.returncode} (expected {expect})\n"
                              f"stdout: {done.stdout}\nstderr: {done.stderr}")
        return done

    def step(self, name: str) -> None:
        self.passed.append(name)
        print(f"  ok  {name}", flush=True)

    def commands(self) -> None:
        self.run("init", "--township", "青山镇")
        self.step("zwgk init")
        said = self.run("demo").stdout
        if "已装入示范数据" not in said:
            raise SmokeFailed(f"zwgk demo: {said}")
        self.step("zwgk demo")
        listing = json.loads(self.run("list", "--json").stdout)
        village = listing["villages"][0]
        period = village["periods"][0] if village.get("periods") else listing["items"][0]["period"]
        code = village["code"]
        board = self.out / "公开栏.pdf"
        self.run("render", "--village", code, "--period", period, "-o", str(board))
        pages = _pdf_pages(board)
        if pages < 1:
            raise SmokeFailed(f"zwgk render wrote {board} with no pages")
        self.step(f"zwgk render ({pages} A3 pages, {board.stat().st_size // 1024} KB)")
        batch = self.out / "各村公开栏"
        self.run("render", "--all-villages", "--period", period, "-o", str(batch))  # worker processes
        printed = sorted(batch.glob("*.pdf"))
        if len(printed) != len(listing["villages"]):
            raise SmokeFailed(f"zwgk render --all-villages wrote {[p.name for p in printed]}")
        self.step(f"zwgk render --all-villages ({len(printed)} villages, in worker processes)")
        sealed = json.loads(self.run("seal", "--village", code, "--period", period, "--by", "张三", "--json").stdout)
        self.step(f"zwgk seal ({sealed['items']} items, backup {sealed.get('backup')})")
        verified = self.run("verify").stdout
        if "核验通过" not in verified:
            raise SmokeFailed(f"zwgk verify: {verified}")
        self.step("zwgk verify")
        site = self.out / "网上公开"
        self.run("site", "-o", str(site), "--base-url", "https://zwgk.example.cn/qingshan")
        if not (site / "index.html").is_file():
            raise SmokeFailed(f"zwgk site wrote no {site / 'index.html'}")
        self.step(f"zwgk site ({sum(1 for _ in site.rglob('*.html'))} pages)")
        about = json.loads(self.run("about", "--json").stdout)
        utf8 = self.run("list", env={**self.env, "PYTHONIOENCODING": ""}).stdout  # the bundle's own mode
        if "东岗村" not in utf8:
            raise SmokeFailed(f"zwgk list did not write UTF-8 to a pipe: {utf8[:200]!r}")
        if not about["packaged"] or Path(about["data_folder"]) != self.data or "0." not in about["version"]:
            raise SmokeFailed(f"zwgk about: {about}")
        self.step("zwgk about (packaged, the data folder given)")
        keys = list((self.data / "keys").glob("*"))
        if not keys:
            raise SmokeFailed(f"no signing key in {self.data / 'keys'}")
        pack = self.out / "青山镇统一格式.zwgkpack"
        self.run("pack", "export", "-o", str(pack), "--name", "青山镇统一格式", "--version", "2026.1")
        self.run("pack", "import", str(pack))
        about = json.loads(self.run("about", "--json").stdout)
        if about["formats"] != "青山镇统一格式 2026.1":
            raise SmokeFailed(f"the imported pack is not the formats in use: {about}")
        self.run("render", "--village", code, "--period", period, "-o", str(self.out / "按版式包.pdf"))
        self.step("zwgk pack export, import; printed with the township's pack")

    def upgrade(self) -> None:
        """An archive of an older version (schema 0002) opened by the new one: upgraded, backup first."""
        from zwgk_desktop.db import migrate
        from zwgk_desktop.db.engine import open_engine

        old = self.out / "旧版档案.sqlite3"
        engine = open_engine(str(old), create=True)
        migrate.upgrade(engine, "0002")
        engine.dispose()
        self.run("init", "--db", str(old), "--township", "青山镇")
        listed = self.run("backup", "--db", str(old), "--list").stdout
        if "before-migration-0002" not in listed:
            raise SmokeFailed(f"no backup before the migration: {listed}")
        self.run("list", "--db", str(old))  # now current: a reading command opens it
        self.step("an older archive upgraded, backed up first")

    def window(self) -> Path:
        picture = self.out / "window.png"
        env = {**self.env, "ZWGK_SELF_CHECK": str(picture)}
        self.run(program=self.app, env=env, timeout=300)
        sheet = picture.with_name("window-sheet.png")
        inked = _inked(sheet)
        if inked < 0.01:
            raise SmokeFailed(f"the app's preview {sheet} is blank ({inked:.2%} of it inked)")
        if not (self.data / "zwgk.log").is_file():
            raise SmokeFailed(f"the app wrote no log in {self.data}")
        self.step(f"the app shows the first sheet ({inked:.1%} of the preview inked): {picture}")
        return picture

    def timings(self, runs: int) -> dict[str, float]:
        """Medians of `runs` starts, whole process to exit. Beside each, the same program of the pip
        install that runs this script when there is one, started in turn with it: this machine
        may be shared, and only figures taken together compare."""
        pip = {name: Path(sys.executable).with_name(f"{name}{EXE}") for name in ("zwgk", "zwgk-desktop")}
        probe = {**self.env, "ZWGK_STARTUP_PROBE": "1"}
        # The window: started, shown on the demo archive, closed (as a clerk waits for it).
        cases = {"zwgk --help": ("zwgk", ["--help"], self.env), "zwgk list": ("zwgk", ["list"], self.env),
                 "zwgk-desktop to its window": ("zwgk-desktop", [], probe)}
        figures: dict[str, float] = {}
        for case, (program, args, env) in cases.items():
            frozen = [str(self.zwgk if program == "zwgk" else self.app), *args]
            installed = [str(pip[program]), *args] if pip[program].exists() else None
            times: dict[str, list[float]] = {"frozen": [], "pip": []}
            for _ in range(runs):
                for kind, command in (("frozen", frozen), ("pip", installed)):
                    if command is None:
                        continue
                    started = time.perf_counter()
                    subprocess.run(command, env=env, cwd=self.out, check=True, capture_output=True, timeout=300)
                    times[kind].append(time.perf_counter() - started)
            figures[f"{case}, frozen"] = statistics.median(times["frozen"])
            if times["pip"]:
                figures[f"{case}, pip install"] = statistics.median(times["pip"])
        return figures


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def _inked(picture: Path) -> float:
    """The share of a picture's pixels that are clearly not background (text, rules, the QR)."""
    from PIL import Image

    with Image.open(picture) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return sum(histogram[:160]) / max(1, sum(histogram))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="test the bundle already in --dist")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    parser.add_argument("--runs", type=int, default=5, help="runs per start-up timing (median)")
    parser.add_argument("--keep", type=Path, default=None, help="leave the data folder and pictures here")
    parser.add_argument("--report", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    # The programs run in the output folder: every path given is made absolute first.
    args.dist, args.work = args.dist.resolve(), args.work.resolve()
    args.keep = args.keep.resolve() if args.keep is not None else None

    figures: dict[str, object] = {}
    if not args.no_build:
        figures["build seconds"] = round(build(args.dist, args.work), 1)
        print(f"built in {figures['build seconds']} s", flush=True)
    bundle = args.dist / "zwgk"
    size, files = folder_size(bundle)
    figures.update({"bundle MB": round(size / 2**20, 1), "bundle files": files})

    scratch = Path(tempfile.mkdtemp(prefix="zwgk-smoke-"))
    base = args.keep or scratch
    data, out = base / "张三" / "村务公开栏数据", base / "张三" / "输出"
    for folder in (data, out):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    smoke = Smoke(bundle, data, out)
    print(f"smoke test of {bundle} on {data}", flush=True)
    try:
        smoke.commands()
        smoke.upgrade()
        smoke.window()
        figures.update({f"{name} s (median of {args.runs})": round(value, 2)
                        for name, value in smoke.timings(args.runs).items()})
    except SmokeFailed as exc:
        print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    if hasattr(os, "getloadavg"):
        figures["load average (1 min)"] = round(os.getloadavg()[0], 2)
    figures["cores"] = os.cpu_count() or 0
    for name, value in figures.items():
        print(f"{name:<44} {value}")
    if args.report:
        args.report.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
