"""The check-in window (spec events.md §5, §8.5-8.7): bounds per type, grace, verdicts, messages."""

import enum
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.events.window import (
    CheckInWindow,
    Verdict,
    check_in_window,
    clock_time,
    decide,
    is_valid,
)
from shared.scheduled.daily import department_zone

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
MINUTE = timedelta(minutes=1)
DRILL_START = datetime(2026, 12, 8, 0, 0, tzinfo=UTC)  # Monday Dec 7, 19:00 EST
DRILL_END = DRILL_START + timedelta(hours=2)


def at(local: str, zone: ZoneInfo = NEW_YORK) -> datetime:
    """An instant in UTC from a local wall time of `zone`."""
    return datetime.fromisoformat(local).replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class FakeEvent:
    """The event fields the window reads: a drill on Monday Dec 7 2026, 19:00-21:00 New York."""

    check_in_window_type: str | None = "flexible"
    check_in_minutes_before: int | None = 60
    check_in_minutes_after: int | None = 15
    start_datetime: datetime = DRILL_START
    end_datetime: datetime = DRILL_END
    actual_start_time: datetime | None = None
    actual_end_time: datetime | None = None


class StoredType(enum.StrEnum):
    """Stands for the model's enum: its members are read like the strings."""

    STRICT = "strict"
    WINDOW = "window"


DRILL = FakeEvent()


def local_window(window: CheckInWindow) -> tuple[str, str, str]:
    """(earliest, opens, closes) as New York "HH:MM" for compact tables."""

    def hhmm(instant: datetime) -> str:
        return f"{instant.astimezone(NEW_YORK):%H:%M}"

    return hhmm(window.earliest), hhmm(window.opens), hhmm(window.closes)


class TestBounds:
    """Opens, closes and the early-grace start per type, with the null fallbacks of §5."""

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            pytest.param({}, ("17:00", "18:00", "21:00"), id="flexible"),
            pytest.param(
                {"check_in_minutes_before": None},
                ("17:00", "18:00", "21:00"),
                id="flexible-null-60",
            ),
            pytest.param(
                {"check_in_minutes_before": 30}, ("17:30", "18:30", "21:00"), id="flexible-30"
            ),
            pytest.param(
                {"check_in_minutes_before": 0}, ("18:00", "19:00", "21:00"), id="flexible-zero"
            ),
            pytest.param(
                {
                    "actual_start_time": at("2026-12-07 19:20"),
                    "actual_end_time": at("2026-12-07 20:30"),
                },
                ("17:00", "18:00", "20:30"),
                id="flexible-closes-at-actual-end",
            ),
            pytest.param(
                {"check_in_window_type": None}, ("17:00", "18:00", "21:00"), id="null-is-flexible"
            ),
            pytest.param(
                {"check_in_window_type": "strict"}, ("19:00", "19:00", "21:00"), id="strict"
            ),
            pytest.param(
                {
                    "check_in_window_type": StoredType.STRICT,
                    "actual_start_time": at("2026-12-07 19:10"),
                    "actual_end_time": at("2026-12-07 20:45"),
                },
                ("19:10", "19:10", "20:45"),
                id="strict-actual-times",
            ),
            pytest.param(
                {"check_in_window_type": "window"}, ("17:00", "18:00", "21:15"), id="window"
            ),
            pytest.param(
                {"check_in_window_type": "window", "check_in_minutes_before": None},
                ("17:45", "18:45", "21:15"),
                id="window-null-before-15",
            ),
            pytest.param(
                {"check_in_window_type": StoredType.WINDOW, "check_in_minutes_after": None},
                ("17:00", "18:00", "21:15"),
                id="window-null-after-15",
            ),
            pytest.param(
                {"check_in_window_type": "window", "check_in_minutes_after": 45},
                ("17:00", "18:00", "21:45"),
                id="window-after-45-from-end",
            ),
            pytest.param(
                {"check_in_window_type": "window", "actual_end_time": at("2026-12-07 20:00")},
                ("17:00", "18:00", "21:15"),
                id="window-ignores-actual-end",
            ),
        ],
    )
    def test_window(self, changes: dict[str, Any], expected: tuple[str, str, str]) -> None:
        assert local_window(check_in_window(replace(DRILL, **changes))) == expected


FLEXIBLE = DRILL  # earliest 17:00, opens 18:00, closes 21:00
STRICT = replace(DRILL, check_in_window_type="strict")  # opens 19:00, closes 21:00
WINDOW = replace(
    DRILL, check_in_window_type="window", check_in_minutes_before=15
)  # 17:45 18:45 21:15


class TestDecide:
    """The verdict at each boundary; ends are inclusive, the grace is exactly 60 minutes."""

    @pytest.mark.parametrize(
        ("event", "now", "verdict"),
        [
            pytest.param(
                FLEXIBLE, at("2026-12-07 16:59:59"), Verdict.TOO_EARLY, id="flexible-61-min-early"
            ),
            pytest.param(
                FLEXIBLE,
                at("2026-12-07 17:00"),
                Verdict.ALLOWED_EARLY,
                id="flexible-exactly-60-early",
            ),
            pytest.param(
                FLEXIBLE, at("2026-12-07 17:59:59"), Verdict.ALLOWED_EARLY, id="flexible-grace"
            ),
            pytest.param(FLEXIBLE, at("2026-12-07 18:00"), Verdict.ALLOWED, id="flexible-opens"),
            pytest.param(
                FLEXIBLE, at("2026-12-07 21:00"), Verdict.ALLOWED, id="flexible-closes-inclusive"
            ),
            pytest.param(FLEXIBLE, at("2026-12-07 21:00:01"), Verdict.CLOSED, id="flexible-closed"),
            pytest.param(STRICT, at("2026-12-07 18:00"), Verdict.TOO_EARLY, id="strict-no-grace"),
            pytest.param(
                STRICT, at("2026-12-07 18:59:59"), Verdict.TOO_EARLY, id="strict-a-second-early"
            ),
            pytest.param(
                STRICT, at("2026-12-07 19:00"), Verdict.ALLOWED, id="strict-opens-at-start"
            ),
            pytest.param(STRICT, at("2026-12-07 21:00:01"), Verdict.CLOSED, id="strict-closed"),
            pytest.param(
                WINDOW, at("2026-12-07 17:44:59"), Verdict.TOO_EARLY, id="window-too-early"
            ),
            pytest.param(
                WINDOW, at("2026-12-07 17:45"), Verdict.ALLOWED_EARLY, id="window-exactly-60-early"
            ),
            pytest.param(WINDOW, at("2026-12-07 18:45"), Verdict.ALLOWED, id="window-opens"),
            pytest.param(
                WINDOW, at("2026-12-07 19:30"), Verdict.ALLOWED, id="window-past-start-plus-15"
            ),
            pytest.param(WINDOW, at("2026-12-07 21:15"), Verdict.ALLOWED, id="window-end-plus-15"),
            pytest.param(WINDOW, at("2026-12-07 21:15:01"), Verdict.CLOSED, id="window-closed"),
        ],
    )
    def test_verdict(self, event: FakeEvent, now: datetime, verdict: Verdict) -> None:
        decision = decide(event, now, NEW_YORK)
        assert decision.verdict is verdict
        assert decision.allowed is (verdict in {Verdict.ALLOWED, Verdict.ALLOWED_EARLY})
        assert (decision.message is None) is (verdict is Verdict.ALLOWED)

    def test_early_notice_says_when_the_official_window_opens(self) -> None:
        decision = decide(FLEXIBLE, at("2026-12-07 17:30"), NEW_YORK)
        assert decision.message == (
            "You checked in early. The official check-in window opens at 06:00 PM EST."
        )

    def test_too_early_says_when_it_opens_and_when_early_check_in_starts(self) -> None:
        decision = decide(WINDOW, at("2026-12-07 17:00"), NEW_YORK)
        assert decision.message == (
            "Check-in is not open yet. It opens at 06:45 PM EST. "
            "Early check-in is accepted from 05:45 PM EST."
        )

    def test_strict_too_early_has_no_grace_sentence(self) -> None:
        decision = decide(STRICT, at("2026-12-07 18:00"), NEW_YORK)
        assert decision.message == "Check-in is not open yet. It opens at 07:00 PM EST."

    def test_closed_sends_the_member_to_an_organizer(self) -> None:
        decision = decide(FLEXIBLE, at("2026-12-07 22:00"), NEW_YORK)
        assert decision.message == (
            "Check-in for this event has closed. Please ask an event organizer to record "
            "your attendance."
        )

    def test_check_out_words_its_own_refusal(self) -> None:
        decision = decide(FLEXIBLE, at("2026-12-07 22:00"), NEW_YORK, action="Check-out")
        assert decision.message is not None
        assert decision.message.startswith("Check-out for this event has closed.")


class TestClockTime:
    """Times are `hh:mm AM TZ` in the department's zone, UTC when the zone is bad."""

    @pytest.mark.parametrize(
        ("instant", "zone", "expected"),
        [
            pytest.param(at("2026-12-07 18:00"), NEW_YORK, "06:00 PM EST", id="new-york-winter"),
            pytest.param(at("2026-07-07 09:05"), NEW_YORK, "09:05 AM EDT", id="new-york-summer"),
            pytest.param(
                at("2026-12-07 18:00", LONDON), LONDON, "06:00 PM GMT", id="london-winter"
            ),
            pytest.param(
                at("2026-07-07 18:00", LONDON), LONDON, "06:00 PM BST", id="london-summer"
            ),
            pytest.param(
                at("2026-12-07 18:00"), department_zone("Not/AZone"), "11:00 PM UTC", id="bad-zone"
            ),
            pytest.param(
                at("2026-12-07 18:00"), department_zone(None), "11:00 PM UTC", id="no-zone"
            ),
        ],
    )
    def test_same_day(self, instant: datetime, zone: ZoneInfo, expected: str) -> None:
        assert clock_time(instant, zone, instant) == expected

    def test_another_day_names_the_day(self) -> None:
        opens = at("2026-12-07 18:00")
        assert clock_time(opens, NEW_YORK, opens - timedelta(days=1)) == "06:00 PM EST on Mon Dec 7"

    def test_the_day_is_the_local_one(self) -> None:
        # 23:30 New York is already the next day in UTC: still "today" for a New Yorker at 20:00.
        opens = at("2026-12-07 23:30")
        assert clock_time(opens, NEW_YORK, at("2026-12-07 20:00")) == "11:30 PM EST"

    def test_too_early_a_day_ahead_names_the_day(self) -> None:
        decision = decide(STRICT, at("2026-12-06 12:00"), NEW_YORK)
        assert (
            decision.message == "Check-in is not open yet. It opens at 07:00 PM EST on Mon Dec 7."
        )


class TestIsValid:
    """`qr-check-in-data.is_valid`: the official window only, no grace (§4.6)."""

    @pytest.mark.parametrize(
        ("event", "now", "valid"),
        [
            pytest.param(FLEXIBLE, at("2026-12-07 17:30"), False, id="grace-is-not-valid"),
            pytest.param(FLEXIBLE, at("2026-12-07 18:00"), True, id="opens"),
            pytest.param(FLEXIBLE, at("2026-12-07 21:00"), True, id="closes"),
            pytest.param(FLEXIBLE, at("2026-12-07 21:00") + MINUTE, False, id="after"),
            pytest.param(WINDOW, at("2026-12-07 21:10"), True, id="window-after-end"),
            pytest.param(STRICT, at("2026-12-07 18:59"), False, id="strict-before-start"),
        ],
    )
    def test_is_valid(self, event: FakeEvent, now: datetime, valid: bool) -> None:
        assert is_valid(event, now) is valid
        assert check_in_window(event).is_open(now) is valid
