"""Each organization's calendar in memory, for `GET /events` (the dashboard's "Next 7 Days"
call and the events page).

Read from the database, a list costs its query (counts correlated per event) and an ORM row per
event: the dashboard's call stayed near 500/s and a year's 500 events took 100 ms and more. Here
an instance keeps each organization's events as the list shows them, with their RSVP counts,
and each member's own answers apart (a member's answers are all that differs between callers);
a list is filtered, paged and given the caller's statuses in memory. The answer is the
database's: the same filters, bounds and order (`Calendar.page`); a custom category alone is
matched by the database, whose collation (any case, accents) memory does not copy.

Kept fresh by the events every instance follows (`SUBJECTS`): any calendar event but those that
change nothing a list shows (`UNLISTED`), a location's change (its name is listed) and a
member's deletion (their RSVPs go with them) drop the organization's calendar and its members'
answers. This instance hears its own events as their change commits (shared/events/local.py),
whichever module published them, before they come back from the stream: the member who made
a change sees it in the next list. A follower catching up after a gap drops them all, and
nothing is older than `TTL_SECONDS`, for a change no event reported (NATS unreachable).
"""

import contextlib
import time
from bisect import bisect_left, bisect_right
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from itertools import islice
from typing import Any
from uuid import UUID

import msgspec
import structlog

from api.events.schemas import EventFilters, EventListItem
from shared.cache import LoadingCache
from shared.events.contracts.events import (
    AttendanceFinalized,
    AttendanceOverridden,
    CheckedIn,
    CheckedOut,
    EventEnded,
    ReminderDue,
)
from shared.events.contracts.members import MemberDeleted
from shared.events.envelope import Envelope
from shared.events.follower import followed_cache_hooks
from shared.models import EventType, RSVPStatus

log = structlog.get_logger("api.events.calendar_view")

# What drops an organization's calendar, from any instance: its events, its locations (a list
# shows a location's name) and a member's deletion (their RSVPs are deleted with them).
SUBJECTS = ("logbook.api.event.>", "logbook.api.location.>", MemberDeleted.subject)
# Calendar events that change no listed field nor any RSVP's status: attendance and reminders.
UNLISTED = frozenset(
    {
        CheckedIn.subject,
        CheckedOut.subject,
        AttendanceOverridden.subject,
        AttendanceFinalized.subject,
        EventEnded.subject,
        ReminderDue.subject,
    }
)
TTL_SECONDS = 60.0
# Calendars kept at once: about 1 MB per 1,000 events; an organization past it is read again.
ORGANIZATIONS = 16
# Members' answers kept at once: a few dozen bytes per answered event.
MEMBERS = 256

Answers = dict[UUID, RSVPStatus]
_decode = msgspec.json.Decoder(Envelope)


@dataclass(frozen=True, slots=True)
class _Entry:
    item: EventListItem  # as listed, without the caller's status
    stored_type: EventType | None  # null reads `other` but matches no `event_type` filter


class Calendar:
    """One organization's events by start, as the list shows them, with their counts."""

    def __init__(self, rows: Iterable[Mapping[Any, Any]]) -> None:
        # In the database's order (start, then id), kept as read: ids order by the database's
        # UUID type, which MariaDB compares in an order of its own, not the UUIDs' one.
        entries = [_Entry(list_item(row), row["event_type"]) for row in rows]
        self._entries = entries
        self._starts = [entry.item.start_datetime for entry in entries]
        # An event ending at or after a moment starts at most this long before it: the
        # dashboard's `end_after` alone is a range of starts, not a pass over the history.
        self._longest = max(
            (entry.item.end_datetime - entry.item.start_datetime for entry in entries),
            default=timedelta(0),
        )

    def page(self, filters: EventFilters, *, skip: int, limit: int) -> list[EventListItem]:
        """The events the database would list for these filters (but a custom category), by
        start then id, bounds inclusive, from `skip` on, at most `limit`."""
        low = filters.start_after
        if filters.end_after is not None:
            with contextlib.suppress(OverflowError):  # a bound near year 1: no range then
                earliest = filters.end_after - self._longest
                low = earliest if low is None else max(low, earliest)
        first = 0 if low is None else bisect_left(self._starts, low)
        high = filters.start_before
        last = len(self._entries) if high is None else bisect_right(self._starts, high)
        kept = (entry.item for entry in self._entries[first:last] if _listed(entry, filters))
        return list(islice(kept, skip, skip + limit))


def list_item(row: Mapping[Any, Any]) -> EventListItem:
    """An event in a list from its row of `EventRepository.calendar` (no caller's status: None)
    or `list_page` (with it); a stored null type reads `other`."""
    return msgspec.convert(
        {"user_rsvp_status": None, **row, "event_type": row["event_type"] or EventType.OTHER},
        EventListItem,
    )


def _listed(entry: _Entry, filters: EventFilters) -> bool:
    """Whether the list's filters keep the event (its start bounds are the caller's range)."""
    item = entry.item
    if item.is_cancelled and not filters.include_cancelled:
        return False
    if item.is_draft and not filters.include_drafts:
        return False
    if filters.end_after is not None and item.end_datetime < filters.end_after:
        return False
    if filters.end_before is not None and item.end_datetime > filters.end_before:
        return False
    if filters.event_type is not None and entry.stored_type != filters.event_type:
        return False
    # A null type reads as `other`, so it goes when `other` is excluded.
    return item.event_type not in filters.exclude_event_types


class Calendars:
    """This instance's calendars by organization, and its members' answers."""

    def __init__(
        self,
        *,
        ttl: float = TTL_SECONDS,
        organizations: int = ORGANIZATIONS,
        members: int = MEMBERS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._calendars: LoadingCache[UUID, Calendar] = LoadingCache(
            ttl=ttl, maxsize=organizations, timer=timer
        )
        self._answers: LoadingCache[tuple[UUID, UUID], Answers] = LoadingCache(
            ttl=ttl, maxsize=members, timer=timer
        )

    async def calendar(
        self, organization_id: UUID, load: Callable[[], Awaitable[Sequence[Mapping[Any, Any]]]]
    ) -> Calendar:
        """The organization's calendar, read with `load` when this instance holds none."""

        async def build() -> Calendar:
            return Calendar(await load())

        return await self._calendars.get(organization_id, build)

    async def answers(
        self, organization_id: UUID, user_id: UUID, load: Callable[[], Awaitable[Answers]]
    ) -> Answers:
        """The member's own statuses by event, read with `load` when this instance holds none."""
        return await self._answers.get((organization_id, user_id), load)

    def clear(self) -> None:
        """Drop every calendar and answer: a follower catching up after a gap (NATS was away)
        may have missed events, as one that had read nothing yet resubscribes at new ones."""
        self._calendars.clear()
        self._answers.clear()

    def forget(self, organization_id: UUID) -> None:
        """Drop the organization's calendar and its members' answers (and loads in flight)."""
        self._calendars.forget(organization_id)
        self._answers.forget_where(lambda key: key[0] == organization_id)

    def heard(self, payload: bytes) -> None:
        """Drop what an event from any instance (of `SUBJECTS`) may have changed."""
        try:
            envelope = _decode.decode(payload)
        except msgspec.DecodeError:  # not an envelope (ValidationError is a DecodeError too)
            log.warning("calendar_view.undecodable_event")
            return
        if envelope.organization_id is not None and envelope.type not in UNLISTED:
            self.forget(envelope.organization_id)

    async def close(self) -> None:
        await self._calendars.close()
        await self._answers.close()


@dataclass(frozen=True)
class OrganizationCalendar:
    """One request's handle on its organization's calendar."""

    calendars: Calendars
    organization_id: UUID
    load_events: Callable[[], Awaitable[Sequence[Mapping[Any, Any]]]]
    load_answers: Callable[[UUID], Awaitable[Answers]]

    async def page(
        self, filters: EventFilters, caller: UUID, *, skip: int, limit: int
    ) -> list[EventListItem]:
        """A page of the calendar (`Calendar.page`), each event with the caller's status."""
        calendar = await self.calendars.calendar(self.organization_id, self.load_events)
        answers = await self.calendars.answers(
            self.organization_id, caller, partial(self.load_answers, caller)
        )
        # An event the caller never answered is listed as kept: a copy only for their answers.
        return [
            item
            if (status := answers.get(item.id)) is None
            else msgspec.structs.replace(item, user_rsvp_status=status)
            for item in calendar.page(filters, skip=skip, limit=limit)
        ]


# This instance's calendars (`app.state.events_calendars`), fed by the stream while it runs.
start_calendar_feed, stop_calendar_feed = followed_cache_hooks(
    "events_calendars", SUBJECTS, Calendars, name="events-calendar-feed"
)
