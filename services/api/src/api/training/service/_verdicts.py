"""The organization's terms (its time zone and training settings), its basis as the readers
keep it, and the matrix's verdicts: every member's requirements put through the one engine
(spec training.md §5)."""

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple
from uuid import UUID

from api.training.basis import RequirementShown, Standing, Terms, TrainingBasis
from api.training.compliance import Evaluation, Record, Requirement, WaiverPeriod
from api.training.org_settings import include_current_month_default, member_visibility
from api.training.repository import ComplianceRepository, Person, RequirementRepository
from api.training.service._facts import requirement_facts, requirement_shown
from shared.models import Organization, TrainingRequirement
from shared.scheduled.daily import department_zone


def terms_of(organization: Organization | None) -> Terms:
    """The organization's zone (§8.10, UTC when unset) and training settings (§5.3, §4.4)."""
    settings = organization.settings if organization else None
    return Terms(
        zone=department_zone(organization.timezone if organization else None),
        include_current_month=include_current_month_default(settings),
        visibility=member_visibility(settings),
    )


def standing_of(organization: Organization | None) -> Standing:
    """Today in the organization's zone and its training settings."""
    return terms_of(organization).standing()


def requirement_pairs(
    rows: Iterable[TrainingRequirement],
) -> list[tuple[RequirementShown, Requirement]]:
    """Each requirement as shown, with its engine facts."""
    return [(requirement_shown(row), requirement_facts(row)) for row in rows]


def basis_of(
    organization: Organization | None,
    requirements: Iterable[TrainingRequirement],
    periods: Mapping[UUID, Sequence[WaiverPeriod]],
) -> TrainingBasis:
    """The organization's basis from its row, its active requirements and periods."""
    return TrainingBasis(
        terms=terms_of(organization),
        requirements=tuple(requirement_pairs(requirements)),
        periods={user_id: tuple(held) for user_id, held in periods.items()},
    )


class MatrixVerdicts(NamedTuple):
    """The matrix's inputs and verdicts: the active requirements by name, each active,
    non-exempt member's verdicts on those that apply."""

    requirements: list[tuple[RequirementShown, Requirement]]
    members: list[tuple[Person, list[tuple[RequirementShown, Evaluation]]]]


async def matrix_verdicts(
    standing: Standing, requirements: RequirementRepository, compliance: ComplianceRepository
) -> MatrixVerdicts:
    """The active requirements by name, and every active, non-exempt member's verdicts on those
    that apply to them: the matrix and the dashboard's figure, in a constant number of
    statements whatever the organization's size. Members are judged as their records are read,
    so that only one member's records are held as facts at a time."""
    pairs = requirement_pairs(await requirements.active_by_name())
    if not pairs:
        return MatrixVerdicts([], [])
    roster = {person.id: person for person in await compliance.roster()}
    periods = await compliance.periods(None)

    def judged(
        person: Person, records: Sequence[Record]
    ) -> list[tuple[RequirementShown, Evaluation]]:
        return standing.evaluate(pairs, person.facts, records, periods.get(person.id, ()))

    verdicts = {
        user_id: judged(roster[user_id], records)
        async for user_id, records in compliance.records_in_turn(list(roster))
    }
    return MatrixVerdicts(
        pairs,
        [
            (person, verdicts[person.id] if person.id in verdicts else judged(person, ()))
            for person in roster.values()
        ],
    )
