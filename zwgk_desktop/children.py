"""The programs' child processes (the preview's renderer, batch printing's workers): started one
way everywhere, and ending when the program that started them ends, however it ends.

A child of a `ProcessPoolExecutor` waits for work on a queue whose writing end it holds itself,
so it never notices that its parent is gone: the app killed by a logout or `kill` left its
renderer (and multiprocessing's resource tracker, which waits for every holder of its pipe) running
for good. So each child watches its parent from its first moment: `multiprocessing`'s own sentinel
for the parent becomes ready when the parent ends (on POSIX the far end of a pipe only the parent
holds closes; on Windows it is the parent's process handle, signalled when the process exits, even
by TerminateProcess), and the child then leaves at once.

This is preferred over Linux's PR_SET_PDEATHSIG, which fires when the *thread* that started the
child ends (the app starts batch workers from a pool thread that Qt retires when idle), and over a
Windows job object, which would also take down what the app opens for the user (a PDF viewer).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

# What a child says when it ends because its parent did (seen only by whoever waits for it).
ORPHANED = 70


def process_pool(workers: int, initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """Worker processes started with `spawn` (no inherited connections or Qt threads, the same on
    every system), each ending when this process ends; `initializer` then runs in each."""
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_child, initargs=(initializer,))


# The signals that end a program: Ctrl-C, `kill`, a closed terminal.
_ENDING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def starting_children() -> Iterator[None]:
    """Hold back the signals that end the program while children are being started (around the
    `submit`s that start them), and deliver them right after.

    A spawned child first reads its start-up data from a pipe; a SIGTERM or Ctrl-C that cut the
    parent short in the middle of writing it left the child reading half of it, and it printed
    Python's traceback ("EOFError: Ran out of input") on the clerk's terminal. Held back, the
    signal arrives when every child has what it needs, and the program stops as it should.
    (Only on the main thread of a system that has signal masks; a child unmasks them first thing.)
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _ENDING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _start_child(then: Callable[[], None] | None) -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _ENDING)  # a child inherits the mask it was started under
    end_with_parent()
    if then is not None:
        then()


def end_with_parent() -> None:
    """In a child started by multiprocessing: leave as soon as the parent has gone."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    threading.Thread(target=_watch, args=(parent,), name="zwgk-parent-watch", daemon=True).start()


def _watch(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns once the parent's sentinel is ready: the parent has ended
    os._exit(ORPHANED)  # at once: nobody is left to take a result, and nothing here needs saving
