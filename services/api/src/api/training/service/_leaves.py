"""Leaves of absence (spec leaves-waivers-ranks-errors.md §1): the lists, a grant with its
auto-linked training waiver, a deactivation.

A leave never touches the member's status (§1.3 #2), and there is no overlap check (#1). Its
reason may be medical: it is never written to the audit trail, an event or a log line (#6).
"""

from typing import Any
from uuid import UUID

from api.training.errors import LeaveNotFoundError
from api.training.schemas import LeaveCreate, LeaveRead, PeriodFilters, leave_type_of
from api.training.service._waivers import WaiverTopic, check_period
from shared.db.types import utc_now
from shared.events.contracts.leaves import LeaveCreated, LeaveDeactivated
from shared.models import MemberLeaveOfAbsence
from shared.permissions import grants

MEMBERS_MANAGE = "members.manage"
AUDIT_CATEGORY = "user_management"
AUTO_REASON = "Auto-created from leave of absence"


def leave_read(leave: MemberLeaveOfAbsence) -> LeaveRead:
    """The leave as the API answers it."""
    return LeaveRead(
        id=leave.id,
        organization_id=leave.organization_id,
        user_id=leave.user_id,
        leave_type=leave.leave_type,
        reason=leave.reason,
        start_date=leave.start_date,
        end_date=leave.end_date,
        granted_by=leave.granted_by,
        granted_at=leave.granted_at,
        active=leave.active,
        exempt_from_training_waiver=leave.exempt_from_training_waiver,
        linked_training_waiver_id=leave.linked_training_waiver_id,
        created_at=leave.created_at,
        updated_at=leave.updated_at,
    )


def leave_facts(leave: MemberLeaveOfAbsence) -> dict[str, Any]:
    """What the leave's audit entries and events carry (§1.3 #6, addendum §6): no reason."""
    return {
        "leave_id": leave.id,
        "user_id": leave.user_id,
        "leave_type": leave.leave_type.value,
        "start_date": leave.start_date,
        "end_date": leave.end_date,
        "active": leave.active,
        "exempt_from_training_waiver": leave.exempt_from_training_waiver,
        "linked_training_waiver_id": leave.linked_training_waiver_id,
    }


class LeaveTopic(WaiverTopic):
    """Member managers grant leaves; unless exempt, each waives training for its dates."""

    async def list_leaves(self, filters: PeriodFilters) -> list[LeaveRead]:
        """Leaves by latest start (`members.manage`, or `training.manage` reading [fix])."""
        return [leave_read(leave) for leave in await self.leaves.listed(filters)]

    async def member_leaves(self, user_id: UUID, filters: PeriodFilters) -> list[LeaveRead]:
        """One member's leaves, for themself or a member manager; anyone else gets none
        ([fix]: the profile page asks on every view, and a 403 there files an error report)."""
        own = user_id == self.principal.user_id
        if not own and not grants(self.principal.permissions, MEMBERS_MANAGE):
            return []
        return await self.list_leaves(filters)

    async def create_leave(self, request: LeaveCreate) -> LeaveRead:
        """Grant a leave to a member of the organization (404 for anyone else; 400 for dates
        out of order) and, unless it is exempt, its training waiver in the same transaction."""
        check_period(request.start_date, request.end_date)
        await self._period_member(request.user_id)
        granted_at = utc_now()
        leave = MemberLeaveOfAbsence(
            organization_id=self.principal.organization_id,
            user_id=request.user_id,
            leave_type=leave_type_of(request.leave_type),
            reason=request.reason,
            start_date=request.start_date,
            end_date=request.end_date,
            granted_by=self.principal.user_id,
            granted_at=granted_at,
            active=True,
            exempt_from_training_waiver=request.exempt_from_training_waiver,
        )
        await self.leaves.add(leave)
        if not leave.exempt_from_training_waiver:
            reason = f"{AUTO_REASON}: {leave.reason}" if leave.reason else AUTO_REASON
            waiver = await self._grant_waiver(
                leave.user_id,
                leave.leave_type,
                reason,
                leave.start_date,
                leave.end_date,
                granted_at=granted_at,
                leave_id=leave.id,
            )
            leave.linked_training_waiver_id = waiver.id
            await self.leaves.flush()
        await self._leave_changed("leave_of_absence_created", leave)
        self._publish(LeaveCreated(**leave_facts(leave)))
        return leave_read(leave)

    async def deactivate_leave(self, leave_id: UUID) -> None:
        """Deactivate the leave and its linked waiver; a repeat changes nothing (§1.2)."""
        leave = await self.leaves.get_for_update(leave_id)
        if leave is None:
            raise LeaveNotFoundError
        if not leave.active:
            return
        leave.active = False
        await self.leaves.flush()
        if leave.linked_training_waiver_id is not None:
            waiver = await self.waivers.get_for_update(leave.linked_training_waiver_id)
            if waiver is not None:
                await self._deactivate_waiver(waiver, leave.id)
        await self._leave_changed("leave_of_absence_deleted", leave)
        self._publish(LeaveDeactivated(**leave_facts(leave)))

    async def _leave_changed(self, event_type: str, leave: MemberLeaveOfAbsence) -> None:
        # Member history's filter reads these names and `target_user_id` (§1.3 #6 [fix]).
        facts = leave_facts(leave)
        await self.audit.record(
            event_type,
            AUDIT_CATEGORY,
            "info",
            target_user_id=str(leave.user_id),
            leave_id=str(leave.id),
            leave_type=facts["leave_type"],
            start_date=leave.start_date.isoformat(),
            end_date=leave.end_date.isoformat() if leave.end_date else None,
            active=leave.active,
            exempt_from_training_waiver=leave.exempt_from_training_waiver,
        )
