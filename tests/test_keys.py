"""Village keys: seals signed on sealing, checked by verify and at the township; keys replaced,
lost, restored from a USB copy or the printed 密钥恢复单; a downgrade or a re-signed chain refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pypdf
import pytest
from conftest import ArchiveCache, run_zwgk
from forgery import restore_triggers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from test_archive import seal, sessions
from test_bundle import export, fingerprints, township_db, trusting
from test_posters import decode_qr

from zwgk_desktop.archive import signing
from zwgk_desktop.archive.bundle import import_bundle
from zwgk_desktop.archive.seal import canonical, chain_hash, payload_hash, verify
from zwgk_desktop.db.models import Seal, Village, VillageKey
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office import keys as office_keys
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.sealing import what_seals


def _two_quarters(db: Path) -> None:
    seal(db, "donggang", "2026Q1")
    seal(db, "donggang", "2026Q2")


@pytest.fixture
def signed(archive_cache: ArchiveCache, tmp_path: Path) -> Path:
    """东岗村 with 2026Q1 and 2026Q2 sealed, its key in this test's data folder."""
    return archive_cache.copy("donggang-two-signed-quarters", _two_quarters, tmp_path / "village.sqlite3")


def chain(db: Path, village: int = 1) -> list[Seal]:
    with sessions(db)() as session:
        seals = list(session.scalars(select(Seal).where(Seal.village_id == village).order_by(Seal.id)))
        session.expunge_all()
    return seals


def problems(db: Path) -> list[str]:
    """What verify finds once the forger has put the triggers back (a missing trigger is itself
    a finding: tests/test_proofs.py)."""
    restore_triggers(db)
    with sessions(db)() as session:
        return [str(p) for p in verify(session)[1]]


def unprotected(db: Path) -> sqlite3.Connection:
    """The archive with the triggers that guard seals dropped, as an attacker with the file would."""
    connection = sqlite3.connect(db)
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        connection.execute(f"DROP TRIGGER {name}")
    return connection


def test_the_first_seal_makes_the_key_and_every_seal_is_signed(signed: Path) -> None:
    seals = chain(signed)
    assert [s.kind for s in seals] == ["key", "quarter", "quarter"]
    event = json.loads(seals[0].event or "")
    assert event["event"] == "made" and event["holder"] == "东岗村"
    fp = event["fingerprint"]
    assert all(s.signer == fp and s.signature for s in seals)
    public = signing._public_from_b64(event["public_key"])
    assert public is not None
    assert all(signing.signature_holds(public, "donggang", s.chain_hash, s.signature) for s in seals)
    # Domain-separated: the same signature is no signature for another village or another hash.
    assert not signing.signature_holds(public, "liushuwan", seals[1].chain_hash, seals[1].signature)
    assert not signing.signature_holds(public, "donggang", seals[2].chain_hash, seals[1].signature)
    assert signing.key_path("donggang", fp).exists() and fingerprints(signed) == [fp]
    assert problems(signed) == []
    short = signing.short_fingerprint(fp)
    assert len(short.split()) == 6 and signing.normalised_fingerprint(short.lower()) == fp[:24]


@pytest.mark.parametrize("change, told", [
    ("UPDATE seal SET signature = NULL WHERE kind = 'quarter' AND period = '2026Q2'", "封存没有签名"),
    ("UPDATE seal SET signature = 'not base64!' WHERE kind = 'quarter' AND period = '2026Q2'", "签名与封存不符"),
    ("UPDATE seal SET signature = 12345 WHERE kind = 'quarter' AND period = '2026Q2'", "签名与封存不符"),
    ("UPDATE seal SET signature = (SELECT signature FROM seal WHERE period = '2026Q1' AND kind = 'quarter') "
     "WHERE kind = 'quarter' AND period = '2026Q2'", "签名与封存不符"),
    ("UPDATE seal SET event = '{\"event\": \"made\"' WHERE kind = 'key'", "密钥记录被改动"),
    ("UPDATE seal SET event = x'00ff' WHERE kind = 'key'", "密钥记录被改动"),
    ("DELETE FROM village_key", "没有在本库登记"),
])
def test_a_changed_signature_or_key_record_is_named(signed: Path, change: str, told: str) -> None:
    with unprotected(signed) as db:
        db.execute(change)
    found = problems(signed)
    assert any(told in p for p in found), found


def _resign(db: Path, *, change_sealed_by: bool, replace_registry: bool) -> signing.SigningKey:
    """Re-sign the whole chain of 东岗村 with a key of the attacker's own, every hash recomputed
    (optionally after changing who sealed), as one with the file and no key would."""
    forger = signing.SigningKey.make()
    unprotected(db).close()
    with sessions(db)() as session, session.begin():
        previous = ""
        village = session.get(Village, 1)
        assert village is not None
        for seal_ in session.scalars(select(Seal).where(Seal.village_id == 1).order_by(Seal.id)):
            if seal_.kind == "key":
                seal_.event = canonical({"event": "made", "public_key": forger.public_b64,
                                         "fingerprint": forger.fingerprint, "reason": "x", "holder": "东岗村"}).decode()
            elif change_sealed_by:
                seal_.sealed_by = "伪造人"
            seal_.signer = forger.fingerprint
            seal_.payload_hash = payload_hash(seal_, "donggang", previous, list(seal_.items))
            seal_.chain_hash = chain_hash(previous, seal_.payload_hash)
            seal_.signature = forger.sign("donggang", seal_.chain_hash)
            previous = seal_.chain_hash
        if replace_registry:
            for row in session.scalars(select(VillageKey)):
                row.fingerprint, row.public_key = forger.fingerprint, forger.public_b64
    return forger


def test_a_resigned_chain_is_caught_where_the_key_was_registered(signed: Path, tmp_path: Path) -> None:
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, export(signed, tmp_path / "honest.zwgk"), trust=fingerprints(signed))
    forged = tmp_path / "forged.sqlite3"
    shutil.copy(signed, forged)
    _resign(forged, change_sealed_by=True, replace_registry=False)
    assert any("没有在本库登记" in p for p in problems(forged))  # the registry left as it was
    _resign(forged, change_sealed_by=True, replace_registry=True)
    # With the registry rewritten too the file agrees with itself: only what is held elsewhere can tell.
    assert problems(forged) == []
    bundle = export(forged, tmp_path / "forged.zwgk")
    done = run_zwgk("bundle", "import", str(bundle), "--db", str(township), cwd=tmp_path)
    assert done.code == 2 and "东岗村" in done.err and "本库登记的东岗村密钥是" in done.err, done.err
    assert "Traceback" not in done.err
    # A fresh township that never confirmed a key takes none on the bundle's word.
    (tmp_path / "fresh").mkdir()
    fresh = township_db(tmp_path / "fresh")
    done = run_zwgk("bundle", "import", str(bundle), "--db", str(fresh), cwd=tmp_path)
    assert done.code == 2 and "本库还没有登记东岗村的密钥" in done.err, done.err


def test_a_downgrade_after_a_signed_seal_is_refused(signed: Path) -> None:
    with unprotected(signed) as db:
        db.execute("UPDATE seal SET format = 3 WHERE kind = 'quarter' AND period = '2026Q2'")
    found = problems(signed)
    assert any("降级" in p for p in found), found


def test_a_bundle_signed_otherwise_is_refused_at_the_township(signed: Path, tmp_path: Path) -> None:
    """The same chain, its last seal's signature swapped for one by another key, hashes intact."""
    bundle = export(signed, tmp_path / "donggang.zwgk")
    other = signing.SigningKey.make()

    from test_bundle import _rewrite

    def swap(members: dict[str, bytes]) -> None:
        document = json.loads(members["data/archive.json"])
        last = document["seals"][-1]
        last["signature"] = other.sign("donggang", last["chain_hash"])
        members["data/archive.json"] = json.dumps(document, ensure_ascii=False).encode()
        listed = json.loads(members["data/seals.json"])  # and its published list, as a careful forger would
        listed["seals"][-1]["signature"] = last["signature"]
        members["data/seals.json"] = json.dumps(listed, ensure_ascii=False).encode()

    _rewrite(bundle, swap, fix_manifests=True)
    township = township_db(tmp_path)
    done = run_zwgk("bundle", "import", str(bundle), "--db", str(township), *trusting(signed), cwd=tmp_path)
    assert done.code == 2 and "签名" in done.err and "东岗村" in done.err, done.err


def test_replace_then_lost_keep_the_chain_and_the_township_follows(signed: Path, tmp_path: Path) -> None:
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, export(signed, tmp_path / "one.zwgk"), trust=fingerprints(signed))
    archive = Archive.open(signed)
    try:
        replaced = office_keys.replace_key(archive, "donggang", "换新电脑", "王德明")
        seal(signed, "donggang", "2025Q4")
        # The replacement is signed by the old key: the township follows it without a phone call.
        with sessions(township)() as session, session.begin():
            result = import_bundle(session, export(signed, tmp_path / "two.zwgk"))
        assert (result.seals, result.keys) == (1, 1)
        signing.key_path("donggang", replaced.new).unlink()
        lost = office_keys.declare_lost(archive, "donggang", "硬盘损坏，没有备份", "王德明")
    finally:
        archive.close()
    assert lost.old == replaced.new and problems(signed) == []
    kinds = [json.loads(s.event or "{}").get("event") for s in chain(signed) if s.kind == "key"]
    assert kinds == ["made", "replaced", "lost"]
    bundle = export(signed, tmp_path / "three.zwgk")
    refused = run_zwgk("bundle", "import", str(bundle), "--db", str(township), cwd=tmp_path)
    assert refused.code == 2 and "村里报告原密钥丢失" in refused.err, refused.err
    short = signing.short_fingerprint(lost.new)
    trusted = run_zwgk("key", "trust", "--db", str(township), "--village", "donggang", "--fingerprint", short,
                       "--confirmed-by", "李乡长", cwd=tmp_path)
    assert trusted.code == 0, trusted.err
    again = run_zwgk("key", "trust", "--db", str(township), "--village", "donggang", "--fingerprint", short,
                     "--confirmed-by", "李乡长", cwd=tmp_path)
    assert again.code == 0
    done = run_zwgk("bundle", "import", str(bundle), "--db", str(township), cwd=tmp_path)
    assert done.code == 0 and "1 个密钥记录" in done.out, done.err
    assert problems(township) == []
    listed = json.loads(run_zwgk("key", "list", "--db", str(township), "--json", cwd=tmp_path).out)
    # made (confirmed, retired by the replacement), replaced (chained, retired by the loss), lost (confirmed)
    assert [(k["how"], k["retired_at"] is None) for k in listed] == [
        ("confirmed", False), ("chained", False), ("confirmed", True)]
    assert next(k for k in listed if k["retired_at"] is None)["fingerprint"] == lost.new  # the short form completed


def test_the_old_key_signs_nothing_after_it_was_replaced(signed: Path) -> None:
    with sessions(signed)() as session:
        old = signing.own_key(session, session.get(Village, 1))  # type: ignore[arg-type]
    archive = Archive.open(signed)
    try:
        office_keys.replace_key(archive, "donggang", "换新电脑", "王德明")
    finally:
        archive.close()
    seal(signed, "donggang", "2025Q4")
    with unprotected(signed) as db:  # the last seal re-signed with the retired key
        last, chain_ = db.execute("SELECT id, chain_hash FROM seal ORDER BY id DESC LIMIT 1").fetchone()
        db.execute("UPDATE seal SET signer = ?, signature = ? WHERE id = ?",
                   (old.fingerprint, old.sign("donggang", chain_), last))
    found = problems(signed)
    assert any("已停用的密钥" in p or "封存记录被改动" in p for p in found), found


def test_without_its_key_a_village_is_told_what_to_do_before_sealing(signed: Path, tmp_path: Path) -> None:
    fp = fingerprints(signed)[0]
    copy = tmp_path / "usb" / "donggang.zwgkkey"
    copy.parent.mkdir()
    archive = Archive.open(signed)
    try:
        office_keys.export_key(archive, "donggang", copy)
        sheet = office_keys.print_recovery_sheet(archive, "donggang", tmp_path / "恢复单.pdf")
        signing.key_path("donggang", fp).unlink()
        with pytest.raises(BadInput, match="zwgk key restore"):
            what_seals(archive, "donggang", Quarter(2025, 4))
        with pytest.raises(BadInput, match="二者选一"):
            office_keys.restore_key(archive)
        restored = office_keys.restore_key(archive, file=copy)
        assert restored.fingerprint == fp and signing.key_path("donggang", fp).exists()
        signing.key_path("donggang", fp).unlink()
        code = _recovery_code(sheet)
        with pytest.raises(BadInput, match="校验不符"):
            office_keys.restore_key(archive, text=code[:-1] + ("A" if code[-1] != "A" else "B"))
        assert office_keys.restore_key(archive, text=code.lower()).fingerprint == fp
        with pytest.raises(BadInput, match="不是本档案任何村"):
            office_keys.restore_key(archive, text=signing.recovery_text(signing.SigningKey.make()))
    finally:
        archive.close()
    seal(signed, "donggang", "2025Q4")
    assert problems(signed) == []


def _recovery_code(sheet: Path) -> str:
    """The recovery code as the sheet prints it, and as its QR code holds it (they must agree)."""
    text = "".join(page.extract_text() for page in pypdf.PdfReader(sheet).pages)
    assert "密钥恢复单" in text and "zwgk key restore" in text and "乡镇" in text
    (scanned,) = decode_qr(sheet, 0)
    groups = [scanned[i:i + 4] for i in range(0, len(scanned), 4)]
    assert len(groups) == 14 and all(group in text for group in groups)
    return " ".join(groups)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(min_size=32, max_size=32), position=st.integers(0, 55), letter=st.sampled_from("ABCDEFGHJK"))
def test_a_recovery_code_round_trips_and_a_mistyped_letter_is_caught(raw: bytes, position: int, letter: str) -> None:
    key = signing.SigningKey.from_raw(raw)
    code = signing.recovery_text(key)
    assert signing.parse_recovery_text(code).fingerprint == key.fingerprint
    letters = code.replace(" ", "")
    if letters[position] != letter:
        typo = letters[:position] + letter + letters[position + 1:]
        try:
            mistaken = signing.parse_recovery_text(typo)
        except BadInput:
            return
        assert mistaken.fingerprint != key.fingerprint  # at worst another key, which restore refuses
        pytest.fail("a mistyped letter went unnoticed")


EVENT_TEXTS = st.one_of(
    st.none(), st.text(max_size=60), st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
    st.dictionaries(st.sampled_from(["event", "public_key", "fingerprint", "reason", "holder", "old"]),
                    st.one_of(st.none(), st.integers(), st.text(max_size=20), st.sampled_from(
                        ["made", "replaced", "lost"])), max_size=6).map(lambda d: json.dumps(d)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=EVENT_TEXTS, signer=st.one_of(st.none(), st.text(max_size=70), st.integers(-2**63, 2**63 - 1)),
       signature=st.one_of(st.none(), st.text(max_size=90), st.binary(max_size=64)))
@pytest.mark.slow
def test_whatever_a_key_record_becomes_verify_names_it(signed: Path, tmp_path_factory: pytest.TempPathFactory,
                                                       event: str | None, signer: object, signature: object) -> None:
    copy = tmp_path_factory.mktemp("mutated") / "v.sqlite3"
    shutil.copy(signed, copy)
    with unprotected(copy) as db:
        db.execute("UPDATE seal SET event = ?, signer = ?, signature = ? WHERE kind = 'key'",
                   (event, signer, signature))
    found = problems(copy)
    assert found and all("东岗村" in p for p in found)


def test_key_commands_from_the_command_line(signed: Path, tmp_path: Path) -> None:
    shown = run_zwgk("key", "show", "--db", str(signed), "--village", "东岗村", "--json", cwd=tmp_path)
    assert shown.code == 0, shown.err
    data = json.loads(shown.out)
    assert data["private_key_here"] and data["fingerprint"] == fingerprints(signed)[0]
    usb = tmp_path / "usb"
    usb.mkdir()
    out = run_zwgk("key", "export", "--db", str(signed), "--village", "donggang", "-o", str(usb), cwd=tmp_path)
    assert out.code == 0 and list(usb.glob("*.zwgkkey")), out.err
    printed = run_zwgk("key", "print", "--db", str(signed), "--village", "donggang", "-o", str(tmp_path / "k.pdf"),
                       cwd=tmp_path)
    assert printed.code == 0 and (tmp_path / "k.pdf").exists(), printed.err
    bad = run_zwgk("key", "trust", "--db", str(signed), "--village", "donggang", "--fingerprint", "xyz",
                   "--confirmed-by", "李", cwd=tmp_path)
    assert bad.code == 2 and "十六进制" in bad.err and "Traceback" not in bad.err
    junk = tmp_path / "junk.zwgkkey"
    junk.write_text("{}", encoding="utf-8")
    restored = run_zwgk("key", "restore", str(junk), "--db", str(signed), cwd=tmp_path)
    assert restored.code == 2 and "不是本程序的密钥文件" in restored.err
    lost = run_zwgk("key", "lost", "--db", str(signed), "--village", "donggang", "--reason", "x", cwd=tmp_path)
    assert lost.code == 2 and "zwgk key replace" in lost.err  # the key is here: replace it, do not declare it lost


def test_backups_keep_the_keys_and_a_restore_puts_them_back(signed: Path, tmp_path: Path) -> None:
    from zwgk_desktop.office.backups import backup_now, check_restore, restore

    fp = fingerprints(signed)[0]
    backup = backup_now(signed)
    assert (backup.path.parent / "keys" / signing.key_path("donggang", fp).name).exists()
    signing.key_path("donggang", fp).unlink()
    plan = check_restore(signed, backup.path)
    try:
        restore(signed, plan)
    finally:
        plan.discard()
    assert signing.key_path("donggang", fp).exists()


def test_key_records_are_listed_as_such(signed: Path, tmp_path: Path) -> None:
    """Everything that lists seals takes a key record for what it is (no items, no quarter of its own)."""
    with unprotected(signed) as db:
        db.execute("UPDATE seal SET sealed_by = '别人' WHERE kind = 'key'")
    found = problems(signed)
    assert any("东岗村" in p and "密钥记录" in p for p in found), found


def test_the_township_path_is_told_in_the_township_s_words(signed: Path, tmp_path: Path) -> None:
    """Sealing a correction at the township makes the township's key for the village: the notice,
    its key record and `key list` say so (the village's name, not its code); the village, importing
    it, is told to phone the township; a fingerprint typed wrong is told as such; --confirmed-by is required."""
    from test_bundle import _correct_at_the_township

    from zwgk_desktop.db import store

    bundle = export(signed, tmp_path / "donggang.zwgk")
    township = township_db(tmp_path)
    typed = "0123 4567 89AB CDEF 0123 4567"
    wrong = run_zwgk("bundle", "import", str(bundle), "--db", str(township), "--trust-fingerprint", typed,
                     "--confirmed-by", "李乡长", cwd=tmp_path)
    village_short = signing.short_fingerprint(fingerprints(signed)[0])
    assert wrong.code == 2 and f"输入的指纹 {typed} 与档案包中的密钥 {village_short} 不符" in wrong.err, wrong.err
    nobody = run_zwgk("bundle", "import", str(bundle), "--db", str(township),
                      "--trust-fingerprint", village_short, cwd=tmp_path)
    assert nobody.code == 2 and "--confirmed-by" in nobody.err and "Traceback" not in nobody.err, nobody.err
    done = run_zwgk("bundle", "import", str(bundle), "--db", str(township), *trusting(signed), cwd=tmp_path)
    assert done.code == 0, done.err
    with sessions(township)() as session, session.begin():
        store.set_base_url(store.get_township(session), "https://qingshan.example/zwgk")  # type: ignore[arg-type]
    _correct_at_the_township(township, "2026Q1", "bids", "工期录入有误")
    sealed = run_zwgk("seal", "--db", str(township), "--village", "donggang", "--period", "2026Q1",
                      "--by", "李乡长", cwd=tmp_path)
    assert sealed.code == 0, sealed.err
    assert "已生成青山镇为东岗村签名的密钥" in sealed.err and "donggang的" not in sealed.err, sealed.err
    assert "请把指纹告诉东岗村的村文书" in sealed.err and "本村的签名密钥签名" not in sealed.err
    record = json.loads(next(s.event for s in reversed(chain(township)) if s.kind == "key") or "{}")
    assert record["holder"] == "青山镇" and "生成本村" not in record["reason"] and "青山镇" in record["reason"]
    listed = run_zwgk("key", "list", "--db", str(township), cwd=tmp_path).out
    own = next(line for line in listed.splitlines() if "本机密钥" in line)
    assert "青山镇为东岗村封存更正的密钥" in own, listed
    back = export(township, tmp_path / "back.zwgk")
    refused = run_zwgk("bundle", "import", str(back), "--db", str(signed), cwd=tmp_path)
    assert refused.code == 2 and "请打电话与青山镇核对指纹" in refused.err and "村文书" not in refused.err, refused.err
    assert "村里换了电脑" not in refused.err
    township_fp = next(fp for fp in fingerprints(township))
    taken = run_zwgk("bundle", "import", str(back), "--db", str(signed), "--trust-fingerprint", township_fp[:24],
                     "--confirmed-by", "王文书", cwd=tmp_path)
    assert taken.code == 0, taken.err
    at_village = run_zwgk("key", "list", "--db", str(signed), cwd=tmp_path).out
    assert "青山镇为东岗村封存更正的密钥（已核对指纹）" in at_village, at_village
    # Replacing the village's own key afterwards: the village is still its holder.
    archive = Archive.open(signed)
    try:
        office_keys.replace_key(archive, "donggang", "换新电脑", "王德明")
    finally:
        archive.close()
    last = json.loads(chain(signed)[-1].event or "{}")
    assert last["holder"] == "东岗村", last
