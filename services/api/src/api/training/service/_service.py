"""The one training service of a request, its methods grouped by topic in the modules beside it.

A topic is a base class over `TrainingServiceBase` (`_base.py`); a new topic adds its module and
one base here.
"""

from api.training.service._bulk import BulkTopic
from api.training.service._library import LibraryTopic
from api.training.service._member_reads import MemberReadsTopic
from api.training.service._oversight import OversightTopic
from api.training.service._records import RecordTopic
from api.training.service._requirements import RequirementTopic


class TrainingService(
    LibraryTopic, RecordTopic, BulkTopic, RequirementTopic, MemberReadsTopic, OversightTopic
):
    """The organization's training: the course library, members' records, requirements and
    compliance."""
