"""Bundles: a village's sealed archive moves to the township, verifies there, and nothing else gets in."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import ArchiveCache, run_zwgk, sqlite_copy
from factories import notice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from test_archive import seal, sessions

from zwgk_desktop.archive.bundle import export_bundle, import_bundle
from zwgk_desktop.archive.seal import verify
from zwgk_desktop.archive.signing import OWN
from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import open_engine
from zwgk_desktop.db.models import DisclosureItem, SealedItem, VillageKey, public_number
from zwgk_desktop.domain.categories import category, new_item
from zwgk_desktop.domain.items import REVIEWED, assign
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput

TABLES = ("village", "disclosure_item", "item_row", "seal", "sealed_item", "search_index")


def _seal_with_a_correction(db: Path) -> None:
    seal(db, "donggang", "2026Q1")
    seal(db, "donggang", "2026Q2")
    with sessions(db)() as session, session.begin():
        old = session.scalar(select(DisclosureItem.id).where(
            DisclosureItem.village_id == 1, DisclosureItem.period == "2026Q2", DisclosureItem.category == "finance"))
        item = store.start_correction(session, int(old), "凭证号录入有误")  # type: ignore[arg-type]
        assign(item, category("finance"), "2.凭证号", "记-999")
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", date.today()
        store.save_item(session, item)
    seal(db, "donggang", "2026Q2")


@pytest.fixture
def village_archive(archive_cache: ArchiveCache, tmp_path: Path) -> Path:
    """东岗村 with two sealed quarters and a sealed correction (made once a session, copied per test)."""
    return archive_cache.copy("donggang-sealed-with-a-correction", _seal_with_a_correction,
                              tmp_path / "demo.sqlite3")


def township_db(tmp_path: Path) -> Path:
    path = tmp_path / "township.sqlite3"
    engine = open_engine(str(path), create=True)
    migrate.upgrade(engine)
    with sessions(path)() as session, session.begin():
        store.ensure_township(session, "青山镇")
    engine.dispose()
    return path


def counts(db: Path) -> dict[str, int]:
    with sessions(db)() as session:
        return {t: int(session.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in TABLES}


def fingerprints(db: Path) -> list[str]:
    """The signing keys an archive made for itself (the fingerprints a clerk reads out by phone)."""
    with sessions(db)() as session:
        return list(session.scalars(select(VillageKey.fingerprint).where(VillageKey.how == OWN)))


def trusting(db: Path) -> list[str]:
    """`bundle import`'s options confirming the keys of the archive `db` (as read over the phone)."""
    return [part for fp in fingerprints(db) for part in ("--trust-fingerprint", fp[:24], "--confirmed-by", "李乡长")]


def export(db: Path, out: Path) -> Path:
    with sessions(db)() as session:
        export_bundle(session, "donggang", out)
    return out


def test_round_trip_village_to_township_verifies_and_keeps_numbers(village_archive: Path, tmp_path: Path) -> None:
    bundle = export(village_archive, tmp_path / "donggang.zwgk")
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        result = import_bundle(session, bundle, trust=fingerprints(village_archive))
    with sessions(village_archive)() as session:  # Q1's and Q2's items and the correction
        sealed = len(set(session.scalars(select(SealedItem.item_id))))
    assert sealed >= 10 and (result.seals, result.items, result.already, result.keys) == (3, sealed, 0, 1)
    with sessions(township)() as session:
        assert verify(session) == (sealed, [])
        imported = {(public_number(r), r.title) for r in session.scalars(select(DisclosureItem))}
        held = {(e.content_hash, e.pdf_hash) for e in session.scalars(select(SealedItem))}
        correction = session.scalar(select(DisclosureItem).where(DisclosureItem.supersedes_id.is_not(None)))
        assert correction is not None and correction.correction_reason == "凭证号录入有误"
        assert store.search(session, "记-999")  # the township can search what it imported
    with sessions(village_archive)() as session:
        originals = {(public_number(r), r.title) for r in session.scalars(
            select(DisclosureItem).where(DisclosureItem.id.in_(select(SealedItem.item_id))))}
        assert held == {(e.content_hash, e.pdf_hash) for e in session.scalars(select(SealedItem))}
    assert imported == originals  # same numbers, so the posters' URLs and codes hold at the township
    before = counts(township)
    with sessions(township)() as session, session.begin():
        again = import_bundle(session, bundle)
    assert (again.seals, again.already) == (0, 3) and counts(township) == before  # twice changes nothing


def test_a_later_bundle_adds_only_the_new_seals(village_archive: Path, tmp_path: Path) -> None:
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, export(village_archive, tmp_path / "first.zwgk"), trust=fingerprints(village_archive))
    seal(village_archive, "donggang", "2025Q4")
    with sessions(township)() as session, session.begin():
        result = import_bundle(session, export(village_archive, tmp_path / "second.zwgk"))
    assert (result.seals, result.already) == (1, 3)
    with sessions(township)() as session:
        assert verify(session)[1] == []


def _rewrite(bundle: Path, change: Callable[[dict[str, bytes]], None], *, fix_manifests: bool) -> None:
    """Alter members of a bundle; a careful forger also recomputes both manifests."""
    with zipfile.ZipFile(bundle) as bag:
        members = {name: bag.read(name) for name in bag.namelist()}
    change(members)
    if fix_manifests:
        payload = sorted(n for n in members if n.startswith("data/"))
        members["manifest-sha256.txt"] = "".join(
            f"{hashlib.sha256(members[n]).hexdigest()}  {n}\n" for n in payload).encode()
        members["tagmanifest-sha256.txt"] = "".join(
            f"{hashlib.sha256(members[n]).hexdigest()}  {n}\n"
            for n in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")).encode()
    with zipfile.ZipFile(bundle, "w") as bag:
        for name, data in members.items():
            bag.writestr(name, data)


def _pdf_byte(members: dict[str, bytes]) -> None:
    name = next(n for n in members if n.endswith(".pdf"))
    data = members[name]
    members[name] = data[:500] + bytes([data[500] ^ 1]) + data[501:]


def _records(members: dict[str, bytes]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    document = json.loads(members["data/archive.json"])
    return document, [item["record"] for seal in document["seals"] for item in seal["items"]]


def _put(members: dict[str, bytes], document: dict[str, Any]) -> None:
    members["data/archive.json"] = json.dumps(document, ensure_ascii=False).encode()


def _amount(members: dict[str, bytes]) -> None:
    """A household's amount: still a valid list, so only the hashes can tell."""
    document, records = _records(members)
    next(r for r in records if r["category"] == "assistance")["rows"][0]["monthly_amount"] += 100
    _put(members, document)


def _public_text(members: dict[str, bytes]) -> None:
    """The village's name changed in the first sealed item's public content."""
    document = json.loads(members["data/archive.json"])
    item = next(i for seal in document["seals"] for i in seal["items"])
    item["canonical_json"] = item["canonical_json"].replace("东岗村", "西岗村")
    members["data/archive.json"] = json.dumps(document, ensure_ascii=False).encode()


def _extra_file(members: dict[str, bytes]) -> None:
    members["data/pdf/extra.pdf"] = b"%PDF-1.4"


def _reordered(members: dict[str, bytes]) -> None:
    document = json.loads(members["data/archive.json"])
    document["seals"][0], document["seals"][1] = document["seals"][1], document["seals"][0]
    members["data/archive.json"] = json.dumps(document, ensure_ascii=False).encode()


def _crafted(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    def alter(members: dict[str, bytes]) -> None:
        document = json.loads(members["data/archive.json"])
        change(document)
        _put(members, document)
    return alter


def _first_record(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document["seals"][0]["items"][0]["record"])


CRAFTED: dict[str, Callable[[dict[str, Any]], None]] = {
    "no village": lambda d: d.pop("village"),
    "village a string": lambda d: d.update(village="donggang"),
    "bad publicity date": lambda d: d["seals"][1]["items"][0]["record"].update(publicity=["2026-13-45", None]),
    "publicity a number": lambda d: d["seals"][1]["items"][0]["record"].update(publicity=[20260101, None]),
    "reason missing": lambda d: d["seals"][1]["items"][0]["record"].pop("reason"),
    "rows not objects": lambda d: d["seals"][1]["items"][0]["record"].update(rows=[["a"]]),
    "huge number": lambda d: d["seals"][1]["items"][0].update(number=2**70),
    "quarter sealed twice": lambda d: d["seals"].append(dict(d["seals"][1])),
    "unknown category": lambda d: d["seals"][1]["items"][0]["record"].update(category="nonsense"),
    "a draft": lambda d: d["seals"][1]["items"][0]["record"].update(status="draft"),
    "unknown seal kind": lambda d: d["seals"][0].update(kind="bogus"),
    "full ID in public content": lambda d: d["seals"][1]["items"][0].update(
        canonical_json=d["seals"][1]["items"][0]["canonical_json"].replace("东岗村", "东岗村110101199003074514", 1)),
}


@pytest.mark.parametrize("kind", list(CRAFTED))
@pytest.mark.slow
def test_a_crafted_bundle_is_refused_in_words(village_archive: Path, tmp_path: Path, kind: str) -> None:
    bundle = export(village_archive, tmp_path / "donggang.zwgk")
    _rewrite(bundle, _crafted(CRAFTED[kind]), fix_manifests=True)
    township = township_db(tmp_path)
    before = counts(township)
    done = run_zwgk("bundle", "import", str(bundle), "--db", str(township), *trusting(village_archive), cwd=tmp_path)
    assert done.code == 2 and "拒绝导入" in done.err and "Traceback" not in done.err, done.err
    assert counts(township) == before


ALTERATIONS = {
    "pdf byte": (_pdf_byte, False, "SHA-256 与清单不符"),
    "amount, manifests recomputed": (_amount, True, "数据与封存时不符"),
    "public text, manifests recomputed": (_public_text, True, "公开内容与验证码不符"),
    "added file": (_extra_file, False, "被加入"),
    # Said by the seals' times when they differ (seals made within one second: by the chain).
    "reordered seals, manifests recomputed": (_reordered, True, "被改动"),
}


@pytest.mark.parametrize("kind", list(ALTERATIONS))
def test_an_altered_bundle_is_refused_and_nothing_is_imported(village_archive: Path, tmp_path: Path,
                                                              kind: str) -> None:
    change, fix, reason = ALTERATIONS[kind]
    bundle = export(village_archive, tmp_path / "donggang.zwgk")
    _rewrite(bundle, change, fix_manifests=fix)
    township = township_db(tmp_path)
    before = counts(township)
    done = run_zwgk("bundle", "import", str(bundle), "--db", str(township), *trusting(village_archive), cwd=tmp_path)
    assert done.code == 2 and reason in done.err and "Traceback" not in done.err, done.err
    assert counts(township) == before


def test_damaged_files_are_told_in_words(tmp_path: Path, village_archive: Path) -> None:
    bundle = export(village_archive, tmp_path / "donggang.zwgk")
    township = township_db(tmp_path)
    truncated = tmp_path / "truncated.zwgk"
    truncated.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    not_zip = tmp_path / "notes.zwgk"
    not_zip.write_text("hello", encoding="utf-8")
    escaping = tmp_path / "escape.zwgk"
    with zipfile.ZipFile(escaping, "w") as bag:
        bag.writestr("../../evil.txt", "x")
    for path, reason in ((truncated, "不是有效的档案包"), (not_zip, "不是有效的档案包"), (escaping, "不安全的路径"),
                         (tmp_path / "missing.zwgk", "找不到档案包")):
        done = run_zwgk("bundle", "import", str(path), "--db", str(township), cwd=tmp_path)
        assert done.code == 2 and reason in done.err and "Traceback" not in done.err, (path, done.err)


def test_an_item_number_taken_at_the_township_is_a_clash_not_an_overwrite(village_archive: Path,
                                                                            tmp_path: Path) -> None:
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        village = store.add_village(session, store.get_township(session), "东岗村=donggang")  # type: ignore[arg-type]
        for _ in range(12):  # numbers 1–12 are now the township's own items for 东岗村
            store.save_item(session, new_item("notice", Quarter(2026, 4)), village)
    before = counts(township)
    with pytest.raises(BadInput, match="冲突"), sessions(township)() as session, session.begin():
        import_bundle(session, export(village_archive, tmp_path / "donggang.zwgk"), trust=fingerprints(village_archive))
    assert counts(township) == before


def test_bundle_round_trip_from_the_command_line(village_archive: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "donggang.zwgk"
    out = run_zwgk("bundle", "export", "--village", "东岗村", "-o", str(bundle), "--db", str(village_archive),
                   cwd=tmp_path)
    assert out.code == 0 and "3 个封存" in out.out, out.err
    township = township_db(tmp_path)
    first = run_zwgk("bundle", "import", str(bundle), "--db", str(township), "--json", *trusting(village_archive),
                     cwd=tmp_path)
    assert first.code == 0, first.err
    report = json.loads(first.out)
    assert report["imported_seals"] == 3 and report["backup"]
    second = run_zwgk("bundle", "import", str(bundle), "--db", str(township), cwd=tmp_path)
    assert second.code == 0 and "没有任何改动" in second.out
    assert run_zwgk("verify", "--db", str(township), cwd=tmp_path).code == 0


def test_a_correction_made_at_the_township_goes_back_to_the_village(village_archive: Path, tmp_path: Path) -> None:
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, export(village_archive, tmp_path / "first.zwgk"), trust=fingerprints(village_archive))
    with sessions(township)() as session, session.begin():
        store.set_base_url(store.get_township(session), "https://qingshan.example/zwgk")  # type: ignore[arg-type]
        bids = session.scalar(select(DisclosureItem).where(DisclosureItem.period == "2026Q1",
                                                           DisclosureItem.category == "bids"))
        assert bids is not None
        item = store.start_correction(session, bids.id, "工期录入有误")
        assign(item, category("bids"), "工期", "90天")
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", date.today()
        store.save_item(session, item)
    seal(township, "donggang", "2026Q1")
    with sessions(village_archive)() as session, session.begin():
        # The township sealed with a key of its own, which the village confirms once, by phone.
        result = import_bundle(session, export(township, tmp_path / "back.zwgk"), trust=fingerprints(township))
    assert result.seals == 1
    with sessions(village_archive)() as session:
        assert verify(session)[1] == []


def _new_notice(db: Path, title: str) -> int:
    """A new draft notice of 东岗村 2026Q3 (not sealed, so in no bundle); its number."""
    with sessions(db)() as session, session.begin():
        item = dataclasses.replace(notice(), title=title, status="draft")
        return store.number_of(session, store.add_item(session, store.find_village(session, "donggang"), item))


def _correct_at_the_township(township: Path, period: str, category_key: str, reason: str) -> int:
    with sessions(township)() as session, session.begin():
        original = session.scalars(select(DisclosureItem).where(
            DisclosureItem.period == period, DisclosureItem.category == category_key,
            DisclosureItem.supersedes_id.is_(None)).order_by(DisclosureItem.id)).first()
        assert original is not None
        item = store.start_correction(session, original.id, reason)
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", date.today()
        return store.number_of(session, store.save_item(session, item))


def test_a_correction_made_at_the_township_comes_back_though_the_village_numbered_on(
        village_archive: Path, tmp_path: Path) -> None:
    """The village goes on making items after its export (none of them in the bundle); the township
    corrects and seals; the correction still comes back, and the village numbers on after it."""
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, export(village_archive, tmp_path / "first.zwgk"), trust=fingerprints(village_archive))
        store.set_base_url(store.get_township(session), "https://qingshan.example/zwgk")  # type: ignore[arg-type]
    made_at_village = [_new_notice(village_archive, f"村里导出后新建的公告 {n}") for n in range(3)]
    correction = _correct_at_the_township(township, "2026Q1", "bids", "工期录入有误")
    assert correction > store.AWAY_NUMBERS and correction not in made_at_village
    seal(township, "donggang", "2026Q1")
    with sessions(village_archive)() as session, session.begin():
        result = import_bundle(session, export(township, tmp_path / "back.zwgk"), trust=fingerprints(township))
    assert result.seals == 1 and result.items == 1
    later = _new_notice(village_archive, "更正回来之后新建的公告")
    assert later == max(made_at_village) + 1  # the township's block does not move the village's numbers
    with sessions(village_archive)() as session:
        assert verify(session)[1] == []
        assert store.find_item(session, correction, "donggang").supersedes_id is not None
        assert store.find_item(session, made_at_village[0], "donggang").title == "村里导出后新建的公告 0"


@pytest.fixture
def both_sides(village_archive: Path, tmp_path: Path) -> tuple[Path, Path]:
    """东岗村's archive and a township holding its bundle (before any example changes either)."""
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, export(village_archive, tmp_path / "first.zwgk"), trust=fingerprints(village_archive))
    return village_archive, township


# What each side does after the village's export, in any order: the village makes and deletes
# items; the township starts corrections of sealed items and deletes some of those drafts.
sides = st.lists(st.one_of(
    st.tuples(st.just("village-new"), st.integers(0, 0)),
    st.tuples(st.just("village-delete"), st.integers(0, 20)),
    st.tuples(st.just("township-correct"), st.integers(0, 3)),
    st.tuples(st.just("township-delete"), st.integers(0, 20)),
), min_size=1, max_size=10)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=sides)
def test_the_township_never_gives_a_number_the_village_gives(both_sides: tuple[Path, Path],
                                                            tmp_path_factory: pytest.TempPathFactory,
                                                            steps: list[tuple[str, int]]) -> None:
    folder = tmp_path_factory.mktemp("sides")
    village, township = (sqlite_copy(db, folder / db.name) for db in both_sides)
    given_at: dict[str, set[int]] = {"village": set(), "township": set()}
    live: dict[str, list[int]] = {"village": [], "township": []}
    originals = [("2026Q1", "bids"), ("2026Q1", "finance"), ("2026Q2", "bids"), ("2026Q2", "notice")]
    for what, n in steps:
        side, act = what.split("-")
        db = village if side == "village" else township
        if act == "new":
            number = _new_notice(village, f"公告 {len(given_at['village'])}")
        elif act == "correct":
            try:
                number = _correct_at_the_township(township, *originals[n], "录入有误")
            except BadInput:  # that item has a correction draft already
                continue
        elif live[side]:
            gone = live[side].pop(n % len(live[side]))
            with sessions(db)() as session, session.begin():
                store.delete_item(session, store.find_item(session, gone, "donggang").id)
            continue
        else:
            continue
        assert number not in given_at[side]
        given_at[side].add(number)
        live[side].append(number)
    assert not given_at["village"] & given_at["township"]
    assert all(n > store.AWAY_NUMBERS for n in given_at["township"])
    assert all(n <= store.AWAY_NUMBERS for n in given_at["village"])


def test_at_the_township_items_are_known_by_their_village_numbers(village_archive: Path, tmp_path: Path) -> None:
    """Another village's bundle first, so the township's own ids differ from the villages' numbers:
    posters printed there still carry the village's URLs and 验证码, and --item means that number."""
    seal(village_archive, "shiqiao", "2026Q2")
    with sessions(village_archive)() as session:
        export_bundle(session, "shiqiao", tmp_path / "shiqiao.zwgk")
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():  # the township's own items take the low ids
        own = store.add_village(session, store.get_township(session), "西山村=xishan")  # type: ignore[arg-type]
        for _ in range(30):
            store.save_item(session, new_item("notice", Quarter(2026, 4)), own)
    for bundle in (tmp_path / "shiqiao.zwgk", export(village_archive, tmp_path / "donggang.zwgk")):
        with sessions(township)() as session, session.begin():
            import_bundle(session, bundle, trust=fingerprints(village_archive))
    with sessions(township)() as session, session.begin():
        store.set_base_url(store.get_township(session), "https://qingshan.example/zwgk")  # type: ignore[arg-type]
        moved = {(public_number(r), r.id) for r in session.scalars(select(DisclosureItem))}
    assert any(number != id_ for number, id_ in moved)  # the case that matters

    def posters(db: Path) -> list[tuple[int, str, str]]:
        done = run_zwgk("render", "--db", str(db), "--village", "donggang", "--period", "2026Q2",
                        "-o", str(tmp_path / "out.pdf"), "--json", cwd=tmp_path)
        assert done.code == 0, done.err
        return [(i["id"], i["url"], i["code"]) for i in json.loads(done.out)["items"]]

    printed_at_village = posters(village_archive)
    assert posters(township) == printed_at_village

    status = json.loads(run_zwgk("status", "--db", str(township), "--period", "2026Q2", "--json", cwd=tmp_path).out)
    donggang = next(v for v in status["villages"] if v["code"] == "donggang")
    reported = {n for cell in donggang["cells"].values() for n in cell["items"]}
    shown = json.loads(run_zwgk("list", "--db", str(village_archive), "--village", "donggang", "--period", "2026Q2",
                                "--json", cwd=tmp_path).out)
    assert reported == {i["id"] for i in shown["items"] if i["corrects"] is None}  # as on the sheets

    number = printed_at_village[0][0]
    listed = json.loads(run_zwgk("list", "--db", str(township), "--village", "donggang", "--period", "2026Q2",
                                 "--json", cwd=tmp_path).out)
    assert number in {i["id"] for i in listed["items"]}
    one = run_zwgk("render", "--db", str(township), "--village", "donggang", "--period", "2026Q2",
                   "--item", str(number), "-o", str(tmp_path / "one.pdf"), "--json", cwd=tmp_path)
    assert one.code == 0 and [i["id"] for i in json.loads(one.out)["items"]] == [number], one.err
    exported = run_zwgk("export", "--db", str(township), "--village", "donggang", "--item", str(number),
                        "-o", str(tmp_path / "x.xlsx"), cwd=tmp_path)
    assert exported.code == 0, exported.err
    with sessions(township)() as session:
        title = store.find_item(session, number, "donggang").title
    assert title in exported.out


def test_a_number_two_villages_share_needs_the_village(tmp_path: Path) -> None:
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        place = store.get_township(session)
        for name in ("东岗村=donggang", "石桥村=shiqiao"):
            village = store.add_village(session, place, name)  # type: ignore[arg-type]
            item_id = store.save_item(session, new_item("notice", Quarter(2026, 3)), village)
            session.get(DisclosureItem, item_id).number = 7  # as imported from each village's archive
    with sessions(township)() as session:
        with pytest.raises(BadInput, match=r"东岗村、石桥村都有.*--village"):
            store.find_item(session, 7)
        assert store.find_item(session, 7, "石桥村").village.code == "shiqiao"
    told = run_zwgk("export", "--db", str(township), "--item", "7", "-o", str(tmp_path / "x.xlsx"), cwd=tmp_path)
    assert told.code == 2 and "--village" in told.err and not (tmp_path / "x.xlsx").exists()


# ---------------------------------------------------------------------------------------------
# Bundles out of all proportion: refused in words, in little memory.

PEAK_LIMIT_MB = 200


def peak_import(bundle: Path, township: Path, cwd: Path) -> tuple[int, str, float]:
    """`zwgk bundle import` in a process of its own: exit code, stderr, and its peak RSS in MB
    (measured by a wrapper process, so nothing else this test run started is counted)."""
    import subprocess
    import sys

    resource = pytest.importorskip("resource")
    assert resource
    from conftest import zwgk_command

    wrapper = ("import json, resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
               "print(json.dumps([done.returncode, done.stderr, peak / 1024]))\n")
    command = [*zwgk_command(), "bundle", "import", str(bundle), "--db", str(township), "--trust-fingerprint",
               "0" * 24, "--confirmed-by", "李乡长"]
    done = subprocess.run([sys.executable, "-c", wrapper, *command], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=True)
    code, err, peak = json.loads(done.stdout)
    return int(code), str(err), float(peak)


def _with_big_member(bundle: Path, out: Path, name: str, write: Callable[[Any], None]) -> Path:
    """The bundle with member `name` replaced by whatever `write` streams into it."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bag:
        for info in source.infolist():
            if info.filename == name:
                with bag.open(name, "w", force_zip64=True) as member:
                    write(member)
            else:
                bag.writestr(info.filename, source.read(info))
    return out


def _zeros(member: Any) -> None:
    chunk = bytes(1 << 20)
    for _ in range(1024):  # 1 GiB
        member.write(chunk)


def _understate(bundle: Path, name: str, size: int) -> None:
    """Rewrite a member's recorded size (local header and central directory), as a forger would."""
    import struct

    with zipfile.ZipFile(bundle) as bag:
        info, start = bag.getinfo(name), bag.start_dir
    data = bytearray(bundle.read_bytes())
    struct.pack_into("<I", data, info.header_offset + 22, size)
    at = start
    while data[at:at + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46:at + 46 + name_len].decode() == name:
            struct.pack_into("<I", data, at + 24, size)
        at += 46 + name_len + extra_len + comment_len
    bundle.write_bytes(bytes(data))


@pytest.mark.slow
def test_a_zip_bomb_is_refused_in_little_memory(village_archive: Path, tmp_path: Path) -> None:
    """1 GiB of zeros as archive.json (a few MB on disk), and a member whose header says it is
    small: refused in words, the import's peak memory far below the bomb's size."""
    import os

    bundle = export(village_archive, tmp_path / "donggang.zwgk")
    bomb = _with_big_member(bundle, tmp_path / "bomb.zwgk", "data/archive.json", _zeros)
    assert bomb.stat().st_size < 8 << 20
    liar = _with_big_member(bundle, tmp_path / "liar.zwgk", "data/archive.json",
                            lambda member: member.write(os.urandom(64 << 20)))
    _understate(liar, "data/archive.json", 1000)
    township = township_db(tmp_path)
    before = counts(township)
    for path, told in ((bomb, "压缩比异常"), (liar, "已损坏")):
        code, err, peak = peak_import(path, township, tmp_path)
        print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MB on disk, peak RSS {peak:.0f} MB")
        assert code == 2 and told in err and "data/archive.json" in err and "Traceback" not in err, err
        assert peak < PEAK_LIMIT_MB, peak
    assert counts(township) == before


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


NESTED: dict[str, tuple[Callable[[dict[str, bytes]], None], str]] = {
    "archive.json all brackets": (lambda m: m.update({"data/archive.json": b"[" * 100_000 + b"]" * 100_000}),
                                  "嵌套过深"),
    "a record field 40 deep": (_crafted(lambda d: d["seals"][1]["items"][0]["record"]["fields"].update(
        x=_deep(40))), "嵌套过深"),
    "a number of 5000 digits": (lambda m: m.update({"data/archive.json": m["data/archive.json"].replace(
        b'"bundle_format": 1', b'"bundle_format": ' + b"1" * 5000, 1)}), "位数过多"),
    "public content nested deep": (_crafted(lambda d: d["seals"][1]["items"][0].update(
        canonical_json="[" * 5000 + "]" * 5000)), "公开内容无法读取"),
}


@pytest.mark.parametrize("kind", list(NESTED))
def test_deeply_nested_json_is_refused_in_words(village_archive: Path, tmp_path: Path, kind: str) -> None:
    change, told = NESTED[kind]
    bundle = export(village_archive, tmp_path / "donggang.zwgk")
    _rewrite(bundle, change, fix_manifests=True)
    township = township_db(tmp_path)
    before = counts(township)
    code, err, peak = peak_import(bundle, township, tmp_path)
    assert code == 2 and told in err and "donggang.zwgk" in err and "Traceback" not in err, err
    assert peak < PEAK_LIMIT_MB, peak
    assert counts(township) == before


@pytest.mark.parametrize(("sizes", "told"), [
    ((3000,), "解开后超过 2 KB"),  # one member past its limit
    ((1500, 1500, 1500), "解开后超过 4 KB"),  # each within it, together past the total
    ((10,) * 6, "超过 5 个"),
])
def test_a_zip_is_measured_member_by_member(tmp_path: Path, sizes: tuple[int, ...], told: str) -> None:
    from zwgk_desktop.incoming import BoundedZip, ZipLimits

    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bag:
        for number, size in enumerate(sizes):
            bag.writestr(f"m{number}", os.urandom(size))
    limits = ZipLimits("档案包", member=2048, total=4096, members=5)
    with pytest.raises(BadInput, match=told), BoundedZip(path, "x.zip", limits) as bag:
        for entry in bag.entries:
            bag.read(entry)
    if len(sizes) > limits.members:
        return
    _understate(path, "m0", 100)  # the header now understates: still refused while it inflates
    with pytest.raises(BadInput, match=r"x\.zip 中的 m0"), BoundedZip(path, "x.zip", limits) as bag:
        for entry in bag.entries:
            bag.read(entry)


def test_an_oversized_manifest_is_refused_before_it_is_read(village_archive: Path, tmp_path: Path) -> None:
    from zwgk_desktop.archive.bundle import read_bundle

    bundle = export(village_archive, tmp_path / "donggang.zwgk")
    _rewrite(bundle, lambda m: m.update({"manifest-sha256.txt": m["manifest-sha256.txt"] + os.urandom(10 << 20).hex()
                                         .encode()}), fix_manifests=False)
    with pytest.raises(BadInput, match=r"manifest-sha256\.txt 解开后超过 16 MB"):
        read_bundle(bundle)
