"""`/status` (the page) and `/status/data` (what it shows, refreshed by the page itself)."""

import itertools
from typing import Any

from litestar import Litestar, Response, get
from litestar.datastructures import State

from health.status.page import STATUS_PAGE
from health.status.sampler import SAMPLE_SECONDS, Sample, StatusSampler
from shared.db.types import utc_now

DEPENDENCIES = ("database", "redis", "nats")
LABELS = {"not_configured": "not configured", "connected": "up"}
DISPLAY_NAMES = {
    "api": "API",
    "auth": "Auth",
    "nats": "NATS",
    "redis": "Redis",
    "database": "Database",
}


def _rates(samples: list[Sample]) -> dict[str, Any]:
    """Requests and server errors per second per service between consecutive samples."""
    times: list[float] = []
    requests: dict[str, list[float | None]] = {}
    errors: dict[str, list[float | None]] = {}
    for before, after in itertools.pairwise(samples):
        seconds = after.at - before.at
        times.append(round(after.at, 3))
        for name in sorted(set(before.traffic) | set(after.traffic)):
            old, new = before.traffic.get(name), after.traffic.get(name)
            requests.setdefault(name, [None] * (len(times) - 1))
            errors.setdefault(name, [None] * (len(times) - 1))
            if old is None or new is None or seconds <= 0:
                requests[name].append(None)  # a gap, not a zero: the service did not answer
                errors[name].append(None)
                continue
            # A restarted service's counters start again from zero.
            requests[name].append(round(max(new.requests - old.requests, 0) / seconds, 3))
            errors[name].append(round(max(new.errors - old.errors, 0) / seconds, 3))
    return {"times": times, "requests_per_second": requests, "errors_per_second": errors}


def status_document(sampler: StatusSampler) -> dict[str, Any]:
    """Every component's state, latency and uptime, the backlog, and the recent rates."""
    samples = list(sampler.samples)
    latest = samples[-1] if samples else None
    components = []
    for name, result in latest.components.items() if latest else []:
        uptime = sampler.uptime[name]
        components.append(
            {
                "name": name,
                "label": DISPLAY_NAMES.get(name, name),
                "kind": "dependency" if name in DEPENDENCIES else "service",
                "up": result.up,
                "state": LABELS.get(result.status, "down" if not result.up else result.status),
                "latency_ms": result.latency_ms,
                "uptime_percent": uptime.percent,
                "state_since": uptime.since,
            }
        )
    return {
        "generated_at": utc_now(),
        "sampled_at": latest.at if latest else None,
        "sample_seconds": SAMPLE_SECONDS,
        "components": components,
        "outbox_backlog": latest.outbox_backlog if latest else None,
        **_rates(samples),
    }


@get("/status", include_in_schema=False)
async def status_page() -> Response[str]:
    """The status page: plain HTML, inline styles and script, nothing fetched from elsewhere."""
    return Response(
        STATUS_PAGE,
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


@get("/status/data", include_in_schema=False)
async def status_data(state: State) -> Response[dict[str, Any]]:
    """What the page shows; the first call samples at once rather than waiting for the loop."""
    sampler: StatusSampler = state.status_sampler
    if not sampler.samples:
        await sampler.take()
    return Response(status_document(sampler), headers={"Cache-Control": "no-store"})


async def start_sampler(app: Litestar) -> None:
    """Startup hook (after the checks exist): sample in the background."""
    app.state.status_sampler = StatusSampler(app.state)
    app.state.status_sampler.start()


async def stop_sampler(app: Litestar) -> None:
    """Shutdown hook; startup may have failed before the sampler existed."""
    sampler: StatusSampler | None = app.state.get("status_sampler")
    if sampler is not None:
        await sampler.stop()


ROUTES = [status_page, status_data]
