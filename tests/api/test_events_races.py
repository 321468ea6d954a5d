"""Races of event bookings on MariaDB (spec events.md §8.10, issue 13 item 5): overlapping
bookings of one location sent at the same moment, each on a connection of its own.

The rolled-back fixture of the other events tests runs every request on one connection, where
nothing can overlap; these tests use the `org_own_app` fixture (an app on its own engine, rows
committed) and `asyncio.gather` to send the requests together.
"""

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from shared.models import Event
from tests.api.events_support import EVENTS, in_days, iso
from tests.api.signed_in import (  # noqa: F401 - the fixtures: `org` on an app of its own
    SignedInOrganization,
    org_on_own_app,
    own_app_organization,
)
from tests.support import factories


async def a_location(org: SignedInOrganization) -> uuid.UUID:
    async with org.sessions() as session:
        room = await factories.location(session, org.organization_id)
        await session.commit()
    return room.id


def booking(location_id: uuid.UUID, start_hours: int, title: str) -> dict[str, Any]:
    start = in_days(10) + timedelta(hours=start_hours)
    return {
        "title": title,
        "event_type": "training",
        "location_id": str(location_id),
        "start_datetime": iso(start),
        "end_datetime": iso(start + timedelta(hours=2)),
    }


async def events_at(org: SignedInOrganization, location_id: uuid.UUID) -> int:
    async with org.sessions() as session:
        count = await session.scalar(select(func.count()).where(Event.location_id == location_id))
    return int(count or 0)


async def test_two_overlapping_bookings_at_once_give_one_201_and_one_409(
    org: SignedInOrganization,
) -> None:
    room = await a_location(org)
    bodies = [booking(room, 0, "Pump drill"), booking(room, 1, "Ladder drill")]

    answers: list[httpx.Response] = await asyncio.gather(
        *(org.api.post(EVENTS, json=body, headers=org.admin) for body in bodies)
    )

    assert Counter(answer.status_code for answer in answers) == Counter({201: 1, 409: 1})
    won = next(answer for answer in answers if answer.status_code == 201).json()["title"]
    refused = next(answer for answer in answers if answer.status_code == 409).json()
    assert won in refused["detail"]
    assert await events_at(org, room) == 1


async def test_many_overlapping_bookings_at_once_book_the_room_once(
    org: SignedInOrganization,
) -> None:
    room = await a_location(org)

    answers: list[httpx.Response] = await asyncio.gather(
        *(
            org.api.post(EVENTS, json=booking(room, 0, f"Drill {n}"), headers=org.admin)
            for n in range(8)
        )
    )

    assert Counter(answer.status_code for answer in answers) == Counter({201: 1, 409: 7})
    assert await events_at(org, room) == 1


async def test_back_to_back_bookings_at_once_both_succeed(org: SignedInOrganization) -> None:
    room = await a_location(org)
    bodies = [booking(room, 0, "Morning"), booking(room, 2, "Afternoon")]

    answers: list[httpx.Response] = await asyncio.gather(
        *(org.api.post(EVENTS, json=body, headers=org.admin) for body in bodies)
    )

    assert [answer.status_code for answer in answers] == [201, 201]
    assert await events_at(org, room) == 2


async def test_an_edit_moving_into_a_booking_made_at_the_same_moment_is_refused(
    org: SignedInOrganization,
) -> None:
    room = await a_location(org)
    elsewhere = await org.api.post(
        EVENTS, json=booking(await a_location(org), 0, "Elsewhere"), headers=org.admin
    )
    assert elsewhere.status_code == 201
    moved = {"location_id": str(room)}

    answers: list[httpx.Response] = await asyncio.gather(
        org.api.post(EVENTS, json=booking(room, 1, "New booking"), headers=org.admin),
        org.api.patch(f"{EVENTS}/{elsewhere.json()['id']}", json=moved, headers=org.admin),
    )

    assert sorted(answer.status_code for answer in answers) in ([200, 409], [201, 409])
    assert await events_at(org, room) == 1


async def test_bookings_of_different_locations_at_once_all_succeed(
    org: SignedInOrganization,
) -> None:
    rooms = [await a_location(org) for _ in range(8)]

    answers: list[httpx.Response] = await asyncio.gather(
        *(
            org.api.post(EVENTS, json=booking(room, 0, f"Drill {n}"), headers=org.admin)
            for n, room in enumerate(rooms)
        )
    )

    assert [answer.status_code for answer in answers] == [201] * 8
    assert [await events_at(org, room) for room in rooms] == [1] * 8
