"""The training service: rules, audit entries and events of one request."""

from api.training.service._bridge import SessionBridge
from api.training.service._service import TrainingService

__all__ = ["SessionBridge", "TrainingService"]
