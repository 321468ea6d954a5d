"""Reading members: roster, admin list, profile, archived list, history, deletion impact."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter

from api.members.deps import MEMBER_DEPENDENCIES
from api.members.permissions import (
    MANAGE_MEMBERS,
    SELF_OR_VIEWER,
    VIEW_DIRECTORY,
    VIEW_ROSTER,
    signed_in,
)
from api.members.schemas import (
    ArchivedMembersRead,
    AuditHistoryEntry,
    ContactVisibility,
    DeletionImpactRead,
    MemberListItem,
    MemberProfile,
    MemberWithRoles,
)
from api.members.service import MemberService
from shared.types import Page, row_limit

# The roster comes encoded from its cache; this documents what the bytes hold.
ROSTER_RESPONSE = ResponseSpec(data_container=list[MemberListItem], description="The roster")
PageSize = Annotated[int, row_limit(100)]
EventType = Annotated[str | None, QueryParameter(max_length=100)]


class RosterController(Controller):
    """Who is in the department; static paths are declared before `{user_id}` ones."""

    path = "/"
    dependencies = MEMBER_DEPENDENCIES

    @get("/", guards=[VIEW_ROSTER], responses={200: ROSTER_RESPONSE})
    async def list_members(self, members: NamedDependency[MemberService]) -> Response[bytes]:
        """Every member of any status (not deleted), contact details as the setting allows."""
        return Response(await members.roster_json(), media_type=MediaType.JSON)

    @get("/contact-info-enabled", guards=[signed_in])
    async def contact_info_enabled(
        self, members: NamedDependency[MemberService]
    ) -> ContactVisibility:
        """What the roster shows of contact details."""
        return await members.contact_visibility()

    @get("/with-roles", guards=[VIEW_DIRECTORY])
    async def list_members_with_roles(
        self, members: NamedDependency[MemberService]
    ) -> list[MemberWithRoles]:
        """Every member with roles and personal data, redacted for the caller."""
        return await members.directory()

    @get("/archived", guards=[MANAGE_MEMBERS])
    async def list_archived(self, members: NamedDependency[MemberService]) -> ArchivedMembersRead:
        """Archived members, newest archive first."""
        return await members.archived()

    @get("/{user_id:str}/with-roles", guards=[SELF_OR_VIEWER])
    async def get_member(
        self, user_id: FromPath[UUID], members: NamedDependency[MemberService]
    ) -> MemberProfile:
        """One member's profile, redacted for the caller; every call is audited."""
        return await members.profile(user_id)

    @get("/{user_id:str}/audit-history", guards=[MANAGE_MEMBERS])
    async def audit_history(
        self,
        user_id: FromPath[UUID],
        members: NamedDependency[MemberService],
        page: Page = 1,
        page_size: PageSize = 50,
        event_type: EventType = None,
    ) -> list[AuditHistoryEntry]:
        """Audit entries about the member, newest first."""
        return await members.history(user_id, page=page, page_size=page_size, event_type=event_type)

    @get("/{user_id:str}/deletion-impact", guards=[MANAGE_MEMBERS])
    async def deletion_impact(
        self, user_id: FromPath[UUID], members: NamedDependency[MemberService]
    ) -> DeletionImpactRead:
        """What deleting the member would touch."""
        return await members.deletion_impact(user_id)
