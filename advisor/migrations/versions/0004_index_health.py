"""The manifest keeps the access list a source was ingested with, so a source whose chunks were
lost can be indexed again exactly as it was.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("allowed", sa.JSON))  # NULL: ingested before it was kept


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("allowed")
