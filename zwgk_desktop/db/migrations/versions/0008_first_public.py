"""The product's own record of when a reviewed item first went out to the public, sealed with
the item; and when each seal arrived at the township in a bundle.

- `first_public`: per item and public content, when it was first printed, saved as PDF or
  written to the online copy (the first time only).
- `sealed_item.first_public_at` / `first_public_how`: that record, frozen by the seal (seal
  format 3 hashes it; items sealed before have none, and their seals verify as they were).
- `seal_arrival`: when a bundle brought each seal here; append-only like the seals themselves.

`first_public` is append-only too: a record is never changed, and goes only with its item (an
unsealed item deleted). A row put in by hand is caught by its dates instead
(archive.first_public.impossible).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REFUSAL_SQLITE = "SELECT RAISE(ABORT, 'sealed: 已封存的档案不能修改或删除');"
RECORD_REFUSAL = "first_public: 首次公开的记录由程序写下，不能修改或删除"
# While its item exists a record stays; deleting the item takes its records with it (ON DELETE
# CASCADE runs after the item's row is gone).
ITEM_EXISTS = "EXISTS (SELECT 1 FROM disclosure_item WHERE id = OLD.item_id)"


def upgrade() -> None:
    op.create_table(
        "first_public",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("disclosure_item.id", ondelete="CASCADE"), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("how", sa.String(12), nullable=False),
        sa.UniqueConstraint("item_id", "content_hash"),
    )
    op.add_column("sealed_item", sa.Column("first_public_at", sa.String(40)))
    op.add_column("sealed_item", sa.Column("first_public_how", sa.String(12)))
    op.create_table(
        "seal_arrival",
        sa.Column("seal_id", sa.Integer, sa.ForeignKey("seal.id", ondelete="RESTRICT"), primary_key=True),
        sa.Column("arrived_at", sa.String(40), nullable=False),
        sa.Column("bundle", sa.String(200), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER seal_arrival_append_only_{event.lower()} BEFORE {event} ON seal_arrival "
                       f"BEGIN {REFUSAL_SQLITE} END")
        op.execute(f"CREATE TRIGGER first_public_append_only_update BEFORE UPDATE ON first_public "
                   f"BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSAL}'); END")
        op.execute(f"CREATE TRIGGER first_public_append_only_delete BEFORE DELETE ON first_public WHEN {ITEM_EXISTS} "
                   f"BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSAL}'); END")
    elif op.get_bind().dialect.name == "postgresql":
        # zwgk_append_only() is 0006's.
        op.execute("CREATE TRIGGER seal_arrival_append_only BEFORE UPDATE OR DELETE ON seal_arrival "
                   "FOR EACH ROW EXECUTE FUNCTION zwgk_append_only()")
        op.execute(f"CREATE FUNCTION zwgk_first_public_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF TG_OP = 'UPDATE' OR {ITEM_EXISTS} THEN RAISE EXCEPTION '{RECORD_REFUSAL}' "
                   f"USING ERRCODE = 'integrity_constraint_violation'; END IF; "
                   f"RETURN OLD; END $$")
        op.execute("CREATE TRIGGER first_public_append_only BEFORE UPDATE OR DELETE ON first_public "
                   "FOR EACH ROW EXECUTE FUNCTION zwgk_first_public_kept()")


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
