"""Routes under /api/v1/auth and /api/v1/onboarding (spec/auth.md §2, app-shell §1.3)."""

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from auth.context import IssuedTokens
from auth.deps import SIGNED_IN_DEPENDENCIES
from auth.errors import NotAuthenticatedError
from auth.passwords.deps import provide_password_change
from auth.passwords.hashing import hashing_slot
from auth.passwords.service import PasswordChangeService
from auth.schemas import (
    Branding,
    ChangePasswordRequest,
    CurrentUser,
    LoginRequest,
    LoginResponse,
    Message,
    MfaChallengeResponse,
    OAuthConfig,
    OnboardingStatus,
    SessionSettings,
    TokenResponse,
)
from auth.sessions.deps import (
    provide_onboarding,
    provide_profiles,
    provide_sessions,
    provide_sign_in,
)
from auth.sessions.service import (
    MfaChallenge,
    OnboardingService,
    ProfileService,
    SessionService,
    SignIn,
    SignInService,
    current_user,
)
from shared.principal import Gate, Principal, open_through
from shared.settings import Settings

# What a gated member can still reach: who they are, their session, and the way out (§4). The
# password change stays open behind the MFA gate too: a member who must change the password in an
# organization that requires MFA would otherwise be stuck behind both.
OPEN_THROUGH_EVERY_GATE = open_through(Gate.PASSWORD_CHANGE, Gate.MFA_ENROLLMENT)


def token_headers(tokens: IssuedTokens) -> dict[str, str]:
    """Internal headers the gateway turns into cookies and strips (ARCHITECTURE.md)."""
    return {
        "X-Auth-Access-Token": tokens.access,
        "X-Auth-Refresh-Token": tokens.refresh,
        "X-Auth-Csrf-Token": tokens.csrf,
    }


def login_body(signed_in: SignIn, settings: Settings) -> LoginResponse:
    """The body of a completed sign-in (the tokens travel in headers, never here)."""
    return LoginResponse(
        "bearer",
        _expires_in(settings),
        current_user(signed_in.user, signed_in.organization, settings),
    )


def _expires_in(settings: Settings) -> int:
    return settings.access_token_expire_minutes * 60


class AuthController(Controller):
    """Sign-in, session and password routes."""

    path = "/api/v1/auth"
    tags = ["auth"]
    dependencies = {
        **SIGNED_IN_DEPENDENCIES,
        "sessions": Provide(provide_sessions, sync_to_thread=False),
        "onboarding": Provide(provide_onboarding, sync_to_thread=False),
        "sign_in": Provide(provide_sign_in, sync_to_thread=False),
        "passwords": Provide(provide_password_change, sync_to_thread=False),
        "profiles": Provide(provide_profiles, sync_to_thread=False),
    }

    @post("/login", status_code=200)
    async def login(
        self,
        request: Request[object, object, State],
        data: JSONBody[LoginRequest],
        sign_in: NamedDependency[SignInService],
    ) -> Response[LoginResponse | MfaChallengeResponse]:
        """Sign in with username or email and password; MFA members get a challenge instead."""
        settings: Settings = request.app.state.settings
        async with hashing_slot():
            signed_in = await sign_in.login(data.username, data.password)
        if isinstance(signed_in, MfaChallenge):  # no token headers: no cookies, no session
            return Response(MfaChallengeResponse(mfa_required=True, mfa_token=signed_in.token))
        return Response(login_body(signed_in, settings), headers=token_headers(signed_in.tokens))

    @post("/refresh", status_code=200)
    async def refresh(
        self, request: Request[object, object, State], sessions: NamedDependency[SessionService]
    ) -> Response[TokenResponse]:
        """Rotate the session's tokens with the refresh cookie."""
        token = request.cookies.get("refresh_token")
        if not token:
            raise NotAuthenticatedError
        tokens = await sessions.refresh(token)
        body = TokenResponse("bearer", _expires_in(request.app.state.settings))
        return Response(body, headers=token_headers(tokens))

    @post("/logout", status_code=200, opt=OPEN_THROUGH_EVERY_GATE)
    async def logout(
        self, principal: NamedDependency[Principal], sessions: NamedDependency[SessionService]
    ) -> Response[Message]:
        """End this session and clear the cookies."""
        await sessions.logout(principal)
        return Response(Message("Logged out"), headers={"X-Auth-Clear-Cookies": "1"})

    @get("/me", opt=OPEN_THROUGH_EVERY_GATE)
    async def me(
        self, principal: NamedDependency[Principal], profiles: NamedDependency[ProfileService]
    ) -> CurrentUser:
        """The signed-in member."""
        return await profiles.current_user(principal)

    @get("/session-settings", opt=OPEN_THROUGH_EVERY_GATE)
    async def session_settings(
        self,
        request: Request[object, object, State],
        principal: NamedDependency[Principal],  # noqa: ARG002 - asking for it authenticates
    ) -> SessionSettings:
        """Idle timeout and password age, for the frontend's timers."""
        settings: Settings = request.app.state.settings
        return SessionSettings(
            settings.hipaa_session_timeout_minutes, settings.hipaa_maximum_password_age_days
        )

    @post("/change-password", status_code=200, opt=OPEN_THROUGH_EVERY_GATE)
    async def change_password(
        self,
        data: JSONBody[ChangePasswordRequest],
        principal: NamedDependency[Principal],
        passwords: NamedDependency[PasswordChangeService],
    ) -> Response[Message]:
        """Change the password; every other session ends, this device gets fresh cookies."""
        tokens = await passwords.change_password(
            principal, data.current_password, data.new_password
        )
        return Response(Message("Password changed"), headers=token_headers(tokens))

    @get("/branding")
    async def branding(self, onboarding: NamedDependency[OnboardingService]) -> Branding:
        """The organization's name and logo for the login page (nulls before onboarding)."""
        return await onboarding.branding()

    @get("/oauth-config")
    async def oauth_config(self) -> OAuthConfig:
        """Single sign-on providers: none yet."""
        return OAuthConfig(google_enabled=False, microsoft_enabled=False)


class OnboardingController(Controller):
    """First-run status for the login page."""

    path = "/api/v1/onboarding"
    tags = ["onboarding"]
    dependencies = {"onboarding": Provide(provide_onboarding, sync_to_thread=False)}

    @get("/status")
    async def status(self, onboarding: NamedDependency[OnboardingService]) -> OnboardingStatus:
        """Completed once an organization exists; details are withheld after that."""
        return await onboarding.status()
