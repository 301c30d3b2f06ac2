"""Board settings shared by the office: supervision phones and the publication day.

Every board prints whom to ask (村务监督委员会 and the township's supervision line), and the
township fixes the day of the month by which a quarter's board is due.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("township") as batch:
        batch.add_column(sa.Column("supervision_phone", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("publication_day", sa.Integer, nullable=False, server_default="10"))
    with op.batch_alter_table("village") as batch:
        batch.add_column(sa.Column("supervision_phone", sa.String(40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("village") as batch:
        batch.drop_column("supervision_phone")
    with op.batch_alter_table("township") as batch:
        batch.drop_column("publication_day")
        batch.drop_column("supervision_phone")
