"""The log file in the user data folder, where bugs' details go instead of onto the screen."""

from __future__ import annotations

import logging
from pathlib import Path

from zwgk_desktop import paths


def log_to_file() -> Path | None:
    """Send log records to `zwgk.log`; None if the folder cannot be written (then nothing is logged)."""
    try:
        path = paths.log_file()
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path
