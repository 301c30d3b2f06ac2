"""How the two programs start: the `zwgk` command and the desktop app (their entry points).

Both import a great deal before doing anything (SQLAlchemy, reportlab, Qt): a few hundred
thousand objects that live as long as the process. Python's garbage collector would scan them
again and again while importing, during the work and once more at exit, and find no garbage in
them: measured, a third of a 1,000-household `zwgk render` (benchmarks/bench_render.py). So the
imports run with the collector paused, what they made is frozen (`gc.freeze`: left out of every
later scan), and the collector runs as usual on what the work itself creates.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

Program = Callable[[], int]


def _start(load: Callable[[], Program]) -> int:
    gc.disable()
    try:
        program = load()
    except KeyboardInterrupt:  # Ctrl-C while starting: nothing was done yet
        print("已中断。", file=sys.stderr)
        return 3
    finally:
        gc.freeze()
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
