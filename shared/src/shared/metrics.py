"""One service's Prometheus metrics: HTTP traffic, events, pool, outbox backlog, process.

Each app has a registry of its own, so several apps in one process (tests) never collide.
Values that cost I/O (outbox backlog, consumer lag) are read at scrape time by probes, each
bounded by a timeout; a probe that fails reports NaN rather than a stale value.
"""

import asyncio
import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

import psutil
import structlog
from litestar.enums import ScopeType
from litestar.types import Scope
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from shared.db.types import utc_now
from shared.events.nats import NatsConnection
from shared.events.repository import OutboxRepository

log = structlog.get_logger("shared.metrics")
# In the text format each counter and histogram would get a `_created` gauge twin per series:
# twice the series for a value no dashboard reads. Process-wide, as prometheus-client allows.
disable_created_metrics()  # type: ignore[no-untyped-call]
# Litestar appends the charset itself.
CONTENT_TYPE = "text/plain; version=0.0.4"
PROBE_TIMEOUT_SECONDS = 1.0  # well under the health service's scrape timeout
UNMATCHED = "unmatched"  # the route label of requests no route handler matched (404, 405)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SIGN_IN_SUBJECTS = {
    "logbook.auth.login.succeeded": "succeeded",
    "logbook.auth.login.failed": "failed",
}
Probe = Callable[[], Awaitable[Sequence[float]]]


def route_of(scope: Scope) -> str:
    """The matched route's template (`/api/v1/items/{item_id}`), never the raw path."""
    template = scope.get("path_template")
    if scope.get("route_handler") is None or not template:
        return UNMATCHED
    return str(template)


def status_class(status: int) -> str:
    """`2xx`, `4xx` …: few series, and what alerts are written against."""
    return f"{status // 100}xx"


@dataclass
class _ScrapeProbe:
    """Reads values at scrape time into `gauges`, in order."""

    read: Probe
    gauges: Sequence[Gauge]


class _ProcessCollector:
    """Resident memory and CPU seconds of this process (psutil), read at each scrape."""

    def __init__(self) -> None:
        self._process = psutil.Process()

    def collect(self) -> Iterable[Metric]:
        with self._process.oneshot():
            rss = float(self._process.memory_info().rss)
            cpu = self._process.cpu_times()
        yield GaugeMetricFamily(
            "logbook_process_resident_memory_bytes", "Resident memory of the process.", value=rss
        )
        yield CounterMetricFamily(
            "logbook_process_cpu_seconds",
            "User and system CPU time of the process.",
            value=float(cpu.user + cpu.system),
        )


class ServiceMetrics:
    """The registry of one app and the instruments its middleware, relay and consumers feed."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._requests = Counter(
            "logbook_http_requests",
            "HTTP requests by route template, method and status class.",
            ["route", "method", "status_class"],
            registry=registry,
        )
        self._latency = Histogram(
            "logbook_http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._in_flight = Gauge(
            "logbook_http_requests_in_flight", "HTTP requests being handled.", registry=registry
        )
        self._published = Counter(
            "logbook_events_published",
            "Events the outbox relay of this service published, by subject.",
            ["subject"],
            registry=registry,
        )
        self._sign_ins = Counter(
            "logbook_sign_ins",
            "Sign-ins by result, counted when the relay of this service publishes their "
            "logbook.auth.login.* event; sum over services for the platform.",
            ["result"],
            registry=registry,
        )
        for result in SIGN_IN_SUBJECTS.values():
            self._sign_ins.labels(result=result)
        self._consumed = Counter(
            "logbook_events_consumed",
            "Events a durable consumer handled and acknowledged, by consumer and subject.",
            ["consumer", "subject"],
            registry=registry,
        )
        self._redeliveries = Counter(
            "logbook_event_redeliveries",
            "Deliveries of an event after its first, by durable consumer.",
            ["consumer"],
            registry=registry,
        )
        self._probe_failures = Counter(
            "logbook_metrics_probe_failures",
            "Scrape-time reads that failed or timed out (their gauges show NaN).",
            ["probe"],
            registry=registry,
        )
        self._pool: Gauge | None = None
        self._backlog: tuple[Gauge, Gauge] | None = None
        self._lag: Gauge | None = None
        self._probes: dict[str, _ScrapeProbe] = {}
        registry.register(_ProcessCollector())

    # HTTP, fed by the request context middleware.

    def request_started(self, scope: Scope) -> None:
        """One more request in flight (HTTP only: a WebSocket is a connection, not a request)."""
        if scope["type"] == ScopeType.HTTP:
            self._in_flight.inc()

    def request_finished(self, scope: Scope, status: int, seconds: float) -> None:
        """Count a finished request under its route template and status class."""
        if scope["type"] != ScopeType.HTTP:
            return
        self._in_flight.dec()
        raw: str = scope.get("method", "GET")
        method = raw if raw in METHODS else "OTHER"  # clients choose it: bound the labels
        route = route_of(scope)
        self._requests.labels(route, method, status_class(status)).inc()
        self._latency.labels(route, method).observe(seconds)

    # Events, fed by the outbox relay and the durable consumers.

    def event_published(self, subject: str) -> None:
        """An event reached NATS; sign-in events also count as sign-ins."""
        self._published.labels(subject=subject).inc()
        result = SIGN_IN_SUBJECTS.get(subject)
        if result is not None:
            self._sign_ins.labels(result=result).inc()

    def event_delivered(self, consumer: str, deliveries: int) -> None:
        """A message reached a consumer; after its first delivery it counts as a redelivery."""
        if deliveries > 1:
            self._redeliveries.labels(consumer=consumer).inc()

    def event_consumed(self, consumer: str, subject: str) -> None:
        """A consumer acknowledged an event (handled now, or found handled before)."""
        self._consumed.labels(consumer=consumer, subject=subject).inc()

    # What the lifespan opened, watched at scrape time.

    def watch_pool(self, bind: AsyncEngine | AsyncConnection | None) -> None:
        """Database connections checked out of the pool, read when scraped."""
        engine = bind.engine if isinstance(bind, AsyncConnection) else bind
        if engine is None:
            return
        pool = engine.pool
        if self._pool is None:
            self._pool = Gauge(
                "logbook_db_pool_connections_in_use",
                "Database connections checked out of this service's pool.",
                registry=self.registry,
            )
        # Only queue pools count checkouts; a pool without them reports NaN.
        checkedout: Callable[[], int] | None = getattr(pool, "checkedout", None)
        self._pool.set_function(lambda: math.nan if checkedout is None else float(checkedout()))

    def watch_outbox(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Outbox rows waiting to be published, and the age of the oldest, read when scraped."""
        if self._backlog is None:
            self._backlog = (
                Gauge(
                    "logbook_outbox_backlog",
                    "Outbox events waiting to be published (parked ones excluded).",
                    registry=self.registry,
                ),
                Gauge(
                    "logbook_outbox_oldest_pending_age_seconds",
                    "Age of the oldest outbox event waiting to be published; 0 when none waits.",
                    registry=self.registry,
                ),
            )

        async def read() -> Sequence[float]:
            async with sessionmaker() as session:
                count, oldest = await OutboxRepository(session).backlog()
            age = 0.0 if oldest is None else (utc_now() - oldest).total_seconds()
            return float(count), max(age, 0.0)

        self._probes["outbox"] = _ScrapeProbe(read, self._backlog)

    def watch_consumers(self, nats: NatsConnection, durables: Iterable[str]) -> None:
        """Messages each durable consumer has yet to receive (JetStream's num_pending)."""
        if self._lag is None:
            self._lag = Gauge(
                "logbook_consumer_lag_messages",
                "Messages on the stream a durable consumer has not received yet.",
                ["consumer"],
                registry=self.registry,
            )
        for durable in durables:
            self._probes[f"consumer:{durable}"] = _ScrapeProbe(
                _consumer_lag(nats, durable), [self._lag.labels(consumer=durable)]
            )

    async def render(self) -> bytes:
        """Run the scrape-time probes concurrently, then the text exposition."""
        await asyncio.gather(*(self._run(name, probe) for name, probe in self._probes.items()))
        return generate_latest(self.registry)

    async def _run(self, name: str, probe: _ScrapeProbe) -> None:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                values = await probe.read()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer whatever failed
            log.warning("metrics.probe_failed", probe=name, error=type(exc).__name__)
            self._probe_failures.labels(probe=name).inc()
            values = [math.nan] * len(probe.gauges)
        for gauge, value in zip(probe.gauges, values, strict=True):
            gauge.set(value)


def _consumer_lag(nats: NatsConnection, durable: str) -> Probe:
    async def read() -> Sequence[float]:
        if not nats.connected:
            raise ConnectionError("NATS is not connected")
        info = await nats.jetstream.consumer_info(
            nats.stream, durable, timeout=PROBE_TIMEOUT_SECONDS
        )
        return [float(info.num_pending or 0)]

    return read
