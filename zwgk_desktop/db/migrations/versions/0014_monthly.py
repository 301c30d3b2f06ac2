"""Monthly finance (issue 16, part 3): a period can be a month of its quarter.

- `disclosure_item.month`: the month (1–12) of its quarter an item covers, for a category its
  village discloses monthly; NULL for an item of the whole quarter (every item made before). The
  item's `period` stays its quarter: the unit of sealing and of its URL.
- `village.monthly`: the categories the township has the village disclose monthly (`zwgk settings
  --monthly donggang=finance`, the app's 设置), codes separated by spaces; "" for none beyond
  what the catalogue (公开目录) makes monthly for every village.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "month" not in {c["name"] for c in inspector.get_columns("disclosure_item")}:
        op.add_column("disclosure_item", sa.Column("month", sa.Integer(), nullable=True))
    if "monthly" not in {c["name"] for c in inspector.get_columns("village")}:
        op.add_column("village", sa.Column("monthly", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
