"""A change sequence per shop instead of one global row (issue 13: several processes).

Each shop's ``seq`` starts at the old global value, so every cursor a counter holds
(at most that value) stays valid and every change from now on is stamped above it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_shop_seq"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shops", sa.Column("seq", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("UPDATE shops SET seq = (SELECT value FROM change_seq WHERE id = 1)")
    op.drop_table("change_seq")


def downgrade() -> None:
    op.create_table("change_seq",
                    sa.Column("id", sa.Integer(), sa.CheckConstraint("id = 1"), primary_key=True),
                    sa.Column("value", sa.Integer(), nullable=False))
    op.execute("INSERT INTO change_seq (id, value) SELECT 1, COALESCE(MAX(seq), 0) FROM shops")
    with op.batch_alter_table("shops") as batch:
        batch.drop_column("seq")
