"""The check-in window of an event (spec events.md §5) and the verdict on a check-in at `now`.

Self check-in, self check-out and the manager's check-in share one window; only self check-in
shows the early `notice` (§8.6), so callers ignore `Decision.message` where it does not apply.
Pure: no database, no web framework.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

EARLY_GRACE = timedelta(minutes=60)  # flexible and window accept a check-in this much earlier
FLEXIBLE_MINUTES_BEFORE = 60  # when check_in_minutes_before is null
WINDOW_MINUTES_BEFORE = 15
WINDOW_MINUTES_AFTER = 15
STRICT = "strict"
WINDOW = "window"


class WindowedEvent(Protocol):
    """What the window reads of an event; the Event model fits it as is."""

    @property
    def check_in_window_type(self) -> str | None: ...  # null reads as flexible, the default
    @property
    def check_in_minutes_before(self) -> int | None: ...
    @property
    def check_in_minutes_after(self) -> int | None: ...
    @property
    def start_datetime(self) -> datetime: ...
    @property
    def end_datetime(self) -> datetime: ...
    @property
    def actual_start_time(self) -> datetime | None: ...
    @property
    def actual_end_time(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class CheckInWindow:
    """The official window [opens, closes], and the earliest instant a check-in is accepted."""

    opens: datetime
    closes: datetime
    earliest: datetime  # `opens` less the early grace; `opens` itself for strict

    def is_open(self, now: datetime) -> bool:
        """Now inside the official window, ends included and no grace: `is_valid` of the QR data
        and `is_check_in_active` of the monitor."""
        return self.opens <= now <= self.closes


def check_in_window(event: WindowedEvent) -> CheckInWindow:
    """The event's window by its type, with §5's fallbacks for null minutes."""
    kind = event.check_in_window_type
    if kind == STRICT:
        opens = event.actual_start_time or event.start_datetime
        return CheckInWindow(opens, event.actual_end_time or event.end_datetime, opens)
    if kind == WINDOW:
        before = _minutes(event.check_in_minutes_before, WINDOW_MINUTES_BEFORE)
        # The form's hint says "after start", but the original closes after the scheduled END
        # (neither the actual end nor the start): §8.7 keeps that.
        closes = event.end_datetime + _minutes(event.check_in_minutes_after, WINDOW_MINUTES_AFTER)
    else:
        before = _minutes(event.check_in_minutes_before, FLEXIBLE_MINUTES_BEFORE)
        closes = event.actual_end_time or event.end_datetime
    opens = event.start_datetime - before
    return CheckInWindow(opens, closes, opens - EARLY_GRACE)


def is_valid(event: WindowedEvent, now: datetime) -> bool:
    """`qr-check-in-data.is_valid`: now inside the official window, no grace (§4.6)."""
    return check_in_window(event).is_open(now)


class Verdict(enum.StrEnum):
    """What a check-in attempt at `now` gets."""

    ALLOWED = "allowed"
    ALLOWED_EARLY = "allowed_early"  # inside the grace hour: 200, self check-in adds `notice`
    TOO_EARLY = "too_early"  # 400
    CLOSED = "closed"  # 400


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict, with the early `notice` or the 400 detail (None when simply allowed)."""

    verdict: Verdict
    message: str | None = None

    @property
    def allowed(self) -> bool:
        """True when the check-in (or check-out) goes ahead."""
        return self.verdict in {Verdict.ALLOWED, Verdict.ALLOWED_EARLY}


def decide(
    event: WindowedEvent,
    now: datetime,
    zone: ZoneInfo,
    *,
    action: Literal["Check-in", "Check-out"] = "Check-in",
) -> Decision:
    """The verdict on a check-in (or self check-out) at `now`; times in messages are in `zone`.

    Pass the department's zone from `shared.scheduled.daily.department_zone`, which already
    falls back to UTC for a missing or unknown zone name (§5: UTC when the zone is bad).
    """
    window = check_in_window(event)
    if now > window.closes:
        return Decision(
            Verdict.CLOSED,
            f"{action} for this event has closed. Please ask an event organizer to record "
            "your attendance.",
        )
    if now >= window.opens:
        return Decision(Verdict.ALLOWED)
    opens_at = clock_time(window.opens, zone, now)
    if now >= window.earliest:
        return Decision(
            Verdict.ALLOWED_EARLY,
            f"You checked in early. The official check-in window opens at {opens_at}.",
        )
    early = (
        f" Early check-in is accepted from {clock_time(window.earliest, zone, now)}."
        if window.earliest < window.opens
        else ""
    )
    return Decision(Verdict.TOO_EARLY, f"{action} is not open yet. It opens at {opens_at}.{early}")


def clock_time(instant: datetime, zone: ZoneInfo, now: datetime) -> str:
    """`hh:mm AM TZ` in the department's zone, with the day when it is not `now`'s local day."""
    local = instant.astimezone(zone)
    shown = local.strftime("%I:%M %p %Z")
    if local.date() == now.astimezone(zone).date():
        return shown
    return f"{shown} on {local:%a %b} {local.day}"


def _minutes(value: int | None, default: int) -> timedelta:
    return timedelta(minutes=default if value is None else value)
