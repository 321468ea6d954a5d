"""The auto-archive of §2.5: a dropped member is archived once all department property is back.

Inventory reports each return (`inventory.member.holdings_changed`); the members' consumer of it
runs this outside any request, on behalf of whoever recorded the return. With no caller there is
no principal, so this is a small service of its own beside the request's `MemberService`, taking
the same lifecycle steps (`set_status`, `status_changed`) and writing the entry an archive writes.
"""

from dataclasses import dataclass
from uuid import UUID

from api.audit.trail import AuditTrail
from api.members.holdings_repository import HoldingsRepository
from api.members.repository import MemberRepository
from api.members.service._lifecycle import DROPS, set_status, status_changed
from shared.events.outbox import Outbox
from shared.models import MemberStatus

ARCHIVE_REASON = "All department property returned"


@dataclass
class PropertyReturnArchive:
    """Archives dropped members of one organization who hold nothing any more."""

    members: MemberRepository
    holdings: HoldingsRepository
    audit: AuditTrail  # entries stamped with the member who recorded the return
    outbox: Outbox

    async def archive_if_all_returned(self, user_id: UUID, actor_id: UUID | None) -> bool:
        """Archive the member when dropped and holding nothing now; whether it did.

        The holdings are counted afresh, with the member's row locked, rather than taken from
        the event. `HoldingsChangingError` when a return (or anything else) is changing the
        member's records at this moment: the delivery is tried again later.
        """
        user = await self.members.get_for_update(user_id)
        # Not dropped: never was, taken back since, or already archived (a later event).
        if user is None or user.status not in DROPS:
            return False
        if await self.holdings.held_count(user_id):
            return False
        previous = user.status
        set_status(user, MemberStatus.ARCHIVED, ARCHIVE_REASON)
        user.archived_at = user.status_changed_at
        await self.members.flush()
        await self.audit.record(
            "member_archived",
            "user_management",
            target_user_id=str(user.id),
            member_name=user.full_name,
            previous_status=previous.value,
            new_status=MemberStatus.ARCHIVED.value,
            reason=ARCHIVE_REASON,
            archived_by=str(actor_id) if actor_id else None,
        )
        # Every instance drops the member from its caches on this event (their status was not
        # active before either, so no request of theirs gets through meanwhile).
        self.outbox.add(
            status_changed(user, previous, ARCHIVE_REASON, None),
            organization_id=user.organization_id,
            actor_id=actor_id,
        )
        return True
