"""Events are claimed with a lease and kept until answered; the threads the bot answered in.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="done"))
        batch.add_column(sa.Column("owner", sa.String(64)))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("payload", sa.Text))
        batch.create_index("ix_processed_events_status_lease", ["status", "lease_until"])
    op.create_table(
        "bot_threads",
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("thread_ts", sa.String(32), primary_key=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bot_threads")
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_index("ix_processed_events_status_lease")
        for name in ("payload", "attempts", "lease_until", "owner", "status"):
            batch.drop_column(name)
