"""Adding and editing members: create, profile, contact details, roles, photo."""

from uuid import UUID

from litestar import Controller, delete, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, MultipartBody

from api.members.deps import MEMBER_DEPENDENCIES
from api.members.permissions import (
    ASSIGN_ROLES,
    CREATE_MEMBERS,
    SELF_OR_EDITOR,
    SELF_OR_MANAGER,
)
from api.members.photos import MAX_BYTES
from api.members.schemas import (
    ContactInfoUpdate,
    MemberCreate,
    MemberProfile,
    MemberRolesRead,
    MemberUpdate,
    MemberWithRoles,
    Message,
    PhotoRead,
    PhotoUpload,
    RolesReplace,
)
from api.members.service import MemberService
from shared.errors import documented_error


class MemberEditingController(Controller):
    """Changes to who a member is and what they may do."""

    path = "/"
    dependencies = MEMBER_DEPENDENCIES

    @post(
        "/",
        guards=[CREATE_MEMBERS],
        status_code=201,
        responses={409: documented_error("Username, email or membership number already held")},
    )
    async def create_member(
        self, data: JSONBody[MemberCreate], members: NamedDependency[MemberService]
    ) -> MemberWithRoles:
        """Add a member; they must change the password at first sign-in."""
        return await members.create(data)

    @patch(
        "/{user_id:str}/profile",
        guards=[SELF_OR_EDITOR],
        responses={409: documented_error("Username or membership number already held")},
    )
    async def update_profile(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[MemberUpdate],
        members: NamedDependency[MemberService],
    ) -> MemberProfile:
        """Change profile fields; operational ones need members.manage."""
        return await members.update_profile(user_id, data)

    @patch(
        "/{user_id:str}/contact-info",
        guards=[SELF_OR_EDITOR],
        responses={409: documented_error("Email already held by another member")},
    )
    async def update_contact_info(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[ContactInfoUpdate],
        members: NamedDependency[MemberService],
    ) -> MemberProfile:
        """Change email, phones or notification preferences."""
        return await members.update_contact_info(user_id, data)

    @put("/{user_id:str}/roles", guards=[ASSIGN_ROLES])
    async def replace_roles(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[RolesReplace],
        members: NamedDependency[MemberService],
    ) -> MemberRolesRead:
        """Replace the member's whole set of roles."""
        return await members.replace_roles(user_id, data)

    @post("/{user_id:str}/photo", guards=[SELF_OR_MANAGER], status_code=200)
    async def upload_photo(
        self,
        user_id: FromPath[UUID],
        data: MultipartBody[PhotoUpload],
        members: NamedDependency[MemberService],
    ) -> PhotoRead:
        """Store a JPEG, PNG or WebP photo (≤5 MB) re-encoded as WebP."""
        content = await data.file.read(MAX_BYTES + 1)
        return await members.set_photo(user_id, content)

    @delete("/{user_id:str}/photo", guards=[SELF_OR_MANAGER], status_code=200)
    async def remove_photo(
        self, user_id: FromPath[UUID], members: NamedDependency[MemberService]
    ) -> Message:
        """Remove the member's photo."""
        return await members.remove_photo(user_id)
