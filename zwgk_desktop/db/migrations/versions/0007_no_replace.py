"""On SQLite: an insert may not replace what is sealed.

`INSERT OR REPLACE` (or `REPLACE`) deletes a row it collides with before inserting, and SQLite
fires no delete trigger for that unless the connection asked for recursive triggers, which a
tool working behind the app's back does not. So each protected table refuses an insert that
would collide with a sealed row on its key or a unique index (0003's triggers cover UPDATE and
DELETE). PostgreSQL has no REPLACE; its `ON CONFLICT DO UPDATE` fires 0006's update triggers.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# One EXISTS per key, each answered by that key's index: these run on every insert (an import
# of 10,000 households inserts 10,000 rows), so none may scan a table.
SEALED = "IN (SELECT item_id FROM sealed_item)"
TRIGGERS = {
    "item_sealed_replace": "BEFORE INSERT ON disclosure_item WHEN "
                           "EXISTS (SELECT 1 FROM sealed_item WHERE item_id = NEW.id) OR "
                           "EXISTS (SELECT 1 FROM disclosure_item d WHERE d.village_id = NEW.village_id AND "
                           f"coalesce(d.number, d.id) = coalesce(NEW.number, NEW.id) AND d.id {SEALED}) OR "
                           "EXISTS (SELECT 1 FROM disclosure_item d WHERE d.supersedes_id = NEW.supersedes_id "
                           f"AND d.id {SEALED})",
    # A row colliding on (item_id, seq) is one of NEW.item_id's: 0003's row_sealed_insert refuses it.
    "row_sealed_replace": f"BEFORE INSERT ON item_row WHEN EXISTS (SELECT 1 FROM item_row r WHERE r.id = NEW.id "
                          f"AND r.item_id {SEALED})",
    "seal_replace": "BEFORE INSERT ON seal WHEN EXISTS (SELECT 1 FROM seal WHERE id = NEW.id) OR "
                    "(NEW.kind = 'quarter' AND EXISTS (SELECT 1 FROM seal WHERE village_id = NEW.village_id "
                    "AND period = NEW.period AND kind = 'quarter'))",
    "sealed_item_replace": "BEFORE INSERT ON sealed_item WHEN EXISTS (SELECT 1 FROM sealed_item WHERE id = NEW.id) "
                           "OR EXISTS (SELECT 1 FROM sealed_item WHERE item_id = NEW.item_id)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, when in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN "
                       "SELECT RAISE(ABORT, 'sealed: 已封存的档案不能修改或删除'); END")


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
