"""Sealing quarters, verifying them, and backups: what an auditor relies on."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ArchiveCache, run_zwgk
from factories import changed_behind_the_back, rehash_every_seal
from sqlalchemy import func, select

from zwgk_desktop.archive.backup import list_backups, restore, take_backup
from zwgk_desktop.archive.seal import seal_quarter, verify
from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, Seal
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts

LAYOUTS = load_layouts(standard_layouts_dir())


def sessions(db: Path):  # type: ignore[no-untyped-def]
    return session_factory(open_engine(str(db)))


def seal(db: Path, village: str, period: str) -> None:
    with sessions(db)() as session, session.begin():
        seal_quarter(session, LAYOUTS, village, Quarter.parse(period), "王德明")


def _seal_three_quarters(db: Path) -> None:
    for village in ("donggang", "liushuwan"):
        for period in ("2025Q4", "2026Q1", "2026Q2"):
            seal(db, village, period)


@pytest.fixture
def sealed(archive_cache: ArchiveCache, tmp_path: Path) -> Path:
    """The demo with 东岗村 and 柳树湾村 2025Q4–2026Q2 sealed (made once a session, copied per test)."""
    return archive_cache.copy("sealed-three-quarters", _seal_three_quarters, tmp_path / "demo.sqlite3")


def test_sealed_quarters_verify(sealed: Path) -> None:
    with sessions(sealed)() as session:
        checked, problems = verify(session)
        chain = list(session.scalars(select(Seal).where(Seal.village_id == 1).order_by(Seal.id)))
    assert problems == [] and checked >= 20
    assert chain[1].previous_id == chain[0].id and chain[0].previous_id is None


def test_a_sealed_item_cannot_be_changed_by_the_app_or_the_database(sealed: Path) -> None:
    with sessions(sealed)() as session:
        item_id = session.scalars(select(store.DisclosureItem.id).where(
            store.DisclosureItem.period == "2026Q2", store.DisclosureItem.category == "assistance")).first()
        item, _ = store.load_item(session, item_id)  # type: ignore[arg-type]
    item.rows[0]["monthly_amount"] += 100
    with pytest.raises(BadInput, match="已封存"), sessions(sealed)() as session, session.begin():
        store.save_item(session, item)
    raw = sqlite3.connect(sealed)
    for statement in ("UPDATE item_row SET data = '{}' WHERE item_id = ?",
                      "DELETE FROM item_row WHERE item_id = ?",
                      "UPDATE disclosure_item SET title = 'x' WHERE id = ?",
                      "DELETE FROM sealed_item WHERE item_id = ?",
                      # REPLACE deletes what it collides with, firing no delete trigger:
                      "INSERT OR REPLACE INTO disclosure_item SELECT * FROM disclosure_item WHERE id = ?",
                      "REPLACE INTO item_row SELECT * FROM item_row WHERE item_id = ?",
                      "INSERT OR REPLACE INTO item_row (id, item_id, seq, data) "
                      "SELECT id, item_id + 1, seq + 1000, data FROM item_row WHERE item_id = ?",
                      "INSERT OR REPLACE INTO sealed_item SELECT * FROM sealed_item WHERE item_id = ?",
                      "INSERT OR REPLACE INTO seal SELECT * FROM seal WHERE id = "
                      "(SELECT seal_id FROM sealed_item WHERE item_id = ?)"):
        with pytest.raises(sqlite3.IntegrityError, match="sealed"):
            raw.execute(statement, (item_id,))
    raw.close()


def test_sealing_is_all_or_nothing(demo_copy: Path) -> None:
    with pytest.raises(BadInput, match="草稿") as caught, sessions(demo_copy)() as session, session.begin():
        seal_quarter(session, LAYOUTS, "donggang", Quarter(2026, 3), "王德明")  # holds a draft notice
    assert "事项" in str(caught.value)
    with sessions(demo_copy)() as session:
        assert session.scalar(select(func.count()).select_from(Seal)) == 0
    seal(demo_copy, "donggang", "2026Q2")
    with pytest.raises(BadInput, match="已经封存过了"):
        seal(demo_copy, "donggang", "2026Q2")


def _tamper_amount(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("DROP TRIGGER row_sealed_update")
    item_id, seq, data = rng.choice(db.execute(
        "SELECT item_id, seq, data FROM item_row WHERE item_id IN (SELECT item_id FROM sealed_item)").fetchall())
    data = json.loads(data)
    key = next(k for k in ("monthly_amount", "expense", "income", "price", "amount") if data.get(k))
    data[key] += 1
    db.execute("UPDATE item_row SET data = ? WHERE item_id = ? AND seq = ?", (json.dumps(data), item_id, seq))


def _tamper_name(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("DROP TRIGGER row_sealed_update")
    item_id, seq, data = rng.choice(db.execute(
        "SELECT item_id, seq, data FROM item_row WHERE json_extract(data, '$.head_name') IS NOT NULL "
        "AND item_id IN (SELECT item_id FROM sealed_item)").fetchall())
    data = json.loads(data)
    data["head_name"] = data["head_name"][0] + "某某"
    db.execute("UPDATE item_row SET data = ? WHERE item_id = ? AND seq = ?", (json.dumps(data), item_id, seq))


def _tamper_pdf(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("DROP TRIGGER sealed_item_append_only_update")
    entry_id, pdf = rng.choice(db.execute("SELECT id, pdf FROM sealed_item WHERE pdf IS NOT NULL").fetchall())
    position = rng.randrange(len(pdf))
    changed = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1:]
    db.execute("UPDATE sealed_item SET pdf = ? WHERE id = ?", (changed, entry_id))


def _tamper_deleted_row(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("DROP TRIGGER row_sealed_delete")
    item_id, seq = rng.choice(db.execute(
        "SELECT item_id, seq FROM item_row WHERE item_id IN (SELECT item_id FROM sealed_item)").fetchall())
    db.execute("DELETE FROM item_row WHERE item_id = ? AND seq = ?", (item_id, seq))


def _tamper_chain(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("DROP TRIGGER seal_append_only_update")
    first, second = db.execute("SELECT id FROM seal WHERE village_id = 1 ORDER BY id LIMIT 2").fetchall()
    db.execute("UPDATE seal SET previous_id = NULL WHERE id = ?", second)
    db.execute("UPDATE seal SET previous_id = ? WHERE id = ?", (second[0], first[0]))


def _tamper_public_json(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("DROP TRIGGER sealed_item_append_only_update")
    entry_id, text = rng.choice(db.execute("SELECT id, canonical_json FROM sealed_item").fetchall())
    db.execute("UPDATE sealed_item SET canonical_json = ? WHERE id = ?", (text.replace("0", "1", 1), entry_id))


def _tamper_pdf_as_text(db: sqlite3.Connection, rng: random.Random) -> None:
    """A sheet overwritten with text of another type (SQLite lets any column hold any type)."""
    db.execute("DROP TRIGGER sealed_item_append_only_update")
    (entry_id,) = rng.choice(db.execute("SELECT id FROM sealed_item WHERE pdf IS NOT NULL").fetchall())
    db.execute("UPDATE sealed_item SET pdf = substr(pdf, 1, 1000) || 'x' WHERE id = ?", (entry_id,))


def _tamper_sealed_title(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("DROP TRIGGER sealed_item_append_only_update")
    (entry_id,) = rng.choice(db.execute("SELECT id FROM sealed_item").fetchall())
    db.execute("UPDATE sealed_item SET title = '伪造的标题' WHERE id = ?", (entry_id,))


def _tamper_amount_rehashed(db: sqlite3.Connection, rng: random.Random) -> None:
    """An amount changed, then every hash of every seal recomputed with this program's code: only
    making the public content again from the rows (seal format 4) shows it."""
    _tamper_amount(db, rng)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    db.commit()
    rehash_every_seal(Path(db.execute("PRAGMA database_list").fetchone()[2]))


TAMPERS: dict[str, Callable[[sqlite3.Connection, random.Random], None]] = {
    "amount": _tamper_amount, "name": _tamper_name, "pdf byte": _tamper_pdf, "deleted row": _tamper_deleted_row,
    "reordered chain": _tamper_chain, "public content": _tamper_public_json, "pdf as text": _tamper_pdf_as_text,
    "sealed title": _tamper_sealed_title, "amount, every hash recomputed": _tamper_amount_rehashed,
}


@pytest.mark.parametrize("kind", list(TAMPERS))
@pytest.mark.slow
def test_every_single_change_behind_the_apps_back_is_detected(sealed: Path, tmp_path: Path, kind: str) -> None:
    rng = random.Random(kind)
    for trial in range(3):
        copy = tmp_path / f"{trial}.sqlite3"
        source, db = sqlite3.connect(sealed), sqlite3.connect(copy)
        source.backup(db)  # a plain file copy would miss what is still in the WAL
        source.close()
        TAMPERS[kind](db, rng)
        db.commit()
        db.close()
        run = run_zwgk("verify", "--db", str(copy), cwd=tmp_path)
        assert run.code == 1, (kind, run.out, run.err)
        assert "核验未通过" in run.out and ("事项" in run.out or "封存链" in run.out), run.out


def test_backups_and_restore(demo_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    first = take_backup(demo_copy, "manual", folder=folder)
    for _ in range(4):
        take_backup(demo_copy, "manual", keep=3, folder=folder)
    kept = list_backups(demo_copy, folder)
    assert len(kept) == 3 and first.path not in [b.path for b in kept]
    with sessions(demo_copy)() as session, session.begin():
        store.delete_item(session, 1)
    restore(kept[-1].path, demo_copy)
    with sessions(demo_copy)() as session:
        assert store.load_item(session, 1)[0].id == 1
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(BadInput, match="备份"):
        restore(broken, demo_copy)


def test_a_migration_is_preceded_by_a_backup(tmp_path: Path) -> None:
    """Whoever opens an archive to upgrade it backs it up first (the store knows no backups)."""
    from zwgk_desktop.office.handle import Archive

    db = tmp_path / "old.sqlite3"
    engine = open_engine(str(db), create=True)
    migrate.upgrade(engine, "0002")
    engine.dispose()
    with Archive.open(db, upgrade=True):
        pass
    assert [b.reason for b in list_backups(db)] == ["before-migration-0002"]
    with Archive.open(db, upgrade=True):  # already current: nothing to undo, no backup
        pass
    new = tmp_path / "new.sqlite3"
    with Archive.open(new, create=True, upgrade=True):  # a new archive has nothing to back up
        pass
    assert len(list_backups(db)) == 1 and list_backups(new) == []


def test_seal_and_verify_from_the_command_line(demo_copy: Path, tmp_path: Path) -> None:
    listed = run_zwgk("list", "--db", str(demo_copy), "--village", "shiqiao", "--period", "2026Q1", "--json",
                      cwd=tmp_path)
    quarter = json.loads(listed.out)["items"]
    assert len(quarter) >= 5 and {i["status"] for i in quarter} == {"reviewed"}
    sealed_run = run_zwgk("seal", "--db", str(demo_copy), "--village", "石桥村", "--period", "2026Q1",
                          "--by", "孙玉兰", "--json", cwd=tmp_path)
    assert sealed_run.code == 0, sealed_run.err
    result = json.loads(sealed_run.out)
    assert result["items"] == len(quarter) and result["backup"]  # every item of the quarter
    verified = run_zwgk("verify", "--db", str(demo_copy), "--village", "shiqiao", cwd=tmp_path)
    assert verified.code == 0 and "核验通过" in verified.out
    again = run_zwgk("seal", "--db", str(demo_copy), "--village", "石桥村", "--period", "2026Q1", cwd=tmp_path)
    assert again.code == 2 and "已经封存过了" in again.err


@pytest.mark.slow
def test_backup_and_restore_from_the_command_line(demo_copy: Path, tmp_path: Path) -> None:
    made = run_zwgk("backup", "--db", str(demo_copy), cwd=tmp_path)
    assert made.code == 0 and "已备份到" in made.out, made.err
    backup = Path(made.out.split("已备份到", 1)[1].strip())
    listed = run_zwgk("backup", "--db", str(demo_copy), "--list", cwd=tmp_path)
    assert str(backup) in listed.out and "manual" in listed.out
    with sessions(demo_copy)() as session, session.begin():
        store.delete_item(session, 2)
    unasked = run_zwgk("restore", "--db", str(demo_copy), str(backup), cwd=tmp_path)
    assert unasked.code == 2 and "--yes" in unasked.err, unasked.err
    with sessions(demo_copy)() as session:
        assert session.get(store.DisclosureItem, 2) is None  # not asked, not restored
    restored = run_zwgk("restore", "--db", str(demo_copy), str(backup), "--yes", cwd=tmp_path)
    assert restored.code == 0, restored.err
    with sessions(demo_copy)() as session:
        assert store.load_item(session, 2)[0].id == 2
    missing = run_zwgk("restore", "--db", str(demo_copy), str(tmp_path / "nope.sqlite3"), cwd=tmp_path)
    assert missing.code == 2 and "找不到备份文件" in missing.err


@pytest.mark.slow
def test_restore_takes_only_an_archive_this_program_can_open(demo_copy: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE foo (x)")
    newer = tmp_path / "newer.sqlite3"
    changed_behind_the_back(demo_copy, newer, "UPDATE alembic_version SET version_num = '0099'")
    before = demo_copy.read_bytes()
    for bad, told in ((empty, "不是本程序的档案"), (other, "不是本程序的档案"), (newer, "请先升级本程序")):
        refused = run_zwgk("restore", "--db", str(demo_copy), str(bad), cwd=tmp_path)
        assert refused.code == 2 and told in refused.err, (bad, refused.err)
    assert demo_copy.read_bytes() == before
    for command in (("list",), ("init",), ("verify",)):  # a newer archive is never touched, and says why
        done = run_zwgk(*command, "--db", str(newer), cwd=tmp_path)
        assert done.code == 2 and "请先升级本程序" in done.err, (command, done.err)



def test_verify_names_an_item_taken_out_of_its_seal(sealed: Path, tmp_path: Path) -> None:
    """Its seal entry deleted, so its content could be changed: the seal's list no longer matches,
    and the item itself is named, by the number printed on its sheets."""
    copy = tmp_path / "out.sqlite3"
    with sessions(sealed)() as session:
        record = session.scalar(select(DisclosureItem).where(
            DisclosureItem.village_id == 1, DisclosureItem.period == "2026Q1", DisclosureItem.category == "notice"))
        assert record is not None
    changed_behind_the_back(sealed, copy, "DROP TRIGGER sealed_item_append_only_delete",
                     f"DELETE FROM sealed_item WHERE item_id = {record.id}")
    run = run_zwgk("verify", "--db", str(copy), cwd=tmp_path)
    assert run.code == 1
    assert f"事项 {record.id}“{record.title}”：在已封存的季度里，却不在任何封存中" in run.out, run.out


def test_verify_says_a_whole_seal_was_deleted_and_what_it_may_have_held(sealed: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out.sqlite3"
    with sessions(sealed)() as session:
        first = session.scalar(select(Seal).where(Seal.village_id == 1, Seal.period == "2026Q1"))
        assert first is not None
        held = len(first.items)
    changed_behind_the_back(sealed, copy, "PRAGMA foreign_keys=OFF", "DROP TRIGGER sealed_item_append_only_delete",
                     "DROP TRIGGER seal_append_only_delete", f"DELETE FROM sealed_item WHERE seal_id = {first.id}",
                     f"DELETE FROM seal WHERE id = {first.id}")
    run = run_zwgk("verify", "--db", str(copy), cwd=tmp_path)
    assert run.code == 1
    told = f"它之前的封存（第 {first.id} 号）已从档案中删除；没有封存的季度：2026Q1（{held} 个事项）"
    assert told in run.out, run.out


def test_verify_says_a_village_code_was_changed(sealed: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out.sqlite3"
    changed_behind_the_back(sealed, copy, "UPDATE village SET code = 'dg' WHERE code = 'donggang'")
    run = run_zwgk("verify", "--db", str(copy), cwd=tmp_path)
    assert run.code == 1 and "村的网址代码被从“donggang”改为“dg”" in run.out, run.out
    assert "金额、姓名或行数被改动" not in run.out
