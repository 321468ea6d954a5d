"""`/metrics` of a running platform: one target for all three services, private by default."""

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.e2e.department import Platform
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e
NOT_FOUND = {"detail": "Not Found", "code": "LB-API-404"}
LOGIN = "/api/v1/auth/login"


@pytest.fixture(scope="module")
def stack(shared_platform: Platform) -> Stack:
    """The worker's shared platform: its modules run one after another, so no other test's
    requests reach the counters while a test compares them."""
    return shared_platform.stack


def samples_of(text: str) -> list[Sample]:
    """Every sample of a Prometheus text exposition (prometheus-client's parser)."""
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def platform_metrics(stack: Stack) -> list[Sample]:
    """The health service's `/metrics`, fetched on its own port as a scraper would."""
    response = httpx.get(f"http://127.0.0.1:{stack.ports['health']}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples_of(response.text)


def total(samples: list[Sample], name: str, **labels: str) -> float:
    """The sum of the samples named `name` whose labels include `labels`."""
    return sum(
        sample.value
        for sample in samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def sign_in_attempt(stack: Stack, number: int) -> httpx.Response:
    return httpx.post(
        f"{stack.gateway}{LOGIN}",
        json={"username": f"nobody{number}", "password": "not-the-password"},
        timeout=15,
    )


class TestPrivateByDefault:
    @pytest.mark.parametrize("path", ["/metrics", "/internal/metrics"])
    def test_the_gateway_answers_404(self, stack: Stack, path: str) -> None:
        response = httpx.get(f"{stack.gateway}{path}", timeout=5)

        assert (response.status_code, response.json()) == (404, NOT_FOUND)


class TestOneTarget:
    def test_it_parses_and_holds_series_of_all_three_services(self, stack: Stack) -> None:
        samples = platform_metrics(stack)

        assert all("service" in sample.labels for sample in samples)
        assert {sample.labels["service"] for sample in samples} == {"auth", "api", "health"}
        for service in ("auth", "api", "health"):
            assert total(samples, "logbook_service_up", service=service) == 1
            memory = total(samples, "logbook_process_resident_memory_bytes", service=service)
            assert memory > 10_000_000
            assert total(samples, "logbook_process_cpu_seconds_total", service=service) > 0
        for dependency in ("database", "nats"):
            assert total(samples, "logbook_dependency_up", dependency=dependency) == 1
        assert total(samples, "logbook_outbox_backlog", service="auth") >= 0
        assert any(s.name == "logbook_consumer_lag_messages" for s in samples)

    def test_auth_request_counts_and_failed_sign_ins_rise_after_sign_in_attempts(
        self, stack: Stack
    ) -> None:
        login = {"service": "auth", "route": LOGIN, "method": "POST"}
        before = platform_metrics(stack)

        for number in range(3):
            assert sign_in_attempt(stack, number).status_code == 401

        after = platform_metrics(stack)
        requests = "logbook_http_requests_total"
        rise = total(after, requests, **login) - total(before, requests, **login)
        assert rise == 3
        assert total(after, requests, status_class="4xx", **login) >= 3
        latency = "logbook_http_request_duration_seconds_count"
        assert total(after, latency, **login) - total(before, latency, **login) == 3
        # Sign-ins are counted as their events are published, which follows the commit.
        failed_before = total(before, "logbook_sign_ins_total", result="failed")
        deadline = time.monotonic() + 15
        while total(after, "logbook_sign_ins_total", result="failed") - failed_before < 3:
            assert time.monotonic() < deadline, "the failed sign-ins were never counted"
            time.sleep(0.3)
            after = platform_metrics(stack)
