"""How the two programs start: the `zwgk` command and the desktop app (their entry points).

Both import a great deal before doing anything (SQLAlchemy, reportlab, Qt): a few hundred
thousand objects that live as long as the process. Python's garbage collector would scan them
again and again while importing, during the work and once more at exit, and find no garbage in
them: measured, a third of a 1,000-household `zwgk render` (benchmarks/bench_render.py). So the
imports run with the collector paused, what they made is frozen (`gc.freeze`: left out of every
later scan), and the collector runs as usual on what the work itself creates.

A command loads the heavy part of what it needs (SQLAlchemy and the database models, the PDF
machinery) only when it runs, so that `zwgk --help` need not wait for it and `zwgk import` can
begin reading its file first: those imports run inside `loading()`, which does the same.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Program = Callable[[], int]

# Whether this process was started here (an entry point), rather than a test or the app calling
# `cli.main`: only then is what was loaded frozen, since a frozen object is never freed.
_started = [False]


@contextmanager
def loading() -> Iterator[None]:
    """Modules imported with the collector paused (restored as it was); in a process started here,
    what they made is frozen afterwards, as at start."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _started[0]:
            gc.freeze()
        if paused:
            gc.enable()


def _start(load: Callable[[], Program]) -> int:
    _started[0] = True
    try:
        with loading():
            program = load()
    except KeyboardInterrupt:  # Ctrl-C while starting: nothing was done yet
        print("已中断。", file=sys.stderr)
        return 3
    finally:
        gc.enable()
    code = program()
    # Python sweeps the whole heap once more while exiting; what is left is about to be freed
    # with the process, so spare that sweep (files and the database are closed by now).
    gc.freeze()
    return code


def _cli() -> Program:
    from zwgk_desktop.cli import main

    return main


def _desktop() -> Program:
    from zwgk_desktop.ui.app import main

    return main


def zwgk() -> int:
    """The `zwgk` command."""
    return _start(_cli)


def desktop() -> int:
    """The desktop app (`zwgk-desktop`, `python -m zwgk_desktop`)."""
    return _start(_desktop)
