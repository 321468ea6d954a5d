"""Security events the api publishes (spec/members-roles-organization.md §6)."""

from typing import ClassVar

from shared.events.envelope import EventData


class PrivilegeEscalationBlocked(EventData, frozen=True, kw_only=True):
    """A caller tried to grant, define or reach permissions they do not hold (§4 #1-5)."""

    subject: ClassVar[str] = "logbook.api.security.privilege_escalation_blocked"
    target: str  # role:<id>, rank:<code>, permission:<name>, account-reset:<user_id>
    ip: str | None = None
