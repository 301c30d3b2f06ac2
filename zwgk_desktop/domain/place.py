"""Where an item belongs and whom to ask about it: a plain value the store hands out and every
output (the board, the online copy, the archive) prints beside the item."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """Where an item belongs and whom to ask: what the board shows besides the item itself."""

    township: str
    village: str
    village_code: str
    base_url: str = ""
    # (who, number) pairs printed as 监督电话, e.g. ("村务监督委员会", "0371-6xxxxxxx").
    supervision_phones: tuple[tuple[str, str], ...] = ()
