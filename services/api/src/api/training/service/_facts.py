"""A requirement row as the compliance engine's facts and as the readers show it: the one
mapping every reader uses."""

from api.training.basis import RequirementShown
from api.training.compliance import Requirement, uuid_set
from shared.models import TrainingRequirement


def requirement_facts(row: TrainingRequirement) -> Requirement:
    """What the engine reads of the requirement (spec training.md §5)."""
    return Requirement(
        id=row.id,
        name=row.name,
        requirement_type=row.requirement_type,
        frequency=row.frequency,
        active=row.active,
        training_type=row.training_type,
        required_hours=row.required_hours,
        required_courses=uuid_set(row.required_courses),
        required_shifts=row.required_shifts,
        required_calls=row.required_calls,
        registry_code=row.registry_code,
        year=row.year,
        applies_to_all=row.applies_to_all,
        required_roles=uuid_set(row.required_roles),
        required_membership_types=frozenset(row.required_membership_types or ()),
        due_date=row.due_date,
        due_date_type=row.due_date_type,
        rolling_period_months=row.rolling_period_months,
        period_start_month=row.period_start_month,
        period_start_day=row.period_start_day,
        period_end_month=row.period_end_month,
        period_end_day=row.period_end_day,
        include_current_month=row.include_current_month,
        recency_days=row.recency_days,
        category_ids=uuid_set(row.category_ids),
    )


def requirement_shown(row: TrainingRequirement) -> RequirementShown:
    """What the readers show of the requirement beside its verdict."""
    return RequirementShown(
        id=row.id,
        name=row.name,
        description=row.description,
        requirement_type=row.requirement_type,
        frequency=row.frequency,
        training_type=row.training_type,
    )
