"""All SQL of the events area, by topic in the modules beside this one."""

from api.events.repository._events import EventCounts, EventRepository
from api.events.repository._references import ReferenceRepository

__all__ = ["EventCounts", "EventRepository", "ReferenceRepository"]
