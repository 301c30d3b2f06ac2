"""What of an item goes into the search index: its title and the public text of its rows.

Only fields a category marks public are indexed; full IDs, phones and accounts never are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.fields import Kind

_TEXT_KINDS = (Kind.TEXT, Kind.LONGTEXT, Kind.NAME, Kind.CONTACT, Kind.CHOICE)


def entries_for(category: str, title: str, rows: Sequence[dict[str, Any]],
                fields: dict[str, Any] | None = None) -> list[tuple[int, str]]:
    """(seq, text) pairs: seq 0 is the item itself (title and its own text fields), then each row."""
    schema = CATEGORIES.get(category)
    if schema is None:
        return [(0, title)]
    own = [title] + [str(fields.get(f.key)) for f in schema.item_fields
                     if fields and f.public and f.kind in _TEXT_KINDS and fields.get(f.key)]
    entries = [(0, " ".join(own))]
    searchable = [f.key for f in schema.row_fields if f.public and f.kind in _TEXT_KINDS]
    for seq, row in enumerate(rows, start=1):
        text = " ".join(str(row[key]) for key in searchable if row.get(key))
        if text:
            entries.append((seq, text))
    return entries
