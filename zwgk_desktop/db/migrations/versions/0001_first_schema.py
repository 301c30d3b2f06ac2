"""The first schema: township, villages, disclosure items and their rows.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "township",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("base_url", sa.String(300), nullable=False),
    )
    op.create_table(
        "village",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("township_id", sa.Integer, sa.ForeignKey("township.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("name", sa.String(40), nullable=False, unique=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
    )
    op.create_table(
        "disclosure_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("village_id", sa.Integer, sa.ForeignKey("village.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("disclosure", sa.String(10), nullable=False),
        sa.Column("publicity_start", sa.Date),
        sa.Column("publicity_end", sa.Date),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("clerk", sa.String(40)),
        sa.Column("reviewer", sa.String(40)),
        sa.Column("reviewed_on", sa.Date),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_item_village_period", "disclosure_item", ["village_id", "period", "category"])
    op.create_table(
        "item_row",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("disclosure_item.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("item_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("item_row")
    op.drop_index("ix_item_village_period", "disclosure_item")
    op.drop_table("disclosure_item")
    op.drop_table("village")
    op.drop_table("township")
