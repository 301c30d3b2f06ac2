"""Photos of the posted board and vouchers of finance lines (issue 18, parts 4 and 5).

- `attachment`: a photo (公开栏照片) of a village's quarter, or a voucher (凭证) of one row of a
  finance item, its bytes exactly as given, with their SHA-256, size and the camera's time
  (EXIF). Once sealed (`seal_id` set), the database refuses any change or deletion of it.
- `seal.attachments`: what a seal of format 5 holds of them, as canonical JSON covered by its
  payload hash (archive/seal_attachments.py); NULL for every seal made before.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

REFUSAL_SQLITE = "SELECT RAISE(ABORT, 'sealed: 已封存的档案不能修改或删除');"
REFUSAL_PG = "RAISE EXCEPTION 'sealed: 已封存的档案不能修改或删除' USING ERRCODE = 'integrity_constraint_violation'"
SQLITE_TRIGGERS = {
    "attachment_sealed_update": "BEFORE UPDATE ON attachment WHEN OLD.seal_id IS NOT NULL",
    "attachment_sealed_delete": "BEFORE DELETE ON attachment WHEN OLD.seal_id IS NOT NULL",
    # INSERT OR REPLACE deletes the old row without a delete trigger (see 0007).
    "attachment_sealed_replace": "BEFORE INSERT ON attachment WHEN EXISTS "
                                 "(SELECT 1 FROM attachment WHERE id = NEW.id AND seal_id IS NOT NULL)",
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if "attachments" not in {c["name"] for c in inspector.get_columns("seal")}:
        # Plain ADD COLUMN: the seal table's triggers refuse any change to a sealed row, this one too.
        op.add_column("seal", sa.Column("attachments", sa.Text(), nullable=True))
    if "attachment" not in set(inspector.get_table_names()):
        op.create_table(
            "attachment",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("village_id", sa.Integer(), sa.ForeignKey("village.id", ondelete="RESTRICT"), nullable=False),
            sa.Column("period", sa.String(6), nullable=False),
            sa.Column("kind", sa.String(10), nullable=False),
            sa.Column("item_id", sa.Integer(), sa.ForeignKey("disclosure_item.id", ondelete="RESTRICT"),
                      nullable=True),
            sa.Column("row", sa.Integer(), nullable=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("media_type", sa.String(40), nullable=False),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("taken_at", sa.String(40), nullable=True),
            sa.Column("added_at", sa.String(40), nullable=False),
            sa.Column("data", sa.LargeBinary(), nullable=False),
            sa.Column("seal_id", sa.Integer(), sa.ForeignKey("seal.id", ondelete="RESTRICT"), nullable=True),
        )
        op.create_index("ix_attachment_quarter", "attachment", ["village_id", "period", "kind"])
    if bind.dialect.name == "sqlite":
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {REFUSAL_SQLITE} END")
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION zwgk_attachment_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF OLD.seal_id IS NOT NULL THEN {REFUSAL_PG}; END IF; "
                   "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$")
        op.execute("DROP TRIGGER IF EXISTS attachment_sealed ON attachment")
        op.execute("CREATE TRIGGER attachment_sealed BEFORE UPDATE OR DELETE ON attachment "
                   "FOR EACH ROW EXECUTE FUNCTION zwgk_attachment_sealed()")


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
