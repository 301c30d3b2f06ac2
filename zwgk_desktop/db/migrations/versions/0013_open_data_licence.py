"""The open data's licence line (issue 16, item 4): `township.open_data_licence`, the line the
township sets (`zwgk settings --licence`, the app's 设置) that the online copy shows on every page
and writes into every data file; "" until it is set (the copy then states no licence).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "open_data_licence" not in {c["name"] for c in inspector.get_columns("township")}:
        op.add_column("township", sa.Column("open_data_licence", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
