"""Member services: rules, audit entries and events; one set per request."""

from api.members.service._context import MemberContext
from api.members.service._creating import MemberCreator
from api.members.service._editing import MemberEditor
from api.members.service._lifecycle import MemberLifecycle
from api.members.service._photos import MemberPhotos
from api.members.service._reading import MemberReader

__all__ = [
    "MemberContext",
    "MemberCreator",
    "MemberEditor",
    "MemberLifecycle",
    "MemberPhotos",
    "MemberReader",
]
