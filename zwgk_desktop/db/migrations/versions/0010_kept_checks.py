"""The result of checking a stored item is kept with it.

`checked_digest` is the digest of the item's content as it was checked (`domain.items.content_digest`:
its own values and its rows, as stored), `checked_rules` the version of the checks it went through
(`domain.items.rules_version`), `checked_errors` how many errors they found. Printing trusts a
clean result while both still match (the item unchanged, the checks the same) instead of checking
a 10,000-household list again; anything else (an item written before this, by another tool, or
changed behind the program's back) is checked as before. Existing items start with no result.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


COLUMNS = (("checked_digest", sa.String(64)), ("checked_rules", sa.String(64)), ("checked_errors", sa.Integer()))


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): the item table's triggers and indexes stay as they are. A
    # column already there (a schema put back to an older revision by hand) is left as it is.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("disclosure_item")}
    for name, kind in COLUMNS:
        if name not in present:
            op.add_column("disclosure_item", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("disclosure_item") as table:
        table.drop_column("checked_errors")
        table.drop_column("checked_rules")
        table.drop_column("checked_digest")
