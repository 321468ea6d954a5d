"""The auth service's app: sign-in, sessions and passwords."""

from dataclasses import replace

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.members.consumers import member_consumers
from auth.mfa.controllers import MfaController
from auth.passwords.hashing import start_hashing_workers, stop_hashing_workers, use_hash_cost
from auth.passwords.internal import hash_member_password
from auth.reset.controllers import PasswordResetController, UserCredentialsController
from auth.sessions.controllers import AuthController, OnboardingController
from shared.app import ServiceSpec, create_service_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="auth",
    route_handlers=[
        AuthController,
        MfaController,
        OnboardingController,
        PasswordResetController,
        UserCredentialsController,
        hash_member_password,
    ],
    uses_events=True,
)


def create_app(
    settings: Settings, *, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> Litestar:
    """Build the auth service; its Argon2 work runs in worker processes it starts and stops."""
    spec = replace(SPEC, consumers=member_consumers(settings))
    app = create_service_app(spec, settings, sessionmaker=sessionmaker)
    use_hash_cost(settings.password_hash_cost)
    app.on_startup.append(start_hashing_workers)
    app.on_shutdown.append(stop_hashing_workers)
    return app
