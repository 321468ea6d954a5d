"""member profile, organization profile, locations, ranks, audit trail

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 15:13:36.452984
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from shared.db.types import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:  # noqa: PLR0915 - one statement per column
    op.create_table(
        "audit_logs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("timestamp", UtcDateTime(), nullable=False),
        sa.Column("timestamp_nanos", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("event_category", sa.String(length=50), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("event_data", sa.JSON(), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("current_hash", sa.String(length=64), nullable=False),
        sa.Column("hash_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_logs")),
    )
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_logs_org_event_type", ["organization_id", "event_type"], unique=False
        )
        batch_op.create_index("ix_audit_logs_org_id", ["organization_id", "id"], unique=False)
        batch_op.create_index(
            "ix_audit_logs_org_timestamp", ["organization_id", "timestamp"], unique=False
        )

    op.create_table(
        "audit_chain_heads",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_audit_chain_heads_organization_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_audit_chain_heads")),
    )
    op.create_table(
        "locations",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("building_key", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=50), nullable=True),
        sa.Column("zip", sa.String(length=20), nullable=True),
        sa.Column("latitude", sa.String(length=20), nullable=True),
        sa.Column("longitude", sa.String(length=20), nullable=True),
        sa.Column("building", sa.String(length=100), nullable=True),
        sa.Column("floor", sa.String(length=20), nullable=True),
        sa.Column("room_number", sa.String(length=50), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=True),
        sa.Column("facility_room_id", sa.Uuid(), nullable=True),
        sa.Column("display_code", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_locations_organization_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("display_code", name=op.f("uq_locations_display_code")),
        sa.UniqueConstraint("facility_room_id", name=op.f("uq_locations_facility_room_id")),
        sa.UniqueConstraint(
            "organization_id", "building_key", "name_key", name="uq_locations_org_building_name"
        ),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_locations_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "operational_ranks",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("rank_code", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("eligible_positions", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_operational_ranks_organization_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operational_ranks")),
        sa.UniqueConstraint("organization_id", "rank_code", name="uq_operational_ranks_org_code"),
    )
    with op.batch_alter_table("operational_ranks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operational_ranks_organization_id"), ["organization_id"], unique=False
        )

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "organization_type",
                sa.String(length=32),
                nullable=False,
                server_default="fire_department",
            )
        )
        batch_op.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("fax", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("website", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("county", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("founded_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tax_id", sa.String(length=50), nullable=True))
        batch_op.add_column(
            sa.Column("mailing_address_line1", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column("mailing_address_line2", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(sa.Column("mailing_address_city", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("mailing_address_state", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("mailing_address_zip", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("mailing_address_country", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "physical_address_same", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(
            sa.Column("physical_address_line1", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column("physical_address_line2", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column("physical_address_city", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("physical_address_state", sa.String(length=50), nullable=True)
        )
        batch_op.add_column(sa.Column("physical_address_zip", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("physical_address_country", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "identifier_type",
                sa.String(length=32),
                nullable=False,
                server_default="department_id",
            )
        )
        batch_op.add_column(sa.Column("fdid", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("state_id", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("department_id", sa.String(length=50), nullable=True))
        batch_op.alter_column(
            "timezone",
            existing_type=sa.VARCHAR(length=64),
            type_=sa.String(length=100),
            existing_nullable=False,
        )

    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        # A logo data URI outgrows TEXT's 64 KiB.
        op.alter_column("organizations", "logo", existing_type=sa.Text(), type_=mysql.MEDIUMTEXT())
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("middle_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("membership_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("membership_number_key", sa.String(length=50), nullable=True))
        batch_op.add_column(
            sa.Column("previous_membership_number", sa.String(length=50), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "photo_url",
                sa.Text()
                .with_variant(mysql.MEDIUMTEXT(), "mariadb")
                .with_variant(mysql.MEDIUMTEXT(), "mysql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("hire_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("station", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("personal_email", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("mobile", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("date_of_birth", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("address_street", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("address_city", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("address_state", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("address_zip", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("address_country", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("emergency_contacts", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("notification_preferences", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("membership_type_changed_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("status_changed_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("status_change_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("archived_at", UtcDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("compliance_exempt", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("anonymized_at", UtcDateTime(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_users_org_membership_number", ["organization_id", "membership_number_key"]
        )


def downgrade() -> None:  # noqa: PLR0915 - one statement per column
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("uq_users_org_membership_number", type_="unique")
        batch_op.drop_column("anonymized_at")
        batch_op.drop_column("compliance_exempt")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("status_change_reason")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("membership_type_changed_at")
        batch_op.drop_column("notification_preferences")
        batch_op.drop_column("emergency_contacts")
        batch_op.drop_column("address_country")
        batch_op.drop_column("address_zip")
        batch_op.drop_column("address_state")
        batch_op.drop_column("address_city")
        batch_op.drop_column("address_street")
        batch_op.drop_column("date_of_birth")
        batch_op.drop_column("mobile")
        batch_op.drop_column("phone")
        batch_op.drop_column("personal_email")
        batch_op.drop_column("station")
        batch_op.drop_column("hire_date")
        batch_op.drop_column("photo_url")
        batch_op.drop_column("previous_membership_number")
        batch_op.drop_column("membership_number_key")
        batch_op.drop_column("membership_number")
        batch_op.drop_column("middle_name")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.alter_column(
            "timezone",
            existing_type=sa.String(length=100),
            type_=sa.VARCHAR(length=64),
            existing_nullable=False,
        )
        batch_op.drop_column("department_id")
        batch_op.drop_column("state_id")
        batch_op.drop_column("fdid")
        batch_op.drop_column("identifier_type")
        batch_op.drop_column("physical_address_country")
        batch_op.drop_column("physical_address_zip")
        batch_op.drop_column("physical_address_state")
        batch_op.drop_column("physical_address_city")
        batch_op.drop_column("physical_address_line2")
        batch_op.drop_column("physical_address_line1")
        batch_op.drop_column("physical_address_same")
        batch_op.drop_column("mailing_address_country")
        batch_op.drop_column("mailing_address_zip")
        batch_op.drop_column("mailing_address_state")
        batch_op.drop_column("mailing_address_city")
        batch_op.drop_column("mailing_address_line2")
        batch_op.drop_column("mailing_address_line1")
        batch_op.drop_column("tax_id")
        batch_op.drop_column("founded_year")
        batch_op.drop_column("county")
        batch_op.drop_column("website")
        batch_op.drop_column("email")
        batch_op.drop_column("fax")
        batch_op.drop_column("phone")
        batch_op.drop_column("organization_type")
        batch_op.drop_column("description")

    with op.batch_alter_table("operational_ranks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operational_ranks_organization_id"))

    op.drop_table("operational_ranks")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_organization_id"))

    op.drop_table("locations")
    op.drop_table("audit_chain_heads")
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_logs_org_timestamp")
        batch_op.drop_index("ix_audit_logs_org_id")
        batch_op.drop_index("ix_audit_logs_org_event_type")

    op.drop_table("audit_logs")
