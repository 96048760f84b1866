"""Tokens a chat model spent on each answer (cost control, the per-user hourly limit), also on ratings.

Revision ID: 0006
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "llm_usage",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(64)),
        sa.Column("channel_id", sa.String(64)),
        sa.Column("composer", sa.String(200), nullable=False),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("limited", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_llm_usage_created_at", "llm_usage", ["created_at"])
    op.create_index("ix_llm_usage_user_created_at", "llm_usage", ["user_id", "created_at"])
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("composer", sa.String(200)))
        batch.add_column(sa.Column("input_tokens", sa.Integer))
        batch.add_column(sa.Column("output_tokens", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        for name in ("output_tokens", "input_tokens", "composer"):
            batch.drop_column(name)
    op.drop_index("ix_llm_usage_user_created_at", "llm_usage")
    op.drop_index("ix_llm_usage_created_at", "llm_usage")
    op.drop_table("llm_usage")
