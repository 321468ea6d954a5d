"""Queries of the organization's events: lists with their RSVP counts, locked reads, series,
location clashes, and writes."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import msgspec
from sqlalchemy import (
    ColumnElement,
    RowMapping,
    ScalarSelect,
    bindparam,
    case,
    func,
    or_,
    select,
)

from api.events.schemas import EventFilters, EventListItem
from shared.db.integrity import guarded
from shared.db.repository import TenantRepository
from shared.models import Event, EventRSVP, Location, RSVPStatus

CLASHES_NAMED = 3  # a double-booking refusal names this many clashing events (§4.2)
CALLER = "caller"  # the bound parameter of the listed events' own-status column
# "Upcoming" lists (`end_after` alone: the dashboard, the events page) read the events ending
# from then on through this index, a few months' worth, then sort them by start. By start order
# MariaDB walks the whole history to reach them: 1,000 past events, 2 ms a call against 0.4 ms.
UPCOMING_HINT = "FORCE INDEX (ix_events_org_end)"


@dataclass(frozen=True)
class EventCounts:
    """RSVP counts of one event, and the caller's own status (None: no RSVP)."""

    rsvp_count: int = 0
    going_count: int = 0
    not_going_count: int = 0
    maybe_count: int = 0
    user_status: RSVPStatus | None = None


def _answers(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    """How many RSVPs of the listed event meet the conditions."""
    return (
        select(func.count())
        .where(EventRSVP.event_id == Event.id, *conditions)
        .correlate(Event)
        .scalar_subquery()
    )


_COMPUTED = ("location_name", "rsvp_count", "going_count", "user_rsvp_status")
# The calendar's events as EventListItem shows them, with their counts but not the caller's
# status: what each instance keeps of an organization (api/events/calendar_view.py).
# The counts read only the RSVP indexes (event, status: one range per event), where a grouped
# query filtered on the RSVPs' organization read every RSVP row (a year's list: 15,000 row
# reads, about 90 ms). They are scoped through the event they correlate with, which the outer
# query keeps to the caller's organization. Built once: only the filters differ per call.
COUNTED = select(
    *(
        getattr(Event, field.name)
        for field in msgspec.structs.fields(EventListItem)
        if field.name not in _COMPUTED
    ),
    Location.name.label("location_name"),
    _answers().label("rsvp_count"),
    _answers(EventRSVP.status == RSVPStatus.GOING).label("going_count"),
).outerjoin(Location, Location.id == Event.location_id)
# A list read from the database (a custom category's: see `EventRepository.list_page`), in
# one statement with the caller's own status too.
LISTED = COUNTED.add_columns(
    select(EventRSVP.status)
    .where(EventRSVP.event_id == Event.id, EventRSVP.user_id == bindparam(CALLER))
    .correlate(Event)
    .scalar_subquery()
    .label("user_rsvp_status"),
)


class EventRepository(TenantRepository[Event]):
    """The caller's organization's events."""

    model = Event

    async def lock(self, event_id: UUID) -> Event | None:
        """The event, locked until commit and read afresh (an earlier read may be stale)."""
        stmt = (
            self.scoped()
            .where(Event.id == event_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def list_page(
        self, filters: EventFilters, caller: UUID, *, skip: int, limit: int
    ) -> Sequence[RowMapping]:
        """A page of events by start time, each with its location's name, its RSVP counts and
        the caller's own status (the columns of `LISTED`)."""
        stmt = LISTED.where(Event.organization_id == self.organization_id)
        if filters.event_type is not None:
            stmt = stmt.where(Event.event_type == filters.event_type)
        if filters.custom_category is not None:
            stmt = stmt.where(Event.custom_category == filters.custom_category)
        if filters.exclude_event_types:
            # A null type reads as `other`, so it goes when `other` is excluded.
            kept = Event.event_type.not_in(filters.exclude_event_types)
            stmt = stmt.where(
                kept
                if "other" in filters.exclude_event_types
                else or_(kept, Event.event_type.is_(None))
            )
        bounds = (
            (Event.start_datetime >= filters.start_after) if filters.start_after else None,
            (Event.start_datetime <= filters.start_before) if filters.start_before else None,
            (Event.end_datetime >= filters.end_after) if filters.end_after else None,
            (Event.end_datetime <= filters.end_before) if filters.end_before else None,
        )
        stmt = stmt.where(*(bound for bound in bounds if bound is not None))
        if not filters.include_cancelled:
            stmt = stmt.where(Event.is_cancelled.is_(False))
        if not filters.include_drafts:
            stmt = stmt.where(Event.is_draft.is_(False))
        if filters.end_after and not (filters.start_after or filters.start_before):
            for dialect in ("mysql", "mariadb"):
                stmt = stmt.with_hint(Event, UPCOMING_HINT, dialect)
        page = stmt.order_by(Event.start_datetime, Event.id).offset(skip).limit(limit)
        return (await self.session.execute(page, {CALLER: caller})).mappings().all()

    async def calendar(self) -> Sequence[RowMapping]:
        """Every event of the organization, drafts and cancelled ones too, with its location's
        name and RSVP counts (the columns of `COUNTED`), in the lists' order."""
        stmt = COUNTED.where(Event.organization_id == self.organization_id).order_by(
            Event.start_datetime, Event.id
        )
        return (await self.session.execute(stmt)).mappings().all()

    async def answers(self, user_id: UUID) -> dict[UUID, RSVPStatus]:
        """The member's own RSVP status on each event they answered."""
        stmt = select(EventRSVP.event_id, EventRSVP.status).where(
            EventRSVP.organization_id == self.organization_id, EventRSVP.user_id == user_id
        )
        return dict((await self.session.execute(stmt)).all())

    async def counts(self, event_ids: Iterable[UUID], user_id: UUID) -> dict[UUID, EventCounts]:
        """RSVP counts of these events and the caller's status on each, in one query (an
        event's detail; lists take theirs from `list_page`)."""
        ids = list(event_ids)
        if not ids:
            return {}

        def counted(status: RSVPStatus) -> ColumnElement[int]:
            return func.sum(case((EventRSVP.status == status, 1), else_=0))

        stmt = (
            select(
                EventRSVP.event_id,
                func.count(),
                counted(RSVPStatus.GOING),
                counted(RSVPStatus.NOT_GOING),
                counted(RSVPStatus.MAYBE),
                func.max(case((EventRSVP.user_id == user_id, EventRSVP.status), else_=None)),
            )
            .where(EventRSVP.organization_id == self.organization_id, EventRSVP.event_id.in_(ids))
            .group_by(EventRSVP.event_id)
        )
        return {
            event_id: EventCounts(
                int(total),
                int(going or 0),
                int(not_going or 0),
                int(maybe or 0),
                RSVPStatus(mine) if mine is not None else None,
            )
            for event_id, total, going, not_going, maybe, mine in await self.session.execute(stmt)
        }

    async def location_clashes(
        self, location_id: UUID, start: datetime, end: datetime, *, excluding: UUID | None = None
    ) -> list[str]:
        """Titles of the events (drafts too, cancelled ones not) holding the location for part
        of the half-open `[start, end)`, earliest first: touching intervals do not clash.

        A plain read, run under the location's lock with no plain read before it in the
        transaction: InnoDB takes the snapshot at the first plain read, so it holds every
        booking the lock's previous holders committed. A locking read would be fresh anyway,
        but its gap locks reach into the next location's rows of the index, and two bookings of
        neighbouring locations would deadlock.
        """
        stmt = (
            select(Event.title)
            .where(
                Event.organization_id == self.organization_id,
                Event.location_id == location_id,
                Event.is_cancelled.is_(False),
                Event.start_datetime < end,
                Event.end_datetime > start,
            )
            .order_by(Event.start_datetime, Event.id)
            .limit(CLASHES_NAMED)
        )
        if excluding is not None:
            stmt = stmt.where(Event.id != excluding)
        return list((await self.session.scalars(stmt)).all())

    async def series(self, parent_id: UUID, *, starting_from: datetime | None) -> Sequence[Event]:
        """The parent and its children, locked in id order, optionally only those starting
        at or after a moment."""
        stmt = self.scoped().where(
            or_(Event.id == parent_id, Event.recurrence_parent_id == parent_id)
        )
        if starting_from is not None:
            stmt = stmt.where(Event.start_datetime >= starting_from)
        stmt = stmt.order_by(Event.id).with_for_update().execution_options(populate_existing=True)
        return (await self.session.scalars(stmt)).all()

    async def add(self, events: Sequence[Event]) -> None:
        """Insert new events (a series: its parent first, which the children point to)."""
        self.session.add_all(events)
        await self.session.flush()

    async def flush(self) -> None:
        """Write the changes made to loaded events."""
        await self.session.flush()

    async def delete(self, events: Sequence[Event]) -> None:
        """Delete events with their RSVPs and history (foreign keys cascade); `ClashError`
        when another module's rows still point to one of them."""
        async with guarded(self.session):
            for event in events:
                await self.session.delete(event)
