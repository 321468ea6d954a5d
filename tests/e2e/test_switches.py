"""Settings that change what the gateway serves, on the worker's auth platform, which turns
every such switch away from its default: API docs off, `/metrics` public (the defaults are
tested on the shared platform by test_api_docs.py and test_metrics.py)."""

import httpx
import pytest

from tests.e2e.auth_platform import AuthPlatform
from tests.e2e.stack import Stack
from tests.e2e.test_metrics import NOT_FOUND, samples_of

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(auth_platform: AuthPlatform) -> Stack:
    """The worker's auth platform, which turns both switches (see tests/e2e/auth_platform.py)."""
    return auth_platform.stack


def test_docs_can_be_switched_off(stack: Stack) -> None:
    for path in ("/openapi.json", "/docs", "/redoc", "/docs/assets/redoc.standalone.js"):
        response = httpx.get(f"{stack.gateway}{path}", timeout=20)
        assert response.status_code == 404, path
        assert response.json()["code"] == "LB-API-404"


def test_metrics_public_true_serves_it_through_the_gateway(stack: Stack) -> None:
    response = httpx.get(f"{stack.gateway}/metrics", timeout=10)
    internal = httpx.get(f"{stack.gateway}/internal/metrics", timeout=5)
    assert response.status_code == 200
    services = {sample.labels["service"] for sample in samples_of(response.text)}
    assert services == {"auth", "api", "health"}
    assert (internal.status_code, internal.json()) == (404, NOT_FOUND)
