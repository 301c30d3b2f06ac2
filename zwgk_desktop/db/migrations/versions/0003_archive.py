"""The archive: sealed quarters and their items, append-only, chained per village.

The database itself refuses changes to sealed items and their rows, and to the seals
(design §4.5): triggers on SQLite; a server database gets equivalent rules when the township
setup arrives.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEALED = "EXISTS (SELECT 1 FROM sealed_item WHERE sealed_item.item_id = {ref})"
TRIGGERS = {
    "item_sealed_update": f"BEFORE UPDATE ON disclosure_item WHEN {SEALED.format(ref='OLD.id')}",
    "item_sealed_delete": f"BEFORE DELETE ON disclosure_item WHEN {SEALED.format(ref='OLD.id')}",
    "row_sealed_insert": f"BEFORE INSERT ON item_row WHEN {SEALED.format(ref='NEW.item_id')}",
    "row_sealed_update": f"BEFORE UPDATE ON item_row WHEN {SEALED.format(ref='OLD.item_id')}",
    "row_sealed_delete": f"BEFORE DELETE ON item_row WHEN {SEALED.format(ref='OLD.item_id')}",
    "seal_append_only_update": "BEFORE UPDATE ON seal",
    "seal_append_only_delete": "BEFORE DELETE ON seal",
    "sealed_item_append_only_update": "BEFORE UPDATE ON sealed_item",
    "sealed_item_append_only_delete": "BEFORE DELETE ON sealed_item",
}


def upgrade() -> None:
    op.create_table(
        "seal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("village_id", sa.Integer, sa.ForeignKey("village.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("sealed_at", sa.String(40), nullable=False),
        sa.Column("sealed_by", sa.String(40), nullable=False),
        sa.Column("previous_id", sa.Integer, sa.ForeignKey("seal.id", ondelete="RESTRICT")),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("chain_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("village_id", "period"),
    )
    op.create_table(
        "sealed_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seal_id", sa.Integer, sa.ForeignKey("seal.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("disclosure_item.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("canonical_json", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("data_hash", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary),
        sa.Column("pdf_hash", sa.String(64)),
        sa.UniqueConstraint("item_id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for name, when in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN "
                       "SELECT RAISE(ABORT, 'sealed: 已封存的档案不能修改或删除'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("sealed_item")
    op.drop_table("seal")
