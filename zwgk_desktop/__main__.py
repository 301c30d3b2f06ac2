"""`python -m zwgk_desktop` starts the desktop app."""

import sys

from zwgk_desktop.launch import desktop

if __name__ == "__main__":
    sys.exit(desktop())
