"""Dependencies every api area shares: the caller and the request's audit writer."""

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.chain import AuditRecord, signing_key
from api.audit.trail import AuditTrail
from shared.client_ip import client_ip
from shared.principal import Principal, provide_principal
from shared.request_context import current_request_id
from shared.settings import Settings


def provide_audit_trail(
    request: Request[object, object, State],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
) -> AuditTrail:
    """Audit entries of this request, stamped with its caller, address and request id."""
    settings: Settings = request.app.state.settings
    context = AuditRecord(
        organization_id=principal.organization_id,
        event_type="",
        event_category="",
        user_id=principal.user_id,
        username=principal.username,
        session_id=str(principal.session_id),
        ip_address=client_ip(request, tuple(settings.trusted_proxy_ips)),
        user_agent=(request.headers.get("user-agent") or "")[:500] or None,
        request_id=current_request_id(),
    )
    sessionmaker = request.app.state.sessionmaker
    return AuditTrail(db_session, signing_key(settings), context, sessionmaker=sessionmaker)


# Every api controller takes these.
COMMON_DEPENDENCIES = {
    "principal": Provide(provide_principal),
    "audit": Provide(provide_audit_trail, sync_to_thread=False),
}
