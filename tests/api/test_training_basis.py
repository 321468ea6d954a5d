"""The organization's basis kept in memory (api/training/basis.py): its terms, active
requirements, waivers and leaves. A change made through the api shows on the next page of the
same instance (dropped once committed); an event from any instance drops it; nothing is kept
past its time to live. Without NATS here, nothing but the commit drops the basis in the first
class: each test fails if that rule is missing."""

import json
import uuid
from datetime import UTC, date, datetime

import msgspec
import pytest
from nats.aio.client import Client

from api.training.basis import (
    SUBJECTS,
    TTL_SECONDS,
    BasisCache,
    TrainingBasis,
)
from api.training.service import basis_of
from shared.events.contracts.leaves import LeaveCreated, WaiverChanged
from shared.events.contracts.organization import OrganizationSettingsUpdated
from shared.events.contracts.training import (
    CourseChanged,
    RecordCreated,
    RequirementChanged,
)
from shared.events.envelope import EventData
from shared.events.follower import cache_followers
from shared.events.local import LocalEvents
from shared.events.nats import NatsConnection, ensure_stream
from shared.models import RequirementFrequency
from tests.api.department import Department
from tests.api.organization_support import SETTINGS as ORGANIZATION_SETTINGS
from tests.api.training_periods_support import (
    LEAVES,
    WAIVERS,
    granter,
    leave_body,
    quarters_first_month,
)
from tests.api.training_reads_support import (
    MY_TRAINING,
    REQUIREMENTS,
    get_json,
    seed_requirement,
)
from tests.api.training_support import officer
from tests.support.servers import NatsServer
from tests.support.waiting import wait_for

ORG = uuid.uuid4()
STREAM = "LOGBOOK_BASIS_TEST"


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def targets(dept: Department, username: str) -> dict[str, float]:
    """My Training's required hours by requirement name."""
    details = get_json(dept, username, MY_TRAINING)["requirements_detail"]
    return {detail["name"]: detail["required_hours"] for detail in details}


class TestChangesThroughTheApi:
    """The member's next My Training after an officer's change, on the same instance."""

    def quarterly(self, dept: Department) -> tuple[str, str]:
        """A quarterly 9-hour requirement and a member whose My Training has been read (its
        basis kept): (member id, username)."""
        seed_requirement(
            dept,
            name="Quarterly drills",
            required_hours=9.0,
            frequency=RequirementFrequency.QUARTERLY,
            year=None,
            include_current_month=True,
        )
        user_id, username = dept.add_member("member")
        assert targets(dept, username) == {"Quarterly drills": 9.0}
        return user_id, username

    def test_a_requirement_created_edited_and_deleted(self, dept: Department) -> None:
        _, username = self.quarterly(dept)
        with dept.signed_in(officer(dept)) as client:
            body = {"name": "Annual hours", "requirement_type": "hours", "frequency": "annual"}
            created = client.post(REQUIREMENTS, json={**body, "required_hours": 10})
            assert created.status_code == 201, created.text
            path = f"{REQUIREMENTS}/{created.json()['id']}"
            assert targets(dept, username)["Annual hours"] == 10.0
            assert client.patch(path, json={"required_hours": 20}).status_code == 200
            assert targets(dept, username)["Annual hours"] == 20.0
            assert client.delete(path).status_code == 204
        assert targets(dept, username) == {"Quarterly drills": 9.0}

    def test_a_waiver_granted_and_deactivated(self, dept: Department) -> None:
        user_id, username = self.quarterly(dept)
        first, last = quarters_first_month()
        with dept.signed_in(officer(dept)) as client:
            waiver = client.post(
                WAIVERS, json={"user_id": user_id, "start_date": first, "end_date": last}
            )
            assert waiver.status_code == 201, waiver.text
            assert targets(dept, username) == {"Quarterly drills": 6.0}
            assert client.delete(f"{WAIVERS}/{waiver.json()['id']}").status_code == 204
        assert targets(dept, username) == {"Quarterly drills": 9.0}

    def test_a_leave_granted_and_deactivated(self, dept: Department) -> None:
        user_id, username = self.quarterly(dept)
        first, last = quarters_first_month()
        with dept.signed_in(granter(dept)[1]) as client:
            leave = client.post(LEAVES, json=leave_body(user_id, start_date=first, end_date=last))
            assert leave.status_code == 201, leave.text
            assert targets(dept, username) == {"Quarterly drills": 6.0}
            assert client.delete(f"{LEAVES}/{leave.json()['id']}").status_code == 204
        assert targets(dept, username) == {"Quarterly drills": 9.0}

    def test_the_organizations_settings_changed_through_the_api(self, dept: Department) -> None:
        # The organization module publishes the change, not training: this instance hears it
        # as it commits (shared/events/local.py), before it comes back from NATS.
        _, username = dept.add_member("member")
        assert get_json(dept, username, MY_TRAINING)["visibility"]["show_training_history"]
        hidden = {"training": {"member_visibility": {"show_training_history": False}}}
        with dept.signed_in(dept.admin_username) as admin:
            changed = admin.patch(ORGANIZATION_SETTINGS, json=hidden)
            assert changed.status_code == 200, changed.text
        page = get_json(dept, username, MY_TRAINING)
        assert page["visibility"]["show_training_history"] is False
        assert "training_records" not in page


def envelope(data: EventData, organization_id: uuid.UUID | None = ORG) -> bytes:
    """An event as another instance's relay publishes it."""
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": data.subject,
            "version": 1,
            "occurred_at": datetime.now(UTC).isoformat(),
            "organization_id": str(organization_id) if organization_id else None,
            "actor_id": None,
            "request_id": None,
            "data": msgspec.to_builtins(data),
        }
    ).encode()


class Loads:
    """A basis loader counting its loads."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> TrainingBasis:
        self.count += 1
        return basis_of(None, [], {})


def record_created() -> RecordCreated:
    return RecordCreated(
        record_id=uuid.uuid4(), user_id=uuid.uuid4(), course_name="CPR", status="completed",
        hours_completed=1.0,
    )  # fmt: skip


LEAVE = LeaveCreated(
    leave_id=uuid.uuid4(), user_id=uuid.uuid4(), leave_type="medical", start_date=date(2026, 1, 1),
    end_date=None, active=True, exempt_from_training_waiver=False, linked_training_waiver_id=None,
)  # fmt: skip
WAIVER = WaiverChanged(
    waiver_id=uuid.uuid4(), user_id=uuid.uuid4(), verb="created", start_date=date(2026, 1, 1),
    end_date=None, requirement_ids=None, active=True,
)  # fmt: skip
CHANGING: list[EventData] = [
    RequirementChanged(requirement_id=uuid.uuid4(), verb="updated"),
    WAIVER,
    LEAVE,
    OrganizationSettingsUpdated(sections=["training"]),
]


class TestEventsFromAnyInstance:
    @pytest.mark.parametrize("event", CHANGING, ids=lambda event: event.subject)
    async def test_a_change_drops_its_organizations_basis(self, event: EventData) -> None:
        cache, loads, other = BasisCache(), Loads(), Loads()
        other_org = uuid.uuid4()
        await cache.get(ORG, loads)
        await cache.get(other_org, other)
        cache.heard(envelope(event))
        await cache.get(ORG, loads)
        await cache.get(other_org, other)
        assert (loads.count, other.count) == (2, 1)

    @pytest.mark.parametrize(
        "event",
        [record_created(), CourseChanged(course_id=uuid.uuid4(), verb="created")],
        ids=lambda event: event.subject,
    )
    async def test_records_and_the_library_change_no_basis(self, event: EventData) -> None:
        cache, loads = BasisCache(), Loads()
        await cache.get(ORG, loads)
        cache.heard(envelope(event))
        cache.heard(b"not an envelope")
        await cache.get(ORG, loads)
        assert loads.count == 1


class Watched(BasisCache):
    """A cache noting what the followers drop."""

    def __init__(self) -> None:
        super().__init__()
        self.forgotten: list[uuid.UUID] = []
        self.cleared = 0

    def forget(self, organization_id: uuid.UUID) -> None:
        self.forgotten.append(organization_id)
        super().forget(organization_id)

    def clear(self) -> None:
        self.cleared += 1
        super().clear()


async def publish(server: NatsServer, *events: EventData) -> None:
    """Events as another instance's relay publishes them."""
    client = Client()
    await client.connect(server.url, connect_timeout=2, allow_reconnect=False)
    try:
        js = client.jetstream()
        await ensure_stream(js, STREAM)
        for event in events:
            await js.publish(event.subject, envelope(event), stream=STREAM)
    finally:
        await client.close()


class TestFollowers:
    async def test_the_stream_drops_bases_and_a_follower_catching_up_drops_them_all(
        self, nats_server: NatsServer
    ) -> None:
        connection = NatsConnection(nats_server.url, STREAM, name="basis-test")
        cache = Watched()
        followers = cache_followers(connection, SUBJECTS, cache, name="basis-test")
        connection.start()
        followers.start()
        try:
            await wait_for(lambda: cache.cleared == len(SUBJECTS), what="each follower current")
            await publish(nats_server, *CHANGING)
            await wait_for(lambda: len(cache.forgotten) == len(CHANGING), what="bases dropped")
        finally:
            await followers.stop()
            await connection.close()
        assert cache.forgotten == [ORG] * len(CHANGING)


class TestOwnChanges:
    """This instance's committed events, as the outbox hands them over (shared/events/local.py)
    to the handler the followers of `start_training_basis` register for their subjects."""

    @pytest.mark.parametrize("event", CHANGING, ids=lambda event: event.subject)
    async def test_a_change_committed_here_drops_its_basis(self, event: EventData) -> None:
        cache, loads, local = BasisCache(), Loads(), LocalEvents()
        local.follow(SUBJECTS, cache.heard)
        await cache.get(ORG, loads)
        local.deliver(event.subject, envelope(event))
        await cache.get(ORG, loads)
        assert loads.count == 2

    async def test_records_drop_nothing(self) -> None:
        cache, loads, local = BasisCache(), Loads(), LocalEvents()
        local.follow(SUBJECTS, cache.heard)
        await cache.get(ORG, loads)
        event = record_created()
        local.deliver(event.subject, envelope(event))
        await cache.get(ORG, loads)
        assert loads.count == 1


async def test_nothing_is_kept_past_its_time_to_live() -> None:
    now = [0.0]
    cache, loads = BasisCache(timer=lambda: now[0]), Loads()
    await cache.get(ORG, loads)
    now[0] += TTL_SECONDS - 1
    await cache.get(ORG, loads)
    now[0] += 2
    await cache.get(ORG, loads)
    assert loads.count == 2
