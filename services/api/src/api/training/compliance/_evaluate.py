"""One member against one requirement: applicability and the rules per type (spec §5.1, §5.4).

Every endpoint that reports compliance (summary, progress, matrix, my-training, dashboard) calls
`evaluate`; nothing else decides whether a requirement is met.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from api.training.compliance._facts import (
    COMPLETED,
    DEFAULT_MEMBERSHIP_TYPE,
    IN_PROGRESS,
    ROLLING,
    CellStatus,
    Frequency,
    Member,
    Record,
    Requirement,
    RequirementType,
    WaiverPeriod,
)
from api.training.compliance._proration import Proration, prorate
from api.training.compliance._windows import Window, as_of, include_current_month, window

PRORATED_TYPES = frozenset({RequirementType.HOURS, RequirementType.SHIFTS, RequirementType.CALLS})


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The verdict on one requirement for one member as of `as_of`.

    `completed_value`/`required_value` are the generic actual/target of the progress rows: hours,
    shift or call counts, linked courses done/linked, else 1/0 against 1. `original_required_value`
    is the target before waivers. `latest_completion`/`latest_expiry` come from the newest
    counted record that matches (for a certification, the one that decides).
    """

    status: CellStatus
    latest_completion: date | None
    latest_expiry: date | None
    completed_value: float
    required_value: float
    original_required_value: float
    waived_months: int
    active_months: int
    as_of: date
    window: Window | None
    due_date: date | None

    @property
    def is_met(self) -> bool:
        """True when the requirement is completed."""
        return self.status == CellStatus.COMPLETED


@dataclass(frozen=True, slots=True)
class _Verdict:
    status: CellStatus
    completed: float
    required: float
    decisive: Record | None  # the record whose dates the evaluation reports


def applies(requirement: Requirement, member: Member) -> bool:
    """Active, the member's membership type listed (or none listed), and everyone or a role held.

    Exemption is not applicability: callers skip `compliance_exempt` members themselves (§5.1).
    """
    if not requirement.active:
        return False
    membership = member.membership_type or DEFAULT_MEMBERSHIP_TYPE
    if requirement.required_membership_types and (
        membership not in requirement.required_membership_types
    ):
        return False
    return requirement.applies_to_all or bool(requirement.required_roles & member.role_ids)


def evaluate(
    requirement: Requirement,
    records: Sequence[Record],
    today: date,
    periods: Iterable[WaiverPeriod] = (),
    *,
    include_current_month_default: bool = True,
) -> Evaluation:
    """Evaluate one member's records (any status, any order) against one requirement.

    `today` is the organization's local date; `include_current_month_default` is the org's
    compliance setting, which the requirement's own switch overrides (§5.3). `periods` are the
    member's active waivers and leaves; the ones that do not apply are skipped here.
    """
    day = as_of(today, include_current_month(requirement, include_current_month_default))
    span = window(requirement, day)
    base = _target(requirement)
    proration = _prorated(requirement, span, base, periods)
    verdict = _verdict(
        requirement, _counted(records, requirement, span, day), records, proration.target, day
    )
    decisive = verdict.decisive
    expiry = decisive.expiration_date if decisive else None
    return Evaluation(
        status=verdict.status,
        latest_completion=decisive.completion_date if decisive else None,
        latest_expiry=expiry,
        completed_value=verdict.completed,
        required_value=verdict.required,
        original_required_value=base
        if requirement.requirement_type in PRORATED_TYPES
        else verdict.required,
        waived_months=proration.waived_months,
        active_months=proration.active_months,
        as_of=day,
        window=span,
        due_date=_due_date(requirement, span, expiry),
    )


def _prorated(
    requirement: Requirement, span: Window | None, base: float, periods: Iterable[WaiverPeriod]
) -> Proration:
    """Waivers lower only hours, shift and call targets above 0 over a bounded window (§2.2 #4)."""
    if span is None or base <= 0 or requirement.requirement_type not in PRORATED_TYPES:
        return Proration(base)
    rolling = requirement.due_date_type == ROLLING and requirement.rolling_period_months
    return prorate(
        base,
        window=span,
        rolling_months=requirement.rolling_period_months if rolling else None,
        periods=periods,
        requirement_id=requirement.id,
    )


def _counted(
    records: Sequence[Record], requirement: Requirement, span: Window | None, day: date
) -> list[Record]:
    """Completed, dated inside the window (any date when unwindowed), and recent enough.

    One pass with the bounds worked out first: the matrix calls this for every member and
    requirement.
    """
    lowest = span.start if span else None
    if requirement.recency_days:
        earliest = day - timedelta(days=requirement.recency_days)
        lowest = max(lowest, earliest) if lowest else earliest
    if lowest is None:
        return [record for record in records if record.status == COMPLETED]
    highest = span.end if span else date.max
    return [
        record
        for record in records
        if record.status == COMPLETED
        and record.completion_date is not None
        and lowest <= record.completion_date <= highest
    ]


def _target(requirement: Requirement) -> float:
    kind = requirement.requirement_type
    if kind == RequirementType.HOURS:
        return float(requirement.required_hours or 0)
    if kind == RequirementType.SHIFTS:
        return float(requirement.required_shifts or 0)
    if kind == RequirementType.CALLS:
        return float(requirement.required_calls or 0)
    if kind == RequirementType.COURSES:
        return float(len(requirement.required_courses))
    return 1.0


def _verdict(
    requirement: Requirement,
    counted: list[Record],
    records: Sequence[Record],
    target: float,
    day: date,
) -> _Verdict:
    kind = requirement.requirement_type
    if kind == RequirementType.HOURS:
        return _hours(requirement, counted, target, day)
    if kind in {RequirementType.SHIFTS, RequirementType.CALLS}:
        matching = [r for r in counted if _type_matches(requirement, r)]
        return _tally(float(len(matching)), target, _newest(matching))
    if kind == RequirementType.COURSES:
        return _courses(requirement, counted)
    if kind == RequirementType.CERTIFICATION:
        return _certification(requirement, counted, day)
    return _other(requirement, counted, records, day)


def _hours(requirement: Requirement, counted: list[Record], target: float, day: date) -> _Verdict:
    """Σ hours of type/category/course-filtered records; biannual: the newest must be unexpired."""
    matching = [
        record
        for record in counted
        if _type_matches(requirement, record)
        and (not requirement.category_ids or record.category_id in requirement.category_ids)
        and (not requirement.required_courses or record.course_id in requirement.required_courses)
    ]
    hours = round(float(sum(record.hours_completed for record in matching)), 2)
    newest = _newest(matching)
    if requirement.frequency == Frequency.BIANNUAL and newest and _expired(newest, day):
        return _Verdict(CellStatus.EXPIRED, hours, target, newest)
    return _tally(hours, target, newest)


def _tally(value: float, target: float, newest: Record | None) -> _Verdict:
    """Met at or above a positive target; a target of 0 or null is never met (§5.4)."""
    if target > 0 and value >= target:
        status = CellStatus.COMPLETED
    elif value > 0:
        status = CellStatus.IN_PROGRESS
    else:
        status = CellStatus.NOT_STARTED
    return _Verdict(status, value, target, newest)


def _courses(requirement: Requirement, counted: list[Record]) -> _Verdict:
    """Every linked course needs a counted record; no linked course is never complete."""
    linked = requirement.required_courses
    matching = [record for record in counted if record.course_id in linked]
    done = len({record.course_id for record in matching})
    return _tally(float(done), float(len(linked)), _newest(matching))


def _certification(requirement: Requirement, counted: list[Record], day: date) -> _Verdict:
    """The newest matching record decides: expired before the as-of date, else completed."""
    newest = _newest([record for record in counted if _certifies(requirement, record)])
    if newest is None:
        return _Verdict(CellStatus.NOT_STARTED, 0.0, 1.0, None)
    if _expired(newest, day):
        return _Verdict(CellStatus.EXPIRED, 0.0, 1.0, newest)
    return _Verdict(CellStatus.COMPLETED, 1.0, 1.0, newest)


def _other(
    requirement: Requirement, counted: list[Record], records: Sequence[Record], day: date
) -> _Verdict:
    """Skills, checklists, tests: an unexpired matching record; an in-progress one shows so."""
    valid = [r for r in counted if _names_match(requirement, r) and not _expired(r, day)]
    if valid:
        return _Verdict(CellStatus.COMPLETED, 1.0, 1.0, _newest(valid))
    if any(r.status == IN_PROGRESS and _names_match(requirement, r) for r in records):
        return _Verdict(CellStatus.IN_PROGRESS, 0.0, 1.0, None)
    return _Verdict(CellStatus.NOT_STARTED, 0.0, 1.0, None)


def _type_matches(requirement: Requirement, record: Record) -> bool:
    return not requirement.training_type or record.training_type == requirement.training_type


def _names_match(requirement: Requirement, record: Record) -> bool:
    """The requirement's training type when it has one, else its name inside the course name."""
    if requirement.training_type:
        return record.training_type == requirement.training_type
    return _contains(record.course_name, requirement.name)


def _certifies(requirement: Requirement, record: Record) -> bool:
    """Linked course, same training type, name inside the course name, or registry code inside
    the certification number (case-insensitive), any one of them (§5.4)."""
    if record.course_id is not None and record.course_id in requirement.required_courses:
        return True
    if requirement.training_type and record.training_type == requirement.training_type:
        return True
    if _contains(record.course_name, requirement.name):
        return True
    code = requirement.registry_code
    return bool(code) and _contains(record.certification_number or "", code or "")


def _contains(text: str, part: str) -> bool:
    return bool(part) and part.casefold() in text.casefold()


def _expired(record: Record, day: date) -> bool:
    """Valid through the expiration date: expired only once it is before `day` (§6)."""
    return record.expiration_date is not None and record.expiration_date < day


def _newest(records: Sequence[Record]) -> Record | None:
    """The latest completion (undated ones oldest), the later expiration breaking a tie."""
    return max(records, key=newest_first_key, default=None)


def newest_first_key(record: Record) -> tuple[date, date]:
    """Sort key putting the newest record last: completion date, then expiration date."""
    return (record.completion_date or date.min, record.expiration_date or date.min)


def _due_date(requirement: Requirement, span: Window | None, expiry: date | None) -> date | None:
    """Biannual: the newest matching expiration; else the requirement's date, else the window's
    end (my-training's rule, §4.4)."""
    if requirement.frequency == Frequency.BIANNUAL:
        return expiry or requirement.due_date
    if requirement.due_date:
        return requirement.due_date
    return span.end if span else None
