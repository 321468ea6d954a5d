"""Low-stock notices for the members who manage the inventory (spec inventory.md §8).

The 07:00 daily job publishes one `stock_low` event per organization; each member holding
`inventory.manage` gets one inbox entry listing the items (and the e-mail, by preference).
"""

from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.from_events import deliver, stale
from api.notifications.repository import InboxWriter
from api.notifications.triggers import INVENTORY, Draft
from shared.events.envelope import Envelope
from shared.mailer import Mailer
from shared.settings import Settings

AUDIENCE = "inventory.manage"
SUBJECT = "Low stock"
INVENTORY_PAGE = "/inventory"


async def notify_stock_low(
    session: AsyncSession, envelope: Envelope, settings: Settings, mailer: Mailer
) -> int:
    """Write each inventory manager's entry for the day's low-stock list; how many were new."""
    if envelope.organization_id is None or stale(envelope):
        return 0
    items = envelope.data.get("items")
    lines = [
        f"{item.get('item_name')}: {item.get('on_hand')} on hand"
        f" (reorder at {item.get('reorder_point')})"
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    ]
    if not lines:
        return 0
    message = f"At or below their reorder point: {'; '.join(lines)}."
    writer = InboxWriter(session, envelope.organization_id)
    written = 0
    for manager in await writer.active_members_holding(AUDIENCE):
        draft = Draft(manager.id, INVENTORY, SUBJECT, message, INVENTORY_PAGE)
        entry = await deliver(writer, envelope, draft, manager, settings=settings, mailer=mailer)
        written += entry is not None
    return written
