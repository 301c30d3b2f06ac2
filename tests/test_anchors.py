"""Anchors outside the archive: the seals list the online copy and bundles publish, read back from a
site folder, a seals.json or a bundle, and `zwgk verify --against` naming every difference a
forger holding the file can make (issue 14, part 2)."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import ArchiveCache, run_zwgk
from forgery import Forger, change_an_amount, delete_last_seal, drop_triggers, rechain, restore_triggers, run_sql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from test_archive import LAYOUTS, _seal_three_quarters, seal, sessions
from test_bundle import _rewrite, fingerprints, township_db

from zwgk_desktop.archive.anchors import compare, published_seals, read_published, speaks_for_every_village
from zwgk_desktop.archive.bundle import export_bundle, import_bundle
from zwgk_desktop.archive.seal import verify
from zwgk_desktop.db import store
from zwgk_desktop.db.models import Seal
from zwgk_desktop.domain.periods import chinese_moment
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office import online
from zwgk_desktop.render import seal_list
from zwgk_desktop.render.seal_list import PublishedSeal

TODAY = date(2026, 11, 22)
BASE_URL = "https://qingshan.example/zwgk"


@pytest.fixture
def sealed(archive_cache: ArchiveCache, tmp_path: Path) -> Path:
    """东岗村 and 柳树湾村 2025Q4–2026Q2 sealed (the same archive test_archive's `sealed` is)."""
    return archive_cache.copy("sealed-three-quarters", _seal_three_quarters, tmp_path / "demo.sqlite3")


def write_site(db: Path, folder: Path) -> Path:
    with sessions(db)() as session, session.begin():
        online.write_site(session, LAYOUTS, folder, BASE_URL, today=TODAY)
    return folder


def write_bundle(db: Path, out: Path, village: str = "donggang") -> Path:
    with sessions(db)() as session:
        export_bundle(session, village, out)
    return out


def differences(db: Path, source: Path) -> list[str]:
    with sessions(db)() as session:
        found = compare(session, read_published(source), every_village=speaks_for_every_village(source))
    return [str(p) for p in found]


# ---------------------------------------------------------------------------------------------
# What is published.


def test_the_online_copy_publishes_each_villages_seals_as_a_page_and_as_json(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    with sessions(sealed)() as session:
        for village in store.villages(session):
            seals = list(session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id)))
            data = json.loads((site / village.code / "seals.json").read_bytes())
            assert data["what"] == "zwgk-seal-list" and data["village"] == {"name": village.name, "code": village.code}
            assert [(s["number"], s["period"], s["kind"], s["sealed_at"], s["chain_hash"]) for s in data["seals"]] == [
                (n, s.period, s.kind, s.sealed_at, s.chain_hash) for n, s in enumerate(seals, start=1)]
            page = (site / village.code / "seals.html").read_text(encoding="utf-8")
            assert all(s.chain_hash in page for s in seals) and f"封存（共 {len(seals)} 次）" in page
            assert 'href="seals.html"' in (site / village.code / "index.html").read_text(encoding="utf-8")
        assert [s.chain_hash for s in read_published(site)["donggang"]] == [
            s.chain_hash for s in published_seals(session, store.find_village(session, "donggang"))]
    # The site's check knows them as its own files: nothing missing, nothing foreign.
    with sessions(sealed)() as session:
        _, problems = online.check_site(session, LAYOUTS, site, BASE_URL, today=TODAY)
    assert problems == []


def test_a_bundle_carries_the_same_list_in_its_manifest(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    bundle = write_bundle(sealed, tmp_path / "donggang.zwgk")
    with zipfile.ZipFile(bundle) as bag:
        listed = json.loads(bag.read("data/seals.json"))
        assert "data/seals.json" in bag.read("manifest-sha256.txt").decode()
    # The same list; the online copy adds the open-data licence line its every JSON carries.
    published = json.loads((site / "donggang" / "seals.json").read_bytes())
    assert "licence" in published and listed == {k: v for k, v in published.items() if k != "licence"}
    assert read_published(bundle) == {"donggang": read_published(site)["donggang"]}


@pytest.mark.slow
def test_an_honest_archive_agrees_with_every_kind_of_source(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    bundle = write_bundle(sealed, tmp_path / "donggang.zwgk")
    for source in (site, site / "donggang", site / "liushuwan" / "seals.json", bundle):
        run = run_zwgk("verify", "--db", str(sealed), "--against", str(source), "--json", cwd=tmp_path)
        assert run.code == 0, (source, run.out, run.err)
        result = json.loads(run.out)
        assert result["ok"] and result["problems"] == [] and result["against"]["differences"] == []
        # Each village's chain: the record of its key being made, then its three quarters.
        assert result["against"]["published_seals"] == 4 * len(set(result["against"]["villages"]) - {"shiqiao"})
    run = run_zwgk("verify", "--db", str(sealed), "--against", str(site), cwd=tmp_path)
    assert run.code == 0 and "与公布件一致" in run.out and "公布的 8 次封存" in run.out, run.out
    # Named as residents know them, and only the villages compared with seals (石桥村 has none).
    assert "（东岗村、柳树湾村）都与档案中的相同" in run.out, run.out
    assert "shiqiao" not in run.out and "石桥" not in run.out, run.out


@settings(max_examples=60, deadline=None)
@given(moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                           timezones=st.just(UTC)))
def test_a_seal_time_is_shown_on_beijing_time_in_words(moment: datetime) -> None:
    local = moment.astimezone(timezone(timedelta(hours=8)))
    shown = chinese_moment(moment.isoformat(timespec="seconds"))
    assert shown == f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"


def test_the_seals_page_speaks_to_residents(sealed: Path, tmp_path: Path) -> None:
    """Times on Beijing time in words, fingerprints in the clerks' short groups (in full in the
    JSON), key records with their time and no quarter of their own."""
    import re

    site = write_site(sealed, tmp_path / "www")
    page = (site / "donggang" / "seals.html").read_text(encoding="utf-8")
    data = json.loads((site / "donggang" / "seals.json").read_bytes())
    for seal_ in data["seals"]:
        assert chinese_moment(seal_["sealed_at"]) in page
        assert f">{seal_['sealed_at']}<" not in page  # the UTC text only in the machine-readable attribute
    for signer in data["signers"]:
        assert len(signer) == 64 and signer not in page
        assert seal_list.short_fingerprint(signer) in page
    # No lower-case groups of a long hex (groups of digits alone, "3225 0240", may be either form).
    assert re.search(r"(?=[0-9a-f]{4} [0-9a-f]{4})(?=[0-9 ]{0,8}[a-f])[0-9a-f]{4} [0-9a-f]{4}", page) is None
    assert "封存时间（北京时间）" in page and "UTC" not in page
    key_row = next(row for row in page.split("<tr ") if "密钥记录</td>" in row)
    assert 'data-label="季度">—</td>' in key_row
    quarter_row = next(row for row in page.split("<tr ") if "季度封存</td>" in row)
    assert 'data-label="季度">2025Q4</td>' in quarter_row


# ---------------------------------------------------------------------------------------------
# The attacks `verify` alone cannot see, each on a copy with the triggers dropped.


def _attacked(sealed: Path, tmp_path: Path, attack: str) -> Path:
    copy = tmp_path / f"{attack}.sqlite3"
    shutil.copy(sealed, copy)
    if attack == "rows changed, every hash recomputed":
        rechain(copy, change=change_an_amount, village_keys=True)  # signed again with the real keys
    elif attack == "last seal deleted":
        delete_last_seal(copy)
    elif attack == "last seal and its items deleted":
        delete_last_seal(copy, with_items=True)
    elif attack == "whole chain re-signed":
        rechain(copy, forger=Forger())
    elif attack == "chain forked":  # the last quarter unsealed, an amount changed, sealed again
        delete_last_seal(copy)
        run_sql(copy, ("UPDATE item_row SET data = json_set(data, '$.monthly_amount', "
                       "json_extract(data, '$.monthly_amount') + 10000) WHERE item_id IN (SELECT id FROM "
                       "disclosure_item WHERE village_id = 1 AND period = '2026Q2' AND category = 'assistance')", ()))
        seal(copy, "donggang", "2026Q2")
    return copy


ATTACKS = {
    "rows changed, every hash recomputed": "链式哈希却不同",
    "last seal deleted": "封存被删除（档案被截断）",
    "last seal and its items deleted": "封存被删除（档案被截断）",
    "whole chain re-signed": "链式哈希却不同",
    "chain forked": "链式哈希却不同",
}


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.slow
def test_every_attack_on_the_file_is_named_against_an_earlier_site_or_bundle(
        sealed: Path, tmp_path: Path, attack: str) -> None:
    site = write_site(sealed, tmp_path / "www")
    bundle = write_bundle(sealed, tmp_path / "donggang.zwgk")
    copy = _attacked(sealed, tmp_path, attack)
    for source in (site, bundle):
        run = run_zwgk("verify", "--db", str(copy), "--against", str(source), cwd=tmp_path)
        assert run.code == 1 and "与公布件核对未通过" in run.out, (attack, source, run.out, run.err)
        assert ATTACKS[attack] in run.out and "东岗村 第" in run.out, (attack, run.out)
        assert "Traceback" not in run.err
    found = differences(copy, site)
    # Only 东岗村's chain was touched (the re-signing and the rehash touch every village).
    assert found and all(("东岗村" in f) or attack in ("rows changed, every hash recomputed", "whole chain re-signed")
                         for f in found), found


def test_a_fork_is_named_at_the_seal_where_it_starts(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    copy = _attacked(sealed, tmp_path, "chain forked")
    assert differences(copy, site / "donggang") == [
        "东岗村 第4个封存（2026Q2 季度封存）：与公布的是同一次封存，链式哈希却不同（公布的 "
        f"{read_published(site)['donggang'][3].chain_hash[:16]}…，档案中 "
        f"{_chain(copy)[3][:16]}…）：档案的历史被改写（封存的内容或此前的封存被改动后重算）"]


def _chain(db: Path, village: str = "donggang") -> list[str]:
    with sessions(db)() as session:
        return [s.chain_hash for s in published_seals(session, store.find_village(session, village))]


def test_a_rehash_from_the_first_seal_names_every_later_one_after_the_first(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    copy = tmp_path / "rehashed.sqlite3"
    shutil.copy(sealed, copy)
    rechain(copy, change=lambda db: db.execute(
        "UPDATE disclosure_item SET title = title || '（改）' WHERE id = (SELECT item_id FROM sealed_item "
        "JOIN seal ON seal.id = sealed_item.seal_id WHERE seal.village_id = 1 ORDER BY seal.id LIMIT 1)"))
    found = differences(copy, site / "donggang")
    # The first link is the key's record, untouched; the first quarter's seal is the second.
    assert len(found) == 3 and "链式哈希却不同" in found[0] and "第2个封存" in found[0]
    assert all("第2个封存被改写，此后的封存都随之不同" in f for f in found[1:]), found


def test_seals_made_after_the_copy_was_published_are_named(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    seal(sealed, "shiqiao", "2026Q1")  # a village the copy listed with no seals
    found = differences(sealed, site)
    assert len(found) >= 1 and all("公布件中却没有" in f for f in found), found
    assert any(f.startswith("石桥村 第2个封存（2026Q1 季度封存）") for f in found), found
    # Exported again, the copy agrees again.
    write_site(sealed, site)
    assert differences(sealed, site) == []


def test_a_whole_site_must_list_every_village_with_seals(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    shutil.rmtree(site / "liushuwan")
    assert differences(sealed, site) == [
        "柳树湾村：本档案中有 4 次封存，公布件中却没有此村的封存记录：请重新导出网上公开件后再核对"]
    assert differences(sealed, site / "donggang") == []  # one village's folder speaks for that village only


def test_a_published_list_altered_while_its_hashes_agree_is_said_to_be_altered(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    listed = site / "donggang" / "seals.json"
    data = json.loads(listed.read_bytes())
    data["seals"][0]["period"] = "2025Q3"
    data["seals"][1]["signature"] = "c2lnbmVk"
    listed.write_text(json.dumps(data), encoding="utf-8")
    found = differences(sealed, listed)
    assert len(found) == 2 and "公布件被改动过" in found[0] and "季度“2025Q3”" in found[0]
    assert "签名" in found[1], found


def test_a_village_unknown_here_is_named(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    listed = site / "donggang" / "seals.json"
    data = json.loads(listed.read_bytes())
    data["village"]["code"] = "xigang"
    listed.write_text(json.dumps(data), encoding="utf-8")
    assert differences(sealed, listed) == [
        "代码为 xigang 的村：公布件中有此村的 4 次封存，本档案中却没有这个村：档案不全，或不是这个乡镇的档案"]


# ---------------------------------------------------------------------------------------------
# Sources that are not what they should be: refused in words, exit 2, never a crash.


@pytest.mark.slow
def test_sources_that_are_not_a_published_list_are_refused_in_words(sealed: Path, tmp_path: Path) -> None:
    site = write_site(sealed, tmp_path / "www")
    old_site = tmp_path / "old"
    shutil.copytree(site, old_site)
    for path in old_site.glob("*/seals.*"):
        path.unlink()
    moved = tmp_path / "moved"
    shutil.copytree(site, moved)
    (moved / "donggang" / "seals.json").write_bytes((site / "liushuwan" / "seals.json").read_bytes())
    (tmp_path / "notes.json").write_text('{"seals": []}', encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"what": "zwgk-seal-list", ', encoding="utf-8")
    (tmp_path / "gbk.json").write_bytes("封存".encode("gbk"))
    (tmp_path / "broken.zwgk").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    cases = {
        tmp_path / "missing": "找不到",
        tmp_path: "不是网上公开件的文件夹",
        old_site: "旧版程序导出的网上公开件",
        moved: "却放在 donggang/ 中",
        tmp_path / "notes.json": "不是本程序公布的封存记录",
        tmp_path / "broken.json": "JSON 写法不对",
        tmp_path / "gbk.json": "不是 UTF-8",
        tmp_path / "broken.zwgk": "不是有效的档案包",
    }
    for source, said in cases.items():
        run = run_zwgk("verify", "--db", str(sealed), "--against", str(source), cwd=tmp_path)
        assert run.code == 2 and said in run.err and "Traceback" not in run.err, (source, run.err)
    run = run_zwgk("verify", "--db", str(sealed), "--village", "shiqiao", "--against", str(site / "donggang"),
                   cwd=tmp_path)
    assert run.code == 2 and "没有石桥村的封存记录" in run.err, run.err


_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                   max_size=4), max_leaves=12)


def _published(seals: int = 3) -> dict[str, Any]:
    return seal_list.document("青山镇", "东岗村", "donggang", [
        PublishedSeal(n, f"2026Q{n}", "quarter", f"2026-0{n}-05T08:00:00+00:00", f"{n:064x}",
                      "c2ln" * 22, "ab" * 32) for n in range(1, seals + 1)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(["seals", 0, 1, 2, "village", "code", "number", "chain_hash", "signer",
                                      "signature", "period", "kind", "sealed_at", "format", "what"]), max_size=3),
       value=_VALUES, delete=st.booleans())
def test_any_change_to_a_published_list_is_read_or_refused_in_words(path: list[Any], value: Any,
                                                                       delete: bool) -> None:
    """Whatever a published file has become, it is read as seals or refused with BadInput."""
    data: Any = _published()
    node = data
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    if path:
        try:
            if delete:
                del node[path[-1]]
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass
    else:
        data = value
    try:
        code, seals = seal_list.parse(json.loads(json.dumps(data)), "seals.json")
    except BadInput as exc:
        assert exc.message.startswith("seals.json")
    else:
        assert isinstance(code, str) and [s.number for s in seals] == list(range(1, len(seals) + 1))
        assert all(isinstance(s.chain_hash, str) and len(s.chain_hash) == 64 for s in seals)


def test_a_bundle_whose_seals_list_was_changed_is_refused(sealed: Path, tmp_path: Path) -> None:
    bundle = write_bundle(sealed, tmp_path / "donggang.zwgk")

    def drop_last(members: dict[str, bytes]) -> None:
        data = json.loads(members["data/seals.json"])
        data["seals"].pop()
        members["data/seals.json"] = json.dumps(data).encode()

    _rewrite(bundle, drop_last, fix_manifests=True)
    township = township_db(tmp_path)
    run = run_zwgk("bundle", "import", str(bundle), "--db", str(township), cwd=tmp_path)
    assert run.code == 2 and "data/seals.json 与档案包中的封存不一致" in run.err, run.err
    run = run_zwgk("verify", "--db", str(sealed), "--against", str(bundle), cwd=tmp_path)
    assert run.code == 2 and "与档案包中的封存不一致" in run.err, run.err


def test_a_bundle_from_before_the_list_still_imports_and_anchors(sealed: Path, tmp_path: Path) -> None:
    bundle = write_bundle(sealed, tmp_path / "donggang.zwgk")

    def forget(members: dict[str, bytes]) -> None:
        del members["data/seals.json"]

    _rewrite(bundle, forget, fix_manifests=True)
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, bundle, trust=fingerprints(sealed))
    assert differences(township, bundle) == [] and differences(sealed, bundle) == []
    # And the township's own export of that village carries the list again, the same.
    again = write_bundle(township, tmp_path / "again.zwgk")
    assert read_published(again) == read_published(bundle)


def test_the_township_can_hold_a_village_to_its_earlier_bundle(sealed: Path, tmp_path: Path) -> None:
    """The township imports the village's bundle; later the village's archive loses its last seal:
    the township's copy (its database, or the bundle it kept) names it."""
    bundle = write_bundle(sealed, tmp_path / "donggang.zwgk")
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, bundle, trust=fingerprints(sealed))
    village_site = write_site(township, tmp_path / "township-www")
    delete_last_seal(sealed)
    with sessions(sealed)() as session:
        assert verify(session)[1] == []  # consistent with itself: only an anchor tells
    assert differences(sealed, village_site / "donggang") == [
        "东岗村 第4个封存（2026Q2 季度封存）：已经公布，本档案中却没有这次封存：封存被删除（档案被截断），"
        "它封存的事项可能已被改动"]


# ---------------------------------------------------------------------------------------------
# Both backends.


def test_compare_on_every_backend(demo_any: str, tmp_path: Path) -> None:
    from zwgk_desktop.archive.seal import seal_quarter
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.domain.periods import Quarter

    engine = open_engine(demo_any)
    made = session_factory(engine)
    with made() as session, session.begin():
        seal_quarter(session, LAYOUTS, "donggang", Quarter.parse("2026Q1"), "王德明")
    with made() as session:
        listed = tmp_path / "seals.json"
        village = store.find_village(session, "donggang")
        listed.write_text(json.dumps(seal_list.document("青山镇", village.name, village.code,
                                                        published_seals(session, village))), encoding="utf-8")
        assert compare(session, read_published(listed)) == []
    with made() as session, session.begin():
        seal_quarter(session, LAYOUTS, "donggang", Quarter.parse("2026Q2"), "王德明")
    with made() as session:
        found = [str(p) for p in compare(session, read_published(listed))]
    engine.dispose()
    assert found == ["东岗村 第3个封存（2026Q2 季度封存）：本档案中有，公布件中却没有：这次封存是在公布件导出之后做的"
                     "（请重新导出网上公开件后再核对），或是伪造的"]


def test_drop_triggers_is_named_and_putting_them_back_leaves_an_archive_that_verifies(sealed: Path) -> None:
    """The forger's first step is itself a finding (the archive's protection removed); put back,
    the triggers leave nothing a check sees (so every later finding is the attack's)."""
    drop_triggers(sealed)
    with sessions(sealed)() as session:
        found = [str(p) for p in verify(session)[1]]
    assert found and all("防改动保护被去掉了" in p for p in found), found
    assert any("seal_append_only_update" in p for p in found)
    restore_triggers(sealed)
    with sessions(sealed)() as session:
        assert verify(session)[1] == []
