"""Alembic migrations of the lessons' store, run at start-up by store.migrate()."""
