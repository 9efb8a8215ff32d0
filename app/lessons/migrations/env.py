"""Alembic's entry point: runs the migrations on the connection store.migrate() hands over,
inside its transaction (which holds the lock that keeps starting processes in turn)."""

from alembic import context

context.configure(connection=context.config.attributes["connection"], target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
