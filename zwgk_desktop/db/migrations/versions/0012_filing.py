"""How the archive files sealed items (issue 14, part 5): the township's 档号 pattern and each
village's 全宗号.

- `township.archive_pattern`: the pattern sealing fills in for each item's 档号, e.g.
  `{全宗号}-{年度}-{保管期限}-{件号}` (`domain/filing.py`); "" means that default.
- `village.fonds_code`: the village's 全宗号, given by the county 档案馆; "" until it is set (the
  档号 then uses the village's code in capitals).

Seals made before keep the 档号 they have (none before seal format 4).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table, name, kind in (("township", "archive_pattern", sa.String(120)),
                              ("village", "fonds_code", sa.String(20))):
        if name not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column(name, kind, nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
