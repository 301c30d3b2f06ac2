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
