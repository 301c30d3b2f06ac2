"""The app proving it works where no one watches: a packaged build's smoke test
(packaging/build.py) starts the frozen app with `ZWGK_SELF_CHECK=FILE.png`; the window opens the
first item it lists, waits for the preview of its first sheet, saves a picture of the window to
FILE.png and of the preview alone beside it (FILE-sheet.png), prints where, and closes.

In the environment only (no command-line option a clerk would meet); nothing is changed in the
archive (the item is opened, never saved).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

if TYPE_CHECKING:
    from zwgk_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)
ENVIRONMENT = "ZWGK_SELF_CHECK"
# However long a first render takes on a slow machine, the check ends rather than hang a build.
GIVE_UP_MS = 120_000


def requested() -> Path | None:
    named = os.environ.get(ENVIRONMENT)
    return Path(named) if named else None


def sheet_picture(picture: Path) -> Path:
    return picture.with_name(f"{picture.stem}-sheet{picture.suffix}")


def start(window: MainWindow, picture: Path) -> None:
    """Open the first listed item in `window`; once its preview is on screen, take the pictures."""
    listing = window._listed
    if listing is None or not listing.items:
        _end(window, "自检失败：档案中没有事项（请先运行 zwgk demo）", 1)
        return

    def shown(_result: object) -> None:
        window.preview.rendered.disconnect(shown)
        QTimer.singleShot(200, take)  # the page drawn into the view (its next paint)

    def take() -> None:
        picture.parent.mkdir(parents=True, exist_ok=True)
        if not (window.grab().save(str(picture)) and window.preview.grab().save(str(sheet_picture(picture)))):
            _end(window, f"自检失败：无法写入 {picture}", 1)
            return
        _end(window, f"self-check: {picture} {window.preview.sheet_count} sheet(s)", 0)

    def failed(message: str) -> None:
        _end(window, f"自检失败：预览出错：{message}", 1)

    window.preview.rendered.connect(shown)
    window.preview.failed.connect(failed)
    QTimer.singleShot(GIVE_UP_MS, lambda: _end(window, "自检失败：预览一直没有出现", 1))
    node = window.navigator.find_item(listing.items[0].id)
    if node is None:
        _end(window, "自检失败：左侧列表中找不到第一个事项", 1)
        return
    window.navigator.setCurrentItem(node)


_ended: list[int] = []


def _end(window: MainWindow, words: str, code: int) -> None:
    if _ended:
        return
    _ended.append(code)
    print(words, file=sys.stdout if code == 0 else sys.stderr, flush=True)
    log.info("self-check ended (%s): %s", code, words)
    window.close()


def exit_code() -> int:
    """What the check found: 0 when the pictures were taken (the app's own exit code otherwise)."""
    return _ended[0] if _ended else 0
