"""Fixtures for the browser tests: the real server, the system Chromium, and a watched page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.live import running_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = {"data", "blob"}


@pytest.fixture(scope="session")
def server() -> str:
    """Base URL of the real app (uvicorn serving app.main:app) on a free loopback port."""
    with running_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """Console errors and requests to other hosts seen by a page; expected ones are allowed."""

    def __init__(self, server: str):
        self.origin = urlsplit(server).netloc
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.allowed: list[str] = []

    def allow(self, fragment: str) -> None:
        """Accept console errors containing fragment (Chromium logs every 4xx response)."""
        self.allowed.append(fragment)

    def on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in LOCAL_SCHEMES and parts.netloc != self.origin:
            self.foreign_requests.append(request.url)

    def attach(self, page) -> None:
        """Watch a page: its console errors, its uncaught errors and its requests."""
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("request", self.on_request)

    def problems(self) -> list[str]:
        unexpected = [e for e in self.console_errors if not any(a in e for a in self.allowed)]
        return unexpected + [f"request to another host: {url}" for url in self.foreign_requests]


@pytest.fixture
def watch(server) -> Watch:
    return Watch(server)


@pytest.fixture
def open_page(browser, server, watch):
    """open_page(path, **context options) -> a page at 1280x800 whose errors fail the test."""
    contexts = []

    def open_(path: str = "/", **options):
        # Playwright's wait_for_function(string) runs through eval, which the pages' CSP
        # refuses; tests of the CSP itself pass bypass_csp=False
        options = {"viewport": {"width": 1280, "height": 800}, "bypass_csp": True} | options
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        watch.attach(page)
        if path is not None:
            goto(page, server + path)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert watch.problems() == []


def goto(page, url: str) -> None:
    """Navigate and wait until the page has drawn its network."""
    page.goto(url)
    page.wait_for_selector("html[data-ready=true]")


def button(page, name: str):
    """A button by its accessible name, as a person finds it."""
    return page.get_by_role("button", name=name, exact=True)


def fast(page) -> None:
    page.get_by_label("Speed").fill("8")


def wait_phase(page, phase: str) -> None:
    """Wait until the phase is shown and its animation has finished."""
    page.locator(f'#phase[data-phase="{phase}"][aria-busy="false"]').wait_for()
