"""The local archive store: SQLAlchemy models, engine set-up, migrations and queries."""
