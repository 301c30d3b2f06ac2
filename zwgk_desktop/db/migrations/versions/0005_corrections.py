"""Corrections and moving archives between databases.

- A correction (更正) is a new version of a sealed item: `supersedes_id` and `correction_reason`.
- `number`: an item imported from a village's archive keeps the number its posters carry in their
  URLs; unique within the village together with the ids of items made here.
- Seals get a `kind` (a quarter, or a correction sealed later into the same quarter) and the
  `format` their hashes were computed in. A quarter is still sealed only once, so the unique
  constraint becomes a partial index. SQLite cannot drop a constraint, so the table is rebuilt
  (foreign keys are off while migrating; `db.migrate` checks them before committing).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SEAL_TRIGGERS = ("seal_append_only_update BEFORE UPDATE ON seal", "seal_append_only_delete BEFORE DELETE ON seal")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("ALTER TABLE disclosure_item ADD COLUMN number INTEGER")
        op.execute("ALTER TABLE disclosure_item ADD COLUMN supersedes_id INTEGER "
                   "REFERENCES disclosure_item (id) ON DELETE RESTRICT")
        op.execute("ALTER TABLE disclosure_item ADD COLUMN correction_reason TEXT")
    else:
        op.add_column("disclosure_item", sa.Column("number", sa.Integer))
        op.add_column("disclosure_item", sa.Column(
            "supersedes_id", sa.Integer, sa.ForeignKey("disclosure_item.id", ondelete="RESTRICT")))
        op.add_column("disclosure_item", sa.Column("correction_reason", sa.Text))
    op.execute("CREATE UNIQUE INDEX ux_item_public_number ON disclosure_item (village_id, coalesce(number, id))")
    op.create_index("ux_item_supersedes", "disclosure_item", ["supersedes_id"], unique=True)

    if sqlite:
        op.execute("""CREATE TABLE seal_new (
            id INTEGER NOT NULL PRIMARY KEY,
            village_id INTEGER NOT NULL REFERENCES village (id) ON DELETE RESTRICT,
            period VARCHAR(6) NOT NULL,
            kind VARCHAR(12) NOT NULL DEFAULT 'quarter',
            format INTEGER NOT NULL DEFAULT 1,
            sealed_at VARCHAR(40) NOT NULL,
            sealed_by VARCHAR(40) NOT NULL,
            previous_id INTEGER REFERENCES seal (id) ON DELETE RESTRICT,
            payload_hash VARCHAR(64) NOT NULL,
            chain_hash VARCHAR(64) NOT NULL)""")
        op.execute("INSERT INTO seal_new (id, village_id, period, kind, format, sealed_at, sealed_by, previous_id, "
                   "payload_hash, chain_hash) SELECT id, village_id, period, 'quarter', 1, sealed_at, sealed_by, "
                   "previous_id, payload_hash, chain_hash FROM seal")
        op.execute("DROP TABLE seal")
        op.execute("ALTER TABLE seal_new RENAME TO seal")
        for trigger in SEAL_TRIGGERS:
            op.execute(f"CREATE TRIGGER {trigger} BEGIN "
                       "SELECT RAISE(ABORT, 'sealed: 已封存的档案不能修改或删除'); END")
    else:
        op.add_column("seal", sa.Column("kind", sa.String(12), nullable=False, server_default="quarter"))
        op.add_column("seal", sa.Column("format", sa.Integer, nullable=False, server_default="1"))
        op.drop_constraint("seal_village_id_period_key", "seal", type_="unique")
    op.create_index("ux_seal_quarter", "seal", ["village_id", "period"], unique=True,
                    sqlite_where=sa.text("kind = 'quarter'"), postgresql_where=sa.text("kind = 'quarter'"))


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
