"""RSVP races on MariaDB (issue 13 item 3, spec events.md §4.4, §8.2): many members answering
at the same moment, each request on a connection and transaction of its own, through the
in-process api (the `org_own_app` fixture, rows committed; see test_inventory_flows_races.py).

Every RSVP write locks the event's row first, so seats are counted one request at a time: a
full event waitlists the rest in the order their answers were taken, and each seat a `going`
member frees goes to exactly one waitlisted member.
"""

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

import httpx
from sqlalchemy import select

from shared.db.types import utc_now
from shared.models import EventRSVP, OutboxMessage, RSVPHistory, RSVPStatus
from tests.api.signed_in import (  # noqa: F401 - the fixtures: `org` on an app of its own
    SignedInOrganization,
    org_on_own_app,
    own_app_organization,
)
from tests.support import factories

SEATS = 10
MEMBERS = 30
LEAVERS = 5


async def capped_event(org: SignedInOrganization) -> uuid.UUID:
    """A committed event a week out with SEATS seats, taking RSVPs."""
    async with org.sessions() as session:
        event = await factories.event(
            session,
            org.organization_id,
            requires_rsvp=True,
            rsvp_deadline=utc_now() + timedelta(days=6),
            max_attendees=SEATS,
        )
        await session.commit()
    return event.id


async def answer_together(
    org: SignedInOrganization, event_id: uuid.UUID, members: list[dict[str, str]], status: str
) -> Counter[str]:
    """The stored statuses of the members' answers, all sent at once."""
    path = f"/api/v1/events/{event_id}/rsvp"
    answers: list[httpx.Response] = await asyncio.gather(
        *(org.api.post(path, json={"status": status}, headers=headers) for headers in members)
    )
    assert all(answer.status_code == 200 for answer in answers), [a.text for a in answers]
    return Counter(answer.json()["status"] for answer in answers)


async def rows(org: SignedInOrganization, event_id: uuid.UUID) -> list[EventRSVP]:
    """The event's RSVP rows by first answer."""
    async with org.sessions() as session:
        found = await session.scalars(
            select(EventRSVP)
            .where(EventRSVP.event_id == event_id)
            .order_by(EventRSVP.responded_at, EventRSVP.id)
        )
        return list(found.all())


async def promotions(org: SignedInOrganization, event_id: uuid.UUID) -> list[uuid.UUID]:
    """Members moved from the waitlist to `going`, by their history rows."""
    async with org.sessions() as session:
        found = await session.scalars(
            select(RSVPHistory.user_id).where(
                RSVPHistory.event_id == event_id,
                RSVPHistory.old_status == RSVPStatus.WAITLISTED,
                RSVPHistory.new_status == RSVPStatus.GOING,
            )
        )
        return list(found.all())


async def promoted_events(org: SignedInOrganization, event_id: uuid.UUID) -> list[bytes]:
    async with org.sessions() as session:
        payloads = await session.scalars(
            select(OutboxMessage.payload).where(
                OutboxMessage.subject == "logbook.api.event.waitlist_promoted"
            )
        )
        return [payload for payload in payloads if str(event_id).encode() in payload]


async def test_thirty_answers_fill_ten_seats_and_waitlist_the_rest_in_order(
    org: SignedInOrganization,
) -> None:
    event_id = await capped_event(org)
    signed_in = [await org.member() for _ in range(MEMBERS)]
    headers_of = {user.id: headers for user, headers in signed_in}

    statuses = await answer_together(org, event_id, list(headers_of.values()), "going")

    assert statuses == Counter({"going": SEATS, "waitlisted": MEMBERS - SEATS})
    stored = await rows(org, event_id)
    assert len(stored) == MEMBERS
    # First-response order: the seats went to the first ten answers taken, the queue is the rest.
    assert [row.status for row in stored] == [RSVPStatus.GOING] * SEATS + [
        RSVPStatus.WAITLISTED
    ] * (MEMBERS - SEATS)
    leavers = [headers_of[row.user_id] for row in stored[:LEAVERS]]
    queue = [row.user_id for row in stored[SEATS:]]

    left = await answer_together(org, event_id, leavers, "not_going")

    assert left == Counter({"not_going": LEAVERS})
    promoted = await promotions(org, event_id)
    assert len(promoted) == len(set(promoted)) == LEAVERS  # nobody promoted twice
    assert set(promoted) == set(queue[:LEAVERS])  # the head of the queue
    after = await rows(org, event_id)
    assert Counter(row.status for row in after) == Counter(
        {
            RSVPStatus.GOING: SEATS,
            RSVPStatus.NOT_GOING: LEAVERS,
            RSVPStatus.WAITLISTED: MEMBERS - SEATS - LEAVERS,
        }
    )
    assert len(await promoted_events(org, event_id)) == LEAVERS
