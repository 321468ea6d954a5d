"""The training service: rules, audit entries and events of one request."""

from api.training.service._bridge import SessionBridge
from api.training.service._service import TrainingService
from api.training.service._verdicts import MatrixVerdicts, matrix_verdicts, standing_of

__all__ = [
    "MatrixVerdicts",
    "SessionBridge",
    "TrainingService",
    "matrix_verdicts",
    "standing_of",
]
