"""The member area: roster, profiles, roles of a member, lifecycle (spec §3.1, §3.2)."""

from litestar import Router

from api.members.controllers import (
    MemberEditingController,
    MemberLifecycleController,
    RosterController,
)
from api.members.errors import ArchivedMemberEmailError, archived_email_response

MEMBERS_ROUTER = Router(
    "/api/v1/users",
    tags=["users"],
    route_handlers=[RosterController, MemberEditingController, MemberLifecycleController],
    exception_handlers={ArchivedMemberEmailError: archived_email_response},
)
