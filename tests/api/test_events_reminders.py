"""The RSVP reminder (spec events.md §2 reminder fields; issue 13 item 7) on the scheduled-work
facility, with the moment injected.

The facility ticks on the test's rolled-back connection: each key's claim and run are rows there,
so a second tick (or a fresh instance, as after a restart) finds the run finished. Runs of other
organizations' events are left out of the ticks. The published reminder is handed to the calendar
notification consumer and read back from the members' inboxes through the api.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import SPEC
from api.events import reminders as reminders_module
from api.events.reminders import RSVP_REMINDERS
from shared.models import Event, ReminderTarget
from shared.scheduled.work import ScheduledJob, ScheduledWork
from tests.api.calendar_inbox_support import deliver, envelopes, inbox, notices_of, prefer
from tests.api.department import Department
from tests.api.events_support import org_id, seed_event, seed_rsvp

SUBJECT = "logbook.api.event.reminder_due"
# 19:00 on Monday 14 January 2030 in New York, the department's default zone.
START = datetime(2030, 1, 15, 0, 0, tzinfo=UTC)
WHEN = "Mon, Jan 14, 2030 at 07:00 PM EST"


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def own_job(dept: Department) -> ScheduledJob:
    """The reminder job, its due keys limited to the department's events."""
    prefix = f"{org_id(dept)}/"

    async def due(session: AsyncSession, now: datetime) -> list[str]:
        return [key for key in await RSVP_REMINDERS.due(session, now) if key.startswith(prefix)]

    return ScheduledJob(name=RSVP_REMINDERS.name, due=due, run=RSVP_REMINDERS.run)


def tick(dept: Department, at: datetime) -> int:
    """One tick of a fresh scheduled-work instance at `at`; how many runs it finished."""
    work = ScheduledWork(dept.api.sessions, [own_job(dept)], clock=lambda: at)

    async def run(_session: AsyncSession) -> int:
        return await work.tick()

    return dept.run(run)


def due_keys(dept: Department, at: datetime) -> list[str]:
    async def run(session: AsyncSession) -> list[str]:
        return list(await own_job(dept).due(session, at))

    return dept.run(run)


def reminders(dept: Department) -> list[dict[str, Any]]:
    """The `data` of the department's published reminders, oldest first."""
    return [dict(envelope.data) for envelope in envelopes(dept, SUBJECT)]


def deliver_reminders(dept: Department) -> None:
    for envelope in envelopes(dept, SUBJECT):
        deliver(dept, envelope)


def event_at(dept: Department, start: datetime = START, **fields: Any) -> str:
    return seed_event(dept, start_datetime=start, end_datetime=start + timedelta(hours=2), **fields)


def reschedule(dept: Department, event_id: str, start: datetime) -> None:
    async def run(session: AsyncSession) -> None:
        event = await session.get(Event, uuid.UUID(event_id))
        assert event is not None
        event.start_datetime, event.end_datetime = start, start + timedelta(hours=2)

    dept.run(run)


class TestSchedule:
    def test_every_api_instance_ticks_the_reminders(self) -> None:
        assert RSVP_REMINDERS in SPEC.scheduled

    def test_due_from_its_hour_until_the_event_starts(self, dept: Department) -> None:
        event_at(dept)  # the default schedule: 24 hours before
        assert due_keys(dept, START - timedelta(hours=24, seconds=1)) == []
        (key,) = due_keys(dept, START - timedelta(hours=24))
        assert key.endswith("/24")
        assert due_keys(dept, START - timedelta(seconds=1)) == [key]
        assert due_keys(dept, START) == []

    def test_only_the_latest_passed_reminder_is_due(self, dept: Department) -> None:
        event_at(dept, reminder_schedule=[48, 2, 24])

        def hours(at: datetime) -> list[str]:
            return [key.rsplit("/", 1)[1] for key in due_keys(dept, at)]

        assert hours(START - timedelta(hours=30)) == ["48"]
        assert hours(START - timedelta(hours=20)) == ["24"]
        # All three times have passed (published late, or no instance ran): one reminder.
        assert hours(START - timedelta(hours=1)) == ["2"]


class TestGoing:
    def test_a_due_reminder_reaches_the_going_members_once(self, dept: Department) -> None:
        event_id = event_at(dept, title="Pump drill")
        going = dept.add_member("member")
        maybe = dept.add_member("member")
        declined = dept.add_member("member")
        suspended = dept.add_member("member", status="suspended")
        for (user_id, _), status in (
            (going, "going"),
            (maybe, "maybe"),
            (declined, "not_going"),
            (suspended, "going"),
        ):
            seed_rsvp(dept, event_id, user_id, status=status)
        at = START - timedelta(hours=20)

        assert tick(dept, at) == 1
        assert tick(dept, at + timedelta(minutes=1)) == 0  # another tick, or a restarted instance

        (reminder,) = reminders(dept)
        assert reminder["event_id"] == event_id
        assert reminder["hours_before"] == 24
        assert sorted(reminder["recipient_ids"]) == sorted([going[0], suspended[0]])
        deliver_reminders(dept)
        deliver_reminders(dept)  # redelivered: nothing more
        (entry,) = inbox(dept, going[1])
        assert (entry["category"], entry["subject"], entry["message"], entry["action_url"]) == (
            "event_reminder",
            "Reminder: Pump drill",
            f"Pump drill starts {WHEN}.",
            f"/events/{event_id}",
        )
        for user_id, _ in (maybe, declined, suspended):
            assert notices_of(dept, user_id) == []

    def test_nothing_before_its_hour_or_after_the_start(self, dept: Department) -> None:
        event_id = event_at(dept)
        seed_rsvp(dept, event_id, dept.add_member("member")[0])
        assert tick(dept, START - timedelta(hours=25)) == 0
        assert tick(dept, START + timedelta(minutes=1)) == 0
        assert reminders(dept) == []

    def test_each_reminder_of_the_schedule_goes_once(self, dept: Department) -> None:
        event_id = event_at(dept, reminder_schedule=[24, 2])
        seed_rsvp(dept, event_id, dept.add_member("member")[0])
        for hours in (23, 22, 1.5, 1):
            tick(dept, START - timedelta(hours=hours))
        assert [r["hours_before"] for r in reminders(dept)] == [24, 2]

    def test_a_moved_event_is_reminded_before_its_new_start(self, dept: Department) -> None:
        event_id = event_at(dept)
        seed_rsvp(dept, event_id, dept.add_member("member")[0])
        assert tick(dept, START - timedelta(hours=20)) == 1
        later = START + timedelta(days=7)
        reschedule(dept, event_id, later)
        assert tick(dept, later - timedelta(hours=30)) == 0
        assert tick(dept, later - timedelta(hours=20)) == 1
        assert [r["start_datetime"] for r in reminders(dept)] == [
            "2030-01-15T00:00:00Z",
            "2030-01-22T00:00:00Z",
        ]

    def test_a_member_who_turned_event_reminders_off_is_not_reminded(
        self, dept: Department
    ) -> None:
        event_id = event_at(dept)
        quiet = dept.add_member("member")
        keen = dept.add_member("member")
        prefer(dept, quiet[0], event_reminders=False)
        for user_id, _ in (quiet, keen):
            seed_rsvp(dept, event_id, user_id)
        tick(dept, START - timedelta(hours=1))
        deliver_reminders(dept)
        assert inbox(dept, quiet[1]) == []
        assert len(inbox(dept, keen[1])) == 1


class TestNoReminder:
    @pytest.mark.parametrize(
        "fields",
        [
            {"is_cancelled": True},
            {"is_draft": True},
            {"send_reminders": False},
            {"reminder_target": ReminderTarget.NONE},
            {"reminder_schedule": []},
        ],
        ids=["cancelled", "draft", "reminders off", "target none", "empty schedule"],
    )
    def test_nothing_is_sent(self, dept: Department, fields: dict[str, Any]) -> None:
        event_id = event_at(dept, **fields)
        seed_rsvp(dept, event_id, dept.add_member("member")[0])
        assert tick(dept, START - timedelta(hours=1)) == 0
        assert reminders(dept) == []

    def test_an_event_cancelled_after_its_key_came_due_is_not_reminded(
        self, dept: Department
    ) -> None:
        event_id = event_at(dept)
        seed_rsvp(dept, event_id, dept.add_member("member")[0])
        (key,) = due_keys(dept, START - timedelta(hours=1))

        async def cancel_then_run(session: AsyncSession) -> None:
            event = await session.get(Event, uuid.UUID(event_id))
            assert event is not None
            event.is_cancelled = True
            await session.flush()
            await RSVP_REMINDERS.run(session, key, START - timedelta(hours=1))

        dept.run(cancel_then_run)
        assert reminders(dept) == []

    def test_going_with_nobody_going_publishes_nothing(self, dept: Department) -> None:
        event_id = event_at(dept)
        seed_rsvp(dept, event_id, dept.add_member("member")[0], status="maybe")
        assert tick(dept, START - timedelta(hours=1)) == 1  # the run is done: nobody to remind
        assert reminders(dept) == []


class TestAll:
    def test_every_active_member_of_the_organization_is_reminded(
        self, dept: Department, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(reminders_module, "RECIPIENTS_PER_EVENT", 2)
        event_id = event_at(dept, reminder_target=ReminderTarget.ALL, title="Annual meeting")
        members = [dept.add_member("member") for _ in range(2)]
        suspended = dept.add_member("member", status="suspended")
        stranger = dept.add_member("member", organization_id=dept.second_organization())

        assert tick(dept, START - timedelta(hours=3)) == 1

        # The administrator and two members, two to a published reminder.
        published = reminders(dept)
        assert [len(reminder["recipient_ids"]) for reminder in published] == [2, 1]
        recipients = {user_id for reminder in published for user_id in reminder["recipient_ids"]}
        assert {user_id for user_id, _ in members} < recipients
        assert len(recipients) == 3
        assert suspended[0] not in recipients
        assert stranger[0] not in recipients
        deliver_reminders(dept)
        for username in [dept.admin_username, *(username for _, username in members)]:
            (entry,) = inbox(dept, username)
            assert entry["subject"] == "Reminder: Annual meeting"
            assert entry["action_url"] == f"/events/{event_id}"
        assert notices_of(dept, stranger[0]) == []
