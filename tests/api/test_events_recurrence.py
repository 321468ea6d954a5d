"""Recurring series (spec events.md §4.3 [fix], §7): occurrences on the department's wall clock."""

import enum
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.events.recurrence import (
    MAX_OCCURRENCES,
    NO_OCCURRENCES,
    TOO_MANY,
    Recurrence,
    RecurrenceError,
    expand,
    nth_weekday,
    recurrence_problem,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
D = date.fromisoformat
NTH, YEARLY_NTH = "monthly_weekday", "annually_weekday"


def at(local: str, zone: ZoneInfo = NEW_YORK) -> datetime:
    """An instant in UTC from a local wall time of `zone` ("2026-03-05 19:00")."""
    return datetime.fromisoformat(local).replace(tzinfo=zone).astimezone(UTC)


def walls(pairs: list[tuple[datetime, datetime]], zone: ZoneInfo = NEW_YORK) -> list[str]:
    """Each occurrence as its local "YYYY-MM-DD HH:MM-HH:MM" in `zone`."""
    return [
        f"{start.astimezone(zone):%Y-%m-%d %H:%M}-{end.astimezone(zone):%H:%M}"
        for start, end in pairs
    ]


def series(
    first: str, hours: float, *, zone: ZoneInfo = NEW_YORK, **rule: Any
) -> list[tuple[datetime, datetime]]:
    """The series of a `hours`-long first occurrence starting at local `first`."""
    start = at(first, zone)
    return expand(start, start + timedelta(hours=hours), zone, Recurrence(**rule))


class TestWallClock:
    """A 19:00 drill stays at 19:00 local across daylight-saving changes ([fix])."""

    @pytest.mark.parametrize(
        ("first", "end_date", "zone", "expected"),
        [
            pytest.param(
                "2026-10-22 19:00",
                "2026-11-12",
                NEW_YORK,
                [
                    "2026-10-22 19:00-21:00",
                    "2026-10-29 19:00-21:00",
                    "2026-11-05 19:00-21:00",
                    "2026-11-12 19:00-21:00",
                ],
                id="new-york-november",
            ),
            pytest.param(
                "2026-02-26 19:00",
                "2026-03-19",
                NEW_YORK,
                [
                    "2026-02-26 19:00-21:00",
                    "2026-03-05 19:00-21:00",
                    "2026-03-12 19:00-21:00",
                    "2026-03-19 19:00-21:00",
                ],
                id="new-york-march",
            ),
            pytest.param(
                "2026-03-19 19:00",
                "2026-04-02",
                LONDON,
                ["2026-03-19 19:00-21:00", "2026-03-26 19:00-21:00", "2026-04-02 19:00-21:00"],
                id="london-march",
            ),
            pytest.param(
                "2026-10-15 19:00",
                "2026-10-29",
                LONDON,
                ["2026-10-15 19:00-21:00", "2026-10-22 19:00-21:00", "2026-10-29 19:00-21:00"],
                id="london-october",
            ),
        ],
    )
    def test_weekly_series_keeps_local_start_time(
        self, first: str, end_date: str, zone: ZoneInfo, expected: list[str]
    ) -> None:
        pairs = series(first, 2, zone=zone, pattern="weekly", end_date=D(end_date))
        assert walls(pairs, zone) == expected

    def test_utc_instants_move_by_the_changed_offset(self) -> None:
        pairs = series("2026-10-29 19:00", 2, pattern="weekly", end_date=D("2026-11-05"))
        assert [start for start, _ in pairs] == [
            datetime(2026, 10, 29, 23, 0, tzinfo=UTC),  # EDT, UTC-4
            datetime(2026, 11, 6, 0, 0, tzinfo=UTC),  # EST, UTC-5: one UTC hour later
        ]

    def test_first_occurrence_is_the_given_pair(self) -> None:
        start = datetime(2026, 5, 4, 23, 17, 42, tzinfo=UTC)
        end = start + timedelta(minutes=95)
        pairs = expand(start, end, NEW_YORK, Recurrence(pattern="daily", end_date=D("2026-05-05")))
        assert pairs[0] == (start, end)
        assert pairs[1] == (start + timedelta(days=1), end + timedelta(days=1))

    def test_results_are_aware_utc(self) -> None:
        pairs = series(
            "2026-01-05 08:00", 1, zone=LONDON, pattern="daily", end_date=D("2026-01-06")
        )
        assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in pairs)

    @pytest.mark.parametrize(
        ("first", "hours", "expected_last", "elapsed_hours"),
        [
            # Clocks go back on Nov 1: the 23:00-03:00 night keeps its wall-clock end, 5 real hours.
            pytest.param("2026-10-30 23:00", 4, "2026-10-31 23:00-03:00", 5, id="fall-back-night"),
            # Clocks go forward on Mar 8: the 23:00-03:00 night lasts 3 real hours.
            pytest.param("2026-03-06 23:00", 4, "2026-03-07 23:00-03:00", 3, id="spring-night"),
        ],
    )
    def test_an_occurrence_spanning_the_change_keeps_its_local_end(
        self, first: str, hours: float, expected_last: str, elapsed_hours: int
    ) -> None:
        end_date = (D(first[:10]) + timedelta(days=1)).isoformat()
        pairs = series(first, hours, pattern="daily", end_date=D(end_date))
        assert walls(pairs)[-1] == expected_last
        assert pairs[-1][1] - pairs[-1][0] == timedelta(hours=elapsed_hours)


class TestGapAndFold:
    """Local times the change skips or repeats resolve as RFC 5545 does (fold=0)."""

    def test_skipped_time_moves_forward_by_the_gap(self) -> None:
        pairs = series("2026-03-07 02:30", 0.5, pattern="daily", end_date=D("2026-03-09"))
        assert walls(pairs) == [
            "2026-03-07 02:30-03:00",
            "2026-03-08 03:30-04:00",  # 02:30 does not exist: read with EST, it is 03:30 EDT
            "2026-03-09 02:30-03:00",
        ]
        # The wall end, 03:00 EDT, came before the moved start: the first's 30 real minutes.
        assert pairs[1][1] - pairs[1][0] == timedelta(minutes=30)

    def test_an_end_equal_to_the_moved_start_keeps_the_length(self) -> None:
        pairs = series("2026-03-07 02:30", 1, pattern="daily", end_date=D("2026-03-08"))
        assert pairs[1] == (  # 02:30-03:30 read as 03:30-03:30 EDT: an hour from the start
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            datetime(2026, 3, 8, 8, 30, tzinfo=UTC),
        )

    def test_repeated_time_takes_the_first_instant(self) -> None:
        pairs = series("2026-10-31 01:30", 0.5, pattern="daily", end_date=D("2026-11-01"))
        assert pairs[1][0] == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST

    def test_a_first_occurrence_in_the_second_fold_repeats_as_the_first_fold(self) -> None:
        start = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, the repeated hour
        pairs = expand(
            start,
            start + timedelta(minutes=20),
            NEW_YORK,
            Recurrence(pattern="weekly", end_date=D("2026-11-08")),
        )
        assert pairs[0][0] == start
        assert walls(pairs) == ["2026-11-01 01:30-01:50", "2026-11-08 01:30-01:50"]


class TestPatterns:
    """Each pattern of §4.3 with its calendar rule."""

    @pytest.mark.parametrize(
        ("first", "rule", "expected"),
        [
            pytest.param(
                "2026-01-05",
                {"pattern": "daily", "end_date": D("2026-01-08")},
                ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"],
                id="daily",
            ),
            pytest.param(
                "2026-01-05",
                {"pattern": "weekly", "end_date": D("2026-01-26")},
                ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"],
                id="weekly",
            ),
            pytest.param(
                "2026-01-05",
                {"pattern": "biweekly", "end_date": D("2026-02-15")},
                ["2026-01-05", "2026-01-19", "2026-02-02"],
                id="biweekly",
            ),
            pytest.param(
                "2026-01-31",
                {"pattern": "monthly", "end_date": D("2026-05-31")},
                ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"],
                id="monthly-31st-clamps-and-returns",
            ),
            pytest.param(
                "2027-12-30",
                {"pattern": "monthly", "end_date": D("2028-03-30")},
                ["2027-12-30", "2028-01-30", "2028-02-29", "2028-03-30"],
                id="monthly-leap-february",
            ),
            pytest.param(
                "2028-02-29",
                {"pattern": "annually", "end_date": D("2032-12-31")},
                ["2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"],
                id="annually-feb-29-anchored",
            ),
            pytest.param(
                "2026-07-04",
                {"pattern": "annually", "end_date": D("2028-07-04")},
                ["2026-07-04", "2027-07-04", "2028-07-04"],
                id="annually",
            ),
            pytest.param(
                "2026-01-13",
                {"pattern": NTH, "weekday": 1, "week_ordinal": 2, "end_date": D("2026-04-30")},
                ["2026-01-13", "2026-02-10", "2026-03-10", "2026-04-14"],
                id="monthly-2nd-tuesday",
            ),
            pytest.param(
                "2026-01-30",
                {"pattern": NTH, "weekday": 4, "week_ordinal": -1, "end_date": D("2026-04-30")},
                ["2026-01-30", "2026-02-27", "2026-03-27", "2026-04-24"],
                id="monthly-last-friday",
            ),
            pytest.param(
                "2026-06-29",
                {"pattern": NTH, "weekday": 0, "week_ordinal": 5, "end_date": D("2027-12-31")},
                # July has no 5th Monday (skipped), August does; September and October both
                # lack one: two months in a row end the series.
                ["2026-06-29", "2026-08-31"],
                id="monthly-5th-monday-skips-then-ends",
            ),
            pytest.param(
                "2026-11-26",
                {
                    "pattern": YEARLY_NTH,
                    "weekday": 3,
                    "week_ordinal": 4,
                    "month": 11,
                    "end_date": D("2028-12-31"),
                },
                ["2026-11-26", "2027-11-25", "2028-11-23"],
                id="annually-4th-thursday-of-november",
            ),
            pytest.param(
                "2026-05-25",
                {
                    "pattern": YEARLY_NTH,
                    "weekday": 0,
                    "week_ordinal": -1,
                    "month": 5,
                    "end_date": D("2028-12-31"),
                },
                ["2026-05-25", "2027-05-31", "2028-05-29"],
                id="annually-last-monday-of-may",
            ),
            pytest.param(
                "2026-03-30",
                {
                    "pattern": YEARLY_NTH,
                    "weekday": 0,
                    "week_ordinal": 5,
                    "month": 3,
                    "end_date": D("2035-12-31"),
                },
                # March 2028 and 2029 have no 5th Monday: two years in a row end it.
                ["2026-03-30", "2027-03-29"],
                id="annually-5th-monday-ends",
            ),
            pytest.param(
                "2026-01-05",
                {"pattern": "custom", "custom_days": [0, 2], "end_date": D("2026-01-14")},
                ["2026-01-05", "2026-01-07", "2026-01-12", "2026-01-14"],
                id="custom-monday-wednesday",
            ),
            pytest.param(
                "2026-01-04",
                {"pattern": "custom", "custom_days": [5], "end_date": D("2026-01-17")},
                ["2026-01-04", "2026-01-10", "2026-01-17"],  # a Sunday first, then Saturdays
                id="custom-first-off-pattern",
            ),
        ],
    )
    def test_dates(self, first: str, rule: dict[str, Any], expected: list[str]) -> None:
        pairs = series(f"{first} 18:30", 2, **rule)
        assert [wall[:10] for wall in walls(pairs)] == expected
        assert {wall[10:] for wall in walls(pairs)} == {" 18:30-20:30"}


class TestEndDateAndExceptions:
    """The end date and exceptions are local dates (§7 [fix]), the end date inclusive."""

    def test_end_date_includes_an_evening_already_next_day_in_utc(self) -> None:
        pairs = series("2026-12-01 20:00", 2, pattern="daily", end_date=D("2026-12-03"))
        assert walls(pairs)[-1] == "2026-12-03 20:00-22:00"
        assert pairs[-1][0].date() == D("2026-12-04")  # its UTC date is past the end date

    @pytest.mark.parametrize(
        ("exceptions", "expected"),
        [
            pytest.param([D("2026-12-02")], ["2026-12-01", "2026-12-03"], id="local-date"),
            # Dec 3 is the UTC date of Dec 2's 20:00 occurrence: only the local Dec 3 goes.
            pytest.param([D("2026-12-03")], ["2026-12-01", "2026-12-02"], id="not-utc-date"),
            pytest.param([D("2026-12-01")], ["2026-12-02", "2026-12-03"], id="first-dropped"),
            pytest.param([D("2027-01-01")], ["2026-12-01", "2026-12-02", "2026-12-03"], id="none"),
        ],
    )
    def test_exceptions_drop_by_local_start_date(
        self, exceptions: list[date], expected: list[str]
    ) -> None:
        pairs = series(
            "2026-12-01 20:00",
            2,
            pattern="daily",
            end_date=D("2026-12-03"),
            exceptions=frozenset(exceptions),
        )
        assert [wall[:10] for wall in walls(pairs)] == expected

    def test_rolling_without_end_runs_a_year_inclusive(self) -> None:
        pairs = series("2026-01-01 19:00", 2, pattern="weekly", rolling=True)
        assert len(pairs) == 53
        assert walls(pairs)[-1] == "2026-12-31 19:00-21:00"

    def test_rolling_daily_is_cut_at_the_cap_not_refused(self) -> None:
        pairs = series("2026-01-01 19:00", 2, pattern="daily", rolling=True)
        assert len(pairs) == MAX_OCCURRENCES
        assert walls(pairs)[-1] == "2026-12-31 19:00-21:00"

    def test_rolling_with_an_end_date_uses_it(self) -> None:
        pairs = series(
            "2026-01-01 19:00", 2, pattern="weekly", rolling=True, end_date=D("2026-01-15")
        )
        assert len(pairs) == 3

    def test_rolling_from_feb_29_ends_on_feb_28(self) -> None:
        pairs = series("2028-02-29 19:00", 2, pattern="monthly", rolling=True)
        assert walls(pairs)[-1] == "2029-02-28 19:00-21:00"


class TestLimits:
    """0 occurrences and more than 365 are refused; generation stops at the 366th."""

    def test_365_daily_occurrences_are_allowed(self) -> None:
        pairs = series("2026-01-01 07:00", 1, pattern="daily", end_date=D("2026-12-31"))
        assert len(pairs) == MAX_OCCURRENCES

    def test_366_are_refused(self) -> None:
        with pytest.raises(RecurrenceError, match=r"max 365"):
            series("2026-01-01 07:00", 1, pattern="daily", end_date=D("2027-01-01"))

    def test_a_far_end_date_stops_at_the_366th(self) -> None:
        with pytest.raises(RecurrenceError) as raised:
            series("2026-01-01 07:00", 1, pattern="daily", end_date=date.max)
        assert str(raised.value) == TOO_MANY

    def test_exceptions_can_bring_a_series_under_the_cap(self) -> None:
        pairs = series(
            "2026-01-01 07:00",
            1,
            pattern="daily",
            end_date=D("2027-01-01"),
            exceptions=frozenset({D("2026-06-01")}),
        )
        assert len(pairs) == MAX_OCCURRENCES

    @pytest.mark.parametrize(
        "rule",
        [
            pytest.param({"pattern": "weekly", "end_date": D("2026-01-04")}, id="end-before-start"),
            pytest.param(
                {
                    "pattern": "weekly",
                    "end_date": D("2026-01-12"),
                    "exceptions": frozenset({D("2026-01-05"), D("2026-01-12")}),
                },
                id="all-excepted",
            ),
        ],
    )
    def test_no_occurrence_is_refused(self, rule: dict[str, Any]) -> None:
        with pytest.raises(RecurrenceError) as raised:
            series("2026-01-05 19:00", 2, **rule)
        assert str(raised.value) == NO_OCCURRENCES

    @pytest.mark.parametrize(
        ("first", "pattern", "count"),
        [
            pytest.param("9995-06-01 19:00", "annually", 5, id="annually-to-year-9999"),
            pytest.param("9999-10-31 19:00", "monthly", 2, id="monthly-to-december-9999"),
            # Dec 31 9999 19:00 in New York is past datetime.max in UTC: the series ends before.
            pytest.param("9999-12-25 19:00", "daily", 6, id="daily-to-the-last-instant"),
        ],
    )
    def test_the_end_of_the_calendar_ends_a_series(
        self, first: str, pattern: str, count: int
    ) -> None:
        assert len(series(first, 1, pattern=pattern, end_date=date.max)) == count


class StoredPattern(enum.StrEnum):
    """Stands for the model's enum: a StrEnum member is accepted as the pattern."""

    WEEKLY = "weekly"


# id: (rule, the field of its first problem); every rule is rolling unless it says otherwise.
PROBLEMS: dict[str, tuple[dict[str, Any], str]] = {
    "end-required": ({"pattern": "weekly", "rolling": False}, "recurrence_end_date"),
    "first-problem-first": ({"pattern": "custom", "rolling": False}, "recurrence_end_date"),
    "pattern": ({"pattern": "hourly"}, "recurrence_pattern"),
    "custom": ({"pattern": "custom"}, "recurrence_custom_days"),
    "custom-empty": ({"pattern": "custom", "custom_days": []}, "recurrence_custom_days"),
    "custom-day-range": ({"pattern": "custom", "custom_days": [0, 7]}, "recurrence_custom_days"),
    "nth-needs-weekday": ({"pattern": NTH, "week_ordinal": 1}, "recurrence_weekday"),
    "nth-needs-ordinal": ({"pattern": NTH, "weekday": 0}, "recurrence_week_ordinal"),
    "weekday-range": ({"pattern": NTH, "weekday": 7, "week_ordinal": 1}, "recurrence_weekday"),
    "ordinal-zero": ({"pattern": NTH, "weekday": 0, "week_ordinal": 0}, "recurrence_week_ordinal"),
    "ordinal-minus-2": (
        {"pattern": NTH, "weekday": 0, "week_ordinal": -2},
        "recurrence_week_ordinal",
    ),
    "ordinal-six": ({"pattern": NTH, "weekday": 0, "week_ordinal": 6}, "recurrence_week_ordinal"),
    "yearly-needs-month": (
        {"pattern": YEARLY_NTH, "weekday": 0, "week_ordinal": 1},
        "recurrence_month",
    ),
    "month-range": (
        {"pattern": YEARLY_NTH, "weekday": 0, "week_ordinal": 1, "month": 13},
        "recurrence_month",
    ),
}
VALID: dict[str, dict[str, Any]] = {
    "daily-with-end": {"pattern": "daily", "rolling": False, "end_date": D("2026-01-01")},
    "str-enum": {"pattern": StoredPattern.WEEKLY},
    "custom": {"pattern": "custom", "custom_days": [6]},
    "last-sunday": {"pattern": NTH, "weekday": 6, "week_ordinal": -1},
    "yearly-5th-monday": {"pattern": YEARLY_NTH, "weekday": 0, "week_ordinal": 5, "month": 12},
}


class TestProblems:
    """The 422 rules of §4.3, first problem first, as (field, message)."""

    @pytest.mark.parametrize(("rule", "field"), list(PROBLEMS.values()), ids=list(PROBLEMS))
    def test_problem(self, rule: dict[str, Any], field: str) -> None:
        problem = recurrence_problem(Recurrence(**{"rolling": True} | rule))
        assert problem is not None
        assert problem[0] == field
        assert problem[1]

    @pytest.mark.parametrize("rule", list(VALID.values()), ids=list(VALID))
    def test_valid(self, rule: dict[str, Any]) -> None:
        assert recurrence_problem(Recurrence(**{"rolling": True} | rule)) is None

    def test_expand_refuses_an_unchecked_rule(self) -> None:
        with pytest.raises(ValueError, match="recurrence_weekday"):
            series("2026-01-05 19:00", 1, pattern="monthly_weekday", rolling=True)


class TestNthWeekday:
    """The nth weekday of a month, None when the month has none."""

    @pytest.mark.parametrize(
        ("year", "month", "weekday", "ordinal", "expected"),
        [
            pytest.param(2026, 3, 0, 1, D("2026-03-02"), id="1st-monday"),
            pytest.param(2026, 3, 0, 5, D("2026-03-30"), id="5th-monday"),
            pytest.param(2026, 4, 0, 5, None, id="no-5th-monday"),
            pytest.param(2026, 3, 6, 1, D("2026-03-01"), id="month-starts-on-it"),
            pytest.param(2026, 2, 5, -1, D("2026-02-28"), id="last-on-the-last-day"),
            pytest.param(2028, 2, 1, 5, D("2028-02-29"), id="5th-tuesday-leap-february"),
            pytest.param(2026, 2, 6, 5, None, id="common-february-has-no-5th"),
            pytest.param(2026, 12, 3, -1, D("2026-12-31"), id="last-thursday-of-year"),
        ],
    )
    def test_nth_weekday(
        self, year: int, month: int, weekday: int, ordinal: int, expected: date | None
    ) -> None:
        assert nth_weekday(year, month, weekday, ordinal) == expected
