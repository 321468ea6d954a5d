"""The member lifecycle (§2.5, §3.2, §4 #6-#10): status, reactivation, tier, exemption, delete."""

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from api.members.errors import (
    HardDeleteBlockedError,
    NoChangeError,
    OwnAccountError,
    StatusChangeError,
    UnknownMembershipTypeError,
)
from api.members.schemas import (
    ComplianceExemptionChange,
    ComplianceExemptionRead,
    MembershipTypeChange,
    MembershipTypeRead,
    PropertyReturnReport,
    Reactivation,
    ReactivationRead,
    StatusChange,
    StatusChangeRead,
)
from api.members.service._base import MemberServiceBase
from api.rules import ProposedChange
from shared.db.types import utc_now
from shared.events.contracts.members import (
    MemberComplianceExemptionChanged,
    MemberDeleted,
    MemberMembershipTypeChanged,
    MemberStatusChanged,
)
from shared.models import MemberStatus, User
from shared.scheduled.daily import department_zone

S = MemberStatus
DROPPED = (S.DROPPED_VOLUNTARY, S.DROPPED_INVOLUNTARY)
DROPS = frozenset(DROPPED)
HOLDS_PROPERTY = (
    "This member still holds department property and cannot be permanently deleted. "
    "Take it back first, or deactivate the member instead."
)
# How the property-return report names each drop.
DROP_TYPES = {
    S.DROPPED_VOLUNTARY: "Voluntary Separation",
    S.DROPPED_INVOLUNTARY: "Involuntary Separation",
}
# Allowed targets of PATCH /status by current status (§2.5), in the order the 400 lists them.
TRANSITIONS: dict[MemberStatus, tuple[MemberStatus, ...]] = {
    S.PROBATIONARY: (S.ACTIVE, S.INACTIVE, S.SUSPENDED, S.LEAVE, *DROPPED),
    S.ACTIVE: (S.PROBATIONARY, S.INACTIVE, S.SUSPENDED, S.LEAVE, S.RETIRED, *DROPPED),
    S.INACTIVE: (S.PROBATIONARY, S.ACTIVE, S.SUSPENDED, S.LEAVE, S.RETIRED, *DROPPED),
    S.SUSPENDED: (S.PROBATIONARY, S.ACTIVE, S.INACTIVE, *DROPPED),
    S.LEAVE: (S.ACTIVE, S.INACTIVE, S.SUSPENDED, S.RETIRED, *DROPPED),
    S.RETIRED: (S.ACTIVE, S.INACTIVE),
    S.DROPPED_VOLUNTARY: (S.PROBATIONARY, S.ACTIVE),
    S.DROPPED_INVOLUNTARY: (S.PROBATIONARY, S.ACTIVE),
    S.ARCHIVED: (),
}


def check_transition(current: MemberStatus, requested: str) -> MemberStatus:
    """The requested status, or the 400 of §3.2 explaining why it cannot be set."""
    valid = [status.value for status in MemberStatus]
    if requested not in valid:
        raise StatusChangeError(f"Invalid status '{requested}'. Valid values: {', '.join(valid)}")
    new = MemberStatus(requested)
    if new is S.ARCHIVED:
        raise StatusChangeError(
            "A member cannot be set to archived here: members are archived once all "
            "department property is returned"
        )
    if new is current:
        raise StatusChangeError(f"Member is already {current.value}")
    allowed = TRANSITIONS[current]
    if new not in allowed:
        if not allowed:
            raise StatusChangeError(
                f"An {current.value} member can only be reactivated (POST /users/{{id}}/reactivate)"
            )
        targets = ", ".join(status.value for status in allowed)
        raise StatusChangeError(
            f"Cannot change status from {current.value} to {new.value}. Allowed: {targets}"
        )
    return new


def set_status(user: User, status: MemberStatus, reason: str | None) -> None:
    """Put the member in `status` as of now, for `reason`."""
    user.status = status
    user.status_changed_at = utc_now()
    user.status_change_reason = reason


def status_changed(
    user: User, previous: MemberStatus, reason: str | None, deadline: int | None
) -> MemberStatusChanged:
    """The event of a status change just made (`set_status`)."""
    return MemberStatusChanged(
        user_id=str(user.id),
        previous_status=previous.value,
        new_status=user.status.value,
        reason=reason,
        changed_at=user.status_changed_at,
        return_deadline_days=deadline,
    )


class MemberLifecycle(MemberServiceBase):
    """The member service's status, reactivation, membership type, exemption and deletion."""

    async def change_status(self, user_id: UUID, data: StatusChange) -> StatusChangeRead:
        """Move the member along the lifecycle; any status but active locks them out."""
        user = await self._member(user_id, for_update=True)
        previous = user.status
        new = check_transition(previous, data.new_status)
        if new is not S.ACTIVE:
            await self._keep_an_administrator(ProposedChange(leaving=frozenset({user.id})))
        reason = data.reason
        set_status(user, new, reason)
        await self._write()
        await self.audit.record(
            "member_status_changed",
            "user_management",
            "warning" if new in DROPS else "info",
            target_user_id=str(user.id),
            member_name=user.full_name,
            previous_status=previous.value,
            new_status=new.value,
            reason=reason,
        )
        if new not in DROPS:
            self._status_changed(user, previous, reason, None)
            return StatusChangeRead(user_id=user.id, previous_status=previous, new_status=new)
        deadline = data.return_deadline_days
        self._status_changed(user, previous, reason, deadline)
        report = await self._property_return_report(user, new, deadline)
        return StatusChangeRead(
            user_id=user.id, previous_status=previous, new_status=new, property_return_report=report
        )

    async def reactivate(self, user_id: UUID, data: Reactivation) -> ReactivationRead:
        """Bring an archived member back as active, with their old number if still free."""
        user = await self._member(user_id, for_update=True)
        if user.status is not S.ARCHIVED:
            raise StatusChangeError("Only archived members can be reactivated")
        previous = user.status
        number = user.previous_membership_number
        if (
            user.membership_number is None
            and number is not None
            and not await self.members.numbers_taken([number])
        ):
            user.membership_number, user.previous_membership_number = number, None
        set_status(user, S.ACTIVE, data.reason)
        user.archived_at = None
        await self._write()
        await self.audit.record(
            "member_reactivated",
            "user_management",
            target_user_id=str(user.id),
            previous_status=previous.value,
            new_status=S.ACTIVE.value,
            reason=data.reason,
            reactivated_by=str(self.principal.user_id),
        )
        self._status_changed(user, previous, data.reason, None)
        return ReactivationRead(
            user_id=user.id,
            member_name=user.full_name,
            previous_status=previous,
            new_status=S.ACTIVE,
            reactivated_at=user.status_changed_at or utc_now(),
            reason=data.reason,
        )

    async def change_membership_type(
        self, user_id: UUID, data: MembershipTypeChange
    ) -> MembershipTypeRead:
        """Move the member to another tier (checked against the tiers, when configured)."""
        user = await self._member(user_id, for_update=True)
        new = data.membership_type.strip()
        if user.membership_type == new:
            raise NoChangeError(f"Member is already {new}")
        tiers = _configured_tiers(await self.organization.settings())
        if tiers and new not in tiers:
            raise UnknownMembershipTypeError(
                f"Unknown membership type '{new}'. Configured types: {', '.join(tiers)}"
            )
        previous, now = user.membership_type, utc_now()
        user.membership_type, user.membership_type_changed_at = new, now
        await self._write()
        await self.audit.record(
            "membership_type_changed",
            "user_management",
            target_user_id=str(user.id),
            previous_membership_type=previous,
            new_membership_type=new,
            reason=data.reason,
        )
        self._publish(
            MemberMembershipTypeChanged(
                user_id=str(user.id), previous_type=previous, new_type=new, reason=data.reason
            )
        )
        return MembershipTypeRead(
            user_id=user.id,
            member_name=user.full_name,
            previous_membership_type=previous,
            new_membership_type=new,
            changed_at=now,
        )

    async def change_compliance_exemption(
        self, user_id: UUID, data: ComplianceExemptionChange
    ) -> ComplianceExemptionRead:
        """Exempt the member from training, shift and hours targets, or end it."""
        user = await self._member(user_id, for_update=True)
        if user.compliance_exempt == data.exempt:
            state = "exempt" if data.exempt else "not exempt"
            raise NoChangeError(f"Member is already {state} from compliance targets")
        previous = user.compliance_exempt
        user.compliance_exempt = data.exempt
        await self._write()
        await self.audit.record(
            "compliance_exemption_changed",
            "user_management",
            "warning",
            target_user_id=str(user.id),
            previous_compliance_exempt=previous,
            new_compliance_exempt=data.exempt,
            reason=data.reason,
        )
        self._publish(
            MemberComplianceExemptionChanged(
                user_id=str(user.id), exempt=data.exempt, reason=data.reason
            )
        )
        return ComplianceExemptionRead(
            user_id=user.id, member_name=user.full_name, compliance_exempt=data.exempt
        )

    async def delete(self, user_id: UUID, *, hard: bool) -> None:
        """Soft delete (frees the number) or hard delete (also of soft-deleted members)."""
        if user_id == self.principal.user_id:
            raise OwnAccountError
        user = await self._member(user_id, for_update=True, include_deleted=hard)
        await self._keep_an_administrator(ProposedChange(leaving=frozenset({user.id})))
        # §4 #9: what they hold must keep its holder (the records would go with the row, and the
        # items would stay assigned or lent to nobody).
        if hard and await self.holdings.held(user.id):
            raise HardDeleteBlockedError(HOLDS_PROPERTY)
        await self.audit.record(
            "user_hard_deleted" if hard else "user_deleted",
            "user_management",
            "critical" if hard else "warning",
            deleted_user_id=str(user.id),
            deleted_username=user.username,
            deleted_full_name=user.full_name,
        )
        if hard:
            await self._remove(user)
        else:
            user.deleted_at = utc_now()
            if user.membership_number is not None:
                user.previous_membership_number = user.membership_number
                user.membership_number = None
            await self._write()
        self._publish(MemberDeleted(user_id=str(user.id), hard=hard))
        self.forget(user.id)

    def _status_changed(
        self, user: User, previous: MemberStatus, reason: str | None, deadline: int | None
    ) -> None:
        self._publish(status_changed(user, previous, reason, deadline))
        self.forget(user.id)

    async def _property_return_report(
        self, user: User, drop: MemberStatus, deadline_days: int
    ) -> PropertyReturnReport:
        """What the dropped member holds now (open assignments, checkouts and issuances), its
        value, and the day it is due back, counted from the department's today."""
        held = await self.holdings.held(user.id)
        total = sum((holding.unit_value * holding.quantity for holding in held), Decimal(0))
        zone = department_zone(await self.organization.timezone())
        return PropertyReturnReport(
            member_name=user.full_name,
            drop_type=DROP_TYPES[drop],
            item_count=len(held),
            total_value=float(round(total, 2)),
            return_deadline=utc_now().astimezone(zone).date() + timedelta(days=deadline_days),
        )


def _configured_tiers(settings: dict[str, object]) -> list[str]:
    section = settings.get("membership_tiers")
    tiers = section.get("tiers") if isinstance(section, dict) else None
    if not isinstance(tiers, list):
        return []
    return [str(tier["id"]) for tier in tiers if isinstance(tier, dict) and tier.get("id")]
