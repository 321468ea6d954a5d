"""The one training compliance engine (spec training.md §5, §6; addendum §2.2).

Pure: no database, no web framework. Callers map rows to the facts (`Requirement`, `Member`,
`Record`, `WaiverPeriod`) and every endpoint that reports status, progress, the matrix, the
summary colour or My Training asks `evaluate` and the helpers here, never a rule of its own.
"""

from api.training.compliance._certifications import (
    EXPIRING_SOON_DAYS,
    CertStatus,
    TrainingStats,
    cert_status,
    certification_key,
    current_records,
    training_stats,
)
from api.training.compliance._evaluate import Evaluation, applies, evaluate, newest_first_key
from api.training.compliance._facts import (
    CellStatus,
    Frequency,
    Member,
    Record,
    Requirement,
    RequirementType,
    WaiverPeriod,
    uuid_set,
)
from api.training.compliance._proration import Proration, prorate, waived_months
from api.training.compliance._summary import (
    LABELS,
    Colour,
    average,
    compliance_colour,
    days_until,
    percentage,
)
from api.training.compliance._windows import (
    Window,
    add_months,
    as_of,
    include_current_month,
    window,
)

__all__ = [
    "EXPIRING_SOON_DAYS",
    "LABELS",
    "CellStatus",
    "CertStatus",
    "Colour",
    "Evaluation",
    "Frequency",
    "Member",
    "Proration",
    "Record",
    "Requirement",
    "RequirementType",
    "TrainingStats",
    "WaiverPeriod",
    "Window",
    "add_months",
    "applies",
    "as_of",
    "average",
    "cert_status",
    "certification_key",
    "compliance_colour",
    "current_records",
    "days_until",
    "evaluate",
    "include_current_month",
    "newest_first_key",
    "percentage",
    "prorate",
    "training_stats",
    "uuid_set",
    "waived_months",
    "window",
]
