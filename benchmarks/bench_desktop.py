"""How quickly the desktop app starts, opens a long list, and follows an edit with its preview.

Design goals (design §5; it prints figures, it asserts nothing):

* from process start to the main window shown, on a demo database: at most 2 s;
* opening a 10,000-household list until its first sheet is on screen: under 1.5 s;
* an edit of one amount until the *new* preview is shown: under 1 s at 1,000 households and
  under 2.5 s at 10,000;
* no stall of the GUI thread's event loop longer than 100 ms at either size, from the edit
  until the preview is shown and the automatic save has reached the database.

Start-up is timed as a whole process (`python -m zwgk_desktop` with the offscreen platform and
`ZWGK_STARTUP_PROBE`, which closes the window once it is shown). The rest runs in a child
process per list size: the window is shown, left idle for a moment (as a clerk's would be before
choosing an item: the preview's process starts meanwhile), then the list is opened, and an amount
is edited EDITS times, each time waiting until the preview of exactly that edit is on screen and
the edit saved. A 5 ms timer records the longest gap between its ticks (a stall) throughout.

With ZWGK_BENCH_TRACE=1 it prints each stall over 40 ms as it happens (and the phases' starts);
with ZWGK_BENCH_PROFILE=PREFIX it writes the GUI thread's cProfile to PREFIX-ITEM.prof.

`--compare DIR` runs the same measurements, alternately, on another checkout of the program (say
the commit before a change: `git archive COMMIT | tar -x -C DIR`), each in its own archive, so
the two are measured side by side on the same loaded machine; compare their ratio.

Run from the repository root:  .venv/bin/python benchmarks/bench_desktop.py [--compare DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

RUNS = 5  # start-up
EDITS = 5
SIZES = (1_000, 10_000)
HERE = Path(__file__).resolve().parents[1]
GOALS = {"open": {10_000: 1.5}, "edit": {1_000: 1.0, 10_000: 2.5}, "stall": 100.0}


# ---------------------------------------------------------------------------------------------
# The parent: archives, start-up, and one child per measurement


def env_for(tree: Path) -> dict[str, str]:
    """The environment that makes Python (and `zwgk`) import the program from `tree`."""
    return {**os.environ, "PYTHONPATH": str(tree), "QT_QPA_PLATFORM": "offscreen"}


def child(tree: Path, *args: str, timeout: int = 600) -> Any:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True,
                          env=env_for(tree), timeout=timeout, check=False)
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        raise SystemExit(f"the benchmark's child {args[0]} failed for {tree}")
    if os.environ.get("ZWGK_BENCH_TRACE"):
        print(done.stderr, file=sys.stderr, end="")
    return json.loads(done.stdout.strip().splitlines()[-1])


def startup(tree: Path, db: Path) -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        # From the archive's folder: `-m` puts the working directory first on the path.
        done = subprocess.run([sys.executable, "-m", "zwgk_desktop", "--db", str(db)], capture_output=True,
                              text=True, env={**env_for(tree), "ZWGK_STARTUP_PROBE": "1"}, timeout=120,
                              cwd=db.parent)
        elapsed = time.perf_counter() - start
        if "window shown" not in done.stdout:
            print(done.stdout, done.stderr, file=sys.stderr)
            raise SystemExit("the app did not show its window")
        times.append(elapsed)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--compare", type=Path, help="another checkout of the program, measured alongside")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="households, comma-separated")
    parser.add_argument("--edits", type=int, default=EDITS)
    parser.add_argument("--no-startup", action="store_true")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return run_child(args.child)
    sizes = [int(s) for s in args.sizes.split(",")]
    trees = {"this": HERE, **({"compared": args.compare.resolve()} if args.compare else {})}
    print(__doc__.strip().splitlines()[0])
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs; trees: "
          + ", ".join(f"{name} = {tree}" for name, tree in trees.items()))
    for tree in trees.values():  # compiled ahead, as an installed package is (not on every start)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "zwgk_desktop")], check=False,
                       capture_output=True)
    results: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in trees}
    with tempfile.TemporaryDirectory(prefix="zwgk_desktop_bench_") as folder:
        dbs, items = {}, {}
        for name, tree in trees.items():
            dbs[name] = Path(folder) / f"{name}.sqlite3"
            items[name] = child(tree, "make", str(dbs[name]), *map(str, sizes))
        if not args.no_startup:
            print("\nStart-up to window shown (whole process, demo archive with the lists, "
                  f"{RUNS} runs each; goal <= 2 s):")
            for name, tree in trees.items():
                times = startup(tree, dbs[name])
                print(f"  {name:9} median {statistics.median(times):.2f} s, best {min(times):.2f} s, "
                      f"worst {max(times):.2f} s")
        for size in sizes:
            for name, tree in trees.items():  # one after the other, size by size: the same load for both
                results[name][size] = child(tree, "measure", str(dbs[name]), str(items[name][str(size)]),
                                            str(args.edits))
    print_results(results, sizes)
    print(f"\nload after: {os.getloadavg()[0]:.2f}; on {date.today()}, Python {sys.version.split()[0]}")
    return 0


def print_results(results: dict[str, dict[int, dict[str, Any]]], sizes: list[int]) -> None:
    names = list(results)
    print(f"\n{'households':>10}  {'measurement':<44}" + "".join(f"{n:>12}" for n in names)
          + ("  ratio" if len(names) == 2 else "") + "  goal")
    lines = [("open: to its first sheet shown, s", "open_s", lambda s: GOALS["open"].get(s)),
             ("open: editor and whole preview ready, s", "open_whole_s", lambda s: None),
             ("open: longest stall, ms", "open_stall_ms", lambda s: None),
             ("edit -> its preview shown, median s", "edit_s", lambda s: GOALS["edit"].get(s)),
             ("edit -> its preview shown, worst s", "edit_worst_s", lambda s: GOALS["edit"].get(s)),
             ("edit -> preview and saved: longest stall, ms", "edit_stall_ms", lambda s: GOALS["stall"])]
    for size in sizes:
        for label, key, goal in lines:
            values = [results[n][size][key] for n in names]
            digits = 0 if key.endswith("ms") else 2
            row = f"{size:>10,}  {label:<44}" + "".join(f"{v:>12.{digits}f}" for v in values)
            if len(values) == 2:
                row += f"  {values[0] / values[1]:5.2f}" if values[1] else "      -"
            target = goal(size)
            if target is not None:
                row += f"  < {target:g}: {'met' if values[0] < target else 'NOT met'}"
            print(row)
    print("(ratio: this tree / the compared one; below 1 is faster)")


# ---------------------------------------------------------------------------------------------
# The children


def run_child(args: list[str]) -> int:
    what, rest = args[0], args[1:]
    if what == "make":
        found = make_archive(Path(rest[0]), [int(n) for n in rest[1:]])
    elif os.environ.get("ZWGK_BENCH_PROFILE"):  # the GUI thread's profile, for finding what stalls it
        import cProfile

        with cProfile.Profile() as profile:
            found = measure(Path(rest[0]), int(rest[1]), int(rest[2]))
        profile.dump_stats(f"{os.environ['ZWGK_BENCH_PROFILE']}-{rest[1]}.prof")
    else:
        found = measure(Path(rest[0]), int(rest[1]), int(rest[2]))
    print(json.dumps(found))
    return 0


def make_archive(db: Path, sizes: list[int]) -> dict[str, int]:
    """The demo archive plus one reviewed 低保 list of each size (the tests' valid households)."""
    zwgk = Path(sys.executable).with_name("zwgk")
    subprocess.run([str(zwgk), "demo", "--db", str(db)], check=True, capture_output=True, env=os.environ)
    sys.path.insert(0, str(HERE / "tests"))
    from factories import assistance

    from zwgk_desktop.db import store
    from zwgk_desktop.db.engine import open_engine, session_factory

    engine = open_engine(str(db))
    found = {}
    for size in sizes:
        with session_factory(engine)() as session, session.begin():
            item = assistance(count=size, seed=7)
            item.title = f"{size} 户低保名单（基准）"
            found[str(size)] = store.save_item(session, item, store.find_village(session, "donggang"))
    engine.dispose()
    return found


def measure(db: Path, item_id: int, edits: int) -> dict[str, float]:
    import gc
    import random

    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from zwgk_desktop.render import fonts
    from zwgk_desktop.ui import app as desktop
    from zwgk_desktop.ui.main_window import MainWindow
    from zwgk_desktop.ui.workers import keep_gui_responsive

    qapp = QApplication.instance() or QApplication([])
    desktop.register_qt_font()
    fonts.register()
    window = MainWindow(desktop.open_archive(str(db)))
    window.resize(1366, 768)
    window.show()
    gc.collect()
    gc.freeze()  # as the app does once its window is up
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

    def until(done, signals, timeout_ms: int = 120_000) -> None:  # type: ignore[no-untyped-def]
        """Run the event loop until `done()` holds, checking each time one of `signals` fires."""
        loop = QEventLoop()

        def check(*_: object) -> None:
            if done():
                loop.quit()

        for signal in signals:
            signal.connect(check)
        poll = QTimer(interval=20)  # and now and then: a state reached without a signal
        poll.timeout.connect(check)
        poll.start()
        QTimer.singleShot(timeout_ms, loop.quit)
        QTimer.singleShot(0, check)
        loop.exec()
        poll.stop()
        for signal in signals:
            signal.disconnect(check)

    def trace(what: str) -> None:
        if os.environ.get("ZWGK_BENCH_TRACE"):
            print(f"  {what} (at {clock.nsecsElapsed() / 1e6:.0f} ms)", file=sys.stderr)

    def start_watch() -> float:
        gaps.clear()
        clock.start()
        last[0] = 0.0
        ticker.start()
        return time.perf_counter()

    def stop_watch() -> float:
        ticker.stop()
        return max(gaps, default=0.0)

    # Idle for a moment, as a clerk's window is before an item is chosen (the preview's process starts).
    until(lambda: False, [], 3000)
    figures: dict[str, float] = {}
    trace("open")
    started = start_watch()
    node = window.navigator.find_item(item_id)
    QTimer.singleShot(0, lambda: window.navigator.setCurrentItem(node))
    # The first sheet on screen (a program without `shown` shows the whole PDF or nothing) ...
    shown = getattr(window.preview, "shown", window.preview.rendered)
    until(lambda: window.preview.sheet_count > 0, [shown])
    figures["open_s"] = time.perf_counter() - started
    trace(f"  first sheet shown after {figures['open_s']:.2f} s")
    # ... and the editor ready with the whole preview (what printing needs).
    until(lambda: window.editor is not None and window._opening is None and window._preview_is_current(),
          [window.preview.rendered, window.saved])
    figures["open_whole_s"] = time.perf_counter() - started
    qapp.processEvents()  # the sheet painted
    figures["open_stall_ms"] = stop_watch()

    editor = window.editor
    assert editor is not None
    column = next(c for c, f in enumerate(editor.model.fields) if f.key == "monthly_amount")
    rng = random.Random(1)
    seconds, stall = [], 0.0
    for n in range(edits):
        saved_before = editor.state.saved
        trace(f"edit {n + 1}")
        started = start_watch()
        row = rng.randrange(editor.model.rowCount())
        amount = f"{300 + n}.00" if editor.model.text(row, column) != f"{300 + n}.00" else "299.00"
        editor.model.setData(editor.model.index(row, column), amount)
        # The first edit of a reviewed list also sends it back to draft: a revision more, the same preview.
        until(lambda: window.preview.rendered_tag == (item_id, editor.revision), [window.preview.rendered])
        seconds.append(time.perf_counter() - started)
        qapp.processEvents()
        trace(f"  preview shown after {seconds[-1]:.2f} s")
        until(lambda: editor.state.saved > saved_before, [window.saved])  # noqa: B023 - used at once
        trace("  saved")
        stall = max(stall, stop_watch())
    figures["edit_s"] = statistics.median(seconds)
    figures["edit_worst_s"] = max(seconds)
    figures["edit_stall_ms"] = stall
    window.close()
    qapp.processEvents()
    return figures


if __name__ == "__main__":
    sys.exit(main())
