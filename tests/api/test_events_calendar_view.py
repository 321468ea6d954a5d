"""The events list from each instance's calendar (api/events/calendar_view.py): the database's
answer for every filter, and dropped by this instance's own changes as they commit (these tests
run without NATS: nothing comes back from the stream). What the stream's events drop, and the
bound: `TestFeed`; across instances: tests/e2e/test_events_calendar_view.py."""

import random
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.events.calendar_view import SUBJECTS, TTL_SECONDS, Calendars, list_item
from api.events.repository import EventRepository
from api.events.schemas import EventFilters
from shared.events.contracts.events import CheckedIn, EventUpdated, ReminderDue, RSVPChanged
from shared.events.contracts.locations import LocationUpdated
from shared.events.contracts.members import MemberDeleted
from shared.events.envelope import EventData, encode, wrap
from shared.events.follower import cache_followers
from shared.events.nats import NatsConnection
from shared.models import EventType, RSVPStatus
from shared.types import iso_datetime
from tests.api.department import Department
from tests.api.events_attendance_support import at, person, rsvp_event
from tests.api.events_support import (
    EVENTS,
    create_event,
    in_days,
    iso,
    org_id,
    seed_event,
    seed_rsvp,
)
from tests.api.training_bridge_support import create_session, this_minute
from tests.support.servers import NatsServer
from tests.support.waiting import wait_for

REASON = {"cancellation_reason": "The hall is flooded"}


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def listed(client: Any, **params: Any) -> dict[str, dict[str, Any]]:
    """The list's events by id."""
    response = client.get(EVENTS, params=params)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()}


def seen(item: dict[str, Any]) -> tuple[int, int, str | None]:
    return item["rsvp_count"], item["going_count"], item["user_rsvp_status"]


class TestSameAnswer:
    def test_every_filter_answers_as_the_database(self, dept: Department) -> None:
        # Types (a stored null too), drafts, cancelled events, shared starts, events of an hour
        # to five days, answers of every status, the caller's own among them.
        caller, name = person(dept)
        dept.assign(caller, dept.add_role(["events.manage"]))
        members = [caller, *(person(dept)[0] for _ in range(4))]
        rng = random.Random(13)  # noqa: S311 - a test's calendar
        types = [None, *EventType]
        starts = [in_days(rng.randint(-10, 10), hour=rng.choice((6, 18))) for _ in range(30)]
        for start in starts:
            event_id = seed_event(
                dept,
                start_datetime=start,
                end_datetime=start + timedelta(hours=rng.choice((1, 3, 30, 120))),
                event_type=rng.choice(types),
                is_draft=rng.random() < 0.2,
                is_cancelled=rng.random() < 0.2,
            )
            for member in rng.sample(members, rng.randint(0, len(members))):
                seed_rsvp(dept, event_id, member, status=rng.choice(list(RSVPStatus)))
        moments = [in_days(n, hour=hour) for n in (-6, 0, 2) for hour in (6, 18)]
        cases: list[dict[str, Any]] = [
            {},
            {"end_after": iso(in_days(0, hour=12)), "limit": 5},
            {"include_drafts": True, "include_cancelled": True, "limit": 500},
            {"event_type": "training"},
            {"event_type": "other", "include_drafts": True},
            {"exclude_event_types": "other,social"},
            {"exclude_event_types": "training,ceremony", "include_cancelled": True},
            {"skip": 3, "limit": 4},
        ]
        for _ in range(40):
            params: dict[str, Any] = {
                "include_drafts": rng.random() < 0.5,
                "include_cancelled": rng.random() < 0.5,
            }
            for bound in rng.sample(("start_after", "start_before", "end_after", "end_before"), 2):
                params[bound] = iso(rng.choice(moments))
            cases.append(params)
        with dept.signed_in(name) as client:
            for params in cases:
                response = client.get(EVENTS, params=params)
                assert response.status_code == 200, response.text
                assert response.json() == database_answer(dept, params, caller), params

    def test_a_custom_category_is_matched_by_the_database_in_any_case(
        self, dept: Department
    ) -> None:
        hose = seed_event(dept, custom_category="Hose")
        seed_event(dept, custom_category="ladder")
        with dept.signed_in(dept.admin_username) as admin:
            assert set(listed(admin, custom_category="HOSE")) == {hose}


def database_answer(dept: Department, params: dict[str, Any], caller: str) -> Any:
    """What the list's query in the database answers for these parameters, as JSON."""
    filters = EventFilters(
        event_type=EventType(params["event_type"]) if "event_type" in params else None,
        exclude_event_types=frozenset(
            EventType(value) for value in params.get("exclude_event_types", "").split(",") if value
        ),
        **{
            bound: iso_datetime(params.get(bound), bound)
            for bound in ("start_after", "start_before", "end_after", "end_before")
        },
        include_cancelled=params.get("include_cancelled", False),
        include_drafts=params.get("include_drafts", False),
    )

    async def run(session: AsyncSession) -> Sequence[Any]:
        return await EventRepository(session, org_id(dept)).list_page(
            filters,
            uuid.UUID(caller),
            skip=params.get("skip", 0),
            limit=params.get("limit", 100),
        )

    rows = dept.run(run)
    return msgspec.json.decode(msgspec.json.encode([list_item(row) for row in rows]))


class TestFreshOnThisInstance:
    def test_an_answer_changes_the_next_list_of_every_member(self, dept: Department) -> None:
        event_id = rsvp_event(dept)
        _, me = person(dept)
        _, other = person(dept)
        with dept.signed_in(me) as mine, dept.signed_in(other) as theirs:
            assert seen(listed(mine)[event_id]) == (0, 0, None)
            assert seen(listed(theirs)[event_id]) == (0, 0, None)
            assert mine.post(at(event_id, "rsvp"), json={"status": "going"}).status_code == 200
            assert seen(listed(mine)[event_id]) == (1, 1, "going")
            assert seen(listed(theirs)[event_id]) == (1, 1, None)
            assert theirs.post(at(event_id, "rsvp"), json={"status": "maybe"}).status_code == 200
            assert seen(listed(mine)[event_id]) == (2, 1, "going")
            assert seen(listed(theirs)[event_id]) == (2, 1, "maybe")

    def test_a_promotion_changes_the_promoted_members_next_list(self, dept: Department) -> None:
        event_id = rsvp_event(dept, max_attendees=1)
        _, seated = person(dept)
        _, waiting = person(dept)
        with dept.signed_in(seated) as first, dept.signed_in(waiting) as second:
            assert first.post(at(event_id, "rsvp"), json={"status": "going"}).status_code == 200
            assert second.post(at(event_id, "rsvp"), json={"status": "going"}).status_code == 200
            assert seen(listed(second)[event_id]) == (2, 1, "waitlisted")
            left = first.post(at(event_id, "rsvp"), json={"status": "not_going"})
            assert left.status_code == 200
            assert seen(listed(second)[event_id]) == (2, 1, "going")

    def test_creating_editing_cancelling_and_deleting_change_the_next_list(
        self, dept: Department
    ) -> None:
        with dept.signed_in(dept.admin_username) as admin:
            kept = create_event(admin)
            assert set(listed(admin)) == {kept["id"]}
            added = create_event(admin)
            assert set(listed(admin)) == {kept["id"], added["id"]}
            edited = admin.patch(f"{EVENTS}/{kept['id']}", json={"title": "Hose testing"})
            assert edited.status_code == 200
            assert listed(admin)[kept["id"]]["title"] == "Hose testing"
            assert admin.post(f"{EVENTS}/{kept['id']}/cancel", json=REASON).status_code == 200
            assert set(listed(admin)) == {added["id"]}
            assert listed(admin, include_cancelled=True)[kept["id"]]["is_cancelled"] is True
            assert admin.delete(f"{EVENTS}/{added['id']}").status_code == 204
            assert listed(admin) == {}

    def test_a_training_session_made_here_is_in_the_next_list(self, dept: Department) -> None:
        # The session's event is published by the training module, not the events module:
        # this instance hears it as it commits (shared/events/local.py), not only from NATS.
        with dept.signed_in(dept.admin_username) as admin:
            assert listed(admin) == {}
            start = this_minute() + timedelta(days=1)
            session = create_session(dept, start, start + timedelta(hours=2))
            assert set(listed(admin)) == {session["event_id"]}


class _Loads:
    """Loads that count themselves, for two organizations' calendars and answers."""

    def __init__(self) -> None:
        self.count = 0

    async def rows(self) -> list[dict[str, Any]]:
        self.count += 1
        return []

    async def answers(self) -> dict[uuid.UUID, RSVPStatus]:
        self.count += 1
        return {}


async def _read(calendars: Calendars, organization_id: uuid.UUID, loads: _Loads) -> None:
    await calendars.calendar(organization_id, loads.rows)
    await calendars.answers(organization_id, uuid.UUID(int=1), loads.answers)


def _payload(organization_id: uuid.UUID, data: EventData) -> bytes:
    return encode(wrap(data, organization_id=organization_id, actor_id=None, request_id=None))


class TestFeed:
    @pytest.mark.parametrize(
        ("data", "dropped"),
        [
            (RSVPChanged(event_id=uuid.uuid4(), user_id=uuid.uuid4(), old_status=None,
                         new_status="going"), True),
            (EventUpdated(event_id=uuid.uuid4(), title="Drill", event_type="training",
                          start_datetime=in_days(1), end_datetime=in_days(1, hour=20),
                          changed_fields=["title"], significant=True), True),
            (LocationUpdated(location_id=uuid.uuid4(), name="Bay 2", building=None,
                             is_active=True), True),
            (MemberDeleted(user_id=str(uuid.uuid4()), hard=True), True),
            (CheckedIn(event_id=uuid.uuid4(), user_id=uuid.uuid4(), at=in_days(0),
                       method="self", event_type="training", local_date=in_days(0).date()),
             False),
            (ReminderDue(event_id=uuid.uuid4(), title="Drill", event_type="training",
                         start_datetime=in_days(1), end_datetime=in_days(1, hour=20),
                         hours_before=24, recipient_ids=[]), False),
        ],
    )  # fmt: skip
    async def test_what_an_event_from_any_instance_drops(
        self, data: EventData, *, dropped: bool
    ) -> None:
        calendars = Calendars()
        ours, theirs = uuid.uuid4(), uuid.uuid4()
        our_loads, their_loads = _Loads(), _Loads()
        await _read(calendars, ours, our_loads)
        await _read(calendars, theirs, their_loads)
        calendars.heard(_payload(ours, data))
        await _read(calendars, ours, our_loads)
        await _read(calendars, theirs, their_loads)
        assert our_loads.count == (4 if dropped else 2)
        assert their_loads.count == 2
        await calendars.close()

    async def test_nothing_is_kept_past_the_bound(self) -> None:
        now = [1000.0]
        calendars = Calendars(timer=lambda: now[0])
        organization_id, loads = uuid.uuid4(), _Loads()
        await _read(calendars, organization_id, loads)
        now[0] += TTL_SECONDS - 1
        await _read(calendars, organization_id, loads)
        assert loads.count == 2
        now[0] += 2
        await _read(calendars, organization_id, loads)
        assert loads.count == 4
        await calendars.close()


class Cleared(Calendars):
    """Calendars noting how often they were dropped whole."""

    def __init__(self) -> None:
        super().__init__()
        self.cleared = 0

    def clear(self) -> None:
        self.cleared += 1
        super().clear()


async def test_each_follower_catching_up_drops_every_calendar(nats_server: NatsServer) -> None:
    # What a follower missed while NATS was away is unknown: each drops everything as it
    # catches up (at its start here; after a reconnection alike, shared/events/follower.py).
    connection = NatsConnection(nats_server.url, "LOGBOOK_CALENDAR_TEST", name="calendar-test")
    calendars = Cleared()
    feed = cache_followers(connection, SUBJECTS, calendars, name="calendar-test")
    connection.start()
    feed.start()
    try:
        await wait_for(lambda: calendars.cleared == len(SUBJECTS), what="each follower current")
    finally:
        await feed.stop()
        await connection.close()
        await calendars.close()
