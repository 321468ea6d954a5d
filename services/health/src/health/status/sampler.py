"""A sample of the platform every few seconds, kept for the last minutes, for the status page.

Each sample holds every component's state and latency (through the health service's cached
checks), each service's request and server-error totals, and the outbox backlog. Rates are the
differences between consecutive samples.
"""

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

import structlog
from litestar.datastructures import State
from prometheus_client.metrics_core import Metric

from health.cache import PlatformChecks
from health.checks import CheckResult
from health.metrics import gather_services
from shared.background import BackgroundLoop
from shared.settings import Settings

log = structlog.get_logger("health.status")
SAMPLE_SECONDS = 5.0
WINDOW_SECONDS = 15 * 60
REQUESTS_FAMILY = "logbook_http_requests"
BACKLOG_FAMILY = "logbook_outbox_backlog"


@dataclass(frozen=True)
class ServiceTraffic:
    """Totals read from one service's counters (monotonic while the process lives)."""

    requests: float
    errors: float


@dataclass(frozen=True)
class Sample:
    """The platform at one moment."""

    at: float  # wall-clock seconds
    components: dict[str, CheckResult]
    traffic: dict[str, ServiceTraffic]
    outbox_backlog: float | None


@dataclass
class Uptime:
    """How often a component was up among the samples taken since this service started."""

    samples: int = 0
    up: int = 0
    since: float = field(default_factory=time.time)  # when the current state began
    last_up: bool | None = None

    def note(self, up: bool, at: float) -> None:
        """Count one sample."""
        self.samples += 1
        self.up += up
        if up != self.last_up:
            self.last_up, self.since = up, at

    @property
    def percent(self) -> float:
        """Share of samples with the component up."""
        return round(100 * self.up / self.samples, 2) if self.samples else 0.0


def traffic_of(families: list[Metric]) -> ServiceTraffic:
    """Public request totals and 5xx totals (the internal scrape and health routes excluded)."""
    requests = errors = 0.0
    for family in families:
        if family.name != REQUESTS_FAMILY:
            continue
        for sample in family.samples:
            if not sample.name.endswith("_total"):
                continue
            if sample.labels.get("route", "").startswith("/internal"):
                continue
            requests += sample.value
            if sample.labels.get("status_class") == "5xx":
                errors += sample.value
    return ServiceTraffic(requests, errors)


def backlog_of(families: list[Metric]) -> float | None:
    """The service's outbox backlog, if it runs an outbox."""
    for family in families:
        if family.name == BACKLOG_FAMILY and family.samples:
            return family.samples[0].value
    return None


class StatusSampler(BackgroundLoop):
    """Takes a sample every few seconds and keeps the last fifteen minutes of them."""

    task_name = "status-sampler"

    def __init__(self, state: State) -> None:
        super().__init__()
        self._state = state
        self.samples: deque[Sample] = deque(maxlen=int(WINDOW_SECONDS / SAMPLE_SECONDS))
        self.uptime: dict[str, Uptime] = {}

    async def take(self) -> Sample:
        """One sample, recorded."""
        checks: PlatformChecks = self._state.health_checks
        settings: Settings = self._state.settings
        database, redis_result, nats_result, services, scraped = await asyncio.gather(
            checks.database(),
            checks.redis(),
            checks.nats(),
            checks.services(),
            gather_services(settings),
        )
        components = {"database": database, "redis": redis_result, "nats": nats_result}
        components.update(services)
        traffic: dict[str, ServiceTraffic] = {}
        backlogs: list[float] = []
        for name, (families, _) in scraped.items():
            if families is None:
                continue
            traffic[name] = traffic_of(families)
            backlog = backlog_of(families)
            if backlog is not None:
                backlogs.append(backlog)
        sample = Sample(time.time(), components, traffic, sum(backlogs) if backlogs else None)
        self.samples.append(sample)
        for name, result in components.items():
            self.uptime.setdefault(name, Uptime()).note(result.up, sample.at)
        return sample

    async def _run(self) -> None:
        while True:
            try:
                await self.take()
            except Exception:
                log.warning("status.sample_failed", exc_info=True)
            await asyncio.sleep(SAMPLE_SECONDS)
