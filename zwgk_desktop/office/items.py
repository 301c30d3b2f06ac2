"""The items' use cases: find one by its printed number, make a new one, save an edited one, review
it (审核通过) or take the review back (退回草稿), delete it, and start or edit a correction (更正).

Both faces call these: the `zwgk` command (`review`, `edit`, `new`, `delete`, `correct`, …) and
the app's slots. Each refuses what the other refuses, in the same words.
"""

from __future__ import annotations

from zwgk_desktop.db import store
from zwgk_desktop.office.handle import Archive


def find_item(archive: Archive, number: int, village: str | None = None) -> int:
    """The database id of the item a person names by its number (the one on its sheets and in its
    URL, `--item N`); at the township, where villages' numbers repeat, with `--village V`."""
    with archive.reading() as session:
        return store.find_item(session, number, village).id
