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
from zwgk_desktop.domain.category_file import _Alike, category_from_toml
from zwgk_desktop.domain.items import DRAFT, Item, Report
from zwgk_desktop.domain.periods import Quarter

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


# -- the checks ------------------------------------------------------------------------------

def _old_unique(keys: list[str], distinct: list[str], told: tuple[str, str], message: str, is_error: bool,
                rows: list[dict[str, Any]]) -> Report:
    """The `unique` rule's check as it was (an `_Alike` for every key), the reference."""
    report = Report()
    tell = report.error if is_error else report.warn
    label, told_key = told

    def differ(one: dict[str, Any], other: dict[str, Any]) -> bool:
        return any(one.get(k) is not None and other.get(k) is not None and one.get(k) != other.get(k)
                   for k in distinct)

    def same_as(row: dict[str, Any], earlier: _Alike) -> int | None:
        values = tuple(row.get(k) for k in distinct)
        if None in values:
            return next((n for n in earlier.rows if not differ(rows[n - 1], row)), None)
        found = [n for n in (earlier.by_values.get(values),) if n is not None]
        found += [n for n in earlier.lacking if not differ(rows[n - 1], row)][:1]
        return min(found, default=None)

    if not distinct:
        first: dict[tuple[Any, ...], int] = {}
        for number, row in enumerate(rows, start=1):
            key = tuple(row.get(k) for k in keys)
            if all(v is None for v in key):
                continue
            if key in first:
                tell(message.format(label=label, value=row.get(told_key), other=first[key]),
                     row=number, field=label, other_row=first[key])
            first.setdefault(key, number)
        return report
    seen: dict[tuple[Any, ...], _Alike] = {}
    for number, row in enumerate(rows, start=1):
        key = tuple(row.get(k) for k in keys)
        if all(v is None for v in key):
            continue
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = earlier = _Alike()
            same = None
        else:
            same = same_as(row, earlier)
        if same is not None:
            tell(message.format(label=label, value=row.get(told_key), other=same),
                 row=number, field=label, other_row=same)
        earlier.add(number, tuple(row.get(k) for k in distinct))
    return report


UNIQUE = """code = "upkeep"
name = "维修"
[[row_fields]]
key = "a"
label = "甲"
type = "text"
required = false
[[row_fields]]
key = "b"
label = "乙"
type = "text"
required = false
[[row_fields]]
key = "c"
label = "丙"
type = "text"
required = false
[[rules]]
rule = "unique"
fields = {fields}
level = "{level}"
message = "{{label}} {{value}} 与第{{other}}行重复"
"""

few = st.one_of(st.none(), st.sampled_from(["甲", "乙", "1", ""]), st.just(1), st.just(1.0), st.just(True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), level=st.sampled_from(["error", "warning"]))
def test_the_unique_rule_finds_what_it_found(data: st.DataObject, level: str) -> None:
    """Over rows of few values (many alike, some lacking values, 1 and 1.0 and True alike), with
    and without `unless_differ`: the same findings, in the same order, with the same words."""
    keys = data.draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True))
    distinct = data.draw(st.lists(st.sampled_from([k for k in "abc" if k not in keys] or ["a"]), max_size=2,
                                  unique=True)) if len(keys) < 3 else []
    text = UNIQUE.format(fields=json.dumps(keys), level=level)
    if distinct:
        text += f"unless_differ = {json.dumps(distinct)}\n"
    schema = category_from_toml(text, "upkeep.category.toml")
    rows = data.draw(st.lists(st.fixed_dictionaries({}, optional={k: few for k in "abc"}), max_size=30))
    item = Item(category="upkeep", period=Quarter(2026, 3), title="t", rows=rows)
    found = Report()
    schema.rules(item, found)
    labels = {"a": "甲", "b": "乙", "c": "丙"}
    expected = _old_unique(keys, distinct, (labels[keys[-1]], keys[-1]), "{label} {value} 与第{other}行重复",
                           level == "error", rows)
    assert (found.errors, found.warnings) == (expected.errors, expected.warnings)


@settings(max_examples=100, deadline=None)
@given(moved=st.lists(st.tuples(st.integers(0, 2), st.dates(date(2026, 5, 1), date(2026, 11, 30))), max_size=6),
       order=st.permutations([0, 1, 2, 0, 1, 2]))
def test_row_rules_in_one_scratch_report_find_each_rows_own(moved: list[tuple[int, date]], order: list[int]) -> None:
    """The rules for one row run in one scratch report for all rows (`_row_rule_findings`): each
    row's findings are what a report of its own gets (a ledger line dated outside the quarter is
    told on it, and on no other line)."""
    item = finance()
    for index, day in moved:
        item.rows[index]["date"] = day
    schema = category("finance")
    scratch = Report()
    for index in order:
        row = item.rows[index]
        assert items._row_rule_findings(schema, item, row, scratch) == items._row_rule_findings(schema, item, row)
        assert scratch == Report()
    outside = finance()
    outside.rows[1]["date"] = date(2026, 10, 5)
    assert [bool(items._row_rule_findings(schema, outside, row, scratch)) for row in outside.rows] == [
        False, True, False]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), code=st.sampled_from(sorted(CATEGORIES)))
def test_rows_json_texts_are_json_dumps_of_the_stored_rows(data: st.DataObject, code: str) -> None:
    """Rows as made (every key, in order), with keys missing, extra, reordered, dates and odd
    values: the text is `json.dumps` of what `_rows_json` keeps of the row."""
    fields = CATEGORIES[code].row_fields
    keys = [f.key for f in fields]
    value = st.one_of(cells, st.datetimes(), st.lists(st.integers(), max_size=2))
    whole = st.fixed_dictionaries({key: value for key in keys})
    some = st.dictionaries(st.sampled_from([*keys, "extra"]), value, max_size=len(keys) + 1)
    rows = data.draw(st.lists(st.one_of(whole, some), max_size=8))
    assert store._rows_json_texts(fields, rows) == [json.dumps(d) for d in store._rows_json(fields, rows)]


def _old_digest(item: Item, schema: Any) -> str:
    import hashlib

    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_tagged).encode
    own = [item.category, str(item.period), item.title, item.disclosure, item.publicity_start,
           item.publicity_end, item.status, item.clerk, item.reviewer, item.reviewed_on, item.supersedes,
           item.correction_reason, [[f.key, item.fields.get(f.key)] for f in schema.item_fields]]
    if item.month is not None:
        own.append(str(item.month))
    keys = [f.key for f in schema.row_fields]
    digest = hashlib.sha256(encode([own, keys]).encode("utf-8"))
    for row in item.rows:
        digest.update(b"\n" + encode([row.get(key) for key in keys]).encode("utf-8"))
    return digest.hexdigest()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), code=st.sampled_from(sorted(CATEGORIES)))
def test_the_content_digest_is_as_before(data: st.DataObject, code: str) -> None:
    """The digest kept with every checked item (and compared when it is opened) is unchanged."""
    schema = CATEGORIES[code]
    keys = [f.key for f in schema.row_fields]
    value = st.one_of(cells, st.datetimes(), st.lists(st.integers(), max_size=2))
    rows = data.draw(st.lists(st.one_of(st.fixed_dictionaries({key: value for key in keys}),
                                        st.dictionaries(st.sampled_from(keys), value)), max_size=6))
    item = Item(category=code, period=Quarter(2026, 3), title=data.draw(st.text(max_size=8)), rows=rows,
                fields=data.draw(st.fixed_dictionaries({}, optional={f.key: value for f in schema.item_fields})))
    assert items.content_digest(item, schema) == _old_digest(item, schema)


def test_the_archives_warnings_name_this_villages_list_and_a_list_imported_twice(demo_copy: Any,
                                                                                 tmp_path: Any) -> None:
    """A household already on a list of the village is told with that list's number and title, on
    its row; the very same list again is told once, as imported twice (its rows not each)."""
    from zwgk_desktop.io.importer import archive_warnings, plan_import
    from zwgk_desktop.io.workbook import write_workbook

    engine = open_engine(str(demo_copy))
    try:
        with session_factory(engine)() as session:
            village = session.scalars(select(Village).where(Village.code == "donggang")).one()
            item_id = session.scalar(text("SELECT id FROM disclosure_item WHERE village_id = :v AND period = '2026Q3' "
                                          "AND category = 'assistance' AND supersedes_id IS NULL"), {"v": village.id})
            ours, _ = store.load_item(session, int(item_id))
            number = store.number_of(session, int(item_id))
            partly = assistance(3, seed=99)
            partly.rows[1:2] = [dict(ours.rows[0]), dict(ours.rows[2])]
            path = tmp_path / "partly.xlsx"
            write_workbook("assistance", path, partly)
            plan = plan_import(path, "assistance", Quarter(2026, 3))
            found = archive_warnings(session, plan, village)
            assert [(p.item_row, p.message) for p in found] == [
                (2, f"此人已在本村的事项 {number}“{ours.title}”中，请核对是否重复享受"),
                (3, f"此人已在本村的事项 {number}“{ours.title}”中，请核对是否重复享受")]
            assert [p.row for p in found] == [plan.source_rows[1], plan.source_rows[2]]
            again = tmp_path / "again.xlsx"
            write_workbook("assistance", again, ours)
            twice = archive_warnings(session, plan_import(again, "assistance", Quarter(2026, 3)), village)
            assert [p.message for p in twice] == [f"与已有的事项 {number}“{ours.title}”的明细完全相同："
                                                  "是不是同一个文件导入了两次？"]
    finally:
        engine.dispose()
