"""The store: migrations upgrade data in place, SQLite is durable, bad items are refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import assistance, finance, old_schema_notice
from sqlalchemy import func, select, text

from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, ItemRow
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, NotFound


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = open_engine(str(tmp_path / "store.sqlite3"), create=True)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def test_sqlite_is_durable_and_checks_foreign_keys(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_missing_or_foreign_file_is_told_in_words(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="不存在"):
        open_engine(str(tmp_path / "typo.sqlite3"))
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    engine = open_engine(str(junk))
    with pytest.raises(BadInput, match="不是本程序的数据库"):
        migrate.require_current(engine)
    engine.dispose()


def test_migration_from_the_first_schema_keeps_data(tmp_path: Path) -> None:
    engine = open_engine(str(tmp_path / "old.sqlite3"), create=True)
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        old_schema_notice(connection, {"kind": "其他", "body": "正文"})
    with pytest.raises(BadInput, match=r"需要先升级.*zwgk init"):
        migrate.require_current(engine)
    migrate.upgrade(engine)
    migrate.require_current(engine)
    with session_factory(engine)() as session:
        village = store.find_village(session, "东岗村")
        assert village.supervision_phone == "" and village.township.publication_day == 10
        item = store.to_domain(session.get(DisclosureItem, 1))  # type: ignore[arg-type]
        assert item.fields["body"] == "正文" and item.period == Quarter(2026, 3)
    engine.dispose()


def _village(session):  # type: ignore[no-untyped-def]
    township = store.ensure_township(session, "青山镇")
    return store.add_village(session, township, "东岗村")


def test_round_trip_keeps_typed_values(engine) -> None:  # type: ignore[no-untyped-def]
    original = finance()
    with session_factory(engine)() as session, session.begin():
        item_id = store.add_item(session, _village(session), original)
    with session_factory(engine)() as session:
        loaded = store.to_domain(session.get(DisclosureItem, item_id))  # type: ignore[arg-type]
    assert loaded.rows == original.rows and loaded.fields == original.fields
    assert loaded.publicity_start == original.publicity_start and loaded.status == original.status


def test_bad_item_is_refused_whole(engine) -> None:  # type: ignore[no-untyped-def]
    bad = assistance(count=30)
    bad.rows[29]["id_number"] = bad.rows[29]["id_number"][:17] + "Y"
    with pytest.raises(BadInput) as caught, session_factory(engine)() as session, session.begin():
        store.add_item(session, _village(session), assistance(count=5))  # a good one in the same transaction
        store.add_item(session, _village(session), bad)
    assert "第30行" in str(caught.value) and "身份证号" in str(caught.value)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(DisclosureItem)) == 0
        assert session.scalar(select(func.count()).select_from(ItemRow)) == 0
        assert store.villages(session) == []


def test_village_names_and_codes(engine) -> None:  # type: ignore[no-untyped-def]
    assert store.village_code_for("柳树湾村") == "liushuwan"
    with session_factory(engine)() as session, session.begin():
        township = store.ensure_township(session, "青山镇")
        east = store.add_village(session, township, "东岗村")
        assert store.add_village(session, township, "东岗村") is east
        with pytest.raises(BadInput, match="已被使用"):
            store.add_village(session, township, "冬港村")
        with pytest.raises(BadInput, match="只能用小写字母"):
            store.add_village(session, township, "西岗村=Xi Gang!")
        assert store.find_village(session, "DONGGANG") is east
        with pytest.raises(NotFound, match="现有：东岗村（donggang）"):
            store.find_village(session, "西岗村")


def test_schema_head_constant_matches_the_migrations() -> None:
    assert migrate.head_revision() == migrate.SCHEMA_HEAD
