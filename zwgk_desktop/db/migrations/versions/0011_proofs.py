"""What an archive needs to prove itself outside its own file (design §4.5, seal format 4).

- `seal.made_with`: what made the seal (the software's version, the versions of the masking and
  checking rules, and the digests of the format and category texts in `seal_source`), as
  canonical JSON, so `verify` can re-derive each item's public content as sealing did, even after
  the rules or the township's formats have changed.
- `seal.signer` / `seal.signature`: the fingerprint of the village key that signed the seal and
  the Ed25519 signature over its chain hash. `seal.event`: what a seal that holds no items
  records (a key made, replaced or lost), as canonical JSON.
- `sealed_item.archive_ref` / `sealed_item.retention`: the 档号 and 保管期限 the item was filed under.
- `seal_source`: the texts seals were made with, stored once by their SHA-256; append-only.
- `village_key`: the public keys a township (or a village itself) trusts for each village's seals.

Every new value is covered by the seal's payload hash (seal format 4); seals made before keep
their own format and verify as they did.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SEAL_COLUMNS = (("made_with", sa.Text()), ("signer", sa.String(64)), ("signature", sa.Text()), ("event", sa.Text()))
ITEM_COLUMNS = (("archive_ref", sa.String(80)), ("retention", sa.String(8)))
REFUSAL_SQLITE = "SELECT RAISE(ABORT, 'sealed: 已封存的档案不能修改或删除');"


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    # Plain ADD COLUMN (no table copy): the tables' triggers, which refuse any change to a sealed
    # row, cover the new columns too.
    for table, columns in (("seal", SEAL_COLUMNS), ("sealed_item", ITEM_COLUMNS)):
        present = {c["name"] for c in inspector.get_columns(table)}
        for name, kind in columns:
            if name not in present:
                op.add_column(table, sa.Column(name, kind, nullable=True))
    # A table already there (a schema put back to an older revision by hand) is left as it is.
    tables = set(inspector.get_table_names())
    if "seal_source" not in tables:
        op.create_table(
            "seal_source",
            sa.Column("digest", sa.String(64), primary_key=True),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
        )
    if "village_key" not in tables:
        op.create_table(
            "village_key",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("village_id", sa.Integer(), sa.ForeignKey("village.id", ondelete="RESTRICT"), nullable=False),
            sa.Column("fingerprint", sa.String(64), nullable=False),
            sa.Column("public_key", sa.Text(), nullable=False),
            sa.Column("added_at", sa.String(40), nullable=False),
            sa.Column("how", sa.String(20), nullable=False),
            sa.Column("confirmed_by", sa.String(40), nullable=True),
            sa.Column("retired_at", sa.String(40), nullable=True),
            sa.UniqueConstraint("village_id", "fingerprint"),
        )
    # A source text is what a seal's hash names: it may be added, never changed or taken away.
    if bind.dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS seal_source_append_only_{action.lower()} "
                       f"BEFORE {action} ON seal_source BEGIN {REFUSAL_SQLITE} END")
        op.execute("CREATE TRIGGER IF NOT EXISTS seal_source_replace BEFORE INSERT ON seal_source WHEN EXISTS "
                   f"(SELECT 1 FROM seal_source WHERE digest = NEW.digest) BEGIN {REFUSAL_SQLITE} END")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS seal_source_append_only ON seal_source")
        op.execute("CREATE TRIGGER seal_source_append_only BEFORE UPDATE OR DELETE ON seal_source "
                   "FOR EACH ROW EXECUTE FUNCTION zwgk_append_only()")


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
