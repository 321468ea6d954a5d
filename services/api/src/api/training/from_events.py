"""Training's consumer of the calendar's events (spec training.md §7, events.md §6): check-ins
and finalized attendance of a training session's event reach its records through the bus,
never through a call from the events area.

Only `checked_in` and `attendance_finalized` of `training` events concern it; the rest of
`logbook.api.event.*` is passed over without a query.
"""

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.training.repository import MemberRepository, SessionRecordRepository, SessionRepository
from api.training.service import SessionBridge
from shared.events.contracts.events import AttendanceFinalized, CheckedIn
from shared.events.envelope import Envelope
from shared.events.outbox import Outbox
from shared.models import EventType

log = structlog.get_logger("api.training")
CONTRACTS: dict[str, type[CheckedIn | AttendanceFinalized]] = {
    CheckedIn.subject: CheckedIn,
    AttendanceFinalized.subject: AttendanceFinalized,
}


async def bridge_attendance(envelope: Envelope, session: AsyncSession) -> None:
    """Apply one calendar event to the records of the training session it concerns."""
    contract = CONTRACTS.get(envelope.type)
    organization_id = envelope.organization_id
    if contract is None or organization_id is None:
        return
    try:
        data = msgspec.convert(envelope.data, contract)
    except msgspec.ValidationError:
        # Redelivering cannot mend it: logged and dropped, never retried.
        log.warning("training.malformed_event", event_type=envelope.type)
        return
    if data.event_type != EventType.TRAINING.value:
        return
    bridge = SessionBridge(
        organization_id=organization_id,
        actor_id=envelope.actor_id,
        sessions=SessionRepository(session, organization_id),
        records=SessionRecordRepository(session, organization_id),
        members=MemberRepository(session, organization_id),
        outbox=Outbox(session),
    )
    if isinstance(data, CheckedIn):
        await bridge.checked_in(data)
    elif isinstance(data, AttendanceFinalized):
        changed = await bridge.attendance_finalized(data)
        log.info("training.session_hours_filled", records=changed)
