"""An event's RSVP figures and the check-in monitor (spec events.md §4.7)."""

from datetime import timedelta
from uuid import UUID

from api.events.schemas import CheckInMonitoringStats, EventStats, RecentCheckIn
from api.events.service._attending import AttendingBase
from api.events.service._base import event_type_of
from api.events.window import check_in_window
from shared.db.types import utc_now

RECENT = 10  # check-ins the monitor lists
PLACES = 2
MINUTE = timedelta(minutes=1)


def _percent(part: int, whole: int) -> float:
    return round(part / whole * 100, PLACES)


class ReportTopic(AttendingBase):
    """Read-only figures for the organizer."""

    async def event_stats(self, event_id: UUID) -> EventStats:
        """Answers by status (waitlisted left out), check-ins and guests of `going` rows, and
        how full the event is when it has a maximum (§4.7)."""
        event = await self._event(event_id)
        figures = await self.reports.figures(event.id)
        capacity = event.max_attendees
        return EventStats(
            event_id=event.id,
            total_rsvps=figures.going + figures.not_going + figures.maybe,
            going_count=figures.going,
            not_going_count=figures.not_going,
            maybe_count=figures.maybe,
            checked_in_count=figures.going_checked_in,
            total_guests=figures.going_guests,
            capacity_percentage=_percent(figures.going, capacity) if capacity else None,
        )

    async def check_in_monitoring(self, event_id: UUID) -> CheckInMonitoringStats:
        """The monitor the organizer's page polls: the window now, the rate over the active
        roster, the latest check-ins, and how early members arrive on average."""
        event = await self._event(event_id)
        window = check_in_window(event)
        figures = await self.reports.figures(event.id)
        check_ins = await self.reports.check_ins(event.id)
        eligible = await self.roster.active_count()
        # Minutes before the start; negative when members arrived after it.
        leads = [(event.start_datetime - entry.checked_in_at) / MINUTE for entry in check_ins]
        return CheckInMonitoringStats(
            event_id=event.id,
            event_name=event.title,
            event_type=event_type_of(event),
            start_datetime=event.start_datetime,
            end_datetime=event.end_datetime,
            is_check_in_active=window.is_open(utc_now()),
            check_in_window_start=window.opens,
            check_in_window_end=window.closes,
            total_eligible_members=eligible,
            total_rsvps=figures.rows,
            total_checked_in=figures.checked_in,
            check_in_rate=_percent(figures.checked_in, eligible) if eligible else 0.0,
            recent_check_ins=[
                RecentCheckIn(
                    user_id=entry.person.id,
                    user_name=entry.person.name,
                    user_email=entry.person.email,
                    checked_in_at=entry.checked_in_at,
                    rsvp_status=entry.status,
                    guest_count=entry.guest_count,
                )
                for entry in check_ins[:RECENT]
            ],
            avg_check_in_time_minutes=round(sum(leads) / len(leads), PLACES) if leads else None,
            last_check_in_at=check_ins[0].checked_in_at if check_ins else None,
        )
