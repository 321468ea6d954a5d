"""Inbox entries produced from domain events (addendum §5.4-§5.5), e-mailed when SMTP is set.

The consumers' handler is fed envelopes directly, in a transaction of its own as the durable
consumer runs it; a redelivered envelope must not add a second entry.
"""

import email
import email.policy
import socket
import time
import uuid
from datetime import timedelta

import msgspec
from sqlalchemy import select
from structlog.testing import capture_logs

from api.consumers import notification_consumers
from shared.catalog.seed import ensure_system_roles
from shared.events.consumer import ACK_WAIT_SECONDS
from shared.events.contracts.auth import MfaDisabled, MfaEnabled, PasswordChanged
from shared.events.contracts.members import MemberRolesChanged, MemberStatusChanged
from shared.events.envelope import Envelope, EventData, wrap
from shared.mailer import NOTIFICATION_SEND_SECONDS
from shared.models import MemberStatus, NotificationChannel, NotificationLog, User
from shared.settings import Settings
from tests.api.notifications_support import INBOX, other_organization
from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401
from tests.e2e.auth_platform import SmtpSink

NO_CLIENT = {"ip_address": None, "user_agent": None}


def envelope(org: SignedInOrganization, data: EventData) -> Envelope:
    return wrap(data, organization_id=org.organization_id, actor_id=None, request_id="req-1")


async def deliver(
    org: SignedInOrganization, event: Envelope, settings: Settings | None = None
) -> None:
    """Run the notification consumers' handler once, as a delivery does."""
    handler = notification_consumers(settings or org.settings)[0].handler
    async with org.sessions() as session, session.begin():
        await handler(event, session)


async def entries(org: SignedInOrganization, user: User) -> list[NotificationLog]:
    async with org.sessions() as session:
        rows = await session.scalars(
            select(NotificationLog)
            .where(NotificationLog.recipient_id == user.id)
            .order_by(NotificationLog.channel)
        )
        return list(rows)


class TestSecurityEvents:
    async def test_mfa_enabled_reaches_the_members_inbox(self, org: SignedInOrganization) -> None:
        member, headers = await org.member()
        await deliver(org, envelope(org, MfaEnabled(user_id=str(member.id), **NO_CLIENT)))
        inbox = (await org.api.get(INBOX, headers=headers)).json()
        (entry,) = inbox["logs"]
        assert (entry["category"], entry["subject"]) == (
            "security",
            "Two-factor authentication enabled",
        )
        assert (entry["channel"], entry["delivered"], entry["read"]) == ("in_app", True, False)
        assert (entry["action_url"], entry["recipient_email"]) == ("", member.email)
        count = await org.api.get(f"{INBOX}/unread-count", headers=headers)
        assert count.json() == {"unread_count": 1}

    async def test_an_event_delivered_twice_makes_one_entry(
        self, org: SignedInOrganization
    ) -> None:
        member, _ = await org.member()
        event = envelope(org, MfaDisabled(user_id=str(member.id), by_admin=True, **NO_CLIENT))
        await deliver(org, event)
        await deliver(org, event)
        (entry,) = await entries(org, member)
        assert entry.subject == "Your two-factor authentication was reset"
        assert entry.source_event_id == event.id

    async def test_password_changes_name_who_changed_it(self, org: SignedInOrganization) -> None:
        member, _ = await org.member()
        for method in ("self", "reset_token", "admin"):
            data = PasswordChanged(user_id=str(member.id), method=method, **NO_CLIENT)
            await deliver(org, envelope(org, data))
        subjects = {entry.subject for entry in await entries(org, member)}
        assert subjects == {
            "Your password was changed",
            "Your password was reset",
            "Your password was reset by an administrator",
        }

    async def test_events_of_no_concern_make_nothing(self, org: SignedInOrganization) -> None:
        member, _ = await org.member()
        inactive, _ = await org.member(status=MemberStatus.SUSPENDED)
        other = await other_organization(org)
        stranger, _ = await other.member()
        stale = msgspec.structs.replace(
            envelope(org, MfaEnabled(user_id=str(member.id), **NO_CLIENT)),
            occurred_at=envelope(org, MfaEnabled(user_id=None, **NO_CLIENT)).occurred_at
            - timedelta(days=8),
        )
        for event in (
            envelope(org, MfaEnabled(user_id=str(inactive.id), **NO_CLIENT)),
            envelope(org, MfaEnabled(user_id=str(stranger.id), **NO_CLIENT)),  # foreign member
            envelope(org, MfaEnabled(user_id=None, **NO_CLIENT)),
            stale,
        ):
            await deliver(org, event)
        for user in (member, inactive, stranger):
            assert await entries(org, user) == []


class TestMemberEvents:
    async def test_role_changes_name_the_roles(self, org: SignedInOrganization) -> None:
        member, headers = await org.member()
        async with org.sessions() as session:
            roles = await ensure_system_roles(session, org.organization_id)
            await session.commit()
        data = MemberRolesChanged(
            user_id=str(member.id),
            role_ids_added=[str(roles["captain"].id)],
            role_ids_removed=[str(roles["member"].id), str(uuid.uuid4())],
        )
        await deliver(org, envelope(org, data))
        (entry,) = (await org.api.get(INBOX, headers=headers)).json()["logs"]
        assert (entry["category"], entry["subject"]) == ("members", "Your roles changed")
        assert entry["message"] == (
            f"Added: {roles['captain'].name}. Removed: {roles['member'].name}."
        )
        assert entry["action_url"] == f"/members/{member.id}"

    async def test_a_return_to_active_status_is_announced(self, org: SignedInOrganization) -> None:
        member, _ = await org.member()
        data = MemberStatusChanged(
            user_id=str(member.id), previous_status="leave", new_status="active"
        )
        await deliver(org, envelope(org, data))
        (entry,) = await entries(org, member)
        assert (entry.subject, entry.message) == (
            "Your membership status changed",
            "Your status is now active.",
        )


class TestEmail:
    async def test_with_smtp_the_notice_is_mailed_and_logged(
        self, org: SignedInOrganization
    ) -> None:
        member, _ = await org.member()
        with SmtpSink() as sink:
            settings = org.settings.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_starttls": False}
            )
            event = envelope(org, MfaEnabled(user_id=str(member.id), **NO_CLIENT))
            await deliver(org, event, settings)
            await deliver(org, event, settings)  # redelivered: mailed once
            (raw,) = sink.wait_for(1)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert (message["To"], message["Subject"]) == (
            member.email,
            "Two-factor authentication enabled",
        )
        mailed, in_app = await entries(org, member)
        assert (mailed.channel, mailed.delivered, mailed.error) == (
            NotificationChannel.EMAIL,
            True,
            None,
        )
        assert in_app.channel is NotificationChannel.IN_APP

    async def test_without_smtp_the_inbox_entry_stays_and_the_skip_is_logged(
        self, org: SignedInOrganization
    ) -> None:
        member, _ = await org.member()
        with capture_logs() as logs:
            await deliver(org, envelope(org, MfaEnabled(user_id=str(member.id), **NO_CLIENT)))
        (entry,) = await entries(org, member)
        assert entry.channel is NotificationChannel.IN_APP
        skipped = [line for line in logs if line["event"] == "notifications.email_skipped"]
        assert skipped == [
            {
                "event": "notifications.email_skipped",
                "log_level": "info",
                "reason": "smtp_not_configured",
                "user_id": str(member.id),
            }
        ]

    async def test_an_address_the_mailer_refuses_leaves_the_inbox_entry_and_a_failed_send(
        self, org: SignedInOrganization
    ) -> None:
        # A line break in a header value makes the message itself fail (ValueError), not SMTP.
        address = "crlf@station9.example.org\nBcc: victim@station9.example.org"
        member, _ = await org.member(email=f"{uuid.uuid4().hex[:8]}{address}")
        with SmtpSink() as sink, capture_logs() as logs:
            settings = org.settings.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_starttls": False}
            )
            event = envelope(org, MfaEnabled(user_id=str(member.id), **NO_CLIENT))
            await deliver(org, event, settings)  # handled: the event is not retried
            await deliver(org, event, settings)  # a redelivery adds nothing
            assert sink.messages == []
        mailed, in_app = await entries(org, member)
        assert in_app.channel is NotificationChannel.IN_APP
        assert (mailed.channel, mailed.delivered, mailed.error) == (
            NotificationChannel.EMAIL,
            False,
            "ValueError",
        )
        failed = [line for line in logs if line["event"] == "notifications.email_failed"]
        assert [(line["user_id"], line["error"]) for line in failed] == [
            (str(member.id), "ValueError")
        ]
        assert "victim" not in str(logs)

    async def test_an_smtp_server_that_is_down_leaves_the_inbox_entry_and_a_failed_send(
        self, org: SignedInOrganization
    ) -> None:
        member, _ = await org.member()
        with socket.socket() as unused:  # a port nothing listens on
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        settings = org.settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
        )
        await deliver(org, envelope(org, MfaEnabled(user_id=str(member.id), **NO_CLIENT)), settings)
        mailed, in_app = await entries(org, member)
        assert in_app.channel is NotificationChannel.IN_APP
        assert (mailed.delivered, mailed.error) == (False, "ConnectionRefusedError")

    async def test_an_smtp_server_that_never_answers_costs_one_bounded_wait(
        self, org: SignedInOrganization
    ) -> None:
        member, _ = await org.member()
        # Connections complete in the listen backlog, but no greeting ever comes.
        with socket.create_server(("127.0.0.1", 0)) as silent:
            settings = org.settings.model_copy(
                update={
                    "smtp_host": "127.0.0.1",
                    "smtp_port": silent.getsockname()[1],
                    "smtp_starttls": False,
                }
            )
            started = time.monotonic()
            await deliver(
                org, envelope(org, MfaEnabled(user_id=str(member.id), **NO_CLIENT)), settings
            )
            waited = time.monotonic() - started
        assert waited < NOTIFICATION_SEND_SECONDS < ACK_WAIT_SECONDS
        mailed, in_app = await entries(org, member)
        assert in_app.channel is NotificationChannel.IN_APP
        # smtplib reports the timed-out read of the greeting as a disconnection.
        assert (mailed.delivered, mailed.error) == (False, "SMTPServerDisconnected")
