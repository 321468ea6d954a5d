"""Forgot/reset password routes (spec/auth.md §2.9) and administrators' resets (§2.11)."""

from uuid import UUID

from litestar import Controller, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from auth.deps import BASE_DEPENDENCIES, SIGNED_IN_DEPENDENCIES
from auth.reset.deps import (
    provide_credential_admin,
    provide_credential_writer,
    provide_mailer,
    provide_reset_service,
)
from auth.reset.service import CredentialAdminService, PasswordResetService
from auth.schemas import (
    AdminResetPasswordRequest,
    ForgotPasswordRequest,
    Message,
    ResetPasswordRequest,
    ResetTokenRequest,
    ResetTokenValid,
)
from shared.errors import documented_error
from shared.mailer import Mailer

# One answer whether or not the address belongs to a member (spec/auth.md §2.9).
FORGOT_MESSAGE = "If an account with that email exists, a password reset link has been sent."
# The administrators' resets share a per-address limit (shared.ratelimit, admin_password_reset).
TOO_MANY_RESETS = {429: documented_error("Too many resets; retry after Retry-After seconds")}


class PasswordResetController(Controller):
    """Reset a forgotten password with a mailed link; never signs in."""

    path = "/api/v1/auth"
    tags = ["auth"]
    dependencies = {
        **BASE_DEPENDENCIES,
        "writer": Provide(provide_credential_writer, sync_to_thread=False),
        "reset": Provide(provide_reset_service, sync_to_thread=False),
        "mailer": Provide(provide_mailer, sync_to_thread=False),
    }

    @post("/forgot-password", status_code=200)
    async def forgot_password(
        self,
        data: JSONBody[ForgotPasswordRequest],
        reset: NamedDependency[PasswordResetService],
        mailer: NamedDependency[Mailer],
    ) -> Response[Message]:
        """Mail a reset link if a member has the address; the answer never says whether."""
        mail = await reset.request_reset(data.email)
        # Sent after the response (and the commit): its duration and failures stay invisible.
        task = BackgroundTask(mailer.send_reset_link, mail) if mail else None
        return Response(Message(FORGOT_MESSAGE), background=task)

    @post("/validate-reset-token", status_code=200)
    async def validate_reset_token(
        self, data: JSONBody[ResetTokenRequest], reset: NamedDependency[PasswordResetService]
    ) -> ResetTokenValid:
        """Whether a reset link can still be used."""
        await reset.check_token(data.token)
        return ResetTokenValid(valid=True)

    @post("/reset-password", status_code=200)
    async def reset_password(
        self, data: JSONBody[ResetPasswordRequest], reset: NamedDependency[PasswordResetService]
    ) -> Message:
        """Set a new password from a reset link; every session of the member ends."""
        await reset.reset(data.token, data.new_password)
        return Message("Password reset; please sign in with your new password")


class UserCredentialsController(Controller):
    """An administrator resets another member's password or MFA."""

    path = "/api/v1/users"
    tags = ["users"]
    dependencies = {
        **SIGNED_IN_DEPENDENCIES,
        "writer": Provide(provide_credential_writer, sync_to_thread=False),
        "credentials": Provide(provide_credential_admin, sync_to_thread=False),
    }

    @post("/{user_id:str}/reset-password", status_code=200, responses=TOO_MANY_RESETS)
    async def reset_password(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[AdminResetPasswordRequest],
        credentials: NamedDependency[CredentialAdminService],
    ) -> Message:
        """Set a member's password; every session of the member ends."""
        await credentials.reset_password(user_id, data.new_password, force_change=data.force_change)
        return Message("Password reset; the member's sessions were ended")

    @post("/{user_id:str}/reset-mfa", status_code=200, responses=TOO_MANY_RESETS)
    async def reset_mfa(
        self, user_id: FromPath[UUID], credentials: NamedDependency[CredentialAdminService]
    ) -> Message:
        """Turn a member's two-factor authentication off; every session of the member ends."""
        await credentials.reset_mfa(user_id)
        return Message("Two-factor authentication reset; the member's sessions were ended")
