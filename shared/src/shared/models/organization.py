"""The tenant: a department, with its profile and settings document."""

from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin, TimestampMixin
from shared.db.types import LongText

DEFAULT_TIMEZONE = "America/New_York"


class Organization(IdMixin, TimestampMixin, Base):
    """One department; every tenant-owned row points to one."""

    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    organization_type: Mapped[str] = mapped_column(String(32), default="fire_department")
    timezone: Mapped[str] = mapped_column(String(100), default=DEFAULT_TIMEZONE)
    phone: Mapped[str | None] = mapped_column(String(30))
    fax: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(500))
    county: Mapped[str | None] = mapped_column(String(100))
    founded_year: Mapped[int | None] = mapped_column(Integer)
    tax_id: Mapped[str | None] = mapped_column(String(50))
    mailing_address_line1: Mapped[str | None] = mapped_column(String(255))
    mailing_address_line2: Mapped[str | None] = mapped_column(String(255))
    mailing_address_city: Mapped[str | None] = mapped_column(String(100))
    mailing_address_state: Mapped[str | None] = mapped_column(String(50))
    mailing_address_zip: Mapped[str | None] = mapped_column(String(20))
    mailing_address_country: Mapped[str | None] = mapped_column(String(100), default="USA")
    physical_address_same: Mapped[bool] = mapped_column(Boolean, default=True)
    physical_address_line1: Mapped[str | None] = mapped_column(String(255))
    physical_address_line2: Mapped[str | None] = mapped_column(String(255))
    physical_address_city: Mapped[str | None] = mapped_column(String(100))
    physical_address_state: Mapped[str | None] = mapped_column(String(50))
    physical_address_zip: Mapped[str | None] = mapped_column(String(20))
    physical_address_country: Mapped[str | None] = mapped_column(String(100))
    identifier_type: Mapped[str] = mapped_column(String(32), default="department_id")
    fdid: Mapped[str | None] = mapped_column(String(50))
    state_id: Mapped[str | None] = mapped_column(String(50))
    department_id: Mapped[str | None] = mapped_column(String(50))
    logo: Mapped[str | None] = mapped_column(LongText)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
