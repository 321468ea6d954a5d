"""The events service: rules, audit entries and events of one request."""

from api.events.service._checkin import SelfCheckIn
from api.events.service._service import EventsService

__all__ = ["EventsService", "SelfCheckIn"]
