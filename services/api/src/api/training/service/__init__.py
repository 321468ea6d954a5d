"""The training service: rules, audit entries and events of one request."""

from api.training.service._bridge import SessionBridge
from api.training.service._service import TrainingService
from api.training.service._verdicts import (
    MatrixVerdicts,
    basis_of,
    matrix_verdicts,
    standing_of,
)

__all__ = [
    "MatrixVerdicts",
    "SessionBridge",
    "TrainingService",
    "basis_of",
    "matrix_verdicts",
    "standing_of",
]
