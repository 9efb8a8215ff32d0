"""A published lesson in the browser: its short link and its embed on a course page of another
origin load under the enforced CSP and start from the lesson's network. (Playing the stops
comes with the page's Lesson panel.)"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.browser.test_accessibility import axe_source, violations  # noqa: F401 (a fixture)
from tests.browser.test_embed import host  # noqa: F401 (a fixture: a course page's server)
from tests.lessons.examples import mazur_lesson

pytestmark = pytest.mark.browser

COURSE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Week 4</title></head>
<body>
<h1>Week 4: a lesson on XOR</h1>
<div data-backprop-viz data-id="lesson" data-lesson="LESSON"></div>
<script src="SERVER/static/embed.js" async></script>
</body></html>
"""


@pytest.fixture(scope="module")
def lesson(server) -> dict:
    stops = [{"step": 1, "phase": "forward-1", "focus": {"kind": "neuron", "layer": 1, "index": 2},
              "caption": "The **third** hidden neuron."}]  # fmt: skip
    response = httpx.post(
        f"{server}/api/v1/lessons",
        json={"lesson": mazur_lesson(title="XOR, one step", preset="xor", stops=stops)},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_the_short_link_opens_the_page_with_the_lesson(open_page, lesson):
    page = open_page(f"/lesson/{lesson['id']}", bypass_csp=False)
    assert page.title() == "XOR, one step · backprop-viz"
    assert page.locator("body").get_attribute("data-lesson") == lesson["id"]
    data = json.loads(page.locator("#lesson-data").text_content())
    assert data["id"] == lesson["id"]
    assert data["lesson"]["stops"][0]["caption"] == "The **third** hidden neuron."


def test_a_course_page_embeds_a_lesson_by_its_id(browser, server, host, lesson):  # noqa: F811
    root, port = host
    (root / "lesson.html").write_text(
        COURSE_PAGE.replace("SERVER", server).replace("LESSON", lesson["id"])
    )
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"http://127.0.0.1:{port}/lesson.html")
        frame = page.frame_locator('[data-backprop-viz-id="lesson"] iframe')
        frame.locator("html[data-ready=true]").wait_for()
        embed = frame.locator("#embed")
        assert embed.get_attribute("data-lesson") == lesson["id"]
        assert embed.get_attribute("data-preset") == "xor"
        # XOR's 2-3-1 network, not the default preset's 2-2-2
        assert frame.locator(".neuron").count() == 6
        credit = frame.get_by_role("link", name="Open in backprop-viz")
        assert credit.get_attribute("href") == f"{server}/lesson/{lesson['id']}"
    finally:
        context.close()
    assert errors == []


def test_an_unknown_short_link_says_so_accessibly(open_page, server, watch, axe_source):  # noqa: F811
    watch.allow("404")  # Chromium logs the page's own status
    page = open_page(None)
    response = page.goto(f"{server}/lesson/Abc123xyz9")
    assert response.status == 404
    assert page.get_by_role("heading", name="This lesson does not exist").is_visible()
    assert page.get_by_role("link", name="Open backprop-viz").get_attribute("href") == f"{server}/"
    assert violations(page, axe_source) == []
