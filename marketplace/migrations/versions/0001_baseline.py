"""Baseline: the schema the SQLite-only sqlite-utils migrations 0001..0009 left.

Nothing to run: a database reaches this revision either through those migrations
(``legacy_migrations.py``; ``schema.migrate`` finishes them and stamps this revision)
or never, being created at head from ``schema.metadata``.
"""

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("the baseline is the oldest schema")
