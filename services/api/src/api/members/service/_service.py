"""The one member service of a request, its methods grouped by topic in the modules beside it."""

from api.members.service._creating import MemberCreation
from api.members.service._editing import MemberEditing
from api.members.service._lifecycle import MemberLifecycle
from api.members.service._reading import MemberReading


class MemberService(MemberReading, MemberCreation, MemberEditing, MemberLifecycle):
    """Members of the caller's organization: reads, creation, edits and the lifecycle."""
