"""The log file in the user data folder, where bugs' details go instead of onto the screen."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from zwgk_desktop import paths
from zwgk_desktop.errors import ZwgkError


def log_to_file() -> Path | None:
    """Send log records to `zwgk.log` in the data folder, or in the system's temporary folder when
    that cannot be written; None if neither can (then nothing is logged, and nothing is shown)."""
    handler = None
    for place in (paths.log_file, lambda: Path(tempfile.gettempdir()) / "zwgk.log"):
        try:
            path = place()
            handler = logging.FileHandler(path, encoding="utf-8")
            break
        except (OSError, ZwgkError):  # the data folder is a file, or read-only
            continue
    root = logging.getLogger()
    if handler is None:
        root.addHandler(logging.NullHandler())  # else Python's last resort prints tracebacks on the screen
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def log_failure(log: logging.Logger, what: str, error: BaseException) -> None:
    """A failed task in the log: a refusal in words (a ZwgkError: the queue is gone, `lp` is
    missing, the margins are too thin) as one line with its words, since it is no bug and a
    traceback would bury the real ones; anything else, a bug, with its traceback."""
    if isinstance(error, ZwgkError):
        words = str(error).replace("\n", " / ")  # one line, its listed problems included
        log.warning("%s refused (%s): %s", what, type(error).__name__, words)
    else:
        log.error("%s failed", what, exc_info=(type(error), error, error.__traceback__))
