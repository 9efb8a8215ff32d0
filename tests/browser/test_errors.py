"""Trouble as a student meets it: a step that diverges, a request that is too large."""

from __future__ import annotations

import pytest

from tests.live import running_server

from .conftest import Watch, goto
from .test_page import button, fast

pytestmark = pytest.mark.browser


def test_a_diverging_step_says_so_and_keeps_the_last_good_state(open_page):
    page = open_page("/?preset=regression")  # a linear output: nothing saturates
    fast(page)
    page.get_by_label("Learning rate").fill("1e100")
    page.get_by_label("Learning rate").press("Enter")
    message = page.locator("#message")
    edges = page.locator("#network .edge")
    for _ in range(8):  # the weights overflow within a few steps
        before = [edges.nth(i).get_attribute("data-value") for i in range(edges.count())]
        button(page, "Step").click()
        page.locator('#phase[aria-busy="false"]').wait_for()
        if "diverged" in message.inner_text():
            break
    assert "diverged" in message.inner_text()
    assert [edges.nth(i).get_attribute("data-value") for i in range(edges.count())] == before
    text = page.locator("body").inner_text()
    assert "NaN" not in text and "Infinity" not in text


def test_a_request_over_the_body_limit_shows_the_servers_message(browser):
    # a server that takes at most 3 KB: a step on the circle's 200 samples is larger
    with running_server(env={"BACKPROP_VIZ_MAX_BODY_BYTES": "3000"}) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        page = context.new_page()
        watch = Watch(url)
        watch.allow("status of 413")
        page.on("console", watch.on_console)
        page.on("request", watch.on_request)
        goto(page, f"{url}/?preset=circle")
        page.get_by_label("Batch size").fill("200")  # the step then carries all 200 samples
        page.get_by_label("Batch size").press("Enter")
        button(page, "Step").click()
        page.get_by_text("request body too large").first.wait_for()
        assert page.locator("#phase").get_attribute("data-phase") == "idle"
        assert watch.problems() == []
        context.close()
