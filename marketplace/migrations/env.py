"""Alembic environment: always run by ``marketplace.schema.migrate``, which hands over an
open transaction (under the migration lock) in ``config.attributes["connection"]``."""

from alembic import context

from marketplace.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the marketplace migrations with `comptoir-marketplace migrate`")
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
