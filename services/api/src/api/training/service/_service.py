"""The one training service of a request, its methods grouped by topic in the modules beside it.

A topic is a base class over `TrainingServiceBase` (`_base.py`); a new topic adds its module and
one base here.
"""

from api.training.service._bulk import BulkTopic
from api.training.service._leaves import LeaveTopic
from api.training.service._library import LibraryTopic
from api.training.service._member_reads import MemberReadsTopic
from api.training.service._oversight import OversightTopic
from api.training.service._records import RecordTopic
from api.training.service._requirements import RequirementTopic
from api.training.service._sessions import SessionTopic
from api.training.service._waivers import WaiverTopic


class TrainingService(
    LibraryTopic,
    RecordTopic,
    BulkTopic,
    RequirementTopic,
    MemberReadsTopic,
    OversightTopic,
    LeaveTopic,
    WaiverTopic,
    SessionTopic,
):
    """The organization's training: the course library, members' records, requirements,
    compliance, leaves and waivers, and training sessions."""
