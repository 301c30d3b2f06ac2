"""Running long work (render, save, print) off the GUI thread, with results delivered back on it.

One helper for the whole app, in the spirit of Anki's CollectionOp and Picard's run_task: call
`run_in_background(fn, on_done, on_error)`. Long jobs that must be cancellable go step by step
(printing renders one page per task); tests can wait on the returned task's signals.
"""

from __future__ import annotations

import logging
import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from zwgk_desktop.children import process_pool
from zwgk_desktop.logfile import log_failure

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()  # after done or failed


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()
        self.setAutoDelete(False)  # we keep a reference until finished; Qt must not delete it first

    def run(self) -> None:
        try:
            try:
                result = self.fn()
            except Exception as exc:  # delivered to the GUI thread, which decides how to tell the user
                if isinstance(exc, Cancelled):  # the person pressed 取消: nothing went wrong
                    log.info("background task cancelled")
                else:
                    log_failure(log, "background task", exc)
                self.signals.failed.emit(exc)
            else:
                self.signals.done.emit(result)
            self.signals.finished.emit()
        except RuntimeError:
            pass  # the app is closing and the receiver is gone: nobody is waiting for this result


_running: set[Task] = set()


class Cancelled(Exception):
    """The person pressed 取消; the work stops at its next step."""


class Progress(QObject):
    """How far a background task has got, told from its thread and shown on the GUI thread.

    Made on the GUI thread, so every `moved` emitted by the worker is queued to the window. The
    worker calls `report` between steps; once `cancel` was called, `report` stops the work.
    """

    moved = Signal(int, int)  # done, total

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        """取消 was pressed, or the app is ending (a SIGTERM, say): then every job stops at its next step."""
        return self._cancelled or _ending.is_set()

    def cancel(self) -> None:
        self._cancelled = True

    def report(self, done: int, total: int) -> None:
        if self.cancelled:
            raise Cancelled()
        self.moved.emit(done, total)

# Painting calls back into Python (a table model's data(), for instance) once per cell, and each
# call must take the GIL from a worker that is rendering. With Python's default 5 ms switch
# interval every hand-over can cost 5 ms, and a repaint of a few hundred cells stalls the window.
# A shorter interval keeps the window responsive at a small cost to the worker's throughput.
GUI_SWITCH_INTERVAL = 0.0005


def keep_gui_responsive() -> None:
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None,
                      pool: QThreadPool | None = None) -> Task:
    """Run `fn()` in the thread pool; callbacks run on the GUI thread.

    The signals object is created here, on the GUI thread, so Qt queues every emission from the
    worker back to the GUI thread's event loop.
    """
    task = Task(fn)
    signals = task.signals
    if on_done is not None:
        signals.done.connect(on_done)
    if on_error is not None:
        signals.failed.connect(on_error)
    _running.add(task)
    signals.finished.connect(lambda: _running.discard(task))
    (pool or QThreadPool.globalInstance()).start(task)
    return task


def wait_for_all(msecs: int = 30000) -> bool:
    """Let running tasks finish (at exit, and in tests)."""
    return QThreadPool.globalInstance().waitForDone(msecs)


class _Relay(QObject):
    """Carries a finished future's outcome from the executor's thread to the GUI thread."""

    finished = Signal(object, object, object)  # future, on_done, on_error


class ProcessRunner(QObject):
    """Runs CPU-heavy work (rendering) in one separate, long-lived process.

    A thread would share the GIL with the window: every repaint calls back into Python (a table
    model's data()) and would wait for the renderer each time. A process has its own interpreter,
    so the window never waits for a render. The process is started once (with `spawn`, which is
    safe beside Qt's threads and is what Windows does anyway) and reused.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = process_pool(1)
            _runners.add(self)
        return self._executor

    def warm_up(self, fn: Callable[..., Any]) -> None:
        """Start the process now and let it import what `fn` needs, before the first real job."""
        self._pool().submit(fn)

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None]) -> Future[Any]:
        try:
            future = self._pool().submit(fn, *args)
        except BrokenProcessPool:
            self._executor = None  # the process died (out of memory?): start a new one
            future = self._pool().submit(fn, *args)
        future.add_done_callback(lambda f: self._relay.finished.emit(f, on_done, on_error))
        return future

    def _on_finished(self, future: Future[Any], on_done: Callable[[Any], None],
                     on_error: Callable[[BaseException], None]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            on_done(future.result())
            return
        if isinstance(error, BrokenProcessPool):
            self._executor = None
        log_failure(log, "background process", error)
        on_error(error)

    def shutdown(self) -> None:
        """Drop queued jobs and stop the process; a render under way (a second or two for the
        longest lists) is allowed to finish, so the process ends cleanly."""
        _runners.discard(self)
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


# Every runner with a live process, for the app to stop them all on its way out (a window that
# was never closed, a SIGTERM): the processes would end with the app anyway (children.py), but
# a clean stop lets multiprocessing release what it holds.
_runners: weakref.WeakSet[ProcessRunner] = weakref.WeakSet()


_ending = threading.Event()


def stop_processes() -> None:
    """On the app's way out: cancellable jobs (batch printing, the online copy) stop at their next
    step, and every render process still running is stopped."""
    _ending.set()
    for runner in list(_runners):
        runner.shutdown()
