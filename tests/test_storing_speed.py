"""Storing an import fast stores what the plain way stored: the JSON text of every row (as
SQLAlchemy's JSON column wrote it, `json.dumps`), the content digest, the search index's entries
and pairs, on both backends. The plain ways are kept here as the references."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import pytest
from factories import assistance, bids, finance, notice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import Village
from zwgk_desktop.db.search_text import _TEXT_KINDS, entries_for, pairs
from zwgk_desktop.domain import items, json_text
from zwgk_desktop.domain.categories import CATEGORIES, category
from zwgk_desktop.domain.items import DRAFT

# JSON values of every shape: texts over all of Unicode (lone surrogates too), whole numbers of
# any size, floats with NaN and infinities, and lists and dicts of them.
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(), st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=5)),
                      max_leaves=20)


@settings(max_examples=500, deadline=None)
@given(value=values)
def test_json_text_writes_what_json_dumps_writes(value: Any) -> None:
    assert json_text.dumps(value) == json.dumps(value)


def _tagged(value: Any) -> Any:
    return [type(value).__name__, value.isoformat() if isinstance(value, date) else repr(value)]


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(values, st.lists(st.one_of(scalars, st.dates(), st.datetimes(), st.sets(st.integers()),
                                                  st.complex_numbers()), max_size=8)))
def test_the_digests_encoder_writes_what_its_json_encoder_writes(value: Any) -> None:
    """The digest of an item's content (`content_digest`, kept with stored items and compared
    later) encodes its values as this JSONEncoder does, dates and odd values tagged."""
    reference = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_tagged)
    assert items._encode(value) == reference.encode(value)


def test_json_text_refuses_what_json_dumps_refuses() -> None:
    for bad in ({1j: 1}, [object()], {"a": {1, 2}}):
        with pytest.raises(TypeError):
            json.dumps(bad)
        with pytest.raises(TypeError):
            json_text.dumps(bad)
    assert json_text.dumps([1, 2]) == "[1, 2]"  # nothing left behind by a failed call


def _old_pairs(body: str) -> str:
    tokens = []
    for word in re.findall(r"\w+", body.lower()):
        tokens += [word[i : i + 2] for i in range(len(word) - 1)] or [word]
    return " ".join(tokens)


@settings(max_examples=500, deadline=None)
@given(body=st.one_of(st.text(), st.text(alphabet="王卫东农村低保 3组aB_·\u3000\u0301ǅİß")))
def test_pairs_are_as_before(body: str) -> None:
    assert pairs(body) == _old_pairs(body)


def _old_entries(code: str, title: str, rows: list[dict[str, Any]], fields: dict[str, Any]) -> list[tuple[int, str]]:
    schema = CATEGORIES[code]
    own = [title] + [str(fields.get(f.key)) for f in schema.item_fields
                     if fields and f.public and f.kind in _TEXT_KINDS and fields.get(f.key)]
    entries = [(0, " ".join(own))]
    searchable = [f.key for f in schema.row_fields if f.public and f.kind in _TEXT_KINDS]
    for seq, row in enumerate(rows, start=1):
        body = " ".join(str(row[key]) for key in searchable if row.get(key))
        if body:
            entries.append((seq, body))
    return entries


cells = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 10**6), st.booleans(), st.floats(),
                  st.dates(), st.sampled_from(["", " ", "0", "农村低保", "张三"]), st.just(0))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), code=st.sampled_from(sorted(CATEGORIES)))
def test_search_entries_are_as_before(data: st.DataObject, code: str) -> None:
    schema = CATEGORIES[code]
    keys = [f.key for f in schema.row_fields]
    rows = data.draw(st.lists(st.fixed_dictionaries({}, optional={key: cells for key in keys}), max_size=6))
    fields = data.draw(st.fixed_dictionaries({}, optional={f.key: cells for f in schema.item_fields}))
    title = data.draw(st.text(max_size=10))
    assert entries_for(code, title, rows, fields) == _old_entries(code, title, rows, fields)


def _stored_texts(session: Any, item_id: int) -> list[str]:
    cast = "data" if session.get_bind().dialect.name == "sqlite" else "data::text"
    return [r[0] for r in session.execute(text(f"SELECT {cast} FROM item_row WHERE item_id = :i ORDER BY seq"),
                                          {"i": item_id})]


@pytest.mark.parametrize("make", [assistance, finance, bids, notice], ids=lambda f: f.__name__)
def test_rows_are_stored_as_the_json_column_stored_them(demo_any: str, make: Any) -> None:
    """Each row's stored text is `json.dumps` of its values in the fields' order (dates as ISO
    text), as SQLAlchemy's JSON column wrote it; the rows read back as saved, and are found."""
    item = make()
    item.id, item.status, item.reviewer, item.reviewed_on = None, DRAFT, None, None
    schema = category(item.category)
    engine = open_engine(demo_any)
    try:
        with session_factory(engine)() as session, session.begin():
            village = session.scalars(select(Village).order_by(Village.id)).first()
            assert village is not None
            saved = item.snapshot()
            item_id = store.save_item(session, saved, village)
        with session_factory(engine)() as session:
            expected = [json.dumps({f.key: f.to_json(row.get(f.key)) for f in schema.row_fields})
                        for row in item.rows]
            assert _stored_texts(session, item_id) == expected
            loaded, _ = store.load_item(session, item_id)
            assert loaded.rows == [{f.key: row.get(f.key) for f in schema.row_fields} for row in item.rows]
            word = next((str(row[f.key]) for row in item.rows for f in schema.row_fields
                         if f.public and f.kind in _TEXT_KINDS and isinstance(row.get(f.key), str)
                         and len(row[f.key]) >= 3), item.title)  # (a notice's rows: its title)
            assert item_id in {hit.item_id for hit in store.search(session, word, limit=10_000)}
    finally:
        engine.dispose()


def test_a_date_in_a_row_is_stored_as_its_iso_text(tmp_path: Any) -> None:
    """(A row's date is the one value the store converts; datetimes are not dates of rows.)"""
    item = finance()
    assert any(isinstance(row.get("date"), date) and not isinstance(row.get("date"), datetime) for row in item.rows)
    rows = store._rows_json(category("finance").row_fields, item.rows)
    assert [row["date"] for row in rows] == [row["date"].isoformat() for row in item.rows]
