"""Full-text search over the archive: titles and the public text of every row.

On SQLite an FTS5 table with the trigram tokenizer (Chinese has no spaces between words, so
words cannot be split on them; trigrams match any part of a name or a summary). A server
database gets a plain table searched with ILIKE until the township setup brings its own index.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from zwgk_desktop.db.search_text import entries_for, write_entries

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_index USING fts5(text, item_id UNINDEXED, seq UNINDEXED, "
                   "tokenize='trigram')")
        # The same entries (same rowid) as character pairs, for two-character words.
        op.execute("CREATE VIRTUAL TABLE search_pairs USING fts5(text, tokenize='unicode61')")
    else:
        op.create_table("search_index", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("item_id", sa.Integer, index=True), sa.Column("seq", sa.Integer),
                        sa.Column("text", sa.Text))
    # Index what is already in the archive.
    items = bind.execute(sa.text("SELECT id, category, title, fields FROM disclosure_item")).fetchall()
    for item_id, category, title, fields in items:
        rows = [data for (data,) in bind.execute(
            sa.text("SELECT data FROM item_row WHERE item_id = :i ORDER BY seq"), {"i": item_id})]
        entries = entries_for(category, title, [r if isinstance(r, dict) else _json(r) for r in rows],
                              fields if isinstance(fields, dict) else _json(fields))
        write_entries(bind, item_id, entries)


def _json(value: str) -> dict:
    import json

    return dict(json.loads(value))


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_pairs")
    op.execute("DROP TABLE search_index")
