"""`/metrics`: the platform's one Prometheus target, gathered from every service.

The health service's own metrics, each other service's `/internal/metrics` and the dependency
checks, merged into one exposition where every series carries a `service` label.
"""

import asyncio
import time
from collections.abc import Iterable

import httpx
from litestar import Response, get
from litestar.datastructures import State
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from health.checks import CheckResult, check_database, check_nats, check_redis
from shared.internal_calls import internal_urls
from shared.metrics import CONTENT_TYPE, ServiceMetrics
from shared.settings import Settings

SERVICE = "health"
HTTP_OK = 200
Families = list[Metric]


class _Gathered:
    """A collector that hands out already-gathered families, to reuse the text exposition."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self._families


def merge(sources: Iterable[tuple[str, Families]]) -> Families:
    """One family per name; each sample keeps its `service` label or gets its source's."""
    merged: dict[str, Metric] = {}
    for service, families in sources:
        for family in families:
            target = merged.setdefault(
                family.name, Metric(family.name, family.documentation, family.type, family.unit)
            )
            for sample in family.samples:
                labels = {"service": service, **sample.labels}
                target.samples.append(sample._replace(labels=labels))
    return list(merged.values())


async def _scrape(
    client: httpx.AsyncClient, url: str, within: float
) -> tuple[Families | None, float]:
    """A service's parsed families (None when it did not answer well) and the scrape time."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(within):
            response = await client.get(f"{url.rstrip('/')}/internal/metrics")
        if response.status_code != HTTP_OK:
            return None, time.perf_counter() - started
        families = list(text_string_to_metric_families(response.text))
    except (httpx.HTTPError, TimeoutError, ValueError):
        return None, time.perf_counter() - started
    return families, time.perf_counter() - started


async def gather_services(settings: Settings) -> dict[str, tuple[Families | None, float]]:
    """Each other service's parsed metrics (None when it did not answer) and the scrape time."""
    urls = internal_urls(settings)
    # trust_env=False: a proxy from the environment must not sit between the services.
    within = settings.health_check_timeout
    async with httpx.AsyncClient(timeout=within, trust_env=False) as client:
        results = await asyncio.gather(*(_scrape(client, url, within) for url in urls.values()))
    return dict(zip(urls, results, strict=True))


async def _check_dependencies(state: State) -> dict[str, CheckResult]:
    within: float = state.settings.health_check_timeout
    # An app built around a given sessionmaker opens no engine of its own: use its bind.
    engine: AsyncEngine = state.engine or state.sessionmaker.kw["bind"]
    database, redis_result, nats_result = await asyncio.gather(
        check_database(engine, within),
        check_redis(state.redis, within),
        check_nats(state.nats, within),
    )
    return {"database": database, "redis": redis_result, "nats": nats_result}


def _platform_families(
    checks: dict[str, CheckResult], scraped: dict[str, tuple[Families | None, float]]
) -> Families:
    up = GaugeMetricFamily(
        "logbook_dependency_up",
        "1 when the dependency answered its check (or is deliberately not configured), else 0.",
        labels=["service", "dependency"],
    )
    latency = GaugeMetricFamily(
        "logbook_dependency_check_latency_seconds",
        "How long the dependency's check took.",
        labels=["service", "dependency"],
    )
    for name, result in checks.items():
        up.add_metric([SERVICE, name], 1.0 if result.up else 0.0)
        latency.add_metric([SERVICE, name], result.latency_ms / 1000)
    service_up = GaugeMetricFamily(
        "logbook_service_up",
        "1 when the health service could gather the service's metrics, else 0.",
        labels=["service"],
    )
    scrape_time = GaugeMetricFamily(
        "logbook_service_scrape_duration_seconds",
        "How long gathering the service's metrics took.",
        labels=["service"],
    )
    service_up.add_metric([SERVICE], 1.0)
    for name, (families, seconds) in scraped.items():
        service_up.add_metric([name], 0.0 if families is None else 1.0)
        scrape_time.add_metric([name], seconds)
    return [up, latency, service_up, scrape_time]


@get("/metrics", include_in_schema=False)
async def platform_metrics(state: State) -> Response[bytes]:
    """Every service's metrics with a `service` label, plus the dependency checks."""
    own: ServiceMetrics = state.metrics
    exposition, checks, scraped = await asyncio.gather(
        own.render(), _check_dependencies(state), gather_services(state.settings)
    )
    sources = [(SERVICE, list(text_string_to_metric_families(exposition.decode())))]
    sources += [(name, families) for name, (families, _) in scraped.items() if families]
    registry = CollectorRegistry()
    registry.register(_Gathered([*merge(sources), *_platform_families(checks, scraped)]))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE)
