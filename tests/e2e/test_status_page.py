"""The status page in a real browser (headless Chromium via Playwright), through the gateway."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.e2e.stack import ROOT, Stack, start_stack
from tests.support.proxy import free_port

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
# Where `make test` lists the screenshots it leaves (tests/conftest.py prints them).
SCREENSHOTS = ROOT / "build" / "test-artifacts"
# This machine's network is closed: Chromium must not try to reach anything but the page.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def stack_without_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    closed = free_port()  # nothing listens here
    running = start_stack(
        tmp_path_factory.mktemp("status-stack"),
        ready="degraded",
        REDIS_URL=f"redis://127.0.0.1:{closed}/0",
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 390, "height": 844})  # a phone's screen
        finally:
            browser.close()


def card_state(page: Page, component: str) -> tuple[str | None, str | None]:
    card = page.locator(f'[data-component="{component}"]')
    return card.get_attribute("data-up"), card.get_attribute("data-state")


def test_the_page_shows_redis_down_and_the_rest_up(stack_without_redis: Stack, page: Page) -> None:
    response = page.goto(f"{stack_without_redis.gateway}/status")
    assert response is not None
    assert response.status == 200
    # NATS may still be connecting in the first sample; the page refreshes itself until it is up.
    page.wait_for_selector('[data-component="nats"][data-up="true"]', timeout=30_000)
    assert card_state(page, "redis") == ("false", "down")
    assert card_state(page, "database") == ("true", "up")
    for service in ("auth", "api"):
        assert card_state(page, service) == ("true", "up")
    assert page.locator("#overall").inner_text() == "Some systems are down"
    assert page.locator("#backlog").inner_text().isdigit()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "status-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_traffic_appears_in_the_charts(stack_without_redis: Stack, page: Page) -> None:
    for _ in range(20):
        httpx.get(f"{stack_without_redis.gateway}/api/v1/auth/branding", timeout=10)
    page.goto(f"{stack_without_redis.gateway}/status")
    # Rates need two samples after the traffic; the page refreshes itself every 5 s.
    page.wait_for_function(
        """() => {
            const card = document.querySelector('[data-chart="auth"] .legend');
            return card && !card.textContent.startsWith("0.00 requests/s");
        }""",
        timeout=30_000,
    )
    assert page.locator('[data-chart="auth"] svg').count() == 2


def test_the_page_loads_nothing_from_elsewhere(stack_without_redis: Stack) -> None:
    html = httpx.get(f"{stack_without_redis.gateway}/status", timeout=10).text
    assert "src=" not in html
    assert "href=" not in html
    data = httpx.get(f"{stack_without_redis.gateway}/status/data", timeout=10).json()
    names = {component["name"] for component in data["components"]}
    assert names == {"database", "redis", "nats", "auth", "api"}
