"""notification rules and the notification log (inbox entries)

The unread count every open tab polls is answered from ix_notification_logs_unread alone;
uq_notification_logs_source makes an event delivered twice produce one entry per member.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 16:45:16.296051
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_rules",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "trigger",
            sa.Enum(
                "event_reminder",
                "training_expiry",
                "schedule_change",
                "new_member",
                "member_dropped",
                "maintenance_due",
                "election_started",
                "form_submitted",
                "action_item_assigned",
                "meeting_scheduled",
                "document_uploaded",
                name="notificationtrigger",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "events",
                "training",
                "scheduling",
                "members",
                "maintenance",
                "general",
                name="rulecategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum("email", "in_app", name="notificationchannel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notification_rules_organization_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_rules")),
    )
    with op.batch_alter_table("notification_rules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_rules_org_name", ["organization_id", "name"], unique=False
        )

    op.create_table(
        "notification_logs",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.Uuid(), nullable=True),
        sa.Column("rule_name", sa.String(length=255), nullable=True),
        sa.Column("recipient_id", sa.Uuid(), nullable=True),
        sa.Column("recipient_email", sa.String(length=255), nullable=True),
        sa.Column("recipient_name", sa.String(length=255), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("email", "in_app", name="notificationchannel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("action_url", sa.String(length=500), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("read_at", UtcDateTime(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("source_event_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notification_logs_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["notification_rules.id"],
            name=op.f("fk_notification_logs_rule_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_logs")),
        sa.UniqueConstraint(
            "source_event_id",
            "recipient_id",
            "category",
            "channel",
            name="uq_notification_logs_source",
        ),
    )
    with op.batch_alter_table("notification_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_logs_inbox",
            ["organization_id", "recipient_id", "channel", "sent_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_notification_logs_org_channel_sent",
            ["organization_id", "channel", "sent_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_notification_logs_org_sent", ["organization_id", "sent_at"], unique=False
        )
        batch_op.create_index(
            "ix_notification_logs_unread",
            ["organization_id", "recipient_id", "channel", "read", "expires_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_logs_unread")
        batch_op.drop_index("ix_notification_logs_org_sent")
        batch_op.drop_index("ix_notification_logs_org_channel_sent")
        batch_op.drop_index("ix_notification_logs_inbox")

    op.drop_table("notification_logs")
    with op.batch_alter_table("notification_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_rules_org_name")

    op.drop_table("notification_rules")
