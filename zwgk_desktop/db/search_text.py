"""What of an item goes into the search index: its title and the public text of its rows.

Only fields a category marks public are indexed; full IDs, phones and accounts never are.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import text

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
        text = " ".join([value if type(value) is str else str(value)
                         for value in [row.get(key) for key in searchable] if value])
        if text:
            entries.append((seq, text))
    return entries


def pairs(text: str) -> str:
    """Every two neighbouring characters of each word, as tokens: 王卫东 → "王卫 卫东".

    Trigrams cannot find a two-character word (a given name, 水泥, 电费) without reading every
    line; a second index of character pairs can.
    """
    return " ".join([_pairs_of(word) for word in _WORD.findall(text.lower())])


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1 << 16)
def _pairs_of(word: str) -> str:
    """A word's pairs (the word itself when it is one character): made once for each word, as a
    list repeats its words (组, 农村低保, the common names) on thousands of lines."""
    return " ".join(map(operator.add, word, word[1:])) if len(word) > 1 else word


def write_entries(connection: Any, item_id: int, entries: list[tuple[int, str]]) -> None:
    """Replace an item's entries in the search index (and, on SQLite, in the pairs index)."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.execute(text("DELETE FROM search_pairs WHERE rowid IN "
                                "(SELECT rowid FROM search_index WHERE item_id = :i)"), {"i": item_id})
    connection.execute(text("DELETE FROM search_index WHERE item_id = :i"), {"i": item_id})
    if not entries:
        return
    # The entries go to the driver as they are, one statement run for every entry: through
    # SQLAlchemy's own parameters, 10,000 entries cost more than the index itself.
    if not sqlite:
        connection.exec_driver_sql("INSERT INTO search_index (text, item_id, seq) VALUES (%s, %s, %s)",
                                   [(body, item_id, seq) for seq, body in entries])
        return
    # Both indexes share rowids, so a match in either leads to the same entry.
    first = connection.execute(text("SELECT coalesce(max(rowid), 0) + 1 FROM search_index")).scalar()
    connection.exec_driver_sql("INSERT INTO search_index (rowid, text, item_id, seq) VALUES (?, ?, ?, ?)",
                               [(first + n, body, item_id, seq) for n, (seq, body) in enumerate(entries)])
    connection.exec_driver_sql("INSERT INTO search_pairs (rowid, text) VALUES (?, ?)",
                               [(first + n, pairs(body)) for n, (_, body) in enumerate(entries)])
