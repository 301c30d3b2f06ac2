"""Item numbers are never given twice, and sealed items get an archival 件号.

- `item_number` is the register of every number a village's items were ever given (the number in
  the QR code of every sheet printed, drafts included). A deleted item's row stays, with no item:
  its number is retired, so the next item never takes it and the online copy can say that notice
  was withdrawn. Numbers are given from the register's maximum, not from the items left.
- `sealed_item.archive_number` (件号): a separate sequence per village, given at sealing, in the
  order items were sealed. Existing sealed items are numbered in that order here.

The database keeps the register honest as it keeps the seals: a number's row is never deleted,
never moved to another village or number, never given to a second item (triggers on SQLite, a
PL/pgSQL trigger on PostgreSQL).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REFUSAL = "number: 事项编号一经使用永不再用，编号登记不能删除或改动"
# The only change allowed: a live item's number is retired (its item deleted: item_id becomes NULL).
# `{ne}`: SQLite's `IS NOT`, PostgreSQL's `IS DISTINCT FROM` (older SQLite knows only the first).
FORBIDDEN_UPDATE = ("OLD.item_id IS NULL OR NEW.village_id {ne} OLD.village_id OR NEW.number {ne} OLD.number "
                    "OR NEW.period {ne} OLD.period OR (NEW.item_id IS NOT NULL AND NEW.item_id {ne} OLD.item_id)")
SQLITE_TRIGGERS = {
    "number_register_delete": "BEFORE DELETE ON item_number",
    "number_register_update": f"BEFORE UPDATE ON item_number WHEN {FORBIDDEN_UPDATE.format(ne='IS NOT')}",
    # INSERT OR REPLACE would delete the colliding row without firing the delete trigger (see 0007).
    "number_register_replace": "BEFORE INSERT ON item_number WHEN EXISTS (SELECT 1 FROM item_number n "
                               "WHERE n.village_id = NEW.village_id AND n.number = NEW.number)",
}
# Each village's sealed items, numbered in the order they were sealed.
RANKED = ("SELECT si.id AS sid, ROW_NUMBER() OVER (PARTITION BY s.village_id ORDER BY s.id, si.id) AS n "
          "FROM sealed_item si JOIN seal s ON s.id = si.seal_id")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "item_number",
        sa.Column("village_id", sa.Integer, sa.ForeignKey("village.id", ondelete="RESTRICT"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("disclosure_item.id", ondelete="SET NULL"), unique=True),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("retired_at", sa.String(40)),
    )
    op.execute("INSERT INTO item_number (village_id, number, item_id, period) "
               "SELECT village_id, coalesce(number, id), id, period FROM disclosure_item")

    op.add_column("sealed_item", sa.Column("archive_number", sa.Integer))
    backfill = f"UPDATE sealed_item SET archive_number = (SELECT n FROM ({RANKED}) ranked WHERE sid = sealed_item.id)"
    if sqlite:
        # The sealed items refuse every UPDATE (0003): lift that for this one numbering, in this transaction.
        bind = op.get_bind()
        guard = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name = 'sealed_item_append_only_update'").scalar()
        if guard:
            op.execute("DROP TRIGGER sealed_item_append_only_update")
        op.execute(backfill)
        if guard:
            op.execute(guard)
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")
    else:
        op.execute("ALTER TABLE sealed_item DISABLE TRIGGER sealed_item_append_only")
        op.execute(backfill)
        op.execute("ALTER TABLE sealed_item ENABLE TRIGGER sealed_item_append_only")
        op.execute("CREATE OR REPLACE FUNCTION zwgk_number_register() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF TG_OP = 'DELETE' OR ({FORBIDDEN_UPDATE.format(ne='IS DISTINCT FROM')}) THEN "
                   f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'integrity_constraint_violation'; END IF; "
                   "RETURN NEW; END $$")
        op.execute("CREATE TRIGGER number_register BEFORE UPDATE OR DELETE ON item_number "
                   "FOR EACH ROW EXECUTE FUNCTION zwgk_number_register()")


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
