"""Training waivers (spec leaves-waivers-ranks-errors.md §2): the list, a grant, a deactivation,
and what a leave's auto-linked waiver shares with them (§1.3 #3)."""

from datetime import date, datetime
from uuid import UUID

from api.training.errors import (
    InvalidReferenceError,
    MemberNotFoundError,
    PeriodDatesError,
    WaiverNotFoundError,
)
from api.training.schemas import PeriodFilters, WaiverCreate, WaiverRead, leave_type_of
from api.training.service._base import TrainingServiceBase
from shared.db.types import utc_now
from shared.events.contracts.leaves import WaiverChanged, WaiverVerb
from shared.models import LeaveType, TrainingWaiver

UNKNOWN_REQUIREMENT = "Every requirement_ids entry must be a requirement of the organization"


def check_period(start: date, end: date | None) -> None:
    """A leave or waiver may end on the day it starts, not before (§1.2, §2: 400)."""
    if end is not None and end < start:
        raise PeriodDatesError


def stored_ids(values: list[str] | None) -> list[UUID] | None:
    """A waiver's stored requirement ids as UUIDs; an entry that is none (a row written by hand)
    is left out rather than failing the read."""
    if values is None:
        return None
    ids = []
    for value in values:
        try:
            ids.append(UUID(str(value)))
        except ValueError:
            continue
    return ids


def waiver_read(waiver: TrainingWaiver) -> WaiverRead:
    """The waiver as the API answers it."""
    return WaiverRead(
        id=waiver.id,
        organization_id=waiver.organization_id,
        user_id=waiver.user_id,
        waiver_type=waiver.waiver_type,
        reason=waiver.reason,
        start_date=waiver.start_date,
        end_date=waiver.end_date,
        requirement_ids=stored_ids(waiver.requirement_ids),
        granted_by=waiver.granted_by,
        granted_at=waiver.granted_at,
        active=waiver.active,
        created_at=waiver.created_at,
        updated_at=waiver.updated_at,
    )


class WaiverTopic(TrainingServiceBase):
    """Officers excuse members from training targets for a span of days."""

    async def list_waivers(self, filters: PeriodFilters) -> list[WaiverRead]:
        """Waivers by latest start, those linked to a leave included (§2)."""
        return [waiver_read(waiver) for waiver in await self.waivers.listed(filters)]

    async def create_waiver(self, request: WaiverCreate) -> WaiverRead:
        """Grant a waiver to a member of the organization: 404 for anyone else, 400 for dates
        out of order or a requirement not the organization's (§2 [fix])."""
        check_period(request.start_date, request.end_date)
        await self._period_member(request.user_id)
        named = set(request.requirement_ids or ())
        if named - await self.waivers.known_requirements(named):
            raise InvalidReferenceError(UNKNOWN_REQUIREMENT)
        waiver = await self._grant_waiver(
            request.user_id,
            leave_type_of(request.waiver_type),
            request.reason,
            request.start_date,
            request.end_date,
            granted_at=utc_now(),
            requirement_ids=request.requirement_ids,
        )
        return waiver_read(waiver)

    async def deactivate_waiver(self, waiver_id: UUID) -> None:
        """Deactivate the waiver (its soft delete); a repeat changes nothing."""
        waiver = await self.waivers.get_for_update(waiver_id)
        if waiver is None:
            raise WaiverNotFoundError
        await self._deactivate_waiver(waiver)

    async def _period_member(self, user_id: UUID) -> None:
        """404 unless the member is one of the organization's."""
        if user_id not in await self.members.profiles({user_id}):
            raise MemberNotFoundError

    async def _grant_waiver(
        self,
        user_id: UUID,
        waiver_type: LeaveType,
        reason: str | None,
        start: date,
        end: date | None,
        *,
        granted_at: datetime,
        requirement_ids: list[UUID] | None = None,
        leave_id: UUID | None = None,
    ) -> TrainingWaiver:
        """A new active waiver granted by the caller at `granted_at`, audited and announced;
        its reason, which may be medical, in neither."""
        waiver = TrainingWaiver(
            organization_id=self.principal.organization_id,
            user_id=user_id,
            waiver_type=waiver_type,
            reason=reason,
            start_date=start,
            end_date=end,
            requirement_ids=None if requirement_ids is None else [str(i) for i in requirement_ids],
            granted_by=self.principal.user_id,
            granted_at=granted_at,
            active=True,
        )
        await self.waivers.add(waiver)
        await self._waiver_changed(waiver, "created", leave_id)
        return waiver

    async def _deactivate_waiver(
        self, waiver: TrainingWaiver, leave_id: UUID | None = None
    ) -> None:
        """Turn the waiver off, once: an inactive one is left as it is."""
        if not waiver.active:
            return
        waiver.active = False
        await self.waivers.flush()
        await self._waiver_changed(waiver, "deactivated", leave_id)

    async def _waiver_changed(
        self, waiver: TrainingWaiver, verb: WaiverVerb, leave_id: UUID | None
    ) -> None:
        # Audited as the addendum's [fix] names it; a leave's waiver names its leave.
        await self._record(
            f"training_waiver_{verb}",
            waiver_id=str(waiver.id),
            target_user_id=str(waiver.user_id),
            waiver_type=waiver.waiver_type.value,
            start_date=waiver.start_date.isoformat(),
            end_date=waiver.end_date.isoformat() if waiver.end_date else None,
            requirement_ids=waiver.requirement_ids,
            active=waiver.active,
            leave_id=str(leave_id) if leave_id else None,
        )
        self._publish(
            WaiverChanged(
                waiver_id=waiver.id,
                user_id=waiver.user_id,
                verb=verb,
                start_date=waiver.start_date,
                end_date=waiver.end_date,
                requirement_ids=stored_ids(waiver.requirement_ids),
                active=waiver.active,
            )
        )
