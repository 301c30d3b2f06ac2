"""The kept result of a check (domain/items.py): what it is keyed on, so it is trusted only while
the item and the checks are the same."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest

from zwgk_desktop.domain import items
from zwgk_desktop.domain.categories import CATEGORIES, new_item
from zwgk_desktop.domain.periods import Quarter


def test_a_row_missing_a_field_has_its_own_digest() -> None:
    """A row a draft left without some field (a blank the store never wrote) is digested as such,
    and differs from the same row with the field blank-but-present."""
    category = CATEGORIES["assistance"]
    item = new_item("assistance", Quarter(2026, 3))
    keys = [f.key for f in category.row_fields]
    item.rows = [{key: "" for key in keys}]
    full = items.content_digest(item, category)
    item.rows = [{key: "" for key in keys[1:]}]  # the first field missing altogether
    assert items.content_digest(item, category) != full
    item.rows[0][keys[0]] = date(2026, 7, 1)  # a value JSON has no form for: tagged with its type
    assert items.content_digest(item, category) not in (full,)


def test_the_rules_version_of_a_program_without_its_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """A frozen program has no source files to digest: its version stands for them, and the
    version still differs from the one made of the sources (so a kept result is checked again)."""
    from_sources = items.rules_version()
    items._rules_version.cache_clear()
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)
    try:
        frozen = items.rules_version()
    finally:
        monkeypatch.undo()
        items._rules_version.cache_clear()
    assert frozen.startswith(f"{items.RULES}-") and frozen != from_sources
    assert items.rules_version() == from_sources  # the sources' version is back once they are
