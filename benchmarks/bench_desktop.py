"""How quickly the desktop app starts, and whether it stays responsive while it renders.

Design goals (it prints figures; it asserts nothing):

* from process start to the main window shown, on a demo database: at most 2 s;
* while a 1,000-household list is edited and its preview re-rendered, no stall of the GUI
  thread's event loop longer than 100 ms.

Start-up is timed as a whole process (`python -m zwgk_desktop` with the offscreen platform and
`ZWGK_STARTUP_PROBE`, which closes the window once it is shown). Stalls are measured in this
process: a 5 ms timer records the longest gap between its ticks while the app opens the list,
an amount is edited, the preview is re-rendered and the edit is saved.

Run from the repository root:  .venv/bin/python benchmarks/bench_desktop.py
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

RUNS = 5


def make_demo(folder: Path) -> Path:
    db = folder / "demo.sqlite3"
    zwgk = Path(sys.executable).with_name("zwgk")
    subprocess.run([str(zwgk), "demo", "--db", str(db)], check=True, capture_output=True)
    return db


def add_big_list(db: Path, households: int) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from factories import assistance  # the tests' generator of valid households

    from zwgk_desktop.db import store
    from zwgk_desktop.db.engine import open_engine, session_factory

    engine = open_engine(str(db))
    with session_factory(engine)() as session, session.begin():
        item = assistance(count=households, seed=7)
        item.title = f"{households} 户低保名单（基准）"
        item_id = store.save_item(session, item, store.find_village(session, "donggang"))
    engine.dispose()
    return item_id


def startup(db: Path) -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "zwgk_desktop", "--db", str(db)], capture_output=True,
                              text=True, env={**os.environ, "ZWGK_STARTUP_PROBE": "1"}, timeout=120)
        elapsed = time.perf_counter() - start
        if "window shown" not in done.stdout:
            print(done.stdout, done.stderr, file=sys.stderr)
            raise SystemExit("the app did not show its window")
        times.append(elapsed)
    return times


def stalls(db: Path, item_id: int) -> dict[str, float]:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from zwgk_desktop.render import fonts
    from zwgk_desktop.ui import app as desktop
    from zwgk_desktop.ui.main_window import MainWindow

    qapp = QApplication.instance() or QApplication([])
    desktop.register_qt_font()
    fonts.register()
    window = MainWindow(desktop.open_archive(str(db)))
    window.resize(1366, 768)
    window.show()
    import gc

    gc.collect()
    gc.freeze()  # as the app does once its window is up
    from zwgk_desktop.ui.workers import keep_gui_responsive

    keep_gui_responsive()  # as the app does at start

    clock = QElapsedTimer()
    gaps: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        gaps.append(now - last[0])
        if os.environ.get("ZWGK_BENCH_TRACE") and now - last[0] > 40:
            print(f"    stall {now - last[0]:.0f} ms ending at {now:.0f} ms", file=sys.stderr)
        last[0] = now

    ticker = QTimer(interval=5)
    ticker.timeout.connect(tick)

    def wait(signal, timeout_ms: int = 60000) -> None:  # type: ignore[no-untyped-def]
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()

    phases: dict[str, float] = {}

    def measure(name: str, action, signal) -> None:  # type: ignore[no-untyped-def]
        gaps.clear()
        clock.start()
        last[0] = 0.0
        ticker.start()
        started = time.perf_counter()
        QTimer.singleShot(0, action)
        wait(signal)
        phases[f"{name}: seconds"] = time.perf_counter() - started
        ticker.stop()
        phases[f"{name}: longest stall ms"] = max(gaps, default=0.0)

    measure("open the list and render its preview",
            lambda: window.navigator.setCurrentItem(window.navigator.find_item(item_id)), window.preview.rendered)
    editor = window.editor
    assert editor is not None
    column = next(c for c, f in enumerate(editor.model.fields) if f.key == "monthly_amount")
    measure("edit an amount, re-render, save",
            lambda: editor.model.setData(editor.model.index(500, column), f"{random.randint(300, 900)}.00"),
            window.saved)
    window.close()
    qapp.processEvents()
    return phases


def main() -> int:
    print(__doc__.strip().splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="zwgk_desktop_bench_") as folder:
        db = make_demo(Path(folder))
        times = startup(db)
        print(f"\nStart-up to window shown (whole process, {RUNS} runs): median {statistics.median(times):.2f} s, "
              f"best {min(times):.2f} s, worst {max(times):.2f} s  (goal <= 2 s)")
        item_id = add_big_list(db, 1000)
        phases = stalls(db, item_id)
        print("\n1,000-household list in the app (goal: no stall over 100 ms):")
        for name, value in phases.items():
            print(f"  {name}: {value:.3f}" if "seconds" in name else f"  {name}: {value:.0f}")
    print(f"\n(on {date.today()}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
