"""A member's own figures (spec training.md §4.4 #19-#21, #24): stats, the compliance card,
progress per requirement and My Training, every verdict from the one engine."""

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from api.training.compliance import (
    LABELS,
    CellStatus,
    CertStatus,
    Colour,
    Record,
    average,
    cert_status,
    compliance_colour,
    current_records,
    days_until,
    percentage,
    training_stats,
)
from api.training.errors import MemberNotFoundError
from api.training.schemas import (
    ComplianceSummary,
    HoursSummary,
    MyCertification,
    MyRecord,
    MyTrainingSummary,
    RequirementDetail,
    RequirementProgress,
    RequirementsSummary,
    UserTrainingStats,
)
from api.training.service._facts import requirement_facts
from api.training.service._standing import StandingBase
from shared.models import RequirementType

# My Training's history shows the latest this many records (§4.4).
HISTORY_LIMIT = 100


class MemberReadsTopic(StandingBase):
    """What one member's training pages and profile card read."""

    async def user_stats(self, user_id: UUID) -> UserTrainingStats:
        """Hours and certification counts over the member's completed records, renewals
        superseding older ones (§6 [fix]); zeros for an id with no records (no 404)."""
        self._self_or_officer(user_id)
        standing = await self._standing()
        stats = training_stats(await self.compliance.records_of(user_id), standing.today)
        return UserTrainingStats(
            user_id=user_id,
            total_hours=stats.total_hours,
            hours_this_year=stats.hours_this_year,
            total_certifications=stats.total_certifications,
            active_certifications=stats.active_certifications,
            expiring_soon=stats.expiring_soon,
            expired=stats.expired,
            completed_courses=stats.completed_courses,
        )

    async def compliance_summary(self, user_id: UUID) -> ComplianceSummary:
        """The member's colour: every applicable active requirement through the engine and the
        superseded certification counts (404 when not a member of the organization)."""
        self._self_or_officer(user_id)
        person = await self.compliance.person(user_id)
        if person is None:
            raise MemberNotFoundError
        if person.compliance_exempt:
            return ComplianceSummary(
                user_id, 0, 0, 0, 0, Colour.EXEMPT, LABELS[Colour.EXEMPT], 0.0, 0, True
            )
        basis = await self._basis()
        standing = basis.terms.standing()
        records = await self.compliance.records_of(user_id)
        verdicts = standing.evaluate(
            basis.requirements, person.facts, records, basis.periods.get(user_id, ())
        )
        met = sum(evaluation.is_met for _, evaluation in verdicts)
        stats = training_stats(records, standing.today)
        colour = compliance_colour(
            met=met,
            total=len(verdicts),
            certs_expired=stats.expired,
            certs_expiring_soon=stats.expiring_soon,
        )
        return ComplianceSummary(
            user_id=user_id,
            requirements_met=met,
            requirements_total=len(verdicts),
            certs_expiring_soon=stats.expiring_soon,
            certs_expired=stats.expired,
            compliance_status=colour,
            compliance_label=LABELS[colour],
            hours_this_year=stats.hours_this_year,
            active_certifications=stats.active_certifications,
            is_exempt=False,
        )

    async def requirement_progress(
        self, user_id: UUID, year: int | None
    ) -> list[RequirementProgress]:
        """Target and actual per applicable requirement, by due date; `year` keeps that year's
        and the undated ones (§8.7). An unknown member has none."""
        self._self_or_officer(user_id)
        person = await self.compliance.person(user_id)
        if person is None:
            return []
        basis = await self._basis()
        standing = basis.terms.standing()
        rows = await self.requirements.listed(active_only=True)
        chosen = [
            (row, requirement_facts(row))
            for row in rows
            if year is None or row.year is None or row.year == year
        ]
        periods = basis.periods.get(user_id, ())
        records = await self.compliance.records_of(user_id)
        return [
            RequirementProgress(
                requirement_id=row.id,
                requirement_name=row.name,
                required_hours=evaluation.required_value,
                completed_hours=evaluation.completed_value,
                percentage_complete=percentage(
                    evaluation.completed_value, evaluation.required_value
                ),
                is_complete=evaluation.is_met,
                due_date=evaluation.due_date,
                due_date_type=row.due_date_type,
                days_until_due=days_until(evaluation.due_date, standing.today),
            )
            for row, evaluation in standing.evaluate(chosen, person.facts, records, periods)
        ]

    async def my_training(self) -> MyTrainingSummary:
        """The caller's My Training page: the blocks their organization shows members (all of
        them for officers and `training.view_all` holders)."""
        user_id = self.principal.user_id
        basis = await self._basis()
        standing = basis.terms.standing()
        visibility = standing.visibility
        person = await self.compliance.person(user_id)
        records, history = await self.compliance.member_records(user_id, HISTORY_LIMIT)
        verdicts = (
            standing.evaluate(
                basis.requirements, person.facts, records, basis.periods.get(user_id, ())
            )
            if person is not None
            else []
        )
        details = [
            RequirementDetail(
                id=row.id,
                name=row.name,
                description=row.description,
                requirement_type=row.requirement_type,
                frequency=row.frequency,
                training_type=row.training_type,
                required_hours=evaluation.required_value,
                original_required_hours=evaluation.original_required_value,
                completed_hours=evaluation.completed_value,
                progress_percentage=percentage(
                    evaluation.completed_value, evaluation.required_value, 1
                ),
                is_met=evaluation.is_met,
                due_date=evaluation.due_date,
                days_until_due=days_until(evaluation.due_date, standing.today),
                waived_months=evaluation.waived_months,
                active_months=evaluation.active_months,
                cert_expired=evaluation.status == CellStatus.EXPIRED,
                # An expired required certification keeps the member off the activities it
                # covers; nothing else blocks.
                blocks_activity=evaluation.status == CellStatus.EXPIRED
                and row.requirement_type == RequirementType.CERTIFICATION,
            )
            for row, evaluation in verdicts
        ]
        completed = [record for record in records if record.completed]
        this_month = [
            record
            for record in completed
            if record.completion_date
            and (record.completion_date.year, record.completion_date.month)
            == (standing.today.year, standing.today.month)
        ]
        summary = MyTrainingSummary(
            visibility=visibility,
            hours_summary=HoursSummary(
                total_records=len(records),
                total_hours=round(sum(record.hours_completed for record in completed), 2),
                hours_this_month=round(sum(record.hours_completed for record in this_month), 2),
                completed_courses=len(completed),
            ),
            requirements_summary=RequirementsSummary(
                total_requirements=len(details),
                met_requirements=sum(detail.is_met for detail in details),
                avg_compliance=average(detail.progress_percentage for detail in details),
            ),
            requirements_detail=details,
        )
        if visibility.show_training_history or self.sees_everything:
            summary.training_records = [MyRecord(*row) for row in history]
        if visibility.show_certification_status or self.sees_everything:
            summary.certifications = certifications(records, standing.today)
        return summary


def certifications(records: Iterable[Record], today: date) -> list[MyCertification]:
    """The member's certificates with an expiration date, soonest first; a renewal hides the
    record it replaced (§6 [fix])."""
    dated = sorted(
        (record.expiration_date, record.course_name, record.id, record)
        for record in current_records(records)
        if record.expiration_date is not None and record.id is not None
    )
    return [
        MyCertification(
            id=record_id,
            course_name=name,
            certification_number=record.certification_number,
            expiration_date=expires,
            is_expired=cert_status(expires, today) == CertStatus.EXPIRED,
            days_until_expiry=(expires - today).days,
        )
        for expires, name, record_id, record in dated
    ]
