"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

No browser is downloaded: the tests launch the system Chromium at /usr/bin/chromium (or the path in
GONGHUI_CHROMIUM). Without it the browser tests are skipped with a clear reason, except in CI, where a
missing browser is an installation failure and must fail loudly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from .helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

# Long enough for a slow CI machine, short enough that a real hang fails the test quickly.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        reason = (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package to run the browser tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio event loop running in the test thread from here to the end of the
    # session, and Django refuses ORM calls from a thread with a running loop unless told that this is
    # deliberate. It is set only once a browser starts, so runs without browser tests keep Django's check.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _page(browser: Browser, live_server, options: dict) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    # Every test gets a fresh context: its own cookies (session, language) and nothing left from another test.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A page on a 375-pixel-wide phone (an iPhone-sized screen at 2x, touch)."""
    yield from _page(browser, live_server, PHONE)


@pytest.fixture
def desktop(browser: Browser, live_server) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A page on a 1280x800 desktop screen."""
    yield from _page(browser, live_server, DESKTOP)


@pytest.fixture
def demo(transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The richer demo tree and its accounts: screenshots look like the real thing."""
    from gonghui.core.seed.demo import seed_demo

    seed_demo()


@pytest.fixture(autouse=True)
def _browser_marker_required(request: pytest.FixtureRequest) -> None:
    """Every test in this directory drives a browser and must say so, so that `-m "not browser"` works."""
    assert request.node.get_closest_marker("browser"), "mark browser tests with @pytest.mark.browser"
