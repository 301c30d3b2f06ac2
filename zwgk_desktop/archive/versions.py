"""What a correction replaces: for each correction among some items, the sealed version it
corrects, as the public knew it (its content, its 验证码, the names it listed). The board, the
online copy and the seal all print a 更正公告 from it."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from zwgk_desktop.db import store
from zwgk_desktop.domain.items import Category, Item
from zwgk_desktop.domain.place import Place
from zwgk_desktop.render.correction import Previous, code_of
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.public import build_public_item, listed_names


def previous_versions(session: Session, items: list[Item], layouts: LayoutSet, place: Place,
                      categories: Mapping[str, Category] | None = None) -> dict[int, Previous]:
    """For each correction among `items`, the sealed version it replaces, as the public knows it
    (with `categories`, the definitions a seal recorded, where they are not today's)."""
    found = {}
    for item in items:
        if item.supersedes is None or item.id is None:
            continue
        sealed = store.sealed_content(session, item.supersedes)
        if sealed is None:
            continue
        earlier, _ = store.load_item(session, item.supersedes)
        if earlier.supersedes is None:
            content = sealed  # its sheet showed its own content
        else:
            # An earlier correction was sealed as its notice; what it made the item say is its own content.
            own = build_public_item(earlier, layouts.for_category(earlier.category), place,
                                    schema=(categories or {}).get(earlier.category))
            content = own.canonical_json().decode("utf-8")
        names = listed_names(earlier, layouts.for_category(earlier.category))
        found[item.id] = Previous(content, code_of(sealed), names)
    return found
