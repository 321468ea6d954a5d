"""The organization's standing (its today and compliance setting) and the matrix's verdicts:
every member's requirements put through the one engine (spec training.md §5)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from api.training.compliance import (
    Evaluation,
    Member,
    Record,
    Requirement,
    WaiverPeriod,
    applies,
    evaluate,
)
from api.training.org_settings import include_current_month_default
from api.training.repository import ComplianceRepository, Person, RequirementRepository
from api.training.service._facts import requirement_facts
from shared.models import Organization, TrainingRequirement
from shared.scheduled.daily import department_zone


@dataclass(frozen=True)
class Standing:
    """The organization's local date and compliance setting, read once per request."""

    today: date
    include_current_month: bool
    settings: dict[str, Any] = field(default_factory=dict)

    def evaluate(
        self,
        requirements: Iterable[tuple[TrainingRequirement, Requirement]],
        member: Member,
        records: Sequence[Record],
        periods: Sequence[WaiverPeriod],
    ) -> list[tuple[TrainingRequirement, Evaluation]]:
        """The member's verdict on every requirement that applies to them (§5.1), in order."""
        return [
            (
                row,
                evaluate(
                    facts,
                    records,
                    self.today,
                    periods,
                    include_current_month_default=self.include_current_month,
                ),
            )
            for row, facts in requirements
            if applies(facts, member)
        ]


def standing_of(organization: Organization | None) -> Standing:
    """Today in the organization's zone (§8.10) and its compliance settings (§5.3)."""
    zone = department_zone(organization.timezone if organization else None)
    settings = dict(organization.settings or {}) if organization else {}
    return Standing(
        today=datetime.now(zone).date(),
        include_current_month=include_current_month_default(settings),
        settings=settings,
    )


def requirement_pairs(
    rows: Iterable[TrainingRequirement],
) -> list[tuple[TrainingRequirement, Requirement]]:
    """Each requirement row with its engine facts."""
    return [(row, requirement_facts(row)) for row in rows]


class MatrixVerdicts(NamedTuple):
    """The matrix's inputs and verdicts: the active requirements by name, each active,
    non-exempt member's verdicts on those that apply."""

    requirements: list[tuple[TrainingRequirement, Requirement]]
    members: list[tuple[Person, list[tuple[TrainingRequirement, Evaluation]]]]


async def matrix_verdicts(
    standing: Standing, requirements: RequirementRepository, compliance: ComplianceRepository
) -> MatrixVerdicts:
    """The active requirements by name, and every active, non-exempt member's verdicts on those
    that apply to them: the matrix and the dashboard's figure, in four statements whatever the
    organization's size."""
    pairs = requirement_pairs(await requirements.active_by_name())
    if not pairs:
        return MatrixVerdicts([], [])
    roster = await compliance.roster()
    records = await compliance.records_by_member(None)
    periods = await compliance.periods(None)
    return MatrixVerdicts(
        pairs,
        [
            (
                person,
                standing.evaluate(
                    pairs, person.facts, records.get(person.id, []), periods.get(person.id, [])
                ),
            )
            for person in roster
        ],
    )
