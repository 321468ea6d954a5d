"""Inbox entries for members whose equipment changed hands (spec inventory.md §8, addendum §5.5).

§8 sends each member one consolidated notice of the hour's changes, opposite pairs on the same
item (assigned/unassigned, issued/returned, checked out/in) cancelling out. The inbox keeps one
row per notice, so a member's changes fold into their newest unread `inventory` entry of the
last hour: a change is added to its list, or cancels the opposite change already there; an entry
left with no change is withdrawn (expired and read, as addendum §5.5 resolves prompts). Once the
member has read it, or after the hour, the next change starts a new entry. The changes are kept
in the entry's metadata, with the id of the event each came from, so a redelivered event adds
nothing. Once the hour is over the entry is mailed as it stands (`holder_mail.py`).
"""

import enum
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.from_events import stale
from api.notifications.repository import InboxWriter
from api.notifications.triggers import INVENTORY, MY_EQUIPMENT
from shared.db.types import utc_now
from shared.events.contracts.inventory import (
    ItemAssigned,
    ItemCheckedIn,
    ItemCheckedOut,
    ItemUnassigned,
    PoolIssued,
    PoolReturned,
)
from shared.events.contracts.notifications import InboxesChanged
from shared.events.envelope import Envelope, EventData
from shared.events.outbox import Outbox
from shared.models import NotificationChannel, NotificationLog, User

log = structlog.get_logger("api.notifications")
FOLD_WINDOW = timedelta(minutes=60)
SUBJECT_MAX = 255
# The notification action of §2 each event stands for.
ACTIONS: dict[str, tuple[str, type[EventData]]] = {
    ItemAssigned.subject: ("assigned", ItemAssigned),
    ItemUnassigned.subject: ("unassigned", ItemUnassigned),
    PoolIssued.subject: ("issued", PoolIssued),
    PoolReturned.subject: ("returned", PoolReturned),
    ItemCheckedOut.subject: ("checked_out", ItemCheckedOut),
    ItemCheckedIn.subject: ("checked_in", ItemCheckedIn),
}
OPPOSITE = {
    "assigned": "unassigned",
    "unassigned": "assigned",
    "issued": "returned",
    "returned": "issued",
    "checked_out": "checked_in",
    "checked_in": "checked_out",
}
LINES = {
    "assigned": "Assigned to you: {item}",
    "unassigned": "No longer assigned to you: {item}",
    "issued": "Issued to you: {quantity} x {item}",
    "returned": "Returned: {quantity} x {item}",
    "checked_out": "Checked out to you: {item}{due}",
    "checked_in": "Checked in: {item}",
}


class Outcome(enum.Enum):
    """What folding a change did to the member's inbox."""

    ADDED = "added"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Change:
    """One holder change of one member, as the entry's metadata keeps it."""

    event_id: str
    action: str
    item_id: str
    item_name: str
    quantity: int = 1
    due: str | None = None  # ISO 8601, checkouts only

    def cancels(self, other: "Change") -> bool:
        """Whether `other` undoes this change: the opposite action on the same item and units."""
        return (other.item_id, other.action, other.quantity) == (
            self.item_id,
            OPPOSITE[self.action],
            self.quantity,
        )

    def line(self) -> str:
        """The sentence of this change in the entry's message."""
        due = ""
        if self.due:
            due = f", due back {datetime.fromisoformat(self.due):%Y-%m-%d %H:%M} UTC"
        return LINES[self.action].format(item=self.item_name, quantity=self.quantity, due=due)


async def notify_inventory_change(session: AsyncSession, envelope: Envelope) -> None:
    """Fold the holder change `envelope` stands for into each concerned member's entry."""
    if envelope.organization_id is None or stale(envelope):
        return
    writer = InboxWriter(session, envelope.organization_id)
    added: list[UUID] = []
    withdrawn: list[UUID] = []
    # Members in id order: a reassignment locks two, and another event may lock the same two.
    for user_id, change in sorted(_changes(envelope), key=lambda pair: pair[0]):
        # Locked, so that two events of one member (two instances consuming) fold one after
        # the other rather than both starting an entry or one undoing the other's change.
        member = await writer.recipient(user_id, for_update=True)
        if member is None:
            log.info("notifications.no_active_recipient", event_type=envelope.type)
            continue
        outcome = await _fold(writer, member, change, source=envelope.id)
        if outcome is Outcome.ADDED:
            added.append(member.id)
        elif outcome is Outcome.WITHDRAWN:
            withdrawn.append(member.id)
    # Every instance drops these members' cached unread counts once this commits.
    outbox = Outbox(session)
    context = {"organization_id": envelope.organization_id, "actor_id": envelope.actor_id}
    if added:
        outbox.add(InboxesChanged(user_ids=added, change="added"), **context)
    if withdrawn:
        outbox.add(InboxesChanged(user_ids=withdrawn, change="read"), **context)


def _changes(envelope: Envelope) -> list[tuple[UUID, Change]]:
    """(member, change) pairs of the event: a reassignment is also the previous holder's."""
    known = ACTIONS.get(envelope.type)
    if known is None:
        return []
    action, contract = known
    try:
        data: Any = msgspec.convert(envelope.data, contract)
    except msgspec.ValidationError:
        # Redelivering cannot mend it: logged and dropped, never retried.
        log.warning("notifications.malformed_event", event_type=envelope.type)
        return []
    due = getattr(data, "expected_return_at", None)
    change = Change(
        event_id=str(envelope.id),
        action=action,
        item_id=str(data.item_id),
        item_name=data.item_name,
        quantity=getattr(data, "quantity", 1),
        due=due.isoformat() if action == "checked_out" and due is not None else None,
    )
    pairs = [(data.user_id, change)]
    previous = getattr(data, "previous_user_id", None)
    if previous is not None and previous != data.user_id:
        pairs.append((previous, Change(**{**asdict(change), "action": "unassigned"})))
    return pairs


async def _fold(writer: InboxWriter, member: User, change: Change, *, source: UUID) -> Outcome:
    """Add `change` to the member's pending entry, or start one."""
    now = utc_now()
    entry = await writer.pending_digest(member.id, INVENTORY, since=now - FOLD_WINDOW, now=now)
    if entry is None:
        created = _entry(member, [change], source=source, now=now)
        return Outcome.ADDED if await writer.add_once(created) else Outcome.UNCHANGED
    changes = [Change(**stored) for stored in (entry.extra_data or {}).get("changes", [])]
    if any((held.event_id, held.action) == (change.event_id, change.action) for held in changes):
        return Outcome.UNCHANGED  # a redelivered event
    undone = next((held for held in changes if held.cancels(change)), None)
    changes = [held for held in changes if held is not undone] if undone else [*changes, change]
    if not changes:
        entry.expires_at, entry.read, entry.read_at = now, True, now
        entry.extra_data = {"changes": []}
        await writer.save()
        return Outcome.WITHDRAWN
    _render(entry, changes)
    entry.sent_at = now
    await writer.save()
    return Outcome.UPDATED


def _entry(member: User, changes: list[Change], *, source: UUID, now: datetime) -> NotificationLog:
    entry = NotificationLog(
        organization_id=member.organization_id,
        recipient_id=member.id,
        recipient_email=member.email,
        recipient_name=member.full_name or member.username,
        channel=NotificationChannel.IN_APP,
        category=INVENTORY,
        action_url=MY_EQUIPMENT,
        sent_at=now,
        created_at=now,
        delivered=True,
        source_event_id=source,
    )
    _render(entry, changes)
    return entry


def _render(entry: NotificationLog, changes: list[Change]) -> None:
    """Subject, message and metadata of an entry holding `changes`, oldest first."""
    lines = [change.line() for change in changes]
    subject = lines[0] if len(lines) == 1 else f"{len(lines)} changes to your equipment"
    entry.subject = subject[:SUBJECT_MAX]
    entry.message = "\n".join(f"{line}." for line in lines)
    # A new dict, so that the JSON column is written.
    entry.extra_data = {"changes": [asdict(change) for change in changes]}
