"""What a forger holding the archive's file can do, with the triggers dropped and the formats of
every hash known (they are in the source): the attacks the anchors are there to catch, shared by
tests/test_anchors.py and benchmarks/tamper_trials.py."""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from zwgk_desktop.archive import signing
from zwgk_desktop.archive.seal import canonical, chain_hash, payload_hash, stored_data_hash
from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, ItemRow, Seal, VillageKey
from zwgk_desktop.errors import BadInput


def drop_triggers(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            connection.execute(f'DROP TRIGGER "{name}"')


@functools.cache
def _head_triggers() -> tuple[tuple[str, str, str], ...]:
    """(table, name, SQL) of every trigger a freshly made archive has."""
    from zwgk_desktop.db.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="zwgk-head-"))
    engine = open_engine(str(folder / "head.sqlite3"), create=True)
    upgrade(engine)
    engine.dispose()
    with sqlite3.connect(folder / "head.sqlite3") as connection:
        found = tuple(connection.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'"))
    shutil.rmtree(folder, ignore_errors=True)
    return found


def restore_triggers(db: Path) -> None:
    """Put back every trigger the archive should have (on the tables it still has), as a forger
    covering their tracks does: the SQL is the migrations', for anyone to read."""
    with sqlite3.connect(db) as connection:
        tables = {t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        present = {n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        for table, name, sql in _head_triggers():
            if table in tables and name not in present:
                connection.execute(sql)


def run_sql(db: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    with sqlite3.connect(db) as connection:
        for statement, values in statements:
            connection.execute(statement, values)


def last_seal(db: Path, village_id: int = 1) -> int:
    with sqlite3.connect(db) as connection:
        (seal_id,) = connection.execute("SELECT max(id) FROM seal WHERE village_id = ?", (village_id,)).fetchone()
    return int(seal_id)


def delete_last_seal(db: Path, *, with_items: bool = False) -> None:
    """The village's last seal taken out (its items fall back to 已审核 and can be edited), or
    taken out with every trace of its items."""
    drop_triggers(db)
    seal_id = last_seal(db)
    with sqlite3.connect(db) as connection:
        items = [i for (i,) in connection.execute("SELECT item_id FROM sealed_item WHERE seal_id = ?", (seal_id,))]
        connection.execute("DELETE FROM sealed_item WHERE seal_id = ?", (seal_id,))
        connection.execute("DELETE FROM seal_arrival WHERE seal_id = ?", (seal_id,))
        connection.execute("DELETE FROM seal WHERE id = ?", (seal_id,))
        if with_items:
            for table, column in (("item_row", "item_id"), ("first_public", "item_id"), ("search_index", "item_id"),
                                  ("item_number", "item_id"), ("disclosure_item", "id")):
                exists = connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
                if exists:
                    connection.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(i,) for i in items])
    restore_triggers(db)


class Forger:
    """A key of the forger's own, signing as the program signs (`archive.signing`: the message
    format is in the source for anyone to read)."""

    def __init__(self, key: signing.SigningKey | None = None) -> None:
        self.key = key or signing.SigningKey.make()
        self.fingerprint = self.key.fingerprint

    def sign(self, village_code: str, chain: str) -> str:
        return self.key.sign(village_code, chain)


class VillageKeys:
    """The forger on the village's own PC: each village's real key, read from the key folder."""

    def __init__(self, db: Path) -> None:
        engine = open_engine(str(db))
        with session_factory(engine)() as session:
            self.keys = {}
            for village in store.villages(session):
                if signing.own_key_row(session, village) is not None:
                    with contextlib.suppress(BadInput):  # not on this PC: the forger signs nothing for it
                        self.keys[village.code] = signing.own_key(session, village)
        engine.dispose()


def rechain(db: Path, *, forger: Forger | None = None, change: Callable[[sqlite3.Connection], None] | None = None,
            village_keys: bool = False) -> None:
    """Make whatever `change` does to the stored rows consistent again: every sealed item's data
    hash, every seal's payload and chain hash recomputed from what is stored now (and, with a
    `forger`, every seal signed again with the forger's key; with `village_keys`, with each
    village's own key, as a forger at the village's PC can), so the file agrees with itself."""
    own = VillageKeys(db).keys if village_keys else {}
    drop_triggers(db)
    if change is not None:
        with sqlite3.connect(db) as connection:
            change(connection)
    engine = open_engine(str(db))
    with session_factory(engine)() as session, session.begin():
        for village in store.villages(session):
            previous = ""
            for seal in session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id)):
                items = list(seal.items)
                for entry in items:
                    record = session.get(DisclosureItem, entry.item_id)
                    if record is None:
                        continue
                    rows = [data for (data,) in session.execute(
                        select(ItemRow.data).where(ItemRow.item_id == entry.item_id).order_by(ItemRow.seq))]
                    entry.data_hash = stored_data_hash(session, record, rows, seal.format)
                if forger is not None and seal.format >= 4:
                    seal.signer = forger.fingerprint
                    event = signing.parse_event(seal.event) if seal.kind == "key" else None
                    if event is not None:  # the key's own record names the forger's key now
                        event.update(public_key=forger.key.public_b64, fingerprint=forger.fingerprint)
                        event.pop("old", None)
                        seal.event = canonical(event).decode("utf-8")
                seal.payload_hash = payload_hash(seal, village.code, previous, items)
                seal.chain_hash = chain_hash(previous, seal.payload_hash)
                if forger is not None and seal.format >= 4:
                    seal.signature = forger.sign(village.code, seal.chain_hash)
                elif village.code in own and seal.format >= 4:
                    seal.signature = own[village.code].sign(village.code, seal.chain_hash)
                previous = seal.chain_hash
            if forger is not None:  # and the archive's register of its own keys
                for row in session.scalars(select(VillageKey).where(VillageKey.village_id == village.id)):
                    row.fingerprint, row.public_key = forger.fingerprint, forger.key.public_b64
    engine.dispose()
    restore_triggers(db)


def change_an_amount(connection: sqlite3.Connection) -> None:
    """A 低保 household's monthly amount raised by 100 元 in the first sealed assistance item."""
    (row_id, data) = connection.execute(
        "SELECT r.id, r.data FROM item_row r JOIN sealed_item s ON s.item_id = r.item_id "
        "JOIN disclosure_item d ON d.id = r.item_id WHERE d.category = 'assistance' "
        "AND r.data LIKE '%monthly_amount%' ORDER BY r.id LIMIT 1").fetchone()
    value = json.loads(data)
    value["monthly_amount"] += 10_000
    connection.execute("UPDATE item_row SET data = ? WHERE id = ?", (json.dumps(value, ensure_ascii=False), row_id))
