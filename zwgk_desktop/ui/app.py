"""Starting the desktop app: the bundled font, the crash handler, the archive, the first run."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEventLoop, QLibraryInfo, QSocketNotifier, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from zwgk_desktop import __version__, paths
from zwgk_desktop.errors import Blocked, ZwgkError
from zwgk_desktop.logfile import log_failure, log_to_file
from zwgk_desktop.office import setup
from zwgk_desktop.office.handle import DATABASE_ERRORS, Archive, database_fault
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import self_check
from zwgk_desktop.ui.dialogs import FirstRunDialog, show_error
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.workers import keep_gui_responsive, run_in_background, stop_processes

log = logging.getLogger("zwgk.app")
_STARTED = time.perf_counter()


def _add_font(path: Path) -> str:
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("the bundled font %s could not be registered", path)
        return ""
    return str(families[0])


# The window's font families in the order Qt tries them for each character (`app_font`).
_families: list[str] = []


def register_qt_font() -> str:
    """Register the bundled fonts with Qt and return the main family (the window's font)."""
    main = _add_font(paths.font_file())
    if not main:
        return ""
    # The fallbacks too (6 ms), so the editor and lists show a character the main font lacks in
    # the glyph the sheet prints, not a box: Qt takes a substitute family per character.
    han = _add_font(paths.fallback_font_file())
    sans = _add_font(paths.sans_font_file())
    if han:
        QFont.insertSubstitution(main, han)
    # The sans first: it holds only what the main font lacks or maps to an empty glyph (ǎ ǖ, ℃,
    # Ⅴ), and Qt takes each character from the first family whose cmap has it, so with the main
    # font first the editor would show ǎ blank where the sheet prints it in the sans.
    _families[:] = [family for family in (sans, main, han) if family]
    return main


def app_font(size: int = 10) -> QFont:
    """The window's font: the bundled families, each character from the one the sheet draws it in."""
    font = QFont()
    font.setFamilies(_families)
    font.setPointSize(size)
    return font


def install_crash_handler(log_path: Path | None) -> None:
    """An unexpected error shows a dialog and goes to the log, instead of a silent crash."""

    def handle(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if isinstance(error, ZwgkError):  # a refusal in words that no one caught: its words, no traceback
            log_failure(log, "action", error)
        else:
            log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, error, tb)))
        if QApplication.instance() is not None:
            show_error(QApplication.activeWindow(), "出错了", error, log_path)

    sys.excepthook = handle


def open_archive(db: str, layouts: Path | str | None = None) -> Archive:
    """Open (creating if need be) and upgrade the archive."""
    return setup.open_or_create(db, layouts)


def open_read_only(db: str, layouts: Path | str | None = None) -> Archive:
    """The auditor's view: the archive as it is, opened read-only by SQLite itself."""
    return Archive.open(db, read_only=True, layouts=layouts)


def open_sessions(db: str, *, read_only: bool, layouts: Path | str | None = None) -> Archive:
    """The archive, opened read-only or not. One that cannot be changed now (write-protected,
    in a read-only folder, in use by another program) is offered read-only: an auditor's stick
    opens for looking, printing and verifying, rather than not at all."""
    if read_only:
        return open_read_only(db, layouts)
    try:
        return open_archive(db, layouts)
    except Blocked as exc:
        answer = QMessageBox.question(None, "档案现在不能修改",
                                      f"{exc}\n\n要以只读方式打开吗？可以查看、打印和核验，不能修改。")
        if answer != QMessageBox.StandardButton.Yes:
            raise
    return open_read_only(db, layouts)


def first_run(archive: Archive) -> bool:
    """Offer to create the township or load the demo; False if the user closed the dialog."""
    if not setup.needs_first_run(archive):
        return True
    dialog = FirstRunDialog()
    while dialog.exec() == FirstRunDialog.DialogCode.Accepted:
        try:  # all of it, or nothing
            if dialog.choice == "demo":
                _waiting_for(lambda: setup.load_demo(archive))  # a few seconds of lists and ledgers
            else:
                setup.create_township(archive, dialog.township.text(), dialog.village_names())
        except ZwgkError as exc:  # a bad village code, say: the dialog stays, with what was typed
            QMessageBox.warning(dialog, "请改正后再建立", str(exc))
            continue
        return True
    return False


def _waiting_for(work: Callable[[], object]) -> object:
    """Run `work` in the background while Qt keeps painting (no window is up yet to stay responsive,
    but the screen should not freeze); its error is raised here."""
    loop = QEventLoop()
    outcome: dict[str, object] = {}

    def ended(key: str, value: object) -> None:
        outcome[key] = value
        loop.quit()

    run_in_background(work, on_done=lambda result: ended("done", result),
                      on_error=lambda error: ended("error", error))
    loop.exec()
    if isinstance(outcome.get("error"), BaseException):
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("done")


class _Ending:
    """Ends the app on SIGTERM (a logout, a shutdown, `kill`), SIGHUP (its terminal closed) and
    SIGINT (Ctrl-C in it) as closing the window does: the edit under way is saved, the render
    process is stopped, and the app leaves.

    A Python signal handler runs only when Python code does, and in Qt's event loop none may run
    for a long while: the signal is also written to a socket (`signal.set_wakeup_fd`) that Qt
    watches, which wakes the loop so the handler runs at once. Windows has no such signals (a
    logout ends the process, `taskkill /F` terminates it); there the render process still ends
    by itself as the app ends (zwgk_desktop/children.py).
    """

    SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.requested = False
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, app)
        self._notifier.activated.connect(self._drain)
        for name in self.SIGNALS:
            signal.signal(getattr(signal, name), self._on_signal)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._reader.recv(64)  # the handler itself has run by now, on this same thread

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("ending on signal %s", signal.Signals(signum).name)
        self.requested = True
        # Quit first: a question a closing window might ask (a save that failed) then returns at
        # once instead of waiting for a person who is logging out.
        self.app.quit()
        self.app.closeAllWindows()


def end_on_signals(app: QApplication) -> _Ending | None:
    """Let SIGTERM, SIGHUP and SIGINT end the app cleanly (POSIX; see `_Ending`)."""
    if os.name != "posix":
        return None
    return _Ending(app)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zwgk-desktop", description="村务公开栏桌面程序")
    parser.add_argument("--db", default=None,
                        help="档案数据库（默认：用户数据目录的 archive.sqlite3；环境变量 ZWGK_DB）")
    parser.add_argument("--layouts", default=None, help="版式目录（默认：随程序附带的标准格式）")
    parser.add_argument("--read-only", action="store_true",
                        help="只读打开（审计查看）：数据库以只读方式打开，任何内容都不能修改")
    parser.add_argument("--version", action="version", version=f"zwgk-desktop {__version__}")
    return parser


def speak_chinese(app: QApplication) -> QTranslator | None:
    """Qt's own words (the 是 / 否 / 取消 of a question, the file dialogs) in Chinese, from the
    translations shipped with PySide6; the machine's language does not matter."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load("qtbase_zh_CN", folder):
        log.warning("Qt's Chinese translation not found in %s", folder)
        return None
    app.installTranslator(translator)
    return translator


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the render process of a frozen (packaged) app
    args = build_parser().parse_args(argv)
    log_path = log_to_file()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setApplicationName("村务公开栏")
    speak_chinese(app)
    family = register_qt_font()
    if family:
        app.setFont(app_font(10))
    fonts.register()  # reportlab's copy, once, on this thread, before any worker renders
    keep_gui_responsive()
    install_crash_handler(log_path)
    ending = end_on_signals(app)
    try:
        return _run(app, args, log_path, ending)
    finally:
        stop_processes()  # whichever way the app leaves, no render process outlives it


def _run(app: QApplication, args: argparse.Namespace, log_path: Path | None, ending: _Ending | None) -> int:
    try:
        database = args.db or paths.default_db()
        archive = open_sessions(database, read_only=args.read_only, layouts=args.layouts)
        args.read_only = archive.read_only
        archive.layouts  # noqa: B018  (a bad formats folder is told now, before the window)
    except DATABASE_ERRORS as exc:  # locked by another program, a full disk …: in words if known
        told = database_fault(exc, database)
        if told is None:
            raise
        QMessageBox.critical(None, "无法打开档案", str(told))
        return told.exit_code
    except ZwgkError as exc:
        QMessageBox.critical(None, "无法打开档案", str(exc))
        return exc.exit_code
    if not args.read_only and not first_run(archive):
        return 0
    window = MainWindow(archive, log_path)
    window.show()
    if args.read_only:
        window.open_archive_browser()  # what an auditor came for
    # Everything made so far lives as long as the app: keep it out of the garbage collector's
    # full sweeps, which would otherwise pause the window now and then.
    gc.collect()
    gc.freeze()
    if os.environ.get("ZWGK_STARTUP_PROBE"):
        # For the start-up benchmark: report when the window is on screen, then quit.
        def probe() -> None:
            print(f"window shown after {time.perf_counter() - _STARTED:.3f} s", flush=True)
            window.close()

        QTimer.singleShot(0, probe)
    picture = self_check.requested()
    if picture is not None:  # a packaged build's smoke test (packaging/build.py)
        QTimer.singleShot(0, lambda: self_check.start(window, picture))
    if ending is not None and ending.requested:  # asked to end while starting: exec would forget it
        window.close()
        return 0
    code = int(app.exec())
    return self_check.exit_code() if picture is not None else code
