"""The one events service of a request, its methods grouped by topic in the modules beside it.

A topic is a base class over `EventsServiceBase` (`_base.py`); a new topic adds its module and
one base here.
"""

from api.events.service._calendar import CalendarTopic
from api.events.service._series import SeriesTopic


class EventsService(CalendarTopic, SeriesTopic):
    """The organization's events: the calendar and recurring series."""
