"""Organization events the api publishes (spec/members-roles-organization.md §6).

Settings events name sections only: secret values never travel.
"""

from typing import ClassVar

from shared.events.envelope import EventData


class OrganizationSettingsUpdated(EventData, frozen=True, kw_only=True):
    """Settings sections (or the modules) changed."""

    subject: ClassVar[str] = "logbook.api.organization.settings_updated"
    sections: list[str]
    enabled_modules: list[str] | None = None  # set when the modules changed


class OrganizationProfileUpdated(EventData, frozen=True, kw_only=True):
    """The organization's profile changed."""

    subject: ClassVar[str] = "logbook.api.organization.profile_updated"
    fields_changed: list[str]
    timezone: str | None = None  # set when the timezone changed
