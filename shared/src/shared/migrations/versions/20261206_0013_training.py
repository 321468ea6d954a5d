"""training: the course library, records, requirements, sessions, waivers and leaves

A record is unique per (training session, member), so every check-in path and a redelivered
event make one record; records are read by member and completion date, by status and by
expiration date; a training session's event is unique and cannot be deleted under it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 01:52:06.437289
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_categories",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("color", sa.String(length=7), nullable=True),
        sa.Column("parent_category_id", sa.Uuid(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("icon", sa.String(length=50), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_training_categories_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_category_id"],
            ["training_categories.id"],
            name=op.f("fk_training_categories_parent_category_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_categories")),
    )
    with op.batch_alter_table("training_categories", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_categories_org_order", ["organization_id", "sort_order"], unique=False
        )

    op.create_table(
        "training_courses",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "training_type",
            sa.Enum(
                "certification",
                "continuing_education",
                "skills_practice",
                "orientation",
                "refresher",
                "specialty",
                name="trainingtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("duration_hours", sa.Float(), nullable=True),
        sa.Column("credit_hours", sa.Float(), nullable=True),
        sa.Column("prerequisites", sa.JSON(), nullable=True),
        sa.Column("expiration_months", sa.Integer(), nullable=True),
        sa.Column("instructor", sa.String(length=255), nullable=True),
        sa.Column("max_participants", sa.Integer(), nullable=True),
        sa.Column("materials_required", sa.JSON(), nullable=True),
        sa.Column("category_ids", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_training_courses_organization_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
    )
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_courses_org_name", ["organization_id", "name"], unique=False
        )

    op.create_table(
        "training_requirements",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "requirement_type",
            sa.Enum(
                "hours",
                "courses",
                "certification",
                "shifts",
                "calls",
                "skills_evaluation",
                "checklist",
                "knowledge_test",
                name="requirementtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "department",
                "state",
                "national",
                name="requirementsource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("registry_name", sa.String(length=255), nullable=True),
        sa.Column("registry_code", sa.String(length=50), nullable=True),
        sa.Column("is_editable", sa.Boolean(), nullable=False),
        sa.Column("allows_external_credit", sa.Boolean(), nullable=False),
        sa.Column(
            "training_type",
            sa.Enum(
                "certification",
                "continuing_education",
                "skills_practice",
                "orientation",
                "refresher",
                "specialty",
                name="trainingtype",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("required_hours", sa.Float(), nullable=True),
        sa.Column("required_courses", sa.JSON(), nullable=True),
        sa.Column("required_shifts", sa.Integer(), nullable=True),
        sa.Column("required_calls", sa.Integer(), nullable=True),
        sa.Column("required_call_types", sa.JSON(), nullable=True),
        sa.Column("required_skills", sa.JSON(), nullable=True),
        sa.Column("checklist_items", sa.JSON(), nullable=True),
        sa.Column("passing_score", sa.Float(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column(
            "frequency",
            sa.Enum(
                "annual",
                "biannual",
                "quarterly",
                "monthly",
                "one_time",
                name="requirementfrequency",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("applies_to_all", sa.Boolean(), nullable=False),
        sa.Column("required_roles", sa.JSON(), nullable=True),
        sa.Column("required_positions", sa.JSON(), nullable=True),
        sa.Column("required_membership_types", sa.JSON(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("time_limit_days", sa.Integer(), nullable=True),
        sa.Column(
            "due_date_type",
            sa.Enum(
                "calendar_period",
                "rolling",
                "certification_period",
                "fixed_date",
                name="duedatetype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rolling_period_months", sa.Integer(), nullable=True),
        sa.Column("period_start_month", sa.Integer(), nullable=False),
        sa.Column("period_start_day", sa.Integer(), nullable=False),
        sa.Column("period_end_month", sa.Integer(), nullable=True),
        sa.Column("period_end_day", sa.Integer(), nullable=True),
        sa.Column("include_current_month", sa.Boolean(), nullable=True),
        sa.Column("recency_days", sa.Integer(), nullable=True),
        sa.Column("category_ids", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_training_requirements_organization_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_requirements")),
    )
    with op.batch_alter_table("training_requirements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_requirements_org_active_due",
            ["organization_id", "active", "due_date"],
            unique=False,
        )

    op.create_table(
        "training_waivers",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "waiver_type",
            sa.Enum(
                "leave_of_absence",
                "medical",
                "military",
                "personal",
                "administrative",
                "new_member",
                "other",
                name="leavetype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("requirement_ids", sa.JSON(), nullable=True),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("granted_at", UtcDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_training_waivers_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_training_waivers_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_waivers")),
    )
    with op.batch_alter_table("training_waivers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_waivers_org_start", ["organization_id", "start_date"], unique=False
        )
        batch_op.create_index(
            "ix_training_waivers_org_user", ["organization_id", "user_id", "active"], unique=False
        )

    op.create_table(
        "member_leaves_of_absence",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "leave_type",
            sa.Enum(
                "leave_of_absence",
                "medical",
                "military",
                "personal",
                "administrative",
                "new_member",
                "other",
                name="leavetype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("granted_at", UtcDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("exempt_from_training_waiver", sa.Boolean(), nullable=False),
        sa.Column("linked_training_waiver_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_training_waiver_id"],
            ["training_waivers.id"],
            name=op.f("fk_member_leaves_of_absence_linked_training_waiver_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_member_leaves_of_absence_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_member_leaves_of_absence_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_leaves_of_absence")),
    )
    with op.batch_alter_table("member_leaves_of_absence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_leaves_of_absence_org_start", ["organization_id", "start_date"], unique=False
        )
        batch_op.create_index(
            "ix_member_leaves_of_absence_org_user",
            ["organization_id", "user_id", "active"],
            unique=False,
        )

    op.create_table(
        "training_sessions",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("course_name", sa.String(length=255), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column(
            "training_type",
            sa.Enum(
                "certification",
                "continuing_education",
                "skills_practice",
                "orientation",
                "refresher",
                "specialty",
                name="trainingtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("credit_hours", sa.Float(), nullable=True),
        sa.Column("instructor", sa.String(length=255), nullable=True),
        sa.Column("issues_certification", sa.Boolean(), nullable=False),
        sa.Column("expiration_months", sa.Integer(), nullable=True),
        sa.Column("issuing_agency", sa.String(length=255), nullable=True),
        sa.Column("auto_create_records", sa.Boolean(), nullable=False),
        sa.Column("finalized_at", UtcDateTime(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["training_categories.id"],
            name=op.f("fk_training_sessions_category_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_sessions_course_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_training_sessions_event_id")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_training_sessions_organization_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
        sa.UniqueConstraint("event_id", name=op.f("uq_training_sessions_event_id")),
    )
    op.create_table(
        "training_records",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("training_session_id", sa.Uuid(), nullable=True),
        sa.Column("course_name", sa.String(length=255), nullable=False),
        sa.Column("course_code", sa.String(length=50), nullable=True),
        sa.Column(
            "training_type",
            sa.Enum(
                "certification",
                "continuing_education",
                "skills_practice",
                "orientation",
                "refresher",
                "specialty",
                name="trainingtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("scheduled_date", sa.Date(), nullable=True),
        sa.Column("completion_date", sa.Date(), nullable=True),
        sa.Column("expiration_date", sa.Date(), nullable=True),
        sa.Column("hours_completed", sa.Float(), nullable=False),
        sa.Column("credit_hours", sa.Float(), nullable=True),
        sa.Column("certification_number", sa.String(length=100), nullable=True),
        sa.Column("issuing_agency", sa.String(length=255), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "in_progress",
                "completed",
                "cancelled",
                "failed",
                name="trainingstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passing_score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("instructor", sa.String(length=255), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("apparatus_id", sa.Uuid(), nullable=True),
        sa.Column("external_provider_id", sa.Uuid(), nullable=True),
        sa.Column("external_record_id", sa.String(length=255), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=True),
        sa.Column("rank_at_completion", sa.String(length=100), nullable=True),
        sa.Column("station_at_completion", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("alert_90_sent_at", UtcDateTime(), nullable=True),
        sa.Column("alert_60_sent_at", UtcDateTime(), nullable=True),
        sa.Column("alert_30_sent_at", UtcDateTime(), nullable=True),
        sa.Column("alert_7_sent_at", UtcDateTime(), nullable=True),
        sa.Column("escalation_sent_at", UtcDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["training_categories.id"],
            name=op.f("fk_training_records_category_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_records_course_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_training_records_location_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_training_records_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["training_session_id"],
            ["training_sessions.id"],
            name=op.f("fk_training_records_training_session_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_training_records_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
        sa.UniqueConstraint(
            "training_session_id", "user_id", name="uq_training_records_session_user"
        ),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_records_org_expiration",
            ["organization_id", "expiration_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_training_records_org_status", ["organization_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_training_records_org_user_completion",
            ["organization_id", "user_id", "completion_date"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index("ix_training_records_org_user_completion")
        batch_op.drop_index("ix_training_records_org_status")
        batch_op.drop_index("ix_training_records_org_expiration")

    op.drop_table("training_records")
    op.drop_table("training_sessions")
    with op.batch_alter_table("member_leaves_of_absence", schema=None) as batch_op:
        batch_op.drop_index("ix_member_leaves_of_absence_org_user")
        batch_op.drop_index("ix_member_leaves_of_absence_org_start")

    op.drop_table("member_leaves_of_absence")
    with op.batch_alter_table("training_waivers", schema=None) as batch_op:
        batch_op.drop_index("ix_training_waivers_org_user")
        batch_op.drop_index("ix_training_waivers_org_start")

    op.drop_table("training_waivers")
    with op.batch_alter_table("training_requirements", schema=None) as batch_op:
        batch_op.drop_index("ix_training_requirements_org_active_due")

    op.drop_table("training_requirements")
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.drop_index("ix_training_courses_org_name")

    op.drop_table("training_courses")
    with op.batch_alter_table("training_categories", schema=None) as batch_op:
        batch_op.drop_index("ix_training_categories_org_order")

    op.drop_table("training_categories")
