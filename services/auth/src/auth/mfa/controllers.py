"""Routes under /api/v1/auth/mfa (spec/auth.md §2.2, §2.10)."""

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from auth.deps import SIGNED_IN_DEPENDENCIES
from auth.mfa.deps import provide_mfa_service
from auth.mfa.service import MfaService
from auth.schemas import (
    LoginResponse,
    MfaCodeRequest,
    MfaDisabledRead,
    MfaLoginRequest,
    MfaPolicyRead,
    MfaPolicyUpdate,
    MfaSetupRead,
    MfaStatusRead,
    RecoveryCodesRead,
)
from auth.sessions.controllers import login_body, token_headers
from auth.sessions.deps import provide_sign_in
from shared.principal import Gate, Principal, open_through
from shared.settings import Settings

# Enrolment stays open to a member the MFA gate holds back: it is the way out of it (§4).
OPEN_THROUGH_MFA_GATE = open_through(Gate.MFA_ENROLLMENT)


class MfaController(Controller):
    """Enrolment, the second sign-in step, recovery codes and the organization's policy."""

    path = "/api/v1/auth/mfa"
    # Litestar reads these as plain class attributes (as in controllers.py).
    tags = ["auth"]
    dependencies = {
        **SIGNED_IN_DEPENDENCIES,
        "sign_in": Provide(provide_sign_in, sync_to_thread=False),
        "mfa": Provide(provide_mfa_service, sync_to_thread=False),
    }

    @post("/login", status_code=200)
    async def mfa_login(
        self,
        request: Request[object, object, State],
        data: JSONBody[MfaLoginRequest],
        mfa: NamedDependency[MfaService],
    ) -> Response[LoginResponse]:
        """Finish a sign-in with a TOTP code or a recovery code; sets the session cookies."""
        settings: Settings = request.app.state.settings
        signed_in = await mfa.login(data.temp_token, data.code, data.recovery_code)
        return Response(login_body(signed_in, settings), headers=token_headers(signed_in.tokens))

    @post("/setup", status_code=200, opt=OPEN_THROUGH_MFA_GATE)
    async def setup(
        self, principal: NamedDependency[Principal], mfa: NamedDependency[MfaService]
    ) -> MfaSetupRead:
        """Start enrolment: a new secret and its otpauth:// URI (MFA stays off until verified)."""
        return await mfa.setup(principal)

    @post("/verify-setup", status_code=200, opt=OPEN_THROUGH_MFA_GATE)
    async def verify_setup(
        self,
        data: JSONBody[MfaCodeRequest],
        principal: NamedDependency[Principal],
        mfa: NamedDependency[MfaService],
    ) -> RecoveryCodesRead:
        """Turn MFA on with a first code; the recovery codes are shown this once."""
        return await mfa.verify_setup(principal, data.code)

    @get("/status", opt=OPEN_THROUGH_MFA_GATE)
    async def status(
        self, principal: NamedDependency[Principal], mfa: NamedDependency[MfaService]
    ) -> MfaStatusRead:
        """Whether MFA is on and how many recovery codes remain."""
        return await mfa.status(principal)

    @post("/disable", status_code=200)
    async def disable(
        self,
        data: JSONBody[MfaCodeRequest],
        principal: NamedDependency[Principal],
        mfa: NamedDependency[MfaService],
    ) -> MfaDisabledRead:
        """Turn MFA off with a current code."""
        await mfa.disable(principal, data.code)
        return MfaDisabledRead(mfa_enabled=False)

    @post("/recovery-codes", status_code=200)
    async def regenerate_recovery_codes(
        self,
        data: JSONBody[MfaCodeRequest],
        principal: NamedDependency[Principal],
        mfa: NamedDependency[MfaService],
    ) -> RecoveryCodesRead:
        """Replace the recovery codes with a new set."""
        return await mfa.regenerate_recovery_codes(principal, data.code)

    @get("/policy")
    async def get_policy(
        self, principal: NamedDependency[Principal], mfa: NamedDependency[MfaService]
    ) -> MfaPolicyRead:
        """Whether the organization requires MFA."""
        return await mfa.policy(principal)

    @put("/policy")
    async def update_policy(
        self,
        data: JSONBody[MfaPolicyUpdate],
        principal: NamedDependency[Principal],
        mfa: NamedDependency[MfaService],
    ) -> MfaPolicyRead:
        """Require MFA of every member, or stop requiring it."""
        return await mfa.set_policy(principal, data.mfa_required)
