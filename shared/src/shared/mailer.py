"""Outgoing mail over SMTP (auth's reset and welcome links), or a log line without SMTP."""

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

import structlog

from shared.settings import Settings

log = structlog.get_logger("shared.mailer")
SMTP_TIMEOUT_SECONDS = 10.0  # per socket operation
# A notification is sent inside an event consumer's handler, which must finish well within the
# consumer's 30 s ack wait: the whole send is given up after 10 s, each operation after 5 s
# (a send makes about ten, so the per-operation timeout alone would not bound it).
NOTIFICATION_SEND_SECONDS = 10.0
NOTIFICATION_SOCKET_SECONDS = 5.0
RESET_SUBJECT = "Reset your The Logbook password"
RESET_BODY = """Hello,

someone (hopefully you) asked to reset the password of your The Logbook account.
Open this link within 30 minutes to choose a new password:

{link}

If you did not ask for this, ignore this message: your password stays as it is.
"""
WELCOME_SUBJECT = "Welcome to The Logbook"
WELCOME_BODY = """Hello {first_name},

an administrator of your department added you to The Logbook. Open this link within 7 days
to choose your password, then sign in with your username or this email address:

{link}

If the link has expired, use "Forgot password" on the sign-in page.
"""


@dataclass(frozen=True)
class WelcomeMail:
    """A new member's set-your-password link; it holds the raw token, so it stays here."""

    user_id: str
    to: str
    first_name: str
    link: str


@dataclass(frozen=True)
class ResetMail:
    """A reset link to deliver; it holds the raw token, so it never leaves this process."""

    user_id: str
    to: str
    link: str


@dataclass(frozen=True)
class NotificationMail:
    """A notification for one member, e-mailed as plain text."""

    user_id: str
    to: str
    subject: str
    body: str


def reset_link(settings: Settings, token: str) -> str:
    """The frontend's reset page, the token in the fragment so it never reaches a server log."""
    return f"{settings.frontend_url.rstrip('/')}/reset-password#token={token}"


class Mailer:
    """Sends over SMTP when SMTP_HOST is set; failures are logged, never raised."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send_reset_link(self, mail: ResetMail) -> None:
        """Deliver a reset link (runs after the response, so it never changes it)."""
        body = RESET_BODY.format(link=mail.link)
        await self._deliver("reset", mail, RESET_SUBJECT, body)

    async def send_welcome(self, mail: WelcomeMail) -> None:
        """Deliver a new member's welcome link."""
        body = WELCOME_BODY.format(first_name=mail.first_name, link=mail.link)
        await self._deliver("welcome", mail, WELCOME_SUBJECT, body)

    async def send_notification(self, mail: NotificationMail) -> str | None:
        """Deliver a notification over SMTP; the failure's name, None when it was accepted.

        The caller checks that SMTP is configured and records the outcome.
        """
        try:
            message = self._message(mail.to, mail.subject, mail.body)
            # On the deadline the thread is abandoned; its socket timeout ends it soon after.
            await asyncio.wait_for(
                asyncio.to_thread(self._send, message, NOTIFICATION_SOCKET_SECONDS),
                NOTIFICATION_SEND_SECONDS,
            )
        except (smtplib.SMTPException, OSError) as exc:  # TimeoutError is an OSError
            return type(exc).__name__
        return None

    async def _deliver(
        self, purpose: str, mail: ResetMail | WelcomeMail, subject: str, body: str
    ) -> None:
        settings = self._settings
        if not settings.smtp_host:
            if settings.environment == "development":
                # Development only: the link is a credential and must never reach other logs.
                log.warning(f"auth.{purpose}_link_dev", user_id=mail.user_id, link=mail.link)
            else:
                log.warning("auth.mail_not_configured", user_id=mail.user_id, purpose=purpose)
            return
        try:
            await asyncio.to_thread(self._send, self._message(mail.to, subject, body))
        except (smtplib.SMTPException, OSError) as exc:
            log.error(f"auth.{purpose}_mail_failed", user_id=mail.user_id, error=type(exc).__name__)
            return
        log.info(f"auth.{purpose}_mail_sent", user_id=mail.user_id)

    def _message(self, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        return message

    def _send(self, message: EmailMessage, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
        settings = self._settings
        host = settings.smtp_host or ""
        with smtplib.SMTP(host, settings.smtp_port, timeout=timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user and settings.smtp_password is not None:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
