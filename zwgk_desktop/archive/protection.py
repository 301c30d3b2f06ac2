"""The archive's own protection, checked by `verify` before anything else: every table the
archive keeps is there, and every trigger the migrations put on the sealed tables (they refuse
any change or deletion of what is sealed, on SQLite and on PostgreSQL) is still in place.

A missing trigger changes no hash: the file may still agree with itself. But it means someone
took the archive's protection away, which the program never does, so `verify` says so (exit 1)
and the 四性检测 reports it under 安全性. A missing table is said in words too, not met later as a
database error.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from zwgk_desktop.db.models import Base
from zwgk_desktop.errors import Problem

# Where `verify` says what it finds here (the 四性检测 files these under 安全性).
WHERE = "档案数据库"
# The triggers the migrations leave at the head (SCHEMA_HEAD), by table; tests/test_proofs.py
# checks these against a freshly made archive on both backends.
SQLITE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "attachment": ("attachment_sealed_delete", "attachment_sealed_replace", "attachment_sealed_update"),
    "disclosure_item": ("item_sealed_delete", "item_sealed_replace", "item_sealed_update"),
    "first_public": ("first_public_append_only_delete", "first_public_append_only_update"),
    "item_number": ("number_register_delete", "number_register_replace", "number_register_update"),
    "item_row": ("row_sealed_delete", "row_sealed_insert", "row_sealed_replace", "row_sealed_update"),
    "objection": ("objection_sealed_delete", "objection_sealed_replace", "objection_sealed_update"),
    "seal": ("seal_append_only_delete", "seal_append_only_update", "seal_replace"),
    "seal_arrival": ("seal_arrival_append_only_delete", "seal_arrival_append_only_update"),
    "seal_source": ("seal_source_append_only_delete", "seal_source_append_only_update", "seal_source_replace"),
    "sealed_item": ("sealed_item_append_only_delete", "sealed_item_append_only_update", "sealed_item_replace"),
    "sealed_objection": ("sealed_objection_append_only_delete", "sealed_objection_append_only_update",
                         "sealed_objection_replace"),
}
POSTGRES_TRIGGERS: dict[str, tuple[str, ...]] = {
    "attachment": ("attachment_sealed",),
    "disclosure_item": ("item_sealed",), "first_public": ("first_public_append_only",),
    "item_number": ("number_register",), "item_row": ("row_sealed",), "seal": ("seal_append_only",),
    "seal_arrival": ("seal_arrival_append_only",), "seal_source": ("seal_source_append_only",),
    "sealed_item": ("sealed_item_append_only",), "objection": ("objection_sealed",),
    "sealed_objection": ("sealed_objection_append_only",),
}
TABLE_NAMES = {
    "township": "乡镇", "village": "村", "disclosure_item": "事项", "item_number": "编号登记",
    "item_row": "事项明细行", "seal": "封存记录", "sealed_item": "封存的事项",
    "seal_source": "封存时所用的版式和类别定义",
    "village_key": "村的签名密钥登记", "first_public": "首次公开记录", "seal_arrival": "封存到达记录",
    "objection": "异议登记", "sealed_objection": "封存的异议",
    "attachment": "照片和凭证",
}


def expected_triggers(dialect: str) -> dict[str, tuple[str, ...]]:
    return POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS


def present_triggers(session: Session) -> set[tuple[str, str]]:
    """(table, trigger) of every trigger the database holds."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                                    "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
                                    # A disabled trigger (ALTER TABLE … DISABLE TRIGGER) protects nothing.
                                    "AND t.tgenabled <> 'D'"))
    else:
        rows = session.execute(text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"))
    return {(str(table), str(name)) for table, name in rows}


def missing_tables(session: Session) -> list[str]:
    """The archive's tables that are not in the database, in the models' order."""
    present = set(inspect(session.connection()).get_table_names())
    return [table.name for table in Base.metadata.sorted_tables if table.name not in present]


def _named(table: str) -> str:
    return f"{table}（{TABLE_NAMES[table]}）" if table in TABLE_NAMES else table


def tables_problem(missing: list[str]) -> Problem:
    return Problem(f"档案缺少数据表 {'、'.join(_named(t) for t in missing)}：表被删除了（程序从不删除它们）；"
                   "在从备份恢复之前，无法核验封存", where=WHERE)


def trigger_problems(session: Session) -> list[Problem]:
    """One finding per table whose protective triggers are gone, naming them."""
    present = present_triggers(session)
    found = []
    for table, names in expected_triggers(session.get_bind().dialect.name).items():
        gone = [name for name in names if (table, name) not in present]
        if gone:
            found.append(Problem(f"档案的防改动保护被去掉了：数据表 {_named(table)} 缺少触发器 {'、'.join(gone)}"
                                 "（它们拒绝改动或删除已封存的记录，程序从不去掉它们）：有人在程序之外改过数据库，"
                                 "请从备份恢复，或与公布件核对（zwgk verify --against）", where=WHERE))
    return found
