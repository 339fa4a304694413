"""Fixtures for the browser tests: one real server, Debian's Chromium through Playwright's sync API, and pages
that fail their test on any console error or uncaught exception.

Playwright's sync API keeps an event loop running in this thread while it lives, so ``asyncio.run`` elsewhere
would fail: the browser lives for this package only and is stopped before other tests run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))  # the shared live server
from browserkit import CHROMIUM, VIEWPORT, launch, wait_for_app  # noqa: E402
from liveserver import LiveServer  # noqa: E402

from server import Settings  # noqa: E402


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("storage") / "sessions.db"  # sessions are kept, as `backprop-lab` keeps them
    with LiveServer(Settings(grace_seconds=600, db=str(db))) as server:
        yield server


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's Chromium")
    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


class PageErrors:
    """Console errors and uncaught exceptions of every page a test opens."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []  # parts of messages a test expects (see open_page.expect_console)

    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", self._console)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(part in message.text for part in self.expected):
            self.errors.append(f"console error: {message.text} ({message.location.get('url', '')})")


@pytest.fixture
def open_page(browser: Browser, live: LiveServer) -> Iterator[Callable[..., Page]]:
    """open_page(hash="", before=None) → a page of the app in its own browser context (own sessionStorage: its
    own person); before(page) runs before it loads. The test fails if any page it opened logged an error."""
    watcher = PageErrors()
    contexts: list[BrowserContext] = []

    def _open(hash: str = "", *, wait: bool = True, viewport: dict[str, int] | None = None,
              before: Callable[[Page], None] | None = None, context: BrowserContext | None = None,
              server: LiveServer | None = None) -> Page:
        """context: another tab of that browser (same localStorage); server: another than the package's."""
        if context is None:
            context = browser.new_context(viewport=viewport or VIEWPORT)
            contexts.append(context)
        page = watcher.watch(context.new_page())
        if before:
            before(page)  # e.g. routes, set before the page makes its first request
        page.goto(f"{(server or live).http}/{hash}")
        if wait:
            wait_for_app(page)
        return page

    _open.expect_console = watcher.expected.append  # type: ignore[attr-defined]
    yield _open
    for context in contexts:
        context.close()
    assert watcher.errors == [], "\n".join(watcher.errors)
