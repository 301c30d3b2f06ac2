"""What a seal proves from the file alone (issue 14, part 1): each seal records what made it, so
`verify` makes every item's public content again from its stored rows and compares it with the
sealed content, checks each sealed PDF prints that content's 验证码, and checks the seal's own
fields as what they are. Rows changed with every hash recomputed are caught; an honest archive
sealed before a pack update, a change of phone or name, or under the previous seal format still
verifies; no stored byte changed behind the app's back makes `verify` stop with exit 3."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ArchiveCache, run_zwgk, sqlite_copy
from factories import rehash_every_seal
from forgery import VillageKeys, rechain, restore_triggers
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from test_archive import LAYOUTS, seal, sessions
from test_corrections import _assistance_id, _correct

from zwgk_desktop.archive import seal as seal_module
from zwgk_desktop.archive.made_with import category_from_text, category_text, parse_made_with
from zwgk_desktop.archive.seal import chain_hash, payload_hash, seal_quarter, sha256, verify
from zwgk_desktop.archive.seal_fields import KNOWN_FORMATS, sealed_at_problem, sealed_by_problem
from zwgk_desktop.db import store
from zwgk_desktop.db.models import Seal, SealSource
from zwgk_desktop.domain.categories import ALL_CATEGORIES
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts


def _sealed_with_a_correction(db: Path) -> None:
    seal(db, "donggang", "2026Q1")
    seal(db, "donggang", "2026Q2")
    with sessions(db)() as session:
        first = _assistance_id(session)
    _correct(db, first)
    seal(db, "donggang", "2026Q2")


@pytest.fixture
def sealed(archive_cache: ArchiveCache, tmp_path: Path) -> Path:
    """东岗村 2026Q1 and 2026Q2 sealed, and a correction to its 2026Q2 低保 list sealed after."""
    return archive_cache.copy("proofs-with-correction", _sealed_with_a_correction, tmp_path / "sealed.sqlite3")


def _without_triggers(db: Path) -> sqlite3.Connection:
    raw = sqlite3.connect(db)
    for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        raw.execute(f'DROP TRIGGER "{name}"')
    return raw


def _problems(db: Path) -> list[str]:
    """What verify finds once the tamperer has put the triggers back (else it names them first)."""
    restore_triggers(db)
    with sessions(db)() as session:
        return [str(p) for p in verify(session)[1]]


def test_the_sealed_archive_verifies_and_records_what_made_it(sealed: Path) -> None:
    assert _problems(sealed) == []
    with sessions(sealed)() as session:
        # The village's key record (it records no format: it holds no items) first, then its seals.
        seals = list(session.scalars(select(Seal).where(Seal.kind != "key").order_by(Seal.id)))
        kept = {s.digest: s for s in session.scalars(select(SealSource))}
    assert [s.kind for s in seals] == ["quarter", "quarter", "correction"]
    for seal_row in seals:
        made = parse_made_with(seal_row.made_with)
        assert made.software and made.public_rules == 1 and made.checks
        assert made.place.village == "东岗村" and made.place.supervision_phones
        assert all(kept[d].kind == kind for d, kind in made.digests.items())  # every named text is kept
    assert "correction" in parse_made_with(seals[2].made_with).layouts
    finance = parse_made_with(seals[0].made_with).layouts["finance"]
    assert kept[finance].text == (standard_layouts_dir() / "finance.toml").read_text(encoding="utf-8")


def test_rows_changed_with_every_hash_recomputed_are_caught_and_named(sealed: Path, tmp_path: Path) -> None:
    raw = _without_triggers(sealed)
    item_id, seq, data = raw.execute(
        "SELECT item_id, seq, data FROM item_row WHERE json_extract(data, '$.monthly_amount') IS NOT NULL "
        "AND item_id IN (SELECT item_id FROM sealed_item) ORDER BY item_id, seq LIMIT 1").fetchone()
    changed = json.loads(data)
    changed["monthly_amount"] += 10000
    raw.execute("UPDATE item_row SET data = ? WHERE item_id = ? AND seq = ?", (json.dumps(changed), item_id, seq))
    raw.commit()
    raw.close()
    rehash_every_seal(sealed)
    problems = _problems(sealed)
    assert problems, "rows changed and every hash recomputed passed verify"
    assert all("与封存的公开内容不符" in p for p in problems), problems
    # Named: the item, and what a reader would find changed (the row and column, both amounts).
    assert any(f"第{seq}行" in p and "月保障金额" in p for p in problems), problems
    done = run_zwgk("verify", "--db", str(sealed), cwd=tmp_path)
    assert done.code == 1 and "与封存的公开内容不符" in done.out


def test_a_sheet_swapped_for_another_items_and_rehashed_is_caught(sealed: Path) -> None:
    raw = _without_triggers(sealed)
    (_, pdf), (second, _) = raw.execute(
        "SELECT id, pdf FROM sealed_item WHERE pdf IS NOT NULL ORDER BY id LIMIT 2").fetchall()
    raw.execute("UPDATE sealed_item SET pdf = ? WHERE id = ?", (pdf, second))
    raw.commit()
    raw.close()
    rehash_every_seal(sealed)
    problems = _problems(sealed)
    # Named by its printed code, or by its PDF properties' (PDF/A).
    assert len(problems) == 1 and "不是此事项的" in problems[0], problems


def test_what_a_seal_names_must_stay_in_the_archive(sealed: Path) -> None:
    raw = _without_triggers(sealed)
    raw.execute("DELETE FROM seal_source WHERE kind = 'layout'")
    raw.commit()
    raw.close()
    problems = _problems(sealed)
    assert problems and all("封存的依据被删除了" in p for p in problems)


def test_an_archive_sealed_before_a_pack_update_and_a_change_of_phone_and_name_still_verifies(
        demo_copy: Path, tmp_path: Path) -> None:
    formats = tmp_path / "formats"
    shutil.copytree(standard_layouts_dir(), formats)
    with sessions(demo_copy)() as session, session.begin():
        seal_quarter(session, load_layouts(formats), "donggang", Quarter(2026, 1), "王德明")
    # The township's formats change (a new title, another header), and so do the village's phone
    # and the township's name: the board printed after looks different, the sealed one verifies.
    finance = formats / "finance.toml"
    text = finance.read_text(encoding="utf-8")
    assert 'header = "摘要"' in text
    finance.write_text(text.replace('header = "摘要"', 'header = "收支摘要"'), encoding="utf-8")
    with sessions(demo_copy)() as session, session.begin():
        village = store.find_village(session, "donggang")
        village.supervision_phone = "0371-69999999"
        village.township.name = "青山乡"
    with sessions(demo_copy)() as session, session.begin():
        seal_quarter(session, load_layouts(formats), "donggang", Quarter(2026, 2), "王德明")
    assert _problems(demo_copy) == []
    with sessions(demo_copy)() as session:
        first, second = (parse_made_with(s.made_with)
                         for s in session.scalars(select(Seal).where(Seal.kind != "key").order_by(Seal.id)))
        sealed = [json.loads(j) for j in session.scalars(select(seal_module.SealedItem.canonical_json))]
    assert first.layouts["finance"] != second.layouts["finance"] and first.layouts["bids"] == second.layouts["bids"]
    assert first.place.township == "青山镇" and second.place.township == "青山乡"
    assert {s["township"] for s in sealed} == {"青山镇", "青山乡"}
    assert run_zwgk("verify", "--db", str(demo_copy), cwd=tmp_path).code == 0


def test_an_archive_sealed_in_the_previous_format_still_verifies_after_the_upgrade(
        demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(seal_module, "SEAL_FORMAT", 3)  # as the previous release sealed
        seal(demo_copy, "donggang", "2025Q4")
        seal(demo_copy, "liushuwan", "2025Q4")
    seal(demo_copy, "donggang", "2026Q1")
    with sqlite3.connect(demo_copy) as raw:
        assert raw.execute("SELECT format, made_with IS NULL FROM seal ORDER BY id").fetchall() == [
            (3, 1), (3, 1), (seal_module.SEAL_FORMAT, 1), (seal_module.SEAL_FORMAT, 0)]
        # the signed seal's key record first (it records no format)
    assert _problems(demo_copy) == []
    assert run_zwgk("verify", "--db", str(demo_copy), cwd=tmp_path).code == 0
    # A "what made it" written into a format-3 seal afterwards is named (its hash never covered one).
    raw = _without_triggers(demo_copy)
    made = raw.execute("SELECT made_with FROM seal WHERE format = ? AND kind = 'quarter'",
                       (seal_module.SEAL_FORMAT,)).fetchone()[0]
    raw.execute("UPDATE seal SET made_with = ? WHERE id = 1", (made,))
    raw.commit()
    raw.close()
    assert any("事后补写" in p for p in _problems(demo_copy))


def test_a_seal_made_by_a_newer_program_is_said_in_words(sealed: Path) -> None:
    raw = _without_triggers(sealed)
    # Seal 1 is the village's key record; 2 and 3 its first two quarters.
    made = json.loads(raw.execute("SELECT made_with FROM seal WHERE id = 2").fetchone()[0])
    made.update(public_rules=2, software="9.0.0")
    raw.execute("UPDATE seal SET made_with = ? WHERE id = 2",
                (json.dumps(made, ensure_ascii=False, sort_keys=True, separators=(",", ":")),))
    newer = seal_module.SEAL_FORMAT + 1
    raw.execute("UPDATE seal SET format = ? WHERE id = 3", (newer,))
    raw.commit()
    raw.close()
    _rehash_first_two(sealed)
    problems = _problems(sealed)
    assert any("较新版本的程序（9.0.0）" in p and "请升级本程序" in p for p in problems), problems
    assert any(f"封存格式 {newer} 比本程序认识的" in p for p in problems), problems


def _rehash_first_two(db: Path) -> None:
    """Recompute the chain where the format is one this program can (a newer one cannot be)."""
    with sessions(db)() as session, session.begin():
        previous = ""
        for seal_row in session.scalars(select(Seal).order_by(Seal.id)):
            if seal_row.format in KNOWN_FORMATS:
                seal_row.payload_hash = payload_hash(seal_row, "donggang", previous, list(seal_row.items))
            seal_row.chain_hash = previous = chain_hash(previous, seal_row.payload_hash)


def test_sealing_refuses_a_layout_file_changed_since_it_was_loaded(demo_copy: Path, tmp_path: Path) -> None:
    formats = tmp_path / "formats"
    shutil.copytree(standard_layouts_dir(), formats)
    layouts = load_layouts(formats)
    finance = formats / "finance.toml"
    finance.write_text(finance.read_text(encoding="utf-8").replace('header = "摘要"', 'header = "事由"'),
                       encoding="utf-8")
    with pytest.raises(BadInput, match="在载入之后被修改了"), sessions(demo_copy)() as session, session.begin():
        seal_quarter(session, layouts, "donggang", Quarter(2026, 1), "王德明")


def test_sealing_refuses_a_clock_earlier_than_the_last_seal_and_a_name_that_is_not_one(demo_copy: Path) -> None:
    from datetime import UTC, datetime

    seal(demo_copy, "donggang", "2026Q1")
    with pytest.raises(BadInput, match="早于东岗村上一次封存的时间"), \
            sessions(demo_copy)() as session, session.begin():
        seal_quarter(session, LAYOUTS, "donggang", Quarter(2026, 2), "王德明", now=datetime(2020, 1, 1, tzinfo=UTC))
    # The entry check every typed name passes (domain.items.entered) says what and where it is.
    with pytest.raises(BadInput, match="不可见的字符 U\\+200B（在“王”之后）"), sessions(demo_copy)() as session, \
            session.begin():
        seal_quarter(session, LAYOUTS, "donggang", Quarter(2026, 2), "王\u200b德明")


@pytest.mark.parametrize(("value", "ok"), [
    ("2026-10-08T02:30:00+00:00", True), ("2026-10-08T02:30:00+08:00", False), ("2026-10-08T02:30:00", False),
    ("2026-02-30T02:30:00+00:00", False), ("2026-10-08 02:30:00+00:00", False), ("", False), (None, False),
    (20261008, False), (b"2026-10-08T02:30:00+00:00", False), ("2026-10-08T02:30:00.5+00:00", False),
])
def test_sealed_at_is_a_moment_in_utc_as_sealing_writes_it(value: object, ok: bool) -> None:
    assert (sealed_at_problem(value) is None) is ok
    if ok:
        assert sealed_at_problem(value, "2026-10-08T02:30:01+00:00") is not None  # before the previous seal
        assert sealed_at_problem(value, "2026-10-08T02:30:00+00:00") is None  # the same second is in order


@given(st.text(max_size=60) | st.integers() | st.none() | st.binary(max_size=10))
def test_sealed_by_is_a_plain_name(value: object) -> None:
    reason = sealed_by_problem(value)
    plain = isinstance(value, str) and 0 < len(value) <= 40 and value == value.strip() and value.strip() \
        and value.isprintable()
    if plain:
        assert reason is None, (value, reason)
    elif isinstance(value, str) and value.strip() == value and value and len(value) <= 40:
        pass  # printable by Python's rules but holding a format character (U+200B): either way
    else:
        assert reason is not None, value


@pytest.mark.parametrize("code", list(ALL_CATEGORIES))
def test_a_category_definition_comes_back_from_its_text(code: str) -> None:
    schema = ALL_CATEGORIES[code]
    again = category_from_text(category_text(schema))
    assert again == schema and category_text(again) == category_text(schema)


# -- any stored byte changed behind the app's back ----------------------------------------------

# Every column a seal covers (or that verify reads to check one), by table. Not here: the seal's
# signature, checked against the village key (archive.signing), and columns no seal covers.
COVERED = {
    "seal": ("village_id", "period", "kind", "format", "sealed_at", "sealed_by", "previous_id", "payload_hash",
             "chain_hash", "made_with", "signer", "event"),
    "sealed_item": ("seal_id", "item_id", "title", "canonical_json", "content_hash", "data_hash", "pdf", "pdf_hash",
                    "first_public_at", "first_public_how", "archive_number", "archive_ref", "retention"),
    "seal_source": ("digest", "kind", "text"),
    "item_row": ("item_id", "data"),
    "disclosure_item": ("village_id", "period", "category", "title", "disclosure", "status", "publicity_start",
                        "publicity_end", "clerk", "reviewer", "reviewed_on", "fields", "number", "supersedes_id",
                        "correction_reason"),
}
JUNK: tuple[object, ...] = (None, 0, -1, 2**40, 1.5, "", "x", "东岗村", "2026-13-45", "2026-13-45T99:00:00+00:00",
                            "{", "[]", "null", '{"a": 1}', b"\x00\xff", "0" * 64)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small sealed archive made once for the module: 东岗村's 2026Q2 and a correction to it."""
    folder = tmp_path_factory.mktemp("pristine")
    db = folder / "demo.sqlite3"
    done = run_zwgk("demo", "--db", str(db), cwd=folder, env={"ZWGK_DATA_DIR": str(folder)})
    assert done.code == 0, done.err
    seal(db, "donggang", "2026Q2")
    with sessions(db)() as session:
        first = _assistance_id(session)
    _correct(db, first)
    seal(db, "donggang", "2026Q2")
    return db


def _mutate(db: Path, table: str, pick: int, column: str | None, value: object) -> bool:
    """Change one stored value (or delete the row when `column` is None); whether anything changed."""
    raw = _without_triggers(db)
    try:
        where = ("WHERE item_id IN (SELECT item_id FROM sealed_item)" if table == "item_row" else
                 "WHERE id IN (SELECT item_id FROM sealed_item)" if table == "disclosure_item" else "")
        keys = raw.execute(f"SELECT rowid FROM {table} {where} ORDER BY rowid").fetchall()
        (rowid,) = keys[pick % len(keys)]
        if column is None:
            raw.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
        else:
            # An item's number is its id unless it came from another archive: NULL for the id is no change.
            shown = "quote(coalesce(number, id))" if column == "number" else f"quote({column})"
            before = raw.execute(f"SELECT {shown} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
            raw.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (value, rowid))
            after = raw.execute(f"SELECT {shown} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
            if before == after:
                return False
        raw.commit()
        return True
    except sqlite3.IntegrityError:  # a unique key: the change cannot be made at all
        return False
    finally:
        raw.close()


mutations = st.tuples(st.sampled_from(sorted(COVERED)), st.integers(0, 500)).flatmap(
    lambda picked: st.tuples(st.just(picked[0]), st.just(picked[1]),
                             st.none() | st.sampled_from(COVERED[picked[0]]), st.sampled_from(JUNK)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=mutations)
# The first seal is the key's record, with no items: named by the chain that links to it and its key.
@example(mutation=("seal", 0, "village_id", 0))
def test_any_stored_byte_changed_is_named_and_never_a_crash(pristine: Path, tmp_path: Path,
                                                         mutation: tuple[str, int, str | None, object]) -> None:
    table, pick, column, value = mutation
    db = sqlite_copy(pristine, tmp_path / "mutated.sqlite3")
    try:
        assume(_mutate(db, table, pick, column, value))
        problems = _problems(db)  # raises nothing: that is exit 3's cause
        assert problems, f"{table}.{column or '(row deleted)'} = {value!r} passed verify"
        assert all("东岗村" in p for p in problems), problems
    finally:
        db.unlink(missing_ok=True)


@pytest.mark.parametrize(("table", "column", "value"), [
    ("disclosure_item", "reviewed_on", "2026-13-45"), ("disclosure_item", "fields", "{"), ("item_row", "data", "["),
    ("seal", "format", "x"), ("seal", "sealed_at", "昨天"), ("seal", "made_with", "{"), ("seal_source", None, None),
    ("sealed_item", "pdf", "x"), ("seal", "payload_hash", "封存"),
])
def test_verify_on_the_command_line_names_a_damaged_value_and_exits_1(
        pristine: Path, tmp_path: Path, table: str, column: str | None, value: object) -> None:
    db = sqlite_copy(pristine, tmp_path / "mutated.sqlite3")
    assert _mutate(db, table, 0, column, value)
    done = run_zwgk("verify", "--db", str(db), cwd=tmp_path)
    assert done.code == 1 and "核验未通过" in done.out and "东岗村" in done.out, (done.out, done.err)
    assert "Traceback" not in done.err and "程序内部出错" not in done.out + done.err



# -- the public rules' version -----------------------------------------------------------------

# The content hashes of the factories' items under public rules 1, with the standard formats of
# the time. A failure means the same item and format now give other
# content: if the rules changed, raise render.public.PUBLIC_RULES and keep the old way in
# archive.rederive.DERIVERS (items sealed under it must still re-derive); if only a standard format
# changed (the message gives its text's new digest), write down the new hash.
GOLDEN = {
    "finance": "d8a908e80731c67e545aee3186ea0c71cda63f5e948026020313148f7eefd888",
    "assistance": "13dbf5dfb69a7bd3633d588ea889666a3d8650e20dbab8bd0d42b8cc6b9e9db7",
    "bids": "60d0842ae24981f3cd82632d04c4684e1ca791e3023edbee69edd3b1fff75120",
    "notice": "4d5852930bb803f74a303a65c261ba1b3ad8beb04a21457d546406413a921b4a",
}


@pytest.mark.parametrize("code", list(GOLDEN))
def test_the_public_rules_make_the_content_they_made_when_their_version_was_set(code: str) -> None:
    import factories

    from zwgk_desktop.archive.made_with import digest_of
    from zwgk_desktop.archive.rederive import DERIVERS
    from zwgk_desktop.domain.place import Place
    from zwgk_desktop.render.layout import layout_text
    from zwgk_desktop.render.public import PUBLIC_RULES

    item = getattr(factories, code)()
    item.id = list(GOLDEN).index(code) + 1
    place = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk",
                  (("村务监督委员会", "0371-62341101"),))
    made = DERIVERS[PUBLIC_RULES](item, LAYOUTS, place, None, {})
    layout = digest_of(layout_text(LAYOUTS.for_category(code).path))
    assert made.content_hash == GOLDEN[code], \
        f"public rules {PUBLIC_RULES} now make other content ({code}.toml's text is now {layout})"


# -- bundles --------------------------------------------------------------------------------------


def _bundle_rows_changed_and_rehashed(members: dict[str, bytes], key: Any = None) -> None:
    """A forger's bundle: an amount changed in the rows, then the data, payload and chain hashes
    recomputed with this program's own functions, each seal signed again with the village's `key`
    and its published list made to agree (the manifests are recomputed by `_rewrite`)."""
    document = json.loads(members["data/archive.json"])
    item = next(i for s in document["seals"] for i in s["items"] if i["record"]["category"] == "assistance")
    item["record"]["rows"][0]["monthly_amount"] += 10000
    item["data_hash"] = sha256(seal_module.canonical(item["record"]))
    previous = ""
    for entry in document["seals"]:
        probe = Seal(period=entry["period"], kind=entry["kind"], format=entry["format"], sealed_at=entry["sealed_at"],
                     sealed_by=entry["sealed_by"], made_with=entry.get("made_with"), signer=entry.get("signer"),
                     event=entry.get("event"))
        sealed_items = [seal_module.SealedItem(
            content_hash=i["content_hash"], data_hash=i["data_hash"], pdf_hash=i["pdf_hash"],
            first_public_at=(i.get("first_public") or [None, None])[0] or None,
            first_public_how=(i.get("first_public") or [None, None])[1] or None,
            archive_ref=i.get("archive_ref"), retention=i.get("retention")) for i in entry["items"]]
        entry["payload_hash"] = payload_hash(probe, document["village"]["code"], previous, sealed_items)
        entry["chain_hash"] = previous = chain_hash(previous, entry["payload_hash"])
        if key is not None and entry["format"] >= 4:
            entry["signature"] = key.sign(document["village"]["code"], entry["chain_hash"])
    members["data/archive.json"] = json.dumps(document, ensure_ascii=False).encode()
    listed = json.loads(members["data/seals.json"])
    for published, entry in zip(listed["seals"], document["seals"], strict=True):
        published.update(chain_hash=entry["chain_hash"], signature=entry.get("signature"))
    members["data/seals.json"] = json.dumps(listed, ensure_ascii=False).encode()


def test_a_bundle_carries_the_texts_its_seals_were_made_with_and_a_rehashed_edit_is_refused(
        sealed: Path, tmp_path: Path) -> None:
    from test_bundle import _rewrite, counts, export, fingerprints, township_db, trusting

    from zwgk_desktop.archive.bundle import check_chain, import_bundle, read_bundle

    bundle = export(sealed, tmp_path / "donggang.zwgk")
    document, _ = read_bundle(bundle)
    with sessions(sealed)() as session:
        kept = {s.digest: s.text for s in session.scalars(select(SealSource))}
    assert {s["digest"]: s["text"] for s in document["sources"]} == kept
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, bundle, trust=fingerprints(sealed))
    assert _problems(township) == []  # re-derived at the township, from the texts the bundle carried

    forged = tmp_path / "forged.zwgk"
    shutil.copy(bundle, forged)
    key = VillageKeys(sealed).keys["donggang"]  # the forger works at the village's PC
    _rewrite(forged, lambda members: _bundle_rows_changed_and_rehashed(members, key), fix_manifests=True)
    assert check_chain(*read_bundle(forged), forged.name) == []  # every hash agrees: only re-deriving tells
    other = township_db(tmp_path / "other")
    before = counts(other)
    done = run_zwgk("bundle", "import", str(forged), "--db", str(other), *trusting(sealed), cwd=tmp_path)
    assert done.code == 2 and "与封存的公开内容不符" in done.err and "Traceback" not in done.err, done.err
    assert counts(other) == before

    # A bundle that leaves out the texts is refused before anything is written.
    _rewrite(forged, lambda members: members.__setitem__("data/archive.json", json.dumps(
        {**json.loads(members["data/archive.json"]), "sources": []}, ensure_ascii=False).encode()),
        fix_manifests=True)
    done = run_zwgk("bundle", "import", str(forged), "--db", str(other), cwd=tmp_path)
    assert done.code == 2 and "档案包缺少封存时所用的版式文件" in done.err, done.err


# -- the previous release's own code --------------------------------------------------------------


def test_an_archive_sealed_by_the_previous_release_itself_still_verifies_after_the_upgrade(tmp_path: Path) -> None:
    """The release before seal format 4, taken from the repository's history, makes and seals an
    archive with its own code; this one upgrades it (migration 0011), verifies it, and seals on."""
    import os
    import subprocess
    import sys
    import tarfile

    import zwgk_desktop

    root = Path(zwgk_desktop.__file__).resolve().parents[1]

    def git(*args: str) -> bytes:
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True).stdout

    try:
        added = git("log", "--format=%H", "-1", "--diff-filter=A", "--",
                    "zwgk_desktop/db/migrations/versions/0011_proofs.py").decode().strip()
        assert added
        release = git("archive", "--format=tar", f"{added}^", "zwgk_desktop", "layouts", "assets")
    except (OSError, subprocess.CalledProcessError, AssertionError):
        pytest.skip("needs the repository's history (git), to take the previous release's code from it")
    previous = tmp_path / "previous"
    previous.mkdir()
    (tmp_path / "release.tar").write_bytes(release)
    with tarfile.open(tmp_path / "release.tar") as tar:
        tar.extractall(previous, filter="data")
    db = tmp_path / "archive.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(previous), "ZWGK_DATA_DIR": str(tmp_path / "data")}
    for args in (("demo",), ("seal", "--village", "donggang", "--period", "2025Q4", "--by", "王德明"),
                 ("seal", "--village", "donggang", "--period", "2026Q1", "--by", "王德明")):
        done = subprocess.run([sys.executable, "-c", "import sys, zwgk_desktop.launch as l; "
                               f"assert l.__file__.startswith({str(previous)!r}); sys.exit(l.zwgk())",
                               *args, "--db", str(db)], cwd=previous, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0010",)
        assert raw.execute("SELECT DISTINCT format FROM seal").fetchall() == [(3,)]
    assert run_zwgk("init", "--db", str(db), cwd=tmp_path).code == 0  # the upgrade, after its backup
    assert run_zwgk("verify", "--db", str(db), cwd=tmp_path).code == 0
    seal(db, "donggang", "2026Q2")
    done = run_zwgk("verify", "--db", str(db), cwd=tmp_path)
    assert done.code == 0, done.out
    with sqlite3.connect(db) as raw:
        # The seal signed in this format comes after the record of its village's key being made.
        assert raw.execute("SELECT format FROM seal ORDER BY id").fetchall() == [
            (3,), (3,), (seal_module.SEAL_FORMAT,), (seal_module.SEAL_FORMAT,)]


# ---------------------------------------------------------------------------------------------
# What verify accounts for beyond each village's chain (the outside tester's findings, fixa).


def test_the_protective_triggers_listed_are_those_a_fresh_archive_has(empty_db: str) -> None:
    from zwgk_desktop.archive import protection
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.db.migrate import upgrade

    engine = open_engine(empty_db, create=True)
    upgrade(engine)
    with session_factory(engine)() as session:
        present = protection.present_triggers(session)
        expected = protection.expected_triggers(session.get_bind().dialect.name)
        assert present == {(table, name) for table, names in expected.items() for name in names}
        assert protection.trigger_problems(session) == [] and protection.missing_tables(session) == []
    engine.dispose()


@pytest.mark.parametrize("statement", ["DROP TRIGGER seal_append_only_update", "DROP TRIGGER row_sealed_update",
                                       "DROP TABLE seal_source", "DROP TABLE village_key"])
def test_the_archives_protection_removed_is_named_and_exits_1(sealed: Path, tmp_path: Path, statement: str) -> None:
    raw = sqlite3.connect(sealed)
    raw.execute(statement)
    raw.commit()
    raw.close()
    done = run_zwgk("verify", "--db", str(sealed), cwd=tmp_path)
    assert done.code == 1 and "Traceback" not in done.out + done.err, done.out + done.err
    assert statement.split()[-1] in done.out and "档案数据库" in done.out, done.out


village_ids = (st.sampled_from([999, "x", 1.5, -1, 0, "1 ", b"\x01"]) | st.integers(min_value=3, max_value=2**62)
               | st.text(max_size=5))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=village_ids, seal_or_item=st.sampled_from(["seal", "item", "village"]))
def test_seals_and_items_outside_every_village_are_named(sealed: Path, tmp_path_factory: pytest.TempPathFactory,
                                                         value: object, seal_or_item: str) -> None:
    db = tmp_path_factory.mktemp("outside") / "a.sqlite3"
    shutil.copy(sealed, db)
    raw = _without_triggers(db)
    raw.execute("PRAGMA foreign_keys = OFF")
    if seal_or_item in ("seal", "item"):
        table, picked = ("seal", "(SELECT max(id) FROM seal)") if seal_or_item == "seal" else \
            ("disclosure_item", "(SELECT min(item_id) FROM sealed_item)")
        raw.execute(f"UPDATE {table} SET village_id = ? WHERE id = {picked}", (value,))
        (stored,) = raw.execute(f"SELECT village_id FROM {table} WHERE id = {picked}").fetchone()
    else:
        raw.execute("DELETE FROM village WHERE code = 'donggang'")
        stored = None
    assume(not raw.execute("SELECT 1 FROM village WHERE id = ?", (stored,)).fetchone())  # SQLite: '1 ' is 1
    raw.commit()
    raw.close()
    problems = _problems(db)
    assert any("不在档案中" in p for p in problems), problems


def _forged(sealed: Path, change: Callable[[sqlite3.Connection], None]) -> list[str]:
    """The village's file changed, every hash recomputed and re-signed with the village's own key."""
    rechain(sealed, change=change, village_keys=True)
    return _problems(sealed)


FIRST_SEALED = "(SELECT min(item_id) FROM sealed_item)"
# What the forger changes (SQL run with the triggers dropped), and what verify then says.
FORGERIES: dict[str, tuple[str, str]] = {
    "item moved to another quarter's seal": (
        "UPDATE sealed_item SET seal_id = (SELECT min(id) FROM seal WHERE kind = 'quarter') "
        "WHERE id = (SELECT max(id) FROM sealed_item)", "不是它所在封存的季度"),
    "sealed item back to draft": (
        f"UPDATE disclosure_item SET status = 'draft' WHERE id = {FIRST_SEALED}", "不是“已审核”"),
    "public item made not public": (
        "UPDATE disclosure_item SET disclosure = '依申请公开' WHERE id = "
        "(SELECT min(item_id) FROM sealed_item WHERE pdf IS NOT NULL)", "封存时却有 PDF"),
    "sealed in the future": (
        "UPDATE seal SET sealed_at = '2099-01-01T00:00:00+00:00' WHERE id = (SELECT max(id) FROM seal)", "晚于现在"),
    "a field the category does not know": (
        f"UPDATE disclosure_item SET fields = json_set(fields, '$.secret', 'x') WHERE id = {FIRST_SEALED}",
        "没有的项（secret）"),
    "a row key the category does not know": (
        "UPDATE item_row SET data = json_set(data, '$.secret', 'x') "
        f"WHERE id = (SELECT min(id) FROM item_row WHERE item_id = {FIRST_SEALED})", "没有的项（secret）"),
    "a correction reason on no correction": (
        f"UPDATE disclosure_item SET correction_reason = '补' WHERE id = {FIRST_SEALED}", "不是更正，却记有更正原因"),
    "a key record held by someone else": (
        "UPDATE seal SET event = json_set(event, '$.holder', '柳树湾村') WHERE kind = 'key'", "持有者“柳树湾村”"),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_what_a_forger_holding_the_village_key_leaves_in_the_file_is_named(sealed: Path, name: str) -> None:
    statement, said = FORGERIES[name]
    problems = _forged(sealed, lambda db: db.execute(statement))
    assert any(said in p for p in problems), problems


def test_an_honest_resigned_archive_verifies_so_the_findings_above_are_the_changes(sealed: Path) -> None:
    assert _forged(sealed, lambda db: None) == []


def test_a_seal_from_the_future_is_said_beyond_the_clocks_tolerance() -> None:
    from datetime import UTC, datetime

    from zwgk_desktop.archive.seal_fields import CLOCK_TOLERANCE

    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    assert sealed_at_problem("2026-12-02T08:59:00+00:00", now=now) is None  # within the tolerance
    said = sealed_at_problem((now + CLOCK_TOLERANCE).replace(second=1).isoformat(), now=now)
    assert said is not None and "晚于现在" in said and "1 小时" in said
