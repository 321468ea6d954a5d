"""error reports sent by members' browsers

Listed newest first per organization, optionally by type or event id, and counted by type.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 17:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "error_logs",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("error_type", sa.String(length=50), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=False),
        sa.Column("user_message", sa.String(length=500), nullable=True),
        sa.Column("troubleshooting_steps", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_error_logs_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_error_logs_user_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_error_logs")),
    )
    with op.batch_alter_table("error_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_error_logs_org_created", ["organization_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_error_logs_org_event", ["organization_id", "event_id"], unique=False
        )
        batch_op.create_index(
            "ix_error_logs_org_type_created",
            ["organization_id", "error_type", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("error_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_error_logs_org_type_created")
        batch_op.drop_index("ix_error_logs_org_event")
        batch_op.drop_index("ix_error_logs_org_created")

    op.drop_table("error_logs")
