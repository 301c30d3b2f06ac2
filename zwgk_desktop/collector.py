"""Python's collector of reference cycles, paused for work that makes a great many objects and no
garbage in cycles: a command's modules loaded when it runs (SQLAlchemy and the models, as `launch`
pauses it for those loaded at start), and a long list read and stored (a million cells, rows and
dictionaries, freed as they are dropped; each of the collector's rounds over all of them, triggered
by their number alone, cost a fifth of an import of 100,000 rows)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector paused for the block, then restored as it was (a caller's own pause is kept)."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
