"""Attendance minutes (spec events.md §4.5, §4.6, §6, §8.8): each rule, table-driven."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from api.events.minutes import (
    check_in_instant,
    checkout_minutes,
    effective_minutes,
    finalize_end,
    finalized_minutes,
    override_duration,
    override_times_valid,
    training_hours,
    whole_minutes,
)


def t(clock: str) -> datetime:
    """An instant on Dec 7 2026 (UTC) from "HH:MM" or "HH:MM:SS"."""
    return datetime.fromisoformat(f"2026-12-07T{clock}+00:00")


@dataclass(frozen=True)
class Row:
    """The RSVP fields the rules read; a row that never checked in."""

    checked_in: bool = False
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    attendance_duration_minutes: int | None = None
    override_check_in_at: datetime | None = None
    override_check_out_at: datetime | None = None
    override_duration_minutes: int | None = None


IN_AT_1810 = Row(checked_in=True, checked_in_at=t("18:10"))
END = t("21:00")


def row(**changes: Any) -> Row:
    return replace(Row(), **changes)


class TestWholeMinutes:
    """Floored to whole minutes, never negative (§8.8)."""

    @pytest.mark.parametrize(
        ("length", "expected"),
        [
            pytest.param(timedelta(0), 0, id="zero"),
            pytest.param(timedelta(seconds=59), 0, id="59-seconds"),
            pytest.param(timedelta(seconds=60), 1, id="one-minute"),
            pytest.param(timedelta(seconds=119, microseconds=999_999), 1, id="just-under-two"),
            pytest.param(timedelta(hours=2), 120, id="two-hours"),
            pytest.param(timedelta(seconds=-1), 0, id="end-before-start"),
            pytest.param(timedelta(hours=-3), 0, id="far-before-start"),
        ],
    )
    def test_whole_minutes(self, length: timedelta, expected: int) -> None:
        assert whole_minutes(t("19:00"), t("19:00") + length) == expected


class TestEffectiveMinutes:
    """Override duration, else both override times, else attendance minutes (§6)."""

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            pytest.param({}, None, id="nothing-known"),
            pytest.param({"attendance_duration_minutes": 90}, 90, id="attendance"),
            pytest.param(
                {"attendance_duration_minutes": 90, "override_duration_minutes": 30},
                30,
                id="override-duration-wins",
            ),
            pytest.param(
                {"attendance_duration_minutes": 90, "override_duration_minutes": 0},
                0,
                id="override-duration-zero-still-wins",
            ),
            pytest.param(
                {
                    "attendance_duration_minutes": 90,
                    "override_check_in_at": t("19:00"),
                    "override_check_out_at": t("20:30:59"),
                },
                90,
                id="override-times-floored",
            ),
            pytest.param(
                {
                    "attendance_duration_minutes": 10,
                    "override_check_in_at": t("19:00"),
                    "override_check_out_at": t("21:00"),
                },
                120,
                id="override-times-before-attendance",
            ),
            pytest.param(
                {
                    "override_duration_minutes": 45,
                    "override_check_in_at": t("19:00"),
                    "override_check_out_at": t("21:00"),
                },
                45,
                id="override-duration-before-override-times",
            ),
            pytest.param(
                {"attendance_duration_minutes": 75, "override_check_in_at": t("19:00")},
                75,
                id="one-override-time-falls-through",
            ),
            pytest.param(
                {"override_check_out_at": t("21:00")}, None, id="only-override-out-no-minutes"
            ),
        ],
    )
    def test_effective_minutes(self, changes: dict[str, Any], expected: int | None) -> None:
        assert effective_minutes(row(**changes)) == expected


class TestCheckInInstant:
    """The override check-in, else the recorded one."""

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            pytest.param({}, None, id="never"),
            pytest.param({"checked_in_at": t("18:10")}, t("18:10"), id="recorded"),
            pytest.param(
                {"checked_in_at": t("18:10"), "override_check_in_at": t("19:00")},
                t("19:00"),
                id="override-wins",
            ),
            pytest.param({"override_check_in_at": t("19:00")}, t("19:00"), id="override-only"),
        ],
    )
    def test_check_in_instant(self, changes: dict[str, Any], expected: datetime | None) -> None:
        assert check_in_instant(row(**changes)) == expected


class TestFinalize:
    """Finalize writes minutes only to untouched, checked-in, not checked-out rows (§6)."""

    @pytest.mark.parametrize(
        ("actual_end", "expected"),
        [
            pytest.param(None, t("21:00"), id="scheduled-end"),
            pytest.param(t("20:40"), t("20:40"), id="recorded-end"),
        ],
    )
    def test_finalize_end(self, actual_end: datetime | None, expected: datetime) -> None:
        assert finalize_end(actual_end, END) == expected

    @pytest.mark.parametrize(
        ("subject", "expected"),
        [
            pytest.param(IN_AT_1810, 170, id="early-check-in-not-clamped-to-start"),
            pytest.param(replace(IN_AT_1810, checked_in_at=t("18:10:30")), 169, id="floored"),
            pytest.param(
                replace(IN_AT_1810, override_check_in_at=t("19:30")), 90, id="override-check-in"
            ),
            pytest.param(replace(IN_AT_1810, checked_in_at=t("21:30")), 0, id="after-the-end-is-0"),
            pytest.param(row(), None, id="not-checked-in"),
            pytest.param(
                replace(IN_AT_1810, checked_out_at=t("20:00")), None, id="checked-out-keeps-its-own"
            ),
            pytest.param(
                replace(IN_AT_1810, override_duration_minutes=30), None, id="override-duration"
            ),
            pytest.param(
                replace(IN_AT_1810, attendance_duration_minutes=12), None, id="already-finalized"
            ),
            pytest.param(row(checked_in=True), None, id="flag-without-an-instant"),
        ],
    )
    def test_finalized_minutes(self, subject: Row, expected: int | None) -> None:
        assert finalized_minutes(subject, END) == expected

    def test_a_second_run_changes_nothing(self) -> None:
        first = finalized_minutes(IN_AT_1810, END)
        written = replace(IN_AT_1810, attendance_duration_minutes=first)
        assert first == 170
        assert finalized_minutes(written, END) is None


class TestCheckout:
    """Check-out minutes run from the override or recorded check-in to now (§4.6)."""

    @pytest.mark.parametrize(
        ("subject", "now", "expected"),
        [
            pytest.param(IN_AT_1810, t("20:29:59"), 139, id="recorded-floored"),
            pytest.param(
                replace(IN_AT_1810, override_check_in_at=t("18:00")),
                t("20:29:59"),
                149,
                id="override-check-in",
            ),
            pytest.param(
                replace(IN_AT_1810, override_check_in_at=t("21:00")),
                t("20:00"),
                0,
                id="override-after-now-is-0",
            ),
            pytest.param(row(), t("20:00"), None, id="never-checked-in"),
        ],
    )
    def test_checkout_minutes(self, subject: Row, now: datetime, expected: int | None) -> None:
        assert checkout_minutes(subject, now) == expected


class TestTrainingHours:
    """Hours are minutes / 60 rounded to 2 places (§8.8)."""

    @pytest.mark.parametrize(
        ("minutes", "hours"),
        [
            (0, 0.0),
            (1, 0.02),
            (7, 0.12),
            (59, 0.98),
            (90, 1.5),
            (100, 1.67),
            (125, 2.08),
            (600, 10.0),
        ],
    )
    def test_training_hours(self, minutes: int, hours: float) -> None:
        assert training_hours(minutes) == hours


class TestOverrides:
    """The override edit of §4.5: the pair's order, and the duration derived from it."""

    @pytest.mark.parametrize(
        ("check_in", "check_out", "valid"),
        [
            pytest.param(None, None, True, id="neither"),
            pytest.param(t("19:00"), None, True, id="only-in"),
            pytest.param(None, t("19:00"), True, id="only-out"),
            pytest.param(t("19:00"), t("19:01"), True, id="out-after-in"),
            pytest.param(t("19:00"), t("19:00"), False, id="out-equal-in"),
            pytest.param(t("19:00"), t("18:59"), False, id="out-before-in"),
        ],
    )
    def test_override_times_valid(
        self, check_in: datetime | None, check_out: datetime | None, valid: bool
    ) -> None:
        assert override_times_valid(check_in, check_out) is valid

    @pytest.mark.parametrize(
        ("check_in", "check_out", "kept", "expected"),
        [
            pytest.param(t("19:00"), t("20:45:59"), None, 105, id="both-times-floored"),
            pytest.param(t("19:00"), t("20:45"), 30, 105, id="both-times-replace-kept"),
            pytest.param(t("19:00"), None, 30, 30, id="one-time-keeps"),
            pytest.param(None, t("20:45"), None, None, id="one-time-keeps-none"),
            pytest.param(None, None, 12, 12, id="no-times-keep"),
        ],
    )
    def test_override_duration(
        self,
        check_in: datetime | None,
        check_out: datetime | None,
        kept: int | None,
        expected: int | None,
    ) -> None:
        assert override_duration(check_in, check_out, kept) == expected
