"""Calendar notices in members' inboxes (spec events.md §4.2, §4.4, §8.11; issue 13 item 7).

The change is made through the api; the event it wrote to the outbox is handed to the calendar
notification consumer, as a JetStream delivery does, and the inbox is read through the api.
"""

import email
import email.policy
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from shared.events.contracts.events import EventCancelled, WaitlistPromoted
from shared.events.envelope import wrap
from tests.api.calendar_inbox_support import (
    deliver,
    deliver_all,
    envelopes,
    inbox,
    member_email,
    notices_of,
    prefer,
)
from tests.api.department import Department
from tests.api.events_support import (
    EVENTS,
    create_event,
    iso,
    manager,
    org_id,
    seed_event,
    seed_rsvp,
)
from tests.e2e.auth_platform import SmtpSink

# 19:00 on Monday 14 January 2030 in New York, the department's default zone.
START = datetime(2030, 1, 15, 0, 0, tzinfo=UTC)
WHEN = "Mon, Jan 14, 2030 at 07:00 PM EST"


@pytest.fixture
def dept(department: Department) -> Department:
    return department


class Answers:
    """One member per RSVP answer, an inactive `going` member, and a member without an RSVP."""

    def __init__(self, dept: Department, event_id: str) -> None:
        self.going = dept.add_member("member")
        self.maybe = dept.add_member("member")
        self.not_going = dept.add_member("member")
        self.waitlisted = dept.add_member("member")
        self.suspended = dept.add_member("member", status="suspended")
        self.silent = dept.add_member("member")
        for (user_id, _), status in (
            (self.going, "going"),
            (self.maybe, "maybe"),
            (self.not_going, "not_going"),
            (self.waitlisted, "waitlisted"),
            (self.suspended, "going"),
        ):
            seed_rsvp(dept, event_id, user_id, status=status)

    def told(self) -> list[str]:
        return [self.going[1], self.maybe[1]]

    def untold(self) -> list[str]:
        """Member ids of those who hear nothing."""
        return [self.not_going[0], self.waitlisted[0], self.suspended[0], self.silent[0]]


class TestSignificantEdits:
    def test_going_and_maybe_members_hear_of_a_new_time_once(self, dept: Department) -> None:
        officer = manager(dept)
        with dept.signed_in(officer) as client:
            event = create_event(client, title="Hose drill")
            answers = Answers(dept, event["id"])
            response = client.patch(
                f"{EVENTS}/{event['id']}",
                json={
                    "title": "Hose and ladder drill",
                    "start_datetime": iso(START),
                    "end_datetime": iso(START + timedelta(hours=2)),
                },
            )
        assert response.status_code == 200, response.text

        deliver_all(dept, "logbook.api.event.updated")
        deliver_all(dept, "logbook.api.event.updated")  # redelivered: nothing more

        for username in answers.told():
            (entry,) = inbox(dept, username)
            assert (entry["category"], entry["subject"]) == (
                "event_update",
                "Event updated: Hose and ladder drill",
            )
            assert entry["message"] == (
                f"The title and time of Hose and ladder drill changed. It now starts {WHEN}."
            )
            assert entry["action_url"] == f"/events/{event['id']}"
        for user_id in answers.untold():
            assert notices_of(dept, user_id) == []
        assert inbox(dept, officer) == []

    def test_a_change_of_place_is_significant(self, dept: Department) -> None:
        officer = manager(dept)
        with dept.signed_in(officer) as client:
            event = create_event(client, title="Open house")
            answers = Answers(dept, event["id"])
            response = client.patch(f"{EVENTS}/{event['id']}", json={"location": "Station 2"})
        assert response.status_code == 200, response.text

        deliver_all(dept, "logbook.api.event.updated")

        (entry,) = inbox(dept, answers.going[1])
        assert entry["message"].startswith("The location of Open house changed. It now starts ")

    def test_other_edits_tell_nobody(self, dept: Department) -> None:
        officer = manager(dept)
        with dept.signed_in(officer) as client:
            event = create_event(client)
            answers = Answers(dept, event["id"])
            response = client.patch(
                f"{EVENTS}/{event['id']}", json={"description": "Bring gloves", "max_attendees": 9}
            )
        assert response.status_code == 200, response.text

        (updated,) = envelopes(dept, "logbook.api.event.updated")
        assert updated.data["significant"] is False
        deliver(dept, updated)

        assert inbox(dept, answers.going[1]) == []


class TestCancellation:
    def test_members_are_told_only_when_the_manager_asks(self, dept: Department) -> None:
        officer = manager(dept)
        with dept.signed_in(officer) as client:
            told = create_event(
                client,
                title="Pancake breakfast",
                start_datetime=iso(START),
                end_datetime=iso(START + timedelta(hours=3)),
            )
            quiet = create_event(client, title="Committee meeting")
            answers = Answers(dept, told["id"])
            for (user_id, _), status in ((answers.going, "going"), (answers.maybe, "maybe")):
                seed_rsvp(dept, quiet["id"], user_id, status=status)
            for event, notify in ((told, True), (quiet, False)):
                response = client.post(
                    f"{EVENTS}/{event['id']}/cancel",
                    json={
                        "cancellation_reason": "The hall is flooded",
                        "send_notifications": notify,
                    },
                )
                assert response.status_code == 200, response.text

        deliver_all(dept, "logbook.api.event.cancelled")
        deliver_all(dept, "logbook.api.event.cancelled")  # redelivered: nothing more

        for username in answers.told():
            (entry,) = inbox(dept, username)
            assert (entry["category"], entry["subject"], entry["message"]) == (
                "event_update",
                "Event cancelled: Pancake breakfast",
                f"Pancake breakfast ({WHEN}) was cancelled: The hall is flooded",
            )
            assert entry["action_url"] == f"/events/{told['id']}"
        for user_id in answers.untold():
            assert notices_of(dept, user_id) == []

    def test_a_member_of_another_organization_gets_nothing(self, dept: Department) -> None:
        # The ids come from the event; one naming a stranger (a corrupt or forged event) is
        # looked up in the event's own organization and found missing.
        stranger, username = dept.add_member("member", organization_id=dept.second_organization())
        member, own = dept.add_member("member")
        data = EventCancelled(
            event_id=uuid.uuid4(),
            title="Drill",
            event_type="training",
            start_datetime=START,
            end_datetime=START + timedelta(hours=1),
            reason="Snow",
            recipient_ids=[uuid.UUID(stranger), uuid.UUID(member)],
        )
        deliver(dept, wrap(data, organization_id=org_id(dept), actor_id=None, request_id=None))

        assert inbox(dept, username) == []
        (entry,) = inbox(dept, own)
        assert entry["subject"] == "Event cancelled: Drill"


class TestForeignAndMalformed:
    def test_a_promotion_naming_another_organizations_event_tells_nobody(
        self, dept: Department
    ) -> None:
        foreign = seed_event(dept, dept.second_organization(), start_datetime=START)
        member, username = dept.add_member("member")
        data = WaitlistPromoted(event_id=uuid.UUID(foreign), user_id=uuid.UUID(member))
        deliver(dept, wrap(data, organization_id=org_id(dept), actor_id=None, request_id=None))
        assert inbox(dept, username) == []

    def test_a_malformed_event_is_dropped_without_an_error(self, dept: Department) -> None:
        member, username = dept.add_member("member")
        good = wrap(
            WaitlistPromoted(event_id=uuid.uuid4(), user_id=uuid.UUID(member)),
            organization_id=org_id(dept),
            actor_id=None,
            request_id=None,
        )
        broken = msgspec.structs.replace(
            good, type="logbook.api.event.cancelled", data={"event_id": "not an id"}
        )
        deliver(dept, broken)  # handled: retrying cannot mend it
        assert inbox(dept, username) == []


class TestEmail:
    def test_notices_are_mailed_by_each_members_preference(self, dept: Department) -> None:
        officer = manager(dept)
        with dept.signed_in(officer) as client:
            event = create_event(client, title="Awards night")
            answers = Answers(dept, event["id"])
            prefer(dept, answers.maybe[0], email_notifications=False)
            response = client.post(
                f"{EVENTS}/{event['id']}/cancel",
                json={"cancellation_reason": "Postponed to spring", "send_notifications": True},
            )
        assert response.status_code == 200, response.text

        with SmtpSink() as sink:
            settings = dept.api.settings.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_starttls": False}
            )
            deliver_all(dept, "logbook.api.event.cancelled", settings)
            deliver_all(dept, "logbook.api.event.cancelled", settings)  # redelivered
            (raw,) = sink.wait_for(1)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert message["Subject"] == "Event cancelled: Awards night"
        assert message["To"] == member_email(dept, answers.going[0])
        body = message.get_body()
        assert body is not None
        assert f"/events/{event['id']}" in body.get_content()
        for username in answers.told():  # the opted-out member still has the in-app entry
            assert len(inbox(dept, username)) == 1


class TestWaitlist:
    def test_the_promoted_member_hears_they_are_off_the_waitlist(self, dept: Department) -> None:
        event_id = seed_event(
            dept,
            title="CPR class",
            start_datetime=START,
            end_datetime=START + timedelta(hours=3),
            requires_rsvp=True,
            rsvp_deadline=START - timedelta(days=1),
            max_attendees=1,
        )
        first = dept.add_member("member")
        second = dept.add_member("member")
        for (_, username), status in ((first, "going"), (second, "going"), (first, "not_going")):
            with dept.signed_in(username) as client:
                response = client.post(f"{EVENTS}/{event_id}/rsvp", json={"status": status})
            assert response.status_code == 200, response.text
        assert len(envelopes(dept, "logbook.api.event.waitlist_promoted")) == 1

        # Every calendar event reaches this consumer; only the promotion concerns an inbox.
        for _ in range(2):  # redelivered: nothing more
            for envelope in envelopes(dept, "logbook.api.event.%"):
                deliver(dept, envelope)

        (entry,) = inbox(dept, second[1])
        assert (entry["category"], entry["subject"], entry["message"], entry["action_url"]) == (
            "event_update",
            "Off the waitlist: CPR class",
            f"A place opened up: you are now going to CPR class ({WHEN}).",
            f"/events/{event_id}",
        )
        assert inbox(dept, first[1]) == []
