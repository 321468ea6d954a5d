"""All SQL of the events area, by topic in the modules beside this one."""

from api.events.repository._events import EventCounts, EventRepository
from api.events.repository._references import ReferenceRepository
from api.events.repository._reports import AttendanceFigures, CheckIn, ReportRepository
from api.events.repository._roster import Person, RosterRepository
from api.events.repository._rsvp import RSVPRepository

__all__ = [
    "AttendanceFigures",
    "CheckIn",
    "EventCounts",
    "EventRepository",
    "Person",
    "RSVPRepository",
    "ReferenceRepository",
    "ReportRepository",
    "RosterRepository",
]
