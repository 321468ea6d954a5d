"""The member service: rules, audit entries and events of one request; and the auto-archive,
which runs on inventory's events rather than a request."""

from api.members.service._archiving import PropertyReturnArchive
from api.members.service._service import MemberService

__all__ = ["MemberService", "PropertyReturnArchive"]
