"""The member lifecycle: status, reactivation, tier, exemption, deletion."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.members.deps import MEMBER_DEPENDENCIES
from api.members.permissions import MANAGE_MEMBERS
from api.members.schemas import (
    ComplianceExemptionChange,
    ComplianceExemptionRead,
    MembershipTypeChange,
    MembershipTypeRead,
    Reactivation,
    ReactivationRead,
    StatusChange,
    StatusChangeRead,
)
from api.members.service import MemberService
from shared.errors import documented_error


class MemberLifecycleController(Controller):
    """Transitions of a member's standing in the department (all need members.manage)."""

    path = "/"
    dependencies = MEMBER_DEPENDENCIES

    @patch("/{user_id:str}/status", guards=[MANAGE_MEMBERS])
    async def change_status(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[StatusChange],
        members: NamedDependency[MemberService],
    ) -> StatusChangeRead:
        """Change the member's status; any status but active locks them out at once."""
        return await members.change_status(user_id, data)

    @post("/{user_id:str}/reactivate", guards=[MANAGE_MEMBERS], status_code=200)
    async def reactivate(
        self,
        user_id: FromPath[UUID],
        members: NamedDependency[MemberService],
        data: JSONBody[Reactivation | None] = None,
    ) -> ReactivationRead:
        """Bring an archived member back as active."""
        return await members.reactivate(user_id, data or Reactivation())

    @patch("/{user_id:str}/membership-type", guards=[MANAGE_MEMBERS])
    async def change_membership_type(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[MembershipTypeChange],
        members: NamedDependency[MemberService],
    ) -> MembershipTypeRead:
        """Move the member to another membership tier."""
        return await members.change_membership_type(user_id, data)

    @patch("/{user_id:str}/compliance-exempt", guards=[MANAGE_MEMBERS])
    async def change_compliance_exemption(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[ComplianceExemptionChange],
        members: NamedDependency[MemberService],
    ) -> ComplianceExemptionRead:
        """Exempt the member from compliance targets, or end the exemption."""
        return await members.change_compliance_exemption(user_id, data)

    @delete(
        "/{user_id:str}",
        guards=[MANAGE_MEMBERS],
        status_code=204,
        responses={
            409: documented_error(
                "Hard delete blocked: the member holds department property, or owns records "
                "that must keep an owner"
            )
        },
    )
    async def delete_member(
        self,
        user_id: FromPath[UUID],
        members: NamedDependency[MemberService],
        hard: Annotated[bool, QueryParameter()] = False,
    ) -> None:
        """Delete the member (soft by default; `hard=true` removes the row)."""
        await members.delete(user_id, hard=hard)
