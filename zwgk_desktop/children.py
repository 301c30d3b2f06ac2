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
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

# What a child says when it ends because its parent did (seen only by whoever waits for it).
ORPHANED = 70


def process_pool(workers: int, initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """Worker processes started with `spawn` (no inherited connections or Qt threads, the same on
    every system), each ending when this process ends; `initializer` then runs in each."""
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_child, initargs=(initializer,))


def _start_child(then: Callable[[], None] | None) -> None:
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
