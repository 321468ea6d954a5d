"""Which domain events put an entry in a member's inbox, and what it says (addendum §5.4-§5.5).

Wired today: auth's MFA and password events (category `security`, always e-mailed too), the
api's role and status changes of a member (category `members`), inventory's daily reminders
of checkouts overdue or due back within a day (category `inventory`), the calendar's notices
and RSVP reminders (`from_calendar.py`: categories `event_update`, `event_reminder`), and
training's certification expiry alerts (`from_training.py`: category `training`).
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from shared.events.contracts.inventory import CheckoutsDueSoon, CheckoutsOverdue
from shared.events.envelope import Envelope

SECURITY = "security"
MEMBERS = "members"
INVENTORY = "inventory"
MY_EQUIPMENT = "/inventory/my-equipment"
EVENT_UPDATE = "event_update"  # spec events.md §4.2
EVENT_REMINDER = "event_reminder"
DUE_BACK = {
    CheckoutsOverdue.subject: ("Equipment overdue", "Past its return date"),
    CheckoutsDueSoon.subject: ("Equipment due back soon", "Due back within a day"),
}
ADMIN_HELP = "If this was not you, contact an administrator."
# The card shows a button only for a relative URL; "" gives none, as the original's MFA entries.
NO_ACTION = ""
RoleNames = Callable[[Sequence[UUID]], Awaitable[list[str]]]


@dataclass(frozen=True)
class Draft:
    """An inbox entry for one member, before the member is looked up."""

    recipient_id: UUID
    category: str
    subject: str
    message: str
    action_url: str
    # Security notices reach the member by e-mail even if they turned e-mail notifications off.
    always_email: bool = False


def _member(envelope: Envelope) -> UUID | None:
    # Events come from other services: a malformed id is treated as absent, not retried forever.
    try:
        return UUID(str(envelope.data.get("user_id")))
    except ValueError:
        return None


def _security(envelope: Envelope) -> tuple[str, str] | None:
    data = envelope.data
    verb = envelope.type.removeprefix("logbook.auth.")
    if verb == "mfa.enabled":
        return "Two-factor authentication enabled", f"Two-factor sign-in is now on. {ADMIN_HELP}"
    if verb == "mfa.disabled" and data.get("by_admin"):
        return (
            "Your two-factor authentication was reset",
            "An administrator reset two-factor sign-in on your account; set it up again from "
            "your account page.",
        )
    if verb == "mfa.disabled":
        return "Two-factor authentication disabled", f"Two-factor sign-in is now off. {ADMIN_HELP}"
    if verb == "mfa.recovery_codes_regenerated":
        return (
            "New two-factor recovery codes generated",
            f"New recovery codes were generated; the old ones no longer work. {ADMIN_HELP}",
        )
    if verb == "password.changed":
        return _password(str(data.get("method")), force_change=bool(data.get("force_change")))
    return None


def _password(method: str, *, force_change: bool) -> tuple[str, str]:
    if method == "admin":
        then = " You will choose your own at your next sign-in." if force_change else ""
        return (
            "Your password was reset by an administrator",
            f"An administrator set a new password for your account.{then}",
        )
    if method == "reset_token":
        return (
            "Your password was reset",
            f"Your password was reset with an e-mailed link. {ADMIN_HELP}",
        )
    return "Your password was changed", f"Your password was changed. {ADMIN_HELP}"


async def draft_for(envelope: Envelope, role_names: RoleNames) -> Draft | None:
    """The inbox entry `envelope` stands for, or None when it concerns nobody's inbox."""
    member = _member(envelope)
    if member is None:
        return None
    if envelope.type.startswith("logbook.auth."):
        notice = _security(envelope)
        if notice is None:
            return None
        return Draft(member, SECURITY, *notice, action_url=NO_ACTION, always_email=True)
    if envelope.type in DUE_BACK:
        return _due_back(envelope, member)
    return await _membership(envelope, member, role_names)


def _due_back(envelope: Envelope, member: UUID) -> Draft | None:
    subject, lead = DUE_BACK[envelope.type]
    checkouts = envelope.data.get("checkouts")
    lines = []
    for checkout in checkouts if isinstance(checkouts, list) else []:
        if isinstance(checkout, dict):
            day = str(checkout.get("expected_return_at", ""))[:10]  # ISO date of the due time
            lines.append(f"{checkout.get('item_name', 'An item')} (due {day})")
    if not lines:
        return None
    return Draft(member, INVENTORY, subject, f"{lead}: {'; '.join(lines)}.", MY_EQUIPMENT)


async def _membership(envelope: Envelope, member: UUID, role_names: RoleNames) -> Draft | None:
    profile = f"/members/{member}"
    if envelope.type == "logbook.api.member.roles_changed":
        added = await role_names(_ids(envelope.data.get("role_ids_added")))
        removed = await role_names(_ids(envelope.data.get("role_ids_removed")))
        changes = [
            f"{label}: {', '.join(names)}."
            for label, names in (("Added", added), ("Removed", removed))
            if names
        ]
        if not changes:
            return None
        return Draft(member, MEMBERS, "Your roles changed", " ".join(changes), profile)
    if envelope.type == "logbook.api.member.status_changed":
        status = str(envelope.data.get("new_status", "")).replace("_", " ")
        message = f"Your status is now {status}."
        return Draft(member, MEMBERS, "Your membership status changed", message, profile)
    return None


def _ids(values: object) -> list[UUID]:
    found = []
    for value in values if isinstance(values, list) else []:
        try:
            found.append(UUID(str(value)))
        except ValueError:
            continue
    return found
