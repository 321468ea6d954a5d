"""events: the calendar, RSVPs (which are also the attendance records) and their history

One RSVP per member and event (unique key); the waitlist queue reads RSVPs by event, status and
first-response time; lists read events by organization and start, end or location.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 01:10:10.427949
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "event_type",
            sa.Enum(
                "business_meeting",
                "public_education",
                "training",
                "social",
                "fundraiser",
                "ceremony",
                "other",
                "recruitment",
                name="eventtype",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("custom_category", sa.String(length=100), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("location_details", sa.Text(), nullable=True),
        sa.Column("start_datetime", UtcDateTime(), nullable=False),
        sa.Column("end_datetime", UtcDateTime(), nullable=False),
        sa.Column("actual_start_time", UtcDateTime(), nullable=True),
        sa.Column("actual_end_time", UtcDateTime(), nullable=True),
        sa.Column("requires_rsvp", sa.Boolean(), nullable=False),
        sa.Column("rsvp_deadline", UtcDateTime(), nullable=True),
        sa.Column("max_attendees", sa.Integer(), nullable=True),
        sa.Column("allowed_rsvp_statuses", sa.JSON(), nullable=True),
        sa.Column("is_mandatory", sa.Boolean(), nullable=False),
        sa.Column("mandatory_membership_types", sa.JSON(), nullable=True),
        sa.Column("allow_guests", sa.Boolean(), nullable=False),
        sa.Column("send_reminders", sa.Boolean(), nullable=False),
        sa.Column(
            "reminder_target",
            sa.Enum("going", "all", "none", name="remindertarget", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reminder_schedule", sa.JSON(), nullable=True),
        sa.Column(
            "check_in_window_type",
            sa.Enum(
                "flexible",
                "strict",
                "window",
                name="checkinwindowtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("check_in_minutes_before", sa.Integer(), nullable=True),
        sa.Column("check_in_minutes_after", sa.Integer(), nullable=True),
        sa.Column("require_checkout", sa.Boolean(), nullable=False),
        sa.Column("allow_guest_check_in", sa.Boolean(), nullable=False),
        sa.Column("guest_check_in_creates_prospect", sa.Boolean(), nullable=False),
        sa.Column("custom_fields", sa.JSON(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=True),
        sa.Column("is_recurring", sa.Boolean(), nullable=False),
        sa.Column(
            "recurrence_pattern",
            sa.Enum(
                "daily",
                "weekly",
                "biweekly",
                "monthly",
                "monthly_weekday",
                "annually",
                "annually_weekday",
                "custom",
                name="recurrencepattern",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("recurrence_end_date", UtcDateTime(), nullable=True),
        sa.Column("rolling_recurrence", sa.Boolean(), nullable=False),
        sa.Column("recurrence_custom_days", sa.JSON(), nullable=True),
        sa.Column("recurrence_weekday", sa.Integer(), nullable=True),
        sa.Column("recurrence_week_ordinal", sa.Integer(), nullable=True),
        sa.Column("recurrence_month", sa.Integer(), nullable=True),
        sa.Column("recurrence_exceptions", sa.JSON(), nullable=True),
        sa.Column("recurrence_parent_id", sa.Uuid(), nullable=True),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("is_draft", sa.Boolean(), nullable=False),
        sa.Column("is_cancelled", sa.Boolean(), nullable=False),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_at", UtcDateTime(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_events_location_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_events_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recurrence_parent_id"],
            ["events.id"],
            name=op.f("fk_events_recurrence_parent_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_org_end", ["organization_id", "end_datetime"], unique=False
        )
        batch_op.create_index(
            "ix_events_org_location",
            ["organization_id", "location_id", "start_datetime"],
            unique=False,
        )
        batch_op.create_index(
            "ix_events_org_parent", ["organization_id", "recurrence_parent_id"], unique=False
        )
        batch_op.create_index(
            "ix_events_org_start", ["organization_id", "start_datetime"], unique=False
        )

    op.create_table(
        "event_rsvps",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "going",
                "not_going",
                "maybe",
                "waitlisted",
                name="rsvpstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("guest_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("dietary_restrictions", sa.String(length=500), nullable=True),
        sa.Column("accessibility_needs", sa.String(length=500), nullable=True),
        sa.Column("responded_at", UtcDateTime(), nullable=False),
        sa.Column("checked_in", sa.Boolean(), nullable=False),
        sa.Column("checked_in_at", UtcDateTime(), nullable=True),
        sa.Column("checked_out_at", UtcDateTime(), nullable=True),
        sa.Column("attendance_duration_minutes", sa.Integer(), nullable=True),
        sa.Column("override_check_in_at", UtcDateTime(), nullable=True),
        sa.Column("override_check_out_at", UtcDateTime(), nullable=True),
        sa.Column("override_duration_minutes", sa.Integer(), nullable=True),
        sa.Column("overridden_by", sa.Uuid(), nullable=True),
        sa.Column("overridden_at", UtcDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_rsvps_event_id"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_event_rsvps_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_event_rsvps_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_rsvps")),
        sa.UniqueConstraint("event_id", "user_id", name="uq_event_rsvps_event_user"),
    )
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_rsvps_event_status_responded",
            ["event_id", "status", "responded_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_event_rsvps_org_user", ["organization_id", "user_id"], unique=False
        )

    op.create_table(
        "rsvp_history",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("rsvp_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "old_status",
            sa.Enum(
                "going",
                "not_going",
                "maybe",
                "waitlisted",
                name="rsvpstatus",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "new_status",
            sa.Enum(
                "going",
                "not_going",
                "maybe",
                "waitlisted",
                name="rsvpstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_rsvp_history_event_id"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rsvp_history_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rsvp_id"],
            ["event_rsvps.id"],
            name=op.f("fk_rsvp_history_rsvp_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_rsvp_history_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rsvp_history")),
    )
    with op.batch_alter_table("rsvp_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rsvp_history_event_changed", ["event_id", "changed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rsvp_history", schema=None) as batch_op:
        batch_op.drop_index("ix_rsvp_history_event_changed")

    op.drop_table("rsvp_history")
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.drop_index("ix_event_rsvps_org_user")
        batch_op.drop_index("ix_event_rsvps_event_status_responded")

    op.drop_table("event_rsvps")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_org_start")
        batch_op.drop_index("ix_events_org_parent")
        batch_op.drop_index("ix_events_org_location")
        batch_op.drop_index("ix_events_org_end")

    op.drop_table("events")
