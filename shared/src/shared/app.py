"""What every service's Litestar app shares: lifespan resources, errors, request context."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog
from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.routes import HTTPRoute
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.csrf import CsrfMiddleware
from shared.db.deadlock import DeadlockRetry
from shared.db.encrypted import install_field_key
from shared.db.session import create_engine, create_sessionmaker, provide_db_session
from shared.errors import EXCEPTION_HANDLERS
from shared.events.consumer import DurableConsumer, Handler
from shared.events.local import LocalEvents
from shared.events.nats import NatsConnection
from shared.events.outbox import OutboxRelay
from shared.http_input import HeaderLimit, JsonRequest, options_answer
from shared.metrics import CONTENT_TYPE, ServiceMetrics
from shared.principal import MemberCache
from shared.ratelimit import RateLimitMiddleware
from shared.request_context import RequestContextMiddleware
from shared.scheduled.work import ScheduledJob, ScheduledWork
from shared.session_liveness import SessionLiveness
from shared.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

CLOSE_TIMEOUT_SECONDS = 5.0
log = structlog.get_logger("shared.app")


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable consumer a service runs: its name, subjects and handler."""

    durable: str
    subject_filter: str
    handler: Handler


@dataclass(frozen=True)
class ServiceSpec:
    """What distinguishes one service's app from another's."""

    name: str
    route_handlers: Sequence[ControllerRouterHandler]
    uses_events: bool = False  # runs the outbox relay
    consumers: Sequence[ConsumerSpec] = field(default_factory=tuple)
    scheduled: Sequence[ScheduledJob] = field(default_factory=tuple)  # ticked by every instance
    title: str = "The Logbook"


class Resources:
    """Connections a running app holds in `app.state`, opened and closed by the lifespan."""

    def __init__(
        self,
        spec: ServiceSpec,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession] | None,
        metrics: ServiceMetrics,
    ) -> None:
        self.spec = spec
        self.metrics = metrics
        self.settings = settings
        self.engine: AsyncEngine | None = None
        self.sessionmaker = sessionmaker
        self.redis: Redis | None = None
        self.nats = NatsConnection(
            settings.nats_url,
            settings.nats_stream,
            name=f"logbook-{spec.name}",
            replicas=settings.nats_stream_replicas,
        )
        self.relay: OutboxRelay | None = None
        self.consumers: list[DurableConsumer] = []
        self.scheduled: ScheduledWork | None = None
        self.member_cache = MemberCache()
        self.liveness = SessionLiveness(
            self.nats,
            token_lifetime=timedelta(minutes=settings.access_token_expire_minutes),
            idle_timeout=timedelta(minutes=settings.hipaa_session_timeout_minutes),
            on_member_event=self.member_cache.forget,
        )

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        """Open everything, expose it in `app.state`, close it in reverse order."""
        if self.settings.encryption_key and self.settings.encryption_salt:
            install_field_key(self.settings)
        if self.sessionmaker is None:
            self.engine = create_engine(
                self.settings.resolved_database_url(),
                pool_size=self.settings.db_pool_size,
                ssl_ca=self.settings.db_ssl_ca,
            )
            self.sessionmaker = create_sessionmaker(self.engine)
        if self.settings.redis_url is not None:
            # Only here: the client library costs a service about 6 MiB, and a platform on
            # memory stores (`make run`) never loads it. Code handed the client imports
            # `redis` itself when it needs its exceptions; it is loaded by then.
            from redis.asyncio import Redis  # noqa: PLC0415

            self.redis = Redis.from_url(
                self.settings.redis_url.get_secret_value(),
                socket_timeout=2,
                socket_connect_timeout=2,
            )
        self.nats.start()
        self.liveness.start()
        self.metrics.watch_pool(self.engine or self.sessionmaker.kw.get("bind"))
        if self.spec.uses_events:
            self.relay = OutboxRelay(self.sessionmaker, self.nats, metrics=self.metrics)
            self.relay.start()
            self.metrics.watch_outbox(self.sessionmaker)
        for consumer in self.spec.consumers:
            running = DurableConsumer(
                self.nats,
                self.sessionmaker,
                durable=consumer.durable,
                subject_filter=consumer.subject_filter,
                handler=consumer.handler,
                metrics=self.metrics,
            )
            running.start()
            self.consumers.append(running)
        self.metrics.watch_consumers(self.nats, [c.durable for c in self.spec.consumers])
        if self.spec.scheduled and self.settings.scheduled_work_enabled:
            self.scheduled = ScheduledWork(self.sessionmaker, self.spec.scheduled)
            self.scheduled.start()
        app.state.update(
            liveness=self.liveness,
            member_cache=self.member_cache,
            service_name=self.spec.name,
            settings=self.settings,
            sessionmaker=self.sessionmaker,
            engine=self.engine,
            redis=self.redis,
            nats=self.nats,
            metrics=self.metrics,
            # Under LOCAL_KEY: each request's session takes it along (shared.db.session).
            local_events=LocalEvents(),
        )
        try:
            yield
        finally:
            await self._close()

    async def _close(self) -> None:
        steps: list[tuple[str, Awaitable[None]]] = [
            *((f"consumer {c.durable}", c.stop()) for c in self.consumers),
            *((("scheduled", self.scheduled.stop()),) if self.scheduled is not None else ()),
            *((("relay", self.relay.stop()),) if self.relay is not None else ()),
            ("liveness", self.liveness.stop()),
            ("nats", self.nats.close()),
            *((("redis", self.redis.aclose()),) if self.redis is not None else ()),
            *((("database", self.engine.dispose()),) if self.engine is not None else ()),
        ]
        for name, step in steps:
            # A dependency that stopped answering must not hold the shutdown forever.
            try:
                await asyncio.wait_for(step, CLOSE_TIMEOUT_SECONDS)
            except TimeoutError:
                log.warning("shutdown.step_timed_out", step=name)
            except Exception as exc:  # noqa: BLE001 - close the rest regardless
                log.warning("shutdown.step_failed", step=name, error=type(exc).__name__)


@get("/internal/health", include_in_schema=False, sync_to_thread=False)
def internal_health(state: State) -> dict[str, str]:
    """Liveness of this service for the health service (the gateway never routes /internal).

    `sessions` says how tokens are checked: against the revocation stream (`stream`), or in the
    database on every request while the stream cannot be trusted to be current (`database`).
    `events` says whether every stream the instance follows is read to its end (`current`).
    """
    liveness: SessionLiveness = state.liveness
    return {
        "status": "ok",
        "service": state.service_name,
        "sessions": "stream" if liveness.current else "database",
        "events": "current" if liveness.settled else "catching_up",
    }


@get("/internal/metrics", include_in_schema=False)
async def internal_metrics(state: State) -> Response[bytes]:
    """This service's metrics in Prometheus text format; the health service gathers them."""
    metrics: ServiceMetrics = state.metrics
    return Response(await metrics.render(), media_type=CONTENT_TYPE)


class SentryCheckError(RuntimeError):
    """The deliberate failure of `/internal/sentry-check`."""


@get("/internal/sentry-check", include_in_schema=False)
async def sentry_check() -> None:
    """Fail on purpose, so an operator can see an error reach Sentry (private network only)."""
    raise SentryCheckError("deliberate failure: checking that errors reach Sentry")


def _openapi(spec: ServiceSpec, settings: Settings) -> OpenAPIConfig | None:
    # Under /schema: a render plugin at the root would add a catch-all route that answers
    # unknown paths with an HTML page instead of our JSON 404.
    if not settings.docs_enabled:
        return None
    return OpenAPIConfig(
        title=f"{spec.title}: {spec.name}",
        version="1.0.0",
        path="/schema",
        use_handler_docstrings=True,
        render_plugins=[SwaggerRenderPlugin(path="/docs"), RedocRenderPlugin(path="/redoc")],
    )


def create_service_app(
    spec: ServiceSpec,
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> Litestar:
    """A Litestar app with the shared lifespan, error envelope and request context."""
    metrics = ServiceMetrics()
    resources = Resources(spec, settings, sessionmaker, metrics)
    methods_by_path: dict[str, str] = {}  # filled once the routes are built
    app = Litestar(
        route_handlers=[
            internal_health,
            internal_metrics,
            *([sentry_check] if settings.sentry_enabled else []),
            *spec.route_handlers,
        ],
        lifespan=[resources.lifespan],
        dependencies={"db_session": Provide(provide_db_session)},
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[RateLimitMiddleware(settings), CsrfMiddleware()],
        openapi_config=_openapi(spec, settings),
        request_class=JsonRequest,
        before_request=options_answer(methods_by_path),
        debug=False,  # debug mode would put tracebacks in responses
        logging_config=None,
    )
    methods_by_path.update(
        (route.path_format, ", ".join(sorted(route.methods)))
        for route in app.routes
        if isinstance(route, HTTPRoute)
    )
    # Outermost layer, so unknown routes (404/405) also get a request id and an access line;
    # the header limit inside it, so its 431 carries the request id too.
    app.asgi_handler = RequestContextMiddleware(
        HeaderLimit(DeadlockRetry(app.asgi_handler)), metrics
    )
    return app
