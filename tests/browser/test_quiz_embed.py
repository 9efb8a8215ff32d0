"""The quiz in an embed on a course page of another origin: the quiz parameter, and the answer
events (postMessage, and the loader's backprop-viz DOM event) with their xAPI result."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_embed import host  # noqa: F401 (the course page's server, on another port)

pytestmark = pytest.mark.browser

DELTA_O1 = 0.138498562  # Mazur's published delta of o1
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"

COURSE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Week 3: predict, then check</title></head>
<body>
<h1>Week 3: predict, then check</h1>
<div data-backprop-viz data-id="quiz" data-preset="mazur" data-quiz="output_delta" data-speed="8"></div>
<div data-backprop-viz data-id="plain" data-preset="mazur" data-speed="8" data-show="none"></div>
<script>
  window.messages = [];
  window.domEvents = [];
  window.addEventListener("message", (e) => {
    if (e.data && e.data.source === "backprop-viz") window.messages.push({origin: e.origin, ...e.data});
  });
  document.addEventListener("backprop-viz", (e) => {
    if (e.detail.type === "answer") window.domEvents.push({div: e.target.dataset.id, ...e.detail});
  });
</script>
<script src="SERVER/static/embed.js" async></script>
</body></html>
"""


@pytest.fixture
def course(browser, host, server):  # noqa: F811
    root, port = host
    (root / "quiz.html").write_text(COURSE_PAGE.replace("SERVER", server))
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"http://127.0.0.1:{port}/quiz.html")
    page.wait_for_function("window.messages.filter((m) => m.type === 'ready').length === 2")
    yield page
    context.close()
    assert errors == []


def answers(page, count: int) -> list[dict]:
    page.wait_for_function(
        "(n) => window.messages.filter((m) => m.type === 'answer').length >= n", arg=count
    )
    return page.evaluate("window.messages.filter((m) => m.type === 'answer')")


def test_an_embed_sends_answer_events_with_an_xapi_result(course, server):
    frame = course.frame_locator('[data-backprop-viz-id="quiz"] iframe')
    frame.get_by_role("button", name="Step", exact=True).click()
    asked = frame.locator('#quiz[data-quantity="delta"][data-layer="2"][data-index="0"]')
    expect(asked).to_be_visible()
    box = frame.get_by_role("textbox", name="Your answer")
    box.fill("0.741365")  # delta without f'(z)
    box.press("Enter")
    expect(frame.locator("#quiz-feedback")).to_contain_text("Not right")

    [wrong] = answers(course, 1)
    assert wrong["origin"] == server and wrong["id"] == "quiz"
    assert {k: wrong[k] for k in ("quantity", "layer", "index", "correct", "attempts")} == {
        "quantity": "delta",
        "layer": 2,
        "index": 0,
        "correct": False,
        "attempts": 1,
    }
    assert wrong["misconception"]["id"] == "forgot_activation_derivative"
    assert "expected" not in wrong  # never the number to a wrong answer
    assert wrong["verb"]["id"] == ANSWERED
    assert wrong["object"]["objectType"] == "Activity"
    assert wrong["object"]["id"].startswith(f"{server}/embed?preset=mazur#")
    assert wrong["result"] == {
        "success": False,
        "completion": False,
        "score": {"raw": 0, "min": 0, "max": 1, "scaled": 0},
        "response": "0.741365",
        "extensions": {f"{server}/docs/embed#misconception": "forgot_activation_derivative"},
    }

    box.fill("0.1385")
    box.press("Enter")
    right = answers(course, 2)[1]
    assert (right["correct"], right["attempts"], right["misconception"]) == (True, 2, None)
    assert right["expected"] == pytest.approx(DELTA_O1, abs=1e-9)
    assert right["result"]["success"] is True
    assert right["result"]["score"] == {"raw": 1, "min": 0, "max": 1, "scaled": 1}
    expect(frame.locator("#phase")).to_have_attribute("data-phase", "update")

    # the loader gives the same as backprop-viz DOM events on the div
    dom = course.evaluate("window.domEvents")
    assert [e["div"] for e in dom] == ["quiz", "quiz"]
    assert [(e["type"], e["correct"], e["result"]["success"]) for e in dom] == [
        ("answer", False, False),
        ("answer", True, True),
    ]


def test_an_embed_obeys_its_quiz_parameter(course):
    plain = course.frame_locator('[data-backprop-viz-id="plain"] iframe')
    # no quiz parameter: no quiz, no toggle (its controls are minimal), the step plays through
    assert plain.locator("#quiz-panel").count() == 0
    assert plain.get_by_role("button", name="Quiz", exact=True).count() == 0
    plain.get_by_role("button", name="Step", exact=True).click()
    expect(plain.locator("#phase")).to_have_attribute("data-phase", "update")
    # quiz=output_delta: only that question, and Show answer lets the step go on
    asking = course.frame_locator('[data-backprop-viz-id="quiz"] iframe')
    asking.get_by_role("button", name="Step", exact=True).click()
    expect(asking.locator('#quiz[data-quantity="delta"]')).to_be_visible()
    expect(asking.locator("#phase")).to_have_attribute("data-phase", "loss")
    asking.get_by_role("button", name="Show answer", exact=True).click()
    expect(asking.locator("#quiz-feedback")).to_contain_text("Shown: \u03b4 of o1 = 0.138499")
    expect(asking.locator("#phase")).to_have_attribute("data-phase", "update")
    [shown] = answers(course, 1)
    assert (shown["revealed"], shown["correct"], shown["answer"], shown["attempts"]) == (
        True,
        False,
        None,
        0,
    )
    assert shown["result"]["completion"] is True and "response" not in shown["result"]
