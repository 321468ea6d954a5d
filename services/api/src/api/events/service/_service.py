"""The one events service of a request, its methods grouped by topic in the modules beside it.

A topic is a base class over `EventsServiceBase` (`_base.py`); a new topic adds its module and
one base here.
"""

from api.events.service._attendance import AttendanceTopic
from api.events.service._calendar import CalendarTopic
from api.events.service._checkin import SelfCheckInTopic
from api.events.service._closing import ClosingTopic
from api.events.service._reports import ReportTopic
from api.events.service._rsvp import RSVPTopic
from api.events.service._series import SeriesTopic


class EventsService(
    CalendarTopic,
    SeriesTopic,
    RSVPTopic,
    AttendanceTopic,
    SelfCheckInTopic,
    ClosingTopic,
    ReportTopic,
):
    """The organization's events: the calendar, recurring series, RSVPs and attendance."""
