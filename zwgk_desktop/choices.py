"""The ways out a message offers (print the board another way), worded for where it is shown.

A refusal is written once, in the domain or the render code, naming the way out as the app names
it ("可改用“A4 两张拼一张”"): that is what the clerk reads in the app, which knows no options. The
CLI shows the same message with the option that takes that way (`for_cli`: "“A4 两张拼一张”（--paper
A4，不加 --fit）"), so a message never tells a clerk in the app to type an option, nor leaves
someone at the command line guessing which option a choice is.
"""

from __future__ import annotations

import re

TILED = "“A4 两张拼一张”"  # each A3 sheet at 100 % on two A4 halves
EDITION = "“A4 版式”"  # the format's A4 edition
A3 = "“A3”"  # the sheets as the format sets them
BASE_URL = "在“设置”中填写网上公开地址"  # where the QR codes lead

# How the CLI says each: the choice with its option, or the command that does it.
_CLI_WORDS = {
    TILED: f"{TILED}（--paper A4，不加 --fit）",
    EDITION: f"{EDITION}（--paper A4 --fit）",
    A3: f"{A3}（--paper A3）",
    BASE_URL: "运行 zwgk init --base-url https://… 设置网上公开地址（或在 render 时加 --base-url）",
}
# A choice's name not already followed by its option (a message worded twice stays as it is).
_NAMED = re.compile("|".join(f"{re.escape(name)}(?!（--)" for name in _CLI_WORDS))


def for_cli(text: str) -> str:
    """A message as the CLI says it: each choice named with its option."""
    return _NAMED.sub(lambda found: _CLI_WORDS[found.group(0)], text)
