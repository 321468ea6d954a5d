"""Outgoing mail: password-reset links over SMTP, or a development log line without SMTP."""

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

import structlog

from shared.settings import Settings

log = structlog.get_logger("auth.mailer")
SMTP_TIMEOUT_SECONDS = 10.0
RESET_SUBJECT = "Reset your The Logbook password"
RESET_BODY = """Hello,

someone (hopefully you) asked to reset the password of your The Logbook account.
Open this link within 30 minutes to choose a new password:

{link}

If you did not ask for this, ignore this message: your password stays as it is.
"""


@dataclass(frozen=True)
class ResetMail:
    """A reset link to deliver; it holds the raw token, so it never leaves this process."""

    user_id: str
    to: str
    link: str


def reset_link(settings: Settings, token: str) -> str:
    """The frontend's reset page, the token in the fragment so it never reaches a server log."""
    return f"{settings.frontend_url.rstrip('/')}/reset-password#token={token}"


class Mailer:
    """Sends over SMTP when SMTP_HOST is set; failures are logged, never raised."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send_reset_link(self, mail: ResetMail) -> None:
        """Deliver a reset link (runs after the response, so it never changes it)."""
        settings = self._settings
        if not settings.smtp_host:
            if settings.environment == "development":
                # Development only: the link is a credential and must never reach other logs.
                log.warning("auth.reset_link_dev", user_id=mail.user_id, link=mail.link)
            else:
                log.warning("auth.mail_not_configured", user_id=mail.user_id, purpose="reset")
            return
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = mail.to
        message["Subject"] = RESET_SUBJECT
        message.set_content(RESET_BODY.format(link=mail.link))
        try:
            await asyncio.to_thread(self._send, message)
        except (smtplib.SMTPException, OSError) as exc:
            log.error("auth.reset_mail_failed", user_id=mail.user_id, error=type(exc).__name__)
            return
        log.info("auth.reset_mail_sent", user_id=mail.user_id)

    def _send(self, message: EmailMessage) -> None:
        settings = self._settings
        host = settings.smtp_host or ""
        with smtplib.SMTP(host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user and settings.smtp_password is not None:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
