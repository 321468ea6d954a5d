"""inventory: categories, items, their holders, storage areas and the barcode counters

Codes are unique per organization in any case through lower-cased copies; one active assignment
and one open checkout per item through a column that holds the item id only while the record is
active or open (MariaDB has no partial index), kept in step with the flag by a CHECK.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 22:41:24.236567
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inventory_barcode_counters",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_barcode_counters_organization_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_inventory_barcode_counters")),
    )
    op.create_table(
        "inventory_categories",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "item_type",
            sa.Enum(
                "uniform",
                "ppe",
                "tool",
                "equipment",
                "vehicle",
                "electronics",
                "consumable",
                "other",
                "medical",
                name="itemtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parent_category_id", sa.Uuid(), nullable=True),
        sa.Column("requires_assignment", sa.Boolean(), nullable=False),
        sa.Column("requires_serial_number", sa.Boolean(), nullable=False),
        sa.Column("requires_maintenance", sa.Boolean(), nullable=False),
        sa.Column("nfpa_tracking_enabled", sa.Boolean(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=True),
        sa.Column("extra_data", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_categories_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_category_id"],
            ["inventory_categories.id"],
            name=op.f("fk_inventory_categories_parent_category_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_categories")),
    )
    with op.batch_alter_table("inventory_categories", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventory_categories_org_name", ["organization_id", "name"], unique=False
        )
        batch_op.create_index(
            "ix_inventory_categories_org_type", ["organization_id", "item_type"], unique=False
        )

    op.create_table(
        "storage_areas",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "storage_type",
            sa.Enum(
                "rack",
                "shelf",
                "box",
                "cabinet",
                "drawer",
                "bin",
                "other",
                name="storagetype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("barcode", sa.String(length=50), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_storage_areas_location_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_storage_areas_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["storage_areas.id"],
            name=op.f("fk_storage_areas_parent_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_areas")),
    )
    with op.batch_alter_table("storage_areas", schema=None) as batch_op:
        batch_op.create_index(
            "ix_storage_areas_org_location", ["organization_id", "location_id"], unique=False
        )
        batch_op.create_index(
            "ix_storage_areas_org_parent", ["organization_id", "parent_id"], unique=False
        )

    op.create_table(
        "inventory_items",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status_notes", sa.Text(), nullable=True),
        sa.Column("manufacturer", sa.String(length=255), nullable=True),
        sa.Column("model_number", sa.String(length=255), nullable=True),
        sa.Column("purchase_order", sa.String(length=255), nullable=True),
        sa.Column("vendor", sa.String(length=255), nullable=True),
        sa.Column("storage_location", sa.String(length=255), nullable=True),
        sa.Column("serial_number", sa.String(length=255), nullable=True),
        sa.Column("serial_number_lower", sa.String(length=255), nullable=True),
        sa.Column("asset_tag", sa.String(length=255), nullable=True),
        sa.Column("asset_tag_lower", sa.String(length=255), nullable=True),
        sa.Column("barcode", sa.String(length=255), nullable=True),
        sa.Column("barcode_lower", sa.String(length=255), nullable=True),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("warranty_expiration", sa.Date(), nullable=True),
        sa.Column("purchase_price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("current_value", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("replacement_cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("vendor_id", sa.Uuid(), nullable=True),
        sa.Column("variant_group_id", sa.Uuid(), nullable=True),
        sa.Column("expected_lifetime_years", sa.Integer(), nullable=True),
        sa.Column("reorder_point", sa.Integer(), nullable=True),
        sa.Column("inspection_interval_days", sa.Integer(), nullable=True),
        sa.Column("size", sa.String(length=50), nullable=True),
        sa.Column("color", sa.String(length=50), nullable=True),
        sa.Column("unit_of_measure", sa.String(length=50), nullable=True),
        sa.Column(
            "standard_size",
            sa.Enum(
                "xxs",
                "xs",
                "s",
                "m",
                "l",
                "xl",
                "xxl",
                "xxxl",
                "xxxxl",
                "6",
                "6.5",
                "7",
                "7.5",
                "8",
                "8.5",
                "9",
                "9.5",
                "10",
                "10.5",
                "11",
                "11.5",
                "12",
                "12.5",
                "13",
                "14",
                "15",
                "28",
                "30",
                "32",
                "34",
                "36",
                "38",
                "40",
                "42",
                "44",
                "46",
                "one_size",
                "custom",
                name="standardsize",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "style",
            sa.Enum(
                "short_sleeve",
                "long_sleeve",
                "mens",
                "womens",
                "unisex",
                "v_neck",
                "crew_neck",
                "polo",
                "button_down",
                "quarter_zip",
                name="garmentstyle",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("storage_area_id", sa.Uuid(), nullable=True),
        sa.Column("station", sa.String(length=100), nullable=True),
        sa.Column(
            "condition",
            sa.Enum(
                "excellent",
                "good",
                "fair",
                "poor",
                "damaged",
                "out_of_service",
                "retired",
                name="itemcondition",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "available",
                "assigned",
                "checked_out",
                "in_maintenance",
                "lost",
                "stolen",
                "retired",
                name="itemstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "tracking_type",
            sa.Enum("individual", "pool", name="trackingtype", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("quantity_issued", sa.Integer(), nullable=False),
        sa.Column("min_rank_order", sa.Integer(), nullable=True),
        sa.Column("restricted_to_positions", sa.JSON(), nullable=True),
        sa.Column("custom_fields", sa.JSON(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=True),
        sa.Column("last_inspection_date", sa.Date(), nullable=True),
        sa.Column("next_inspection_due", sa.Date(), nullable=True),
        sa.Column("assigned_to_user_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_date", UtcDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "quantity >= 0 AND quantity_issued >= 0", name=op.f("ck_inventory_items_counters")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_user_id"],
            ["users.id"],
            name=op.f("fk_inventory_items_assigned_to_user_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["inventory_categories.id"],
            name=op.f("fk_inventory_items_category_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_inventory_items_location_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_items_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["storage_area_id"],
            ["storage_areas.id"],
            name=op.f("fk_inventory_items_storage_area_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_items")),
        sa.UniqueConstraint(
            "organization_id", "asset_tag_lower", name="uq_inventory_items_asset_tag"
        ),
        sa.UniqueConstraint("organization_id", "barcode_lower", name="uq_inventory_items_barcode"),
        sa.UniqueConstraint(
            "organization_id", "serial_number_lower", name="uq_inventory_items_serial_number"
        ),
    )
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventory_items_org_active_name",
            ["organization_id", "active", "name"],
            unique=False,
        )
        batch_op.create_index(
            "ix_inventory_items_org_category", ["organization_id", "category_id"], unique=False
        )
        batch_op.create_index(
            "ix_inventory_items_org_holder",
            ["organization_id", "assigned_to_user_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_inventory_items_org_location", ["organization_id", "location_id"], unique=False
        )
        batch_op.create_index(
            "ix_inventory_items_org_status", ["organization_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_inventory_items_org_storage_area",
            ["organization_id", "storage_area_id"],
            unique=False,
        )

    op.create_table(
        "checkout_records",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("checked_out_at", UtcDateTime(), nullable=False),
        sa.Column("expected_return_at", UtcDateTime(), nullable=True),
        sa.Column("checked_in_at", UtcDateTime(), nullable=True),
        sa.Column("checked_out_by", sa.Uuid(), nullable=True),
        sa.Column("checked_in_by", sa.Uuid(), nullable=True),
        sa.Column("checkout_reason", sa.Text(), nullable=True),
        sa.Column(
            "checkout_condition",
            sa.Enum(
                "excellent",
                "good",
                "fair",
                "poor",
                "damaged",
                "out_of_service",
                "retired",
                name="itemcondition",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "return_condition",
            sa.Enum(
                "excellent",
                "good",
                "fair",
                "poor",
                "damaged",
                "out_of_service",
                "retired",
                name="itemcondition",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("damage_notes", sa.Text(), nullable=True),
        sa.Column("is_returned", sa.Boolean(), nullable=False),
        sa.Column("is_overdue", sa.Boolean(), nullable=False),
        sa.Column("open_item_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "(is_returned = 0 AND open_item_id IS NOT NULL AND open_item_id = item_id)"
            " OR (is_returned = 1 AND open_item_id IS NULL)",
            name=op.f("ck_checkout_records_open_item"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_checkout_records_item_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_checkout_records_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_checkout_records_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_records")),
        sa.UniqueConstraint("open_item_id", name=op.f("uq_checkout_records_open_item_id")),
    )
    with op.batch_alter_table("checkout_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkout_records_org_item", ["organization_id", "item_id"], unique=False
        )
        batch_op.create_index(
            "ix_checkout_records_org_open_due",
            ["organization_id", "is_returned", "expected_return_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_checkout_records_org_user_open",
            ["organization_id", "user_id", "is_returned"],
            unique=False,
        )

    op.create_table(
        "item_assignments",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "assignment_type",
            sa.Enum("permanent", "temporary", name="assignmenttype", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("assigned_date", UtcDateTime(), nullable=False),
        sa.Column("expected_return_date", UtcDateTime(), nullable=True),
        sa.Column("returned_date", UtcDateTime(), nullable=True),
        sa.Column("assigned_by", sa.Uuid(), nullable=True),
        sa.Column("returned_by", sa.Uuid(), nullable=True),
        sa.Column("assignment_reason", sa.Text(), nullable=True),
        sa.Column(
            "return_condition",
            sa.Enum(
                "excellent",
                "good",
                "fair",
                "poor",
                "damaged",
                "out_of_service",
                "retired",
                name="itemcondition",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("return_notes", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("active_item_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "(is_active = 1 AND active_item_id IS NOT NULL AND active_item_id = item_id)"
            " OR (is_active = 0 AND active_item_id IS NULL)",
            name=op.f("ck_item_assignments_active_item"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_item_assignments_item_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_item_assignments_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_item_assignments_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_assignments")),
        sa.UniqueConstraint("active_item_id", name=op.f("uq_item_assignments_active_item_id")),
    )
    with op.batch_alter_table("item_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_item_assignments_org_item", ["organization_id", "item_id"], unique=False
        )
        batch_op.create_index(
            "ix_item_assignments_org_user_active",
            ["organization_id", "user_id", "is_active"],
            unique=False,
        )

    op.create_table(
        "item_issuances",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("quantity_issued", sa.Integer(), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("returned_at", UtcDateTime(), nullable=True),
        sa.Column("issued_by", sa.Uuid(), nullable=True),
        sa.Column("returned_by", sa.Uuid(), nullable=True),
        sa.Column("issue_reason", sa.Text(), nullable=True),
        sa.Column(
            "return_condition",
            sa.Enum(
                "excellent",
                "good",
                "fair",
                "poor",
                "damaged",
                "out_of_service",
                "retired",
                name="itemcondition",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("return_notes", sa.Text(), nullable=True),
        sa.Column("is_returned", sa.Boolean(), nullable=False),
        sa.Column("unit_cost_at_issuance", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column(
            "charge_status",
            sa.Enum(
                "none",
                "pending",
                "charged",
                "waived",
                name="chargestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("charge_amount", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("quantity_issued >= 1", name=op.f("ck_item_issuances_quantity_issued")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_item_issuances_item_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_item_issuances_organization_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_item_issuances_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_issuances")),
    )
    with op.batch_alter_table("item_issuances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_item_issuances_org_item",
            ["organization_id", "item_id", "is_returned"],
            unique=False,
        )
        batch_op.create_index(
            "ix_item_issuances_org_user",
            ["organization_id", "user_id", "is_returned"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("item_issuances", schema=None) as batch_op:
        batch_op.drop_index("ix_item_issuances_org_user")
        batch_op.drop_index("ix_item_issuances_org_item")

    op.drop_table("item_issuances")
    with op.batch_alter_table("item_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_item_assignments_org_user_active")
        batch_op.drop_index("ix_item_assignments_org_item")

    op.drop_table("item_assignments")
    with op.batch_alter_table("checkout_records", schema=None) as batch_op:
        batch_op.drop_index("ix_checkout_records_org_user_open")
        batch_op.drop_index("ix_checkout_records_org_open_due")
        batch_op.drop_index("ix_checkout_records_org_item")

    op.drop_table("checkout_records")
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_items_org_storage_area")
        batch_op.drop_index("ix_inventory_items_org_status")
        batch_op.drop_index("ix_inventory_items_org_location")
        batch_op.drop_index("ix_inventory_items_org_holder")
        batch_op.drop_index("ix_inventory_items_org_category")
        batch_op.drop_index("ix_inventory_items_org_active_name")

    op.drop_table("inventory_items")
    with op.batch_alter_table("storage_areas", schema=None) as batch_op:
        batch_op.drop_index("ix_storage_areas_org_parent")
        batch_op.drop_index("ix_storage_areas_org_location")

    op.drop_table("storage_areas")
    with op.batch_alter_table("inventory_categories", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_categories_org_type")
        batch_op.drop_index("ix_inventory_categories_org_name")

    op.drop_table("inventory_categories")
    op.drop_table("inventory_barcode_counters")
