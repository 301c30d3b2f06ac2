"""The frozen programs' first lines (PyInstaller runs this file as `__main__` in both).

`zwgk` and `zwgk-desktop` are the same program under two names (packaging/zwgk.spec builds both
from one analysis, which halves the build): the name it was started by says which one it is.
"""

import multiprocessing
import sys
from pathlib import Path

if __name__ == "__main__":
    # First of all: a worker process (the preview's renderer, batch printing) is this same program
    # started again, and must become the worker here rather than read a command line.
    multiprocessing.freeze_support()
    from zwgk_desktop.launch import desktop, zwgk

    sys.exit(zwgk() if Path(sys.executable).stem.lower() == "zwgk" else desktop())
