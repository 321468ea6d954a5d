"""Routes under /api/v1/organization (spec §3.4; app-shell spec §1.3 for the modules)."""

from typing import Any

import msgspec
from litestar import Controller, get, patch
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from api.deps import COMMON_DEPENDENCIES
from api.organization.deps import provide_organization_service
from api.organization.parsing import parse_modules, parse_settings_patch
from api.organization.schemas import (
    ContactInfoPatch,
    MembershipIdPatch,
    MembershipIdPreview,
    ModulesRead,
    OrgAddressRead,
    OrgProfileRead,
    OrgProfileUpdate,
)
from api.organization.sections import AuthSettings, EmailServiceSettings, FileStorageSettings
from api.organization.service import OrganizationService
from shared.errors import documented_error
from shared.principal import requires

SETTINGS_WRITERS = requires("settings.manage", "organization.update_settings")
NOT_SERVED = {400: documented_error("Module not available on this server: <modules>")}

Document = dict[str, Any]


class OrganizationController(Controller):
    """The caller's organization: settings, modules, profile."""

    path = "/api/v1/organization"
    tags = ["organization"]
    dependencies = {
        **COMMON_DEPENDENCIES,
        "organization": Provide(provide_organization_service, sync_to_thread=False),
    }

    @get("/settings")
    async def read_settings(self, organization: NamedDependency[OrganizationService]) -> Document:
        """The settings document; secrets masked, infrastructure ids only for managers."""
        return await organization.read_settings()

    @patch("/settings", guards=[SETTINGS_WRITERS], responses=NOT_SERVED)
    async def update_settings(
        self, data: JSONBody[Document], organization: NamedDependency[OrganizationService]
    ) -> Document:
        """Deep-merge sections and free keys into the settings document."""
        return await organization.update_settings(parse_settings_patch(data))

    @patch(
        "/settings/contact-info",
        guards=[
            requires(
                "settings.manage",
                "settings.manage_contact_visibility",
                "organization.update_settings",
            )
        ],
    )
    async def update_contact_visibility(
        self, data: JSONBody[ContactInfoPatch], organization: NamedDependency[OrganizationService]
    ) -> Document:
        """Choose what the roster shows ordinary members."""
        values = msgspec.to_builtins(data)
        return await organization.merge_section("contact_info_visibility", values)

    @patch("/settings/email", guards=[SETTINGS_WRITERS])
    async def replace_email(
        self,
        data: JSONBody[EmailServiceSettings],
        organization: NamedDependency[OrganizationService],
    ) -> Document:
        """Replace the mail settings; a masked secret keeps the stored one."""
        return await organization.replace_section("email_service", msgspec.to_builtins(data))

    @patch("/settings/file-storage", guards=[SETTINGS_WRITERS])
    async def replace_file_storage(
        self,
        data: JSONBody[FileStorageSettings],
        organization: NamedDependency[OrganizationService],
    ) -> Document:
        """Replace the file storage settings; a masked secret keeps the stored one."""
        return await organization.replace_section("file_storage", msgspec.to_builtins(data))

    @patch("/settings/auth", guards=[SETTINGS_WRITERS])
    async def replace_auth(
        self, data: JSONBody[AuthSettings], organization: NamedDependency[OrganizationService]
    ) -> Document:
        """Replace the sign-in provider settings; a masked secret keeps the stored one."""
        return await organization.replace_section("auth", msgspec.to_builtins(data))

    @patch(
        "/settings/membership-id",
        guards=[requires("settings.edit", "organization.update_settings")],
    )
    async def update_membership_id(
        self, data: JSONBody[MembershipIdPatch], organization: NamedDependency[OrganizationService]
    ) -> Document:
        """Configure automatic membership numbers."""
        return await organization.merge_section("membership_id", msgspec.to_builtins(data))

    @get("/settings/membership-id/preview")
    async def preview_membership_id(
        self, organization: NamedDependency[OrganizationService]
    ) -> MembershipIdPreview:
        """The next membership number, without using it up."""
        return await organization.membership_id_preview()

    @get("/modules")
    async def modules(self, organization: NamedDependency[OrganizationService]) -> ModulesRead:
        """Enabled modules of the caller's organization (any signed-in member)."""
        return await organization.modules()

    @patch("/modules", guards=[SETTINGS_WRITERS], responses=NOT_SERVED)
    async def update_modules(
        self, data: JSONBody[Document], organization: NamedDependency[OrganizationService]
    ) -> ModulesRead:
        """Switch modules on or off; switching on a module not served here is a 400."""
        return await organization.update_modules(parse_modules(data))

    @get("/profile")
    async def profile(self, organization: NamedDependency[OrganizationService]) -> OrgProfileRead:
        """The organization's profile."""
        return await organization.profile()

    @patch("/profile", guards=[requires("settings.manage")])
    async def update_profile(
        self, data: JSONBody[OrgProfileUpdate], organization: NamedDependency[OrganizationService]
    ) -> OrgProfileRead:
        """Change profile fields; address objects are partial."""
        return await organization.update_profile(data)

    @get("/address")
    async def address(self, organization: NamedDependency[OrganizationService]) -> OrgAddressRead:
        """The department's street address."""
        return await organization.address()
