"""On a server database (PostgreSQL, the township's): the rules SQLite got from triggers in 0003,
and a trigram index for search.

- Sealed items, their rows, the seals and the sealed items refuse every change, whoever sends it
  (PL/pgSQL triggers; a trigger's WHEN cannot hold a subquery there, so the test is inside).
- `pg_trgm` with a GIN index makes `ILIKE '%…%'` searches use an index, as FTS5's trigram
  tokenizer does on SQLite. Where the extension may not be created, search still works, by scan.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

REFUSAL = "RAISE EXCEPTION 'sealed: 已封存的档案不能修改或删除' USING ERRCODE = 'integrity_constraint_violation'"
FUNCTIONS = {
    # disclosure_item: the row itself is sealed
    "zwgk_item_sealed": "IF EXISTS (SELECT 1 FROM sealed_item WHERE item_id = OLD.id) THEN {refuse}; END IF;",
    # item_row: the item the row belongs to is sealed (a new row: NEW; a changed or removed one: OLD)
    "zwgk_row_sealed": "IF EXISTS (SELECT 1 FROM sealed_item WHERE item_id = "
                       "CASE WHEN TG_OP = 'INSERT' THEN NEW.item_id ELSE OLD.item_id END) THEN {refuse}; END IF;",
    # seal, sealed_item: append-only
    "zwgk_append_only": "{refuse};",
}
TRIGGERS = (
    ("item_sealed", "BEFORE UPDATE OR DELETE ON disclosure_item", "zwgk_item_sealed"),
    ("row_sealed", "BEFORE INSERT OR UPDATE OR DELETE ON item_row", "zwgk_row_sealed"),
    ("seal_append_only", "BEFORE UPDATE OR DELETE ON seal", "zwgk_append_only"),
    ("sealed_item_append_only", "BEFORE UPDATE OR DELETE ON sealed_item", "zwgk_append_only"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"{body.format(refuse=REFUSAL)} IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$")
    for name, when, function in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {function}()")
    op.execute("""DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
        RAISE NOTICE 'pg_trgm is not available: search works without an index';
    END $$""")
    op.execute("""DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
            CREATE INDEX ix_search_trgm ON search_index USING gin (text gin_trgm_ops);
        END IF;
    END $$""")


def downgrade() -> None:
    raise NotImplementedError("an archive is not downgraded: restore the backup taken before the upgrade")
