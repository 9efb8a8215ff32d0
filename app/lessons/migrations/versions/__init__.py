"""The migrations, one file each (alembic reads them by path)."""
