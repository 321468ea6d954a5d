"""Where things happen: locations (§2.10) and the operational ranks of §2.7."""

from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin


class Location(IdMixin, TimestampMixin, Base):
    """A place of the organization: a station, a room, a training ground."""

    __tablename__ = "locations"
    # Names repeat across buildings, not within one; no building is its own group (`""`).
    __table_args__ = (
        UniqueConstraint(
            "organization_id", "building_key", "name_key", name="uq_locations_org_building_name"
        ),
    )

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    building_key: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(50))
    zip: Mapped[str | None] = mapped_column(String(20))
    latitude: Mapped[str | None] = mapped_column(String(20))
    longitude: Mapped[str | None] = mapped_column(String(20))
    building: Mapped[str | None] = mapped_column(String(100))
    floor: Mapped[str | None] = mapped_column(String(20))
    room_number: Mapped[str | None] = mapped_column(String(50))
    capacity: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    facility_id: Mapped[UUID | None] = mapped_column()
    facility_room_id: Mapped[UUID | None] = mapped_column(unique=True)
    # The public kiosk URL trusts this code alone: treat it as a secret.
    display_code: Mapped[str] = mapped_column(String(8), unique=True)
    created_by: Mapped[UUID | None] = mapped_column()


class OperationalRank(IdMixin, TimestampMixin, Base):
    """A rank the organization uses; its permissions come from a fixed table, not this row."""

    __tablename__ = "operational_ranks"
    __table_args__ = (
        UniqueConstraint("organization_id", "rank_code", name="uq_operational_ranks_org_code"),
    )

    organization_id: Mapped[UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    rank_code: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    eligible_positions: Mapped[list[Any] | None] = mapped_column(JSON)
