"""§8's consolidated e-mail of a member's equipment changes (spec inventory.md §8): once the
hour an inbox entry began in has settled, the hourly job announces the entry and the inventory
notification consumer mails it, by the member's preference, once.

The job's work runs directly with the hour given, as the scheduler would run it; the consumer is
handed the outbox's events as a delivery does.
"""

import email
import email.policy
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.notifications.holder_mail import HOLDER_CHANGE_MAIL, settle_hour
from shared.events.contracts.inventory import CheckoutsOverdue, DueCheckout, HolderChangesSettled
from shared.events.envelope import Envelope, decode
from shared.models import User
from tests.api.department import Department
from tests.api.inventory_inbox_support import (
    assigned,
    deliver,
    envelope,
    inbox,
    member,
    stored,
    unassigned,
)
from tests.api.inventory_support import org_id
from tests.e2e.auth_platform import SmtpSink

SETTLED = HolderChangesSettled.subject


@pytest.fixture
def dept(department: Department) -> Department:
    return department


def settle(dept: Department, start: datetime) -> list[Envelope]:
    """Run the job's work for the hour from `start`; the announcements it wrote."""

    async def work(session: AsyncSession) -> None:
        await settle_hour(session, org_id(dept), start, start + timedelta(hours=2))

    dept.run(work)
    rows = dept.query("SELECT payload FROM outbox WHERE subject = %s", SETTLED)
    found = [decode(bytes(row["payload"])) for row in rows]
    return [e for e in found if e.organization_id == org_id(dept)]


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def prefer_no_email(dept: Department, user_id: uuid.UUID) -> None:
    async def work(session: AsyncSession) -> None:
        user = await session.get(User, user_id)
        assert user is not None
        user.notification_preferences = {"email_notifications": False}

    dept.run(work)


class TestSettling:
    def test_each_entry_of_the_hour_with_changes_is_announced(self, dept: Department) -> None:
        changed, _ = member(dept)
        undone, _ = member(dept)
        reminded, _ = member(dept)
        helmet, radio = uuid.uuid4(), uuid.uuid4()
        deliver(dept, envelope(dept, assigned(changed, helmet)))
        deliver(dept, envelope(dept, assigned(changed, radio, name="Radio")))
        deliver(dept, envelope(dept, assigned(undone, helmet)))
        deliver(dept, envelope(dept, unassigned(undone, helmet)))  # withdrawn: nothing to say
        due = DueCheckout(
            checkout_id=uuid.uuid4(),
            item_id=radio,
            item_name="Radio",
            expected_return_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        overdue = CheckoutsOverdue(user_id=reminded, checkouts=[due])
        deliver(dept, envelope(dept, overdue))  # a reminder, mailed when it was written
        (entry,) = stored(dept, changed)
        begun = hour_of(entry.created_at)

        assert settle(dept, begun - timedelta(hours=1)) == []  # the hour before: none begun
        (announced,) = settle(dept, begun)
        assert announced.data == {"user_id": str(changed), "entry_id": str(entry.id)}
        assert announced.actor_id is None

    def test_the_hour_is_due_once_the_fold_window_after_it_is_over(self, dept: Department) -> None:
        def keys(now: datetime) -> list[str]:
            async def work(session: AsyncSession) -> list[str]:
                return list(await HOLDER_CHANGE_MAIL.due(session, now))

            mine = str(org_id(dept))
            return [key.split("/")[0] for key in dept.run(work) if key.endswith(mine)]

        # 09:00-10:00 may take changes until 11:00: at 10:59 the latest due hour is 08:00.
        assert keys(datetime(2026, 12, 6, 10, 59, tzinfo=UTC)) == [
            f"2026-12-06T0{hour}" for hour in (8, 7, 6, 5, 4, 3)
        ]
        assert keys(datetime(2026, 12, 6, 11, 0, tzinfo=UTC))[0] == "2026-12-06T09"


class TestMail:
    def test_the_entry_is_mailed_as_it_stands_by_the_member_s_preference(
        self, dept: Department
    ) -> None:
        wants, username = member(dept)
        declines, declined_username = member(dept)
        prefer_no_email(dept, declines)
        for user_id in (wants, declines):
            deliver(dept, envelope(dept, assigned(user_id, uuid.uuid4())))
            deliver(dept, envelope(dept, assigned(user_id, uuid.uuid4(), name="Radio")))
        (entry,) = stored(dept, wants)
        announced = settle(dept, hour_of(entry.created_at))
        assert len(announced) == 2

        with SmtpSink() as sink:
            settings = dept.api.settings.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_starttls": False}
            )
            for event in announced:
                deliver(dept, event, settings)
            (raw,) = sink.wait_for(1)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert message["Subject"] == "2 changes to your equipment"
        body = message.get_body()
        assert body is not None
        text = body.get_content()
        assert "Assigned to you: Helmet." in text
        assert "Assigned to you: Radio." in text
        assert "/inventory/my-equipment" in text
        channels = sorted(str(row.channel) for row in stored(dept, wants))
        assert channels == ["email", "in_app"]
        assert [str(row.channel) for row in stored(dept, declines)] == ["in_app"]
        assert len(inbox(dept, username)) == len(inbox(dept, declined_username)) == 1
