"""Organization rules: the settings document, modules, membership numbers and the profile."""

from dataclasses import dataclass
from typing import Any

from api.audit.trail import AuditTrail
from api.organization.errors import ModuleNotServedError, OrganizationNotFoundError
from api.organization.modules import modules_for, not_served
from api.organization.profile import address_of, apply_profile, profile_of
from api.organization.repository import OrganizationRepository
from api.organization.schemas import (
    MembershipIdPreview,
    ModulesRead,
    OrgAddressRead,
    OrgProfileRead,
    OrgProfileUpdate,
)
from api.organization.settings_document import (
    apply_patch,
    document_view,
    replace_section,
    section_view,
)
from shared.crypto import encrypt_secret
from shared.events.contracts.organization import (
    OrganizationProfileUpdated,
    OrganizationSettingsUpdated,
)
from shared.events.outbox import Outbox
from shared.models import Organization
from shared.permissions import grants
from shared.principal import Principal
from shared.settings import Settings

CANDIDATES_PER_QUERY = 100
MODULES_CONFIGURED = "modules_configured"  # set once an administrator chose the modules


@dataclass
class OrganizationService:
    """The caller's organization."""

    organizations: OrganizationRepository
    audit: AuditTrail
    outbox: Outbox
    principal: Principal
    settings: Settings

    @property
    def _manager(self) -> bool:
        return grants(self.principal.permissions, "settings.manage")

    def _seal(self, plaintext: str) -> str:
        return encrypt_secret(self.settings, plaintext)

    async def _organization(self, *, lock: bool = False) -> Organization:
        repository = self.organizations
        found = await (repository.get_for_update() if lock else repository.get())
        if found is None:
            raise OrganizationNotFoundError
        return found

    async def read_settings(self) -> dict[str, Any]:
        """The settings document as this caller may see it."""
        organization = await self._organization()
        return document_view(organization.settings, manage=self._manager)

    async def update_settings(self, patch: dict[str, Any]) -> dict[str, Any]:
        """Deep-merge a validated PATCH into the document (§4 #18)."""
        _refuse_unserved(patch.get("modules", {}))
        organization = await self._organization(lock=True)
        organization.settings = apply_patch(organization.settings, patch, self._seal)
        await self._settings_changed(organization, sorted(patch))
        return document_view(organization.settings, manage=self._manager)

    async def replace_section(self, name: str, section: dict[str, Any]) -> dict[str, Any]:
        """Replace one section as a whole; the answer is the section, redacted."""
        organization = await self._organization(lock=True)
        organization.settings = replace_section(organization.settings, name, section, self._seal)
        await self._settings_changed(organization, [name])
        return section_view(organization.settings, name, manage=self._manager)

    async def merge_section(self, name: str, values: dict[str, Any]) -> dict[str, Any]:
        """Merge the keys sent into one section; the answer is the whole section."""
        organization = await self._organization(lock=True)
        organization.settings = apply_patch(organization.settings, {name: values}, self._seal)
        await self._settings_changed(organization, [name])
        return section_view(organization.settings, name, manage=self._manager)

    async def membership_id_preview(self) -> MembershipIdPreview:
        """The next automatic membership number, skipping numbers in use (not consumed)."""
        organization = await self._organization()
        config = section_view(organization.settings, "membership_id", manage=True)
        if not config["enabled"]:
            return MembershipIdPreview(enabled=False, next_id=None)
        number = int(config["next_number"])
        while True:
            candidates = [
                f"{config['prefix']}{n:04d}" for n in range(number, number + CANDIDATES_PER_QUERY)
            ]
            taken = await self.organizations.membership_numbers_in_use(
                [candidate.lower() for candidate in candidates]
            )
            free = next((c for c in candidates if c.lower() not in taken), None)
            if free is not None:
                return MembershipIdPreview(enabled=True, next_id=free)
            number += CANDIDATES_PER_QUERY

    async def modules(self) -> ModulesRead:
        """The enabled modules (only those this backend serves can be on)."""
        return modules_for((await self._organization()).settings)

    async def update_modules(self, switches: dict[str, bool]) -> ModulesRead:
        """Merge module switches and mark the modules as chosen by an administrator (§4 #19)."""
        _refuse_unserved(switches)
        organization = await self._organization(lock=True)
        document = apply_patch(organization.settings, {"modules": switches}, self._seal)
        document[MODULES_CONFIGURED] = True
        organization.settings = document
        await self._settings_changed(organization, ["modules"])
        return modules_for(organization.settings)

    async def profile(self) -> OrgProfileRead:
        """The organization's profile."""
        return profile_of(await self._organization())

    async def update_profile(self, update: OrgProfileUpdate) -> OrgProfileRead:
        """Set the profile fields sent; audited and announced when anything changed."""
        organization = await self._organization(lock=True)
        changed = apply_profile(organization, update)
        if changed:
            await self.audit.record(
                "organization.profile_updated", "administration", fields_changed=changed
            )
            timezone = organization.timezone if "timezone" in changed else None
            self.outbox.add(
                OrganizationProfileUpdated(fields_changed=changed, timezone=timezone),
                organization_id=organization.id,
                actor_id=self.principal.user_id,
            )
        return profile_of(organization)

    async def address(self) -> OrgAddressRead:
        """The department's street address."""
        return address_of(await self._organization())

    async def _settings_changed(self, organization: Organization, sections: list[str]) -> None:
        """Audit and announce a settings write by section name (never values)."""
        await self.audit.record(
            "organization_settings_updated",
            "administration",
            "warning",
            settings_changed=sections,
        )
        enabled = (
            modules_for(organization.settings).enabled_modules if "modules" in sections else None
        )
        self.outbox.add(
            OrganizationSettingsUpdated(sections=sections, enabled_modules=enabled),
            organization_id=organization.id,
            actor_id=self.principal.user_id,
        )


def _refuse_unserved(switches: dict[str, bool]) -> None:
    """400 naming the modules switched on that this backend does not serve."""
    refused = not_served(switches)
    if refused:
        raise ModuleNotServedError(f"Module not available on this server: {', '.join(refused)}")
