"""Alembic's scripts for the marketplace database (run by ``marketplace.schema.migrate``)."""
