"""Module switches take effect or are refused (issue 11, fix 2).

`PATCH /organization/modules {"training": true}` answered 200 and left training off while
training was not served, so the settings page announced a module that never came on; a module
not served (elections) is still refused.
"""

from typing import Any

from sqlalchemy import select

from shared.models import Organization
from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401

MODULES = "/api/v1/organization/modules"
SETTINGS = "/api/v1/organization/settings"
ESSENTIALS = ["members", "events", "documents", "roles", "settings"]
SERVED = [*ESSENTIALS, "training", "inventory", "notifications"]


async def stored_settings(org: SignedInOrganization) -> dict[str, Any]:
    async with org.sessions() as session:
        settings = await session.scalar(
            select(Organization.settings).where(Organization.id == org.organization_id)
        )
    return dict(settings or {})


class TestServedModules:
    async def test_notifications_switch_off_and_on_and_persist(
        self, org: SignedInOrganization
    ) -> None:
        off = await org.api.patch(MODULES, json={"notifications": False}, headers=org.admin)
        read_off = await org.api.get(MODULES, headers=org.admin)
        assert off.status_code == 200, off.text
        assert read_off.json() == off.json()
        assert read_off.json()["module_settings"]["notifications"] is False
        assert read_off.json()["enabled_modules"] == [*ESSENTIALS, "training", "inventory"]
        assert (await stored_settings(org))["modules"]["notifications"] is False

        on = await org.api.patch(MODULES, json={"notifications": True}, headers=org.admin)
        read_on = await org.api.get(MODULES, headers=org.admin)
        assert on.status_code == 200, on.text
        assert read_on.json()["enabled_modules"] == [*SERVED]
        assert (await stored_settings(org))["modules"]["notifications"] is True

    async def test_training_is_on_by_default_and_switches_off_and_on(
        self, org: SignedInOrganization
    ) -> None:
        before = (await org.api.get(MODULES, headers=org.admin)).json()
        off = await org.api.patch(MODULES, json={"training": False}, headers=org.admin)
        read_off = (await org.api.get(MODULES, headers=org.admin)).json()
        on = await org.api.patch(MODULES, json={"training": True}, headers=org.admin)
        assert before["enabled_modules"] == SERVED
        assert before["module_settings"]["training"] is True
        assert off.status_code == 200, off.text
        assert read_off["module_settings"]["training"] is False
        assert read_off["enabled_modules"] == [*ESSENTIALS, "inventory", "notifications"]
        assert (await stored_settings(org))["modules"]["training"] is True
        assert on.json()["enabled_modules"] == SERVED

    async def test_the_switches_as_read_are_taken_back(self, org: SignedInOrganization) -> None:
        read = (await org.api.get(MODULES, headers=org.admin)).json()
        saved = await org.api.patch(MODULES, json=read["module_settings"], headers=org.admin)
        assert saved.status_code == 200, saved.text
        assert saved.json() == read


class TestModulesNotServed:
    async def test_switching_one_on_is_refused_naming_it(self, org: SignedInOrganization) -> None:
        before = await stored_settings(org)
        response = await org.api.patch(
            MODULES, json={"elections": True, "notifications": False}, headers=org.admin
        )
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "LB-ORG-002"
        assert "elections" in response.json()["detail"]
        # Nothing of the request is applied: notifications stays on.
        assert await stored_settings(org) == before
        read = (await org.api.get(MODULES, headers=org.admin)).json()
        assert read["module_settings"]["elections"] is False
        assert read["module_settings"]["notifications"] is True

    async def test_the_settings_document_refuses_it_too(self, org: SignedInOrganization) -> None:
        response = await org.api.patch(
            SETTINGS, json={"modules": {"elections": True}}, headers=org.admin
        )
        assert (response.status_code, response.json()["code"]) == (400, "LB-ORG-002")
        assert "elections" in response.json()["detail"]
        assert "elections" not in (await stored_settings(org)).get("modules", {})

    async def test_switching_one_off_is_accepted_as_it_is_off(
        self, org: SignedInOrganization
    ) -> None:
        response = await org.api.patch(MODULES, json={"elections": False}, headers=org.admin)
        assert response.status_code == 200, response.text
        assert response.json()["module_settings"]["elections"] is False
