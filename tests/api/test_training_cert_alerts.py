"""The certification expiry alert job (spec training.md §6, issue 14 item 3) and its inbox
entries (addendum §5.4): the tiers a member's current certification fires, once each and never
out of order, and who hears of each.

That the job runs once per organization and day however many instances tick is the
scheduled-work facility's promise (tests/shared/test_scheduled_work.py); here its work runs on
the test's rolled-back connection with the department's day given, and the training
notification consumer is handed the outbox's events as a delivery does.
"""

import email
import email.policy
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import SPEC
from api.consumers import notification_consumers
from api.training.cert_alerts import CERTIFICATION_ALERTS, TIERS, alert_certifications, due_tier
from shared.events.envelope import Envelope, decode
from shared.models import (
    MemberStatus,
    NotificationLog,
    OutboxMessage,
    TrainingRecord,
    TrainingStatus,
    User,
)
from shared.settings import Settings
from tests.api.department import Department
from tests.api.training_support import org_id, seed_course, seed_record
from tests.e2e.auth_platform import SmtpSink
from tests.support import factories
from tests.support.inprocess import InProcess

TODAY = date(2026, 12, 6)
EXPIRING = "logbook.api.training.certification_expiring"
EXPIRED = "logbook.api.training.certification_expired"
INBOX = "/api/v1/notifications/my"
DURABLE = "api-notifications-training"


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def run_alerts(dept: Department, day: date, organization_id: str | None = None) -> list[Envelope]:
    """Run the job's work for the organization's `day` (at noon UTC); the events it wrote."""
    now = datetime.combine(day, time(12), UTC)

    async def work(session: AsyncSession) -> list[Envelope]:
        before = set((await session.scalars(select(OutboxMessage.id))).all())
        await alert_certifications(session, org_id(dept, organization_id), day, now)
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.id.not_in(before)))
        return [decode(bytes(row.payload)) for row in rows]

    return dept.run(work)


def cert(
    dept: Department,
    user_id: str,
    expires: date | None,
    organization_id: str | None = None,
    **fields: Any,
) -> str:
    """A completed EMT-B certificate of the member, completed two years before it expires."""
    done = (expires or TODAY) - timedelta(days=730)
    values = {"course_name": "EMT-B", "completion_date": done, **fields}
    return seed_record(dept, user_id, organization_id, expiration_date=expires, **values)


def sent(dept: Department, record_id: str) -> list[str]:
    """The tiers marked sent on the record, least urgent first."""

    async def work(session: AsyncSession) -> list[str]:
        record = await session.get(TrainingRecord, uuid.UUID(record_id))
        assert record is not None
        return [tier.name for tier in TIERS if getattr(record, tier.column) is not None]

    return dept.run(work)


def tiers(events: list[Envelope]) -> list[tuple[str, str, str]]:
    """(subject, record id, tier) of each event."""
    return [(e.type, e.data["record_id"], e.data["tier"]) for e in events]


def deliver(dept: Department, event: Envelope, settings: Settings | None = None) -> None:
    """Run the training notification consumer's handler once, as a delivery does."""
    (spec,) = [
        spec
        for spec in notification_consumers(settings or dept.api.settings)
        if spec.durable == DURABLE
    ]
    assert spec.subject_filter == "logbook.api.training.>"

    async def work(session: AsyncSession) -> None:
        await spec.handler(event, session)

    dept.run(work)


def inbox(dept: Department, username: str) -> list[dict[str, Any]]:
    with dept.signed_in(username) as client:
        response = client.get(INBOX)
    assert response.status_code == 200, response.text
    return list(response.json()["logs"])


class TestSchedule:
    def test_the_api_ticks_the_job_from_six_local(self, dept: Department) -> None:
        assert CERTIFICATION_ALERTS in SPEC.scheduled
        six_in_chicago = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

        async def due(session: AsyncSession) -> list[bool]:
            org = await factories.organization(session, timezone="America/Chicago")
            mine = f"2026-12-06/{org.id}"
            return [
                mine in await CERTIFICATION_ALERTS.due(session, at)
                for at in (six_in_chicago - timedelta(minutes=1), six_in_chicago)
            ]

        assert dept.run(due) == [False, True]


class TestTiers:
    @pytest.mark.parametrize(
        ("days_left", "tier"),
        [
            (91, None),
            (90, "90"),
            (61, "90"),
            (60, "60"),
            (31, "60"),
            (30, "30"),
            (8, "30"),
            (7, "7"),
            (0, "7"),  # valid through the expiration date
            (-1, "expired"),
            (-400, "expired"),
        ],
    )
    def test_the_most_urgent_tier_due(self, days_left: int, tier: str | None) -> None:
        due = due_tier(TODAY + timedelta(days=days_left), TODAY)
        assert (None if due is None else TIERS[due].name) == tier

    def test_each_tier_fires_once_in_order_and_skipped_ones_are_marked(
        self, dept: Department
    ) -> None:
        member, _ = dept.add_member("member")
        expires = TODAY + timedelta(days=91)
        record = cert(dept, member, expires)

        assert run_alerts(dept, TODAY) == []  # 91 days left
        assert sent(dept, record) == []

        (ninety,) = run_alerts(dept, expires - timedelta(days=89))
        assert ninety.type == EXPIRING
        assert ninety.organization_id == org_id(dept)
        assert ninety.actor_id is None
        assert ninety.data == {
            "record_id": record,
            "user_id": member,
            "course_name": "EMT-B",
            "tier": "90",
            "expiration_date": expires.isoformat(),
        }
        assert run_alerts(dept, expires - timedelta(days=88)) == []  # sent already

        assert tiers(run_alerts(dept, expires - timedelta(days=59))) == [(EXPIRING, record, "60")]
        assert sent(dept, record) == ["90", "60"]
        assert run_alerts(dept, expires - timedelta(days=45)) == []

        # The job did not run in the 30-day tier: only the 7-day one fires, the 30 is marked.
        assert tiers(run_alerts(dept, expires - timedelta(days=6))) == [(EXPIRING, record, "7")]
        assert sent(dept, record) == ["90", "60", "30", "7"]
        assert run_alerts(dept, expires) == []

        assert tiers(run_alerts(dept, expires + timedelta(days=1))) == [
            (EXPIRED, record, "expired")
        ]
        assert sent(dept, record) == ["90", "60", "30", "7", "expired"]
        assert run_alerts(dept, expires + timedelta(days=2)) == []

    def test_a_first_look_near_the_expiry_fires_only_the_most_urgent_tier(
        self, dept: Department
    ) -> None:
        member, _ = dept.add_member("member")
        record = cert(dept, member, TODAY + timedelta(days=20))

        assert tiers(run_alerts(dept, TODAY)) == [(EXPIRING, record, "30")]
        assert sent(dept, record) == ["90", "60", "30"]

    def test_an_expired_certificate_escalates_once(self, dept: Department) -> None:
        member, _ = dept.add_member("member")
        record = cert(dept, member, TODAY - timedelta(days=100))

        assert tiers(run_alerts(dept, TODAY)) == [(EXPIRED, record, "expired")]
        assert sent(dept, record) == ["90", "60", "30", "7", "expired"]
        assert run_alerts(dept, TODAY + timedelta(days=1)) == []

    def test_a_renewal_silences_the_record_it_replaced(self, dept: Department) -> None:
        member, _ = dept.add_member("member")
        course = seed_course(dept)
        lapsed = cert(dept, member, TODAY - timedelta(days=10), course_id=uuid.UUID(course))
        renewed = cert(
            dept,
            member,
            TODAY + timedelta(days=40),
            course_id=uuid.UUID(course),
            completion_date=TODAY - timedelta(days=5),
        )

        # Only the renewal alerts, in its own time; the lapsed record is left alone.
        assert tiers(run_alerts(dept, TODAY)) == [(EXPIRING, renewed, "60")]
        assert sent(dept, lapsed) == []

    def test_a_renewal_without_an_expiry_silences_the_old_record(self, dept: Department) -> None:
        member, _ = dept.add_member("member")
        old = cert(dept, member, TODAY + timedelta(days=5))
        cert(dept, member, None, course_name="emt-b", completion_date=TODAY)  # same key

        assert run_alerts(dept, TODAY) == []
        assert sent(dept, old) == []

    def test_only_completed_certificates_of_active_members_alert(self, dept: Department) -> None:
        member, _ = dept.add_member("member")
        gone, _ = dept.add_member("member", status="inactive")
        soon = TODAY + timedelta(days=3)
        cert(dept, member, None)  # no expiration: not a certificate
        cert(dept, member, soon, course_name="CPR", status=TrainingStatus.IN_PROGRESS)
        cert(dept, member, soon, course_name="Hazmat", status=TrainingStatus.CANCELLED)
        cert(dept, gone, soon)

        assert run_alerts(dept, TODAY) == []

    def test_another_organization_is_untouched(self, dept: Department) -> None:
        other = dept.second_organization()
        theirs, _ = dept.add_member("member", organization_id=other)
        record = cert(dept, theirs, TODAY + timedelta(days=89), organization_id=other)

        assert run_alerts(dept, TODAY) == []
        assert sent(dept, record) == []

        (event,) = run_alerts(dept, TODAY, organization_id=other)
        assert (event.organization_id, event.data["record_id"]) == (org_id(dept, other), record)


class TestInbox:
    """Who hears of each tier, through the training notification consumer."""

    def people(self, dept: Department) -> dict[str, tuple[str, str]]:
        """The member, a training officer, a secretary (compliance.manage, not
        training.manage) and a bystander: role -> (user id, username)."""
        return {
            role: dept.add_member(slug, first_name="Dana", last_name=f"Reyes{role}")
            for role, slug in (
                ("member", "member"),
                ("training", "training_officer"),
                ("compliance", "secretary"),
                ("bystander", "member"),
            )
        }

    def alert(self, dept: Department, user_id: str, days_left: int) -> Envelope:
        cert(dept, user_id, TODAY + timedelta(days=days_left))
        (event,) = run_alerts(dept, TODAY)
        return event

    def subjects(self, dept: Department, username: str) -> list[str]:
        return [entry["subject"] for entry in inbox(dept, username)]

    def test_the_90_and_60_day_tiers_reach_the_member_alone(self, dept: Department) -> None:
        people = self.people(dept)
        member_id, member = people["member"]
        event = self.alert(dept, member_id, 89)

        deliver(dept, event)

        (entry,) = inbox(dept, member)
        assert entry["category"] == "training"
        assert entry["subject"] == "Certification Expiring in 90 Days: EMT-B"
        assert (
            entry["message"] == "Your EMT-B certification is valid through Mar 5, 2027; renew it."
        )
        assert entry["action_url"] == f"/training/records?user_id={member_id}"
        for role in ("training", "compliance", "bystander"):
            assert inbox(dept, people[role][1]) == []
        assert inbox(dept, dept.admin_username) == []

    def test_the_30_day_tier_reaches_the_training_officers(self, dept: Department) -> None:
        people = self.people(dept)
        member_id, member = people["member"]
        event = self.alert(dept, member_id, 25)

        deliver(dept, event)

        assert self.subjects(dept, member) == ["Certification Expiring in 30 Days: EMT-B"]
        name = "Dana Reyesmember"
        for officer in (people["training"][1], dept.admin_username):  # the admin holds "*"
            (entry,) = inbox(dept, officer)
            assert entry["subject"] == f"Member Cert Expiring: EMT-B - {name}"
            assert (
                entry["message"] == f"{name}'s EMT-B certification is valid through Dec 31, 2026."
            )
            assert entry["action_url"] == f"/members/{member_id}/training"
        assert inbox(dept, people["compliance"][1]) == []
        assert inbox(dept, people["bystander"][1]) == []

    def test_the_7_day_tier_adds_the_compliance_officers(self, dept: Department) -> None:
        people = self.people(dept)
        member_id, member = people["member"]
        event = self.alert(dept, member_id, 7)

        deliver(dept, event)

        assert self.subjects(dept, member) == ["Certification Expiring in 7 Days: EMT-B"]
        for role in ("training", "compliance"):
            assert self.subjects(dept, people[role][1]) == [
                "Member Cert Expiring: EMT-B - Dana Reyesmember"
            ]
        assert inbox(dept, people["bystander"][1]) == []

    def test_an_expired_certificate_escalates_to_every_officer_once(self, dept: Department) -> None:
        people = self.people(dept)
        member_id, member = people["member"]
        event = self.alert(dept, member_id, -3)

        deliver(dept, event)
        deliver(dept, event)  # redelivered: nothing more

        subject = "EXPIRED Certification: EMT-B - Dana Reyesmember"
        (own,) = inbox(dept, member)
        assert own["subject"] == subject
        assert own["message"] == (
            "Your EMT-B certification was valid through Dec 3, 2026 and has not been renewed."
        )
        for officer in (people["training"][1], people["compliance"][1], dept.admin_username):
            (entry,) = inbox(dept, officer)
            assert entry["subject"] == subject
            assert entry["message"] == (
                "Dana Reyesmember's EMT-B certification was valid through Dec 3, 2026 and has "
                "not been renewed."
            )
        assert inbox(dept, people["bystander"][1]) == []

    def test_an_officer_s_own_certificate_gives_them_the_member_s_entry(
        self, dept: Department
    ) -> None:
        officer_id, officer = dept.add_member("training_officer")
        event = self.alert(dept, officer_id, 10)

        deliver(dept, event)

        assert self.subjects(dept, officer) == ["Certification Expiring in 30 Days: EMT-B"]

    def test_a_member_no_longer_active_concerns_nobody(self, dept: Department) -> None:
        member_id, _ = dept.add_member("member")
        event = self.alert(dept, member_id, -1)

        async def drop(session: AsyncSession) -> None:
            user = await session.get(User, uuid.UUID(member_id))
            assert user is not None
            user.status = MemberStatus.DROPPED_VOLUNTARY

        dept.run(drop)
        deliver(dept, event)

        assert inbox(dept, dept.admin_username) == []

    def test_entries_are_mailed_by_preference(self, dept: Department) -> None:
        wants_id, _ = dept.add_member("member")
        declines_id, _ = dept.add_member("member")

        async def decline(session: AsyncSession) -> None:
            user = await session.get(User, uuid.UUID(declines_id))
            assert user is not None
            user.notification_preferences = {"email_notifications": False}

        dept.run(decline)
        for user_id in (wants_id, declines_id):
            cert(dept, user_id, TODAY + timedelta(days=50))
        events = run_alerts(dept, TODAY)
        assert len(events) == 2

        with SmtpSink() as sink:
            settings = dept.api.settings.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_starttls": False}
            )
            for event in events:
                deliver(dept, event, settings)
            (raw,) = sink.wait_for(1)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert message["Subject"] == "Certification Expiring in 60 Days: EMT-B"
        body = message.get_body()
        assert body is not None
        assert f"/training/records?user_id={wants_id}" in body.get_content()

        async def channels(session: AsyncSession) -> dict[str, list[str]]:
            found: dict[str, list[str]] = {}
            for user_id in (wants_id, declines_id):
                rows = await session.scalars(
                    select(NotificationLog.channel).where(
                        NotificationLog.recipient_id == uuid.UUID(user_id)
                    )
                )
                found[user_id] = sorted(str(channel) for channel in rows)
            return found

        assert dept.run(channels) == {wants_id: ["email", "in_app"], declines_id: ["in_app"]}


@pytest.mark.parametrize("database_kind", ["sqlite"])
async def test_an_escalation_and_its_entries_on_sqlite(inprocess: InProcess) -> None:
    """`make run`'s embedded database: the job marks and publishes, the consumer writes once."""
    organization_id, officer = await inprocess.department("training_officer")
    member, headers = await inprocess.member(organization_id, "member", first_name="Ali")
    async with inprocess.seed() as session:
        await factories.training_record(
            session,
            organization_id,
            member.id,
            course_name="CPR",
            completion_date=TODAY - timedelta(days=700),
            expiration_date=TODAY - timedelta(days=1),
        )

    async def alerts(day: date) -> list[Envelope]:
        async with inprocess.seed() as session:
            before = set((await session.scalars(select(OutboxMessage.id))).all())
            now = datetime.combine(day, time(12), UTC)
            await alert_certifications(session, organization_id, day, now)
            rows = await session.scalars(
                select(OutboxMessage).where(OutboxMessage.id.not_in(before))
            )
            return [decode(bytes(row.payload)) for row in rows]

    (event,) = await alerts(TODAY)
    assert await alerts(TODAY + timedelta(days=1)) == []
    (spec,) = [s for s in notification_consumers(inprocess.settings) if s.durable == DURABLE]
    for _ in range(2):  # delivered, then redelivered
        async with inprocess.seed() as session:
            await spec.handler(event, session)

    subject = f"EXPIRED Certification: CPR - Ali {member.last_name}"
    for caller in (headers, officer):
        response = await inprocess.api.get(INBOX, headers=caller)
        assert response.status_code == 200, response.text
        assert [entry["subject"] for entry in response.json()["logs"]] == [subject]
