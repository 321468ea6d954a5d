"""Answers of the lifecycle routes (§3.2)."""

from datetime import date, datetime
from uuid import UUID

import msgspec


class PropertyReturnReport(msgspec.Struct, kw_only=True):
    """What a dropped member still holds of the department's property, and by when it is due."""

    member_name: str
    drop_type: str  # "Voluntary Separation" or "Involuntary Separation", as the letter says
    item_count: int  # open assignments, checkouts and issuances
    total_value: float  # a JSON number, like inventory's aggregate values
    return_deadline: date  # the department's local date


class StatusChangeRead(msgspec.Struct, kw_only=True):
    """The transition made, with the property-return report of a drop. No document or e-mail
    is made yet (no documents module, no letter), so those two stay null."""

    user_id: UUID
    previous_status: str
    new_status: str
    property_return_report: PropertyReturnReport | None = None
    document_id: str | None = None
    email_sent: bool | None = None


class ArchivedMemberRead(msgspec.Struct, kw_only=True):
    """One archived member."""

    user_id: UUID
    name: str
    email: str
    membership_number: str | None
    rank: str | None
    archived_at: datetime | None
    status_change_reason: str | None


class ArchivedMembersRead(msgspec.Struct, kw_only=True):
    """The organization's archived members, newest archive first."""

    organization_id: UUID
    archived_count: int
    members: list[ArchivedMemberRead]


class ReactivationRead(msgspec.Struct, kw_only=True):
    """An archived member made active again."""

    user_id: UUID
    member_name: str
    previous_status: str
    new_status: str
    reactivated_at: datetime
    reason: str | None


class MembershipTypeRead(msgspec.Struct, kw_only=True):
    """A tier change."""

    user_id: UUID
    member_name: str
    previous_membership_type: str | None
    new_membership_type: str
    changed_at: datetime


class ComplianceExemptionRead(msgspec.Struct, kw_only=True):
    """The member's exemption after the change."""

    user_id: UUID
    member_name: str
    compliance_exempt: bool
