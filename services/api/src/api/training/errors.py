"""Failures of the training routes (spec training.md §1, §4): 404, 400, 403 and 409."""

from shared.errors import AppError


class TrainingNotFoundError(AppError):
    """Base of the 404s: unknown ids and another organization's ids alike."""

    status_code = 404
    code = "LB-API-404"
    detail = "Not found"


class CategoryNotFoundError(TrainingNotFoundError):
    """No such training category in the caller's organization."""

    detail = "Training category not found"


class CourseNotFoundError(TrainingNotFoundError):
    """No such course in the caller's organization."""

    detail = "Training course not found"


class RecordNotFoundError(TrainingNotFoundError):
    """No such training record in the caller's organization."""

    detail = "Training record not found"


class RequirementNotFoundError(TrainingNotFoundError):
    """No such training requirement in the caller's organization."""

    detail = "Training requirement not found"


class MemberNotFoundError(TrainingNotFoundError):
    """The member named is not one of the organization's."""

    detail = "Member not found"


class TrainingRuleError(AppError):
    """A rule of §4 refused the request; `detail` says which."""

    status_code = 400
    code = "LB-API-400"
    detail = "The request does not fit the training rules"


class InvalidReferenceError(TrainingRuleError):
    """An id in the body is not one of the organization's (§4.1 [fix], §4.3)."""

    detail = "Invalid reference"


class RecordVoidedError(TrainingRuleError):
    """The record is already voided (`cancelled`): a void is refused twice (§8.5)."""

    detail = "Training record is already voided"


class NotSelfOrOfficerError(AppError):
    """A per-member read of someone else by a caller without `training.manage` (§1)."""

    status_code = 403
    code = "LB-PERM-001"
    detail = "Not authorized to view this member's training"


class TrainingInUseError(AppError):
    """Other rows still refer to the row being deleted (§4.3 DELETE [fix])."""

    status_code = 409
    code = "LB-API-409"
    detail = "Other records still refer to this row"


class LeaveNotFoundError(TrainingNotFoundError):
    """No such leave of absence in the caller's organization."""

    detail = "Leave of absence not found"


class WaiverNotFoundError(TrainingNotFoundError):
    """No such training waiver in the caller's organization."""

    detail = "Waiver not found"


class SessionNotFoundError(TrainingNotFoundError):
    """No such training session in the caller's organization."""

    detail = "Training session not found"


class PeriodDatesError(TrainingRuleError):
    """A leave or waiver ending before it starts (addendum §1.2, §2)."""

    detail = "End date must be after start date"
