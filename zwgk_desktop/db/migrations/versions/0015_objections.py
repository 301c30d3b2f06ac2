"""The objection register (issue 18, parts 1–2): residents' objections and the replies due within
10 days, and what seals froze of them.

- `objection`: one per objection, numbered within its village; the item (and row) it is about,
  received on, channel, text, who raised it (private), who replied, the reply, its date, the
  outcome (维持 / 更正) and the 更正公告 it led to.
- `township.objection_url`: the township's own online channel for objections, shown on each item
  page of the online copy; "" for none.
- `sealed_objection`: an objection as a seal (format 5) froze it; append-only. A sealed objection
  cannot be deleted, nor what was registered changed; one sealed open may still be given its reply,
  and one sealed replied only the 更正公告 it led to (each frozen by the next seal, the next link).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

REFUSAL_SQLITE = "SELECT RAISE(ABORT, 'sealed: 已封存的档案不能修改或删除');"
SEALED = "EXISTS (SELECT 1 FROM sealed_objection WHERE sealed_objection.objection_id = OLD.id)"
# What registering fixed: once sealed, only the reply's own fields may still be filled in, once.
# Once sealed with its reply, only the 更正公告 it led to may still be named, once (the correction is
# made after the reply, and sealing it seals the link).
REGISTERED = ("village_id", "number", "item_id", "row", "received_on", "channel", "text", "raised_by")
REPLIED = ("handler", "reply", "replied_on", "outcome")
CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in REGISTERED)
REPLY_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in REPLIED)
LINK_CHANGED = "(OLD.correction_id IS NOT NULL AND NEW.correction_id IS NOT OLD.correction_id)"
REFUSED = f"{CHANGED} OR (OLD.replied_on IS NOT NULL AND ({REPLY_CHANGED} OR {LINK_CHANGED}))"
# PostgreSQL's words for SQLite's `IS NOT` between values (its `IS NOT NULL` stays).
REFUSED_PG = REFUSED.replace(" IS NOT NULL", " IS NOT_NULL").replace(" IS NOT ", " IS DISTINCT FROM ").replace(
    "NOT_NULL", "NOT NULL")
SQLITE_TRIGGERS = {
    "objection_sealed_update": f"BEFORE UPDATE ON objection WHEN {SEALED} AND ({REFUSED})",
    "objection_sealed_delete": f"BEFORE DELETE ON objection WHEN {SEALED}",
    "sealed_objection_append_only_update": "BEFORE UPDATE ON sealed_objection",
    "sealed_objection_append_only_delete": "BEFORE DELETE ON sealed_objection",
    # INSERT OR REPLACE would delete a row without a DELETE trigger firing (0007's reason).
    "objection_sealed_replace": "BEFORE INSERT ON objection WHEN EXISTS (SELECT 1 FROM sealed_objection s "
                                "JOIN objection o ON o.id = s.objection_id WHERE o.id = NEW.id "
                                "OR (o.village_id = NEW.village_id AND o.number = NEW.number))",
    "sealed_objection_replace": "BEFORE INSERT ON sealed_objection WHEN EXISTS (SELECT 1 FROM sealed_objection "
                                "WHERE id = NEW.id OR (seal_id = NEW.seal_id AND objection_id = NEW.objection_id))",
}
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION zwgk_objection_sealed() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM sealed_objection WHERE objection_id = OLD.id) AND (TG_OP = 'DELETE'
     OR {REFUSED_PG}) THEN
    RAISE EXCEPTION 'sealed: 已封存的档案不能修改或删除';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if "objection_url" not in {c["name"] for c in inspector.get_columns("township")}:
        op.add_column("township", sa.Column("objection_url", sa.String(300), nullable=False, server_default=""))
    tables = set(inspector.get_table_names())
    if "objection" not in tables:
        op.create_table(
            "objection",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("village_id", sa.Integer(), sa.ForeignKey("village.id", ondelete="RESTRICT"), nullable=False),
            sa.Column("number", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), sa.ForeignKey("disclosure_item.id", ondelete="RESTRICT"),
                      nullable=False),
            sa.Column("row", sa.Integer(), nullable=True),
            sa.Column("received_on", sa.Date(), nullable=False),
            sa.Column("channel", sa.String(8), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("raised_by", sa.String(40), nullable=True),
            sa.Column("handler", sa.String(40), nullable=True),
            sa.Column("reply", sa.Text(), nullable=True),
            sa.Column("replied_on", sa.Date(), nullable=True),
            sa.Column("outcome", sa.String(4), nullable=True),
            sa.Column("correction_id", sa.Integer(), sa.ForeignKey("disclosure_item.id", ondelete="RESTRICT"),
                      nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.UniqueConstraint("village_id", "number"),
        )
    if "sealed_objection" not in tables:
        op.create_table(
            "sealed_objection",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("seal_id", sa.Integer(), sa.ForeignKey("seal.id", ondelete="RESTRICT"), nullable=False),
            sa.Column("objection_id", sa.Integer(), sa.ForeignKey("objection.id", ondelete="RESTRICT"),
                      nullable=False),
            sa.Column("canonical_json", sa.Text(), nullable=False),
            sa.Column("content_hash", sa.String(64), nullable=False),
            sa.UniqueConstraint("seal_id", "objection_id"),
        )
    if bind.dialect.name == "sqlite":
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {REFUSAL_SQLITE} END")
    elif bind.dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute("DROP TRIGGER IF EXISTS objection_sealed ON objection")
        op.execute("CREATE TRIGGER objection_sealed BEFORE UPDATE OR DELETE ON objection "
                   "FOR EACH ROW EXECUTE FUNCTION zwgk_objection_sealed()")
        op.execute("DROP TRIGGER IF EXISTS sealed_objection_append_only ON sealed_objection")
        # zwgk_append_only() is 0006's.
        op.execute("CREATE TRIGGER sealed_objection_append_only BEFORE UPDATE OR DELETE ON sealed_objection "
                   "FOR EACH ROW EXECUTE FUNCTION zwgk_append_only()")


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
