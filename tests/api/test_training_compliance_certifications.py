"""Compliance engine certifications and summaries (spec training.md §4.4, §6): cert status,
renewals superseding, member stats, the summary colour, progress arithmetic."""

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from api.training.compliance import (
    LABELS,
    CertStatus,
    Colour,
    Record,
    TrainingStats,
    average,
    cert_status,
    compliance_colour,
    current_records,
    days_until,
    percentage,
    training_stats,
    uuid_set,
)

TODAY = date(2026, 12, 6)
EMT_COURSE = uuid4()
ALICE, BOB = uuid4(), uuid4()


def cert(on: str | None, expires: str | None, **changes: Any) -> Record:
    """A completed EMT certificate record of Alice."""
    record = Record(
        status="completed",
        completion_date=date.fromisoformat(on) if on else None,
        expiration_date=date.fromisoformat(expires) if expires else None,
        hours_completed=2.0,
        course_id=EMT_COURSE,
        course_name="EMT-B",
        certification_number="NREMT-1",
        user_id=ALICE,
        id=uuid4(),
    )
    return replace(record, **changes)


class TestCertStatus:
    @pytest.mark.parametrize(
        ("expiration", "status"),
        [
            ("2026-12-05", CertStatus.EXPIRED),
            ("2026-12-06", CertStatus.EXPIRING_SOON),  # valid through the date itself [fix]
            ("2027-03-06", CertStatus.EXPIRING_SOON),  # today + 90
            ("2027-03-07", CertStatus.CURRENT),
            ("2030-01-01", CertStatus.CURRENT),
        ],
    )
    def test_expired_before_today_expiring_within_ninety_days(
        self, expiration: str, status: CertStatus
    ) -> None:
        assert cert_status(date.fromisoformat(expiration), TODAY) is status

    def test_the_lookahead_is_adjustable(self) -> None:
        assert cert_status(date(2026, 12, 20), TODAY, days=14) is CertStatus.EXPIRING_SOON
        assert cert_status(date(2026, 12, 21), TODAY, days=14) is CertStatus.CURRENT


class TestCurrentRecords:
    def test_a_renewal_supersedes_the_older_record(self) -> None:
        lapsed = cert("2022-03-01", "2026-03-01")
        renewed = cert("2026-04-15", "2028-04-15")
        assert current_records([lapsed, renewed]) == [renewed]
        assert current_records([renewed, lapsed]) == [renewed]

    def test_the_key_is_the_course_id_else_the_lower_cased_name(self) -> None:
        by_name_old = cert("2020-01-01", "2022-01-01", course_id=None, course_name="CPR")
        by_name_new = cert("2025-01-01", "2027-01-01", course_id=None, course_name="cpr ")
        same_name = cert("2025-06-01", "2027-06-01", course_id=None, course_name="cpr")
        linked = cert("2019-01-01", "2021-01-01")
        found = current_records([by_name_old, by_name_new, same_name, linked])
        # "cpr " differs from "cpr" (no trimming): two name keys plus the course key
        assert sorted(found, key=lambda r: r.completion_date or date.min) == [
            linked,
            by_name_new,
            same_name,
        ]

    def test_each_member_keeps_their_own_newest(self) -> None:
        alice = cert("2026-01-01", "2028-01-01")
        bob_old = cert("2020-01-01", "2022-01-01", user_id=BOB)
        bob_new = cert("2021-01-01", "2023-01-01", user_id=BOB)
        assert set(current_records([alice, bob_old, bob_new])) == {alice, bob_new}

    def test_only_completed_records_supersede(self) -> None:
        lapsed = cert("2022-03-01", "2026-03-01")
        planned = cert("2026-12-20", None, status="scheduled")
        voided = cert("2026-11-20", "2028-11-20", status="cancelled")
        assert current_records([lapsed, planned, voided]) == [lapsed]

    def test_an_undated_record_is_the_oldest_and_ties_go_to_the_later_expiry(self) -> None:
        undated = cert(None, "2030-01-01")
        dated = cert("2020-01-01", "2021-01-01")
        assert current_records([undated, dated]) == [dated]
        short = cert("2026-01-01", "2027-01-01")
        long = cert("2026-01-01", "2028-01-01")
        assert current_records([long, short]) == [long]


class TestTrainingStats:
    def test_counts_over_completed_records(self) -> None:
        records = [
            cert("2026-02-01", "2030-01-01"),  # active
            cert("2025-05-01", "2027-01-15", course_id=uuid4()),  # expiring soon
            cert("2024-05-01", "2026-06-01", course_id=uuid4()),  # expired
            cert("2023-05-01", None, course_id=uuid4()),  # no expiry: in the total only
            cert("2026-03-01", None, course_id=uuid4(), certification_number=None),  # not a cert
            cert("2026-04-01", "2030-01-01", course_id=uuid4(), status="scheduled"),  # ignored
        ]
        assert training_stats(records, TODAY) == TrainingStats(
            total_hours=10.0,
            hours_this_year=4.0,
            total_certifications=4,
            active_certifications=2,
            expiring_soon=1,
            expired=1,
            completed_courses=5,
        )

    def test_a_renewal_clears_the_expired_certificate(self) -> None:
        records = [cert("2022-03-01", "2026-03-01"), cert("2026-04-15", "2028-04-15")]
        stats = training_stats(records, TODAY)
        assert (stats.total_certifications, stats.active_certifications, stats.expired) == (
            1,
            1,
            0,
        )
        assert (stats.total_hours, stats.completed_courses) == (4.0, 2)  # hours keep both

    def test_expiring_today_is_still_active(self) -> None:
        stats = training_stats([cert("2024-12-06", "2026-12-06")], TODAY)
        assert (stats.active_certifications, stats.expiring_soon, stats.expired) == (1, 1, 0)

    def test_no_records(self) -> None:
        assert training_stats([], TODAY) == TrainingStats(0.0, 0.0, 0, 0, 0, 0, 0)


class TestComplianceColour:
    @pytest.mark.parametrize(
        ("met", "total", "expired", "expiring", "colour"),
        [
            (4, 4, 0, 0, Colour.GREEN),
            (0, 0, 0, 0, Colour.GREEN),  # nothing applies
            (3, 4, 0, 0, Colour.YELLOW),
            (2, 4, 0, 0, Colour.YELLOW),  # exactly half is not under half
            (1, 4, 0, 0, Colour.RED),
            (1, 3, 0, 0, Colour.RED),
            (4, 4, 0, 1, Colour.YELLOW),
            (4, 4, 1, 0, Colour.RED),
            (4, 4, 1, 1, Colour.RED),
            (0, 0, 0, 2, Colour.YELLOW),
        ],
    )
    def test_red_yellow_green(
        self, met: int, total: int, expired: int, expiring: int, colour: Colour
    ) -> None:
        found = compliance_colour(
            met=met, total=total, certs_expired=expired, certs_expiring_soon=expiring
        )
        assert found is colour

    def test_an_exempt_member_is_exempt_whatever_the_counts(self) -> None:
        found = compliance_colour(
            met=0, total=4, certs_expired=3, certs_expiring_soon=0, exempt=True
        )
        assert (found, LABELS[found]) == (Colour.EXEMPT, "Exempt")

    def test_labels(self) -> None:
        assert LABELS == {
            Colour.GREEN: "Compliant",
            Colour.YELLOW: "At Risk",
            Colour.RED: "Non-Compliant",
            Colour.EXEMPT: "Exempt",
        }

    def test_a_renewed_member_shows_green(self) -> None:
        stats = training_stats(
            [cert("2022-03-01", "2026-03-01"), cert("2026-04-15", "2030-04-15")], TODAY
        )
        found = compliance_colour(
            met=1,
            total=1,
            certs_expired=stats.expired,
            certs_expiring_soon=stats.expiring_soon,
        )
        assert found is Colour.GREEN


class TestProgressArithmetic:
    @pytest.mark.parametrize(
        ("completed", "required", "places", "expected"),
        [
            (12.0, 24.0, 2, 50.0),
            (10.0, 3.0, 2, 100.0),  # capped at 100
            (1.0, 3.0, 2, 33.33),
            (2.0, 3.0, 1, 66.7),
            (5.0, 0.0, 2, 0.0),  # no positive target
            (0.0, 24.0, 2, 0.0),
        ],
    )
    def test_percentage(
        self, completed: float, required: float, places: int, expected: float
    ) -> None:
        assert percentage(completed, required, places) == expected

    @pytest.mark.parametrize(
        ("values", "expected"),
        [([], None), ([100.0, 50.0], 75.0), ([100.0, 0.0, 33.33], 44.4)],
    )
    def test_average(self, values: list[float], expected: float | None) -> None:
        assert average(values) == expected

    @pytest.mark.parametrize(
        ("due", "expected"),
        [(date(2026, 12, 31), 25), (date(2026, 12, 6), 0), (date(2026, 12, 1), -5), (None, None)],
    )
    def test_days_until(self, due: date | None, expected: int | None) -> None:
        assert days_until(due, TODAY) == expected


class TestUuidSet:
    def test_strings_and_uuids_with_malformed_entries_dropped(self) -> None:
        known = uuid4()
        assert uuid_set([str(known), known, "not-a-uuid", str(EMT_COURSE)]) == frozenset(
            {known, EMT_COURSE}
        )
        assert uuid_set(None) == frozenset()
