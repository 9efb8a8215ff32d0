"""Lessons in the browser, as a lecturer and students use them: the Lesson panel builds stops
(the page's step, phase and selection, a caption, a question), reorders and deletes them,
previews and publishes; the short link and an embed on a course page of another origin play
the stops, ask the questions before their numbers show, and keep captions text. Numbers are
Mazur's published ones."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_source, violations  # noqa: F401 (a fixture)
from tests.browser.test_embed import LISTENER, host, send, wait_message  # noqa: F401 (a fixture)
from tests.browser.test_quiz import nowhere
from tests.lessons.examples import STATE, mazur_lesson
from tests.live import running_server

from .conftest import Watch, button, fast, goto, wait_phase

pytestmark = pytest.mark.browser

DELTA_O1 = 0.138498562
W5_AFTER_ONE_STEP = 0.35891648
TITLE = "Why the output delta has f\u2032(z)"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}

COURSE_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Week 4</title></head>
<body>
<h1>Week 4: the output delta</h1>
<div data-backprop-viz data-id="lesson" data-lesson="LESSON" data-speed="8"></div>
{LISTENER}
<script src="SERVER/static/embed.js" async></script>
</body></html>
"""


@pytest.fixture(scope="module")
def server():
    """A server of these tests' own, without the lesson rate (they publish a good many)."""
    with running_server(env={"BACKPROP_VIZ_LESSON_RATE": "0"}) as url:
        yield url


def next_phases(page, count: int, phase: str) -> None:
    for _ in range(count):
        button(page, "Next phase").click()
    wait_phase(page, phase)


def open_lesson_panel(page):
    button(page, "Lesson").click()
    panel = page.get_by_role("region", name="Lesson")
    expect(panel).to_be_visible()
    expect(button(page, "Lesson")).to_have_attribute("aria-expanded", "true")
    return panel


def add_stop(page, caption: str, question: str | None = None) -> None:
    count = page.locator("#lesson-stops > li").count()
    button(page, "Add a stop here").click()
    n = count + 1
    box = page.get_by_role("textbox", name=f"Caption of stop {n}")
    expect(box).to_be_focused()
    box.fill(caption)
    if question:
        page.get_by_role("combobox", name=f"Question of stop {n}").select_option(label=question)


def build_mazur_lesson(page) -> None:
    """Three stops on Mazur's network: the start; the loss, asking delta of o1 there; the
    update, asking the new w5 (asked before the update shows it)."""
    fast(page)
    panel = open_lesson_panel(page)
    panel.get_by_role("textbox", name="Title").fill(TITLE)
    add_stop(page, "The **network** as published: nothing computed yet.")
    next_phases(page, 3, "loss")
    page.locator('#network .neuron[data-name="o1"]').click()
    expect(page.locator("#lesson-here")).to_have_text("Here: step 1 \u00b7 loss \u00b7 neuron o1.")
    add_stop(page, "Predict *delta* of o1:\n`a - y` times f'(z).", "Predict \u03b4 of o1")
    next_phases(page, 3, "update")
    page.locator('#network .edge[data-name="w5"]').click()
    add_stop(page, "w5 moves against its gradient.", "Predict w5 after the update")
    expect(page.locator("#lesson-stops .lesson-stop-where")).to_have_text(
        [
            "before the first step",
            "step 1 \u00b7 loss \u00b7 neuron o1",
            "step 1 \u00b7 update \u00b7 weight w5",
        ]
    )


def publish(page) -> str:
    """Publish from the Lesson panel; the lesson's id."""
    button(page, "Publish").click()
    link = page.get_by_role("textbox", name="Short link")
    expect(link).to_have_value(re.compile(r"/lesson/[A-Za-z0-9]{6,16}$"))
    return link.input_value().rsplit("/", 1)[1]


def check_stop(page, number: int, count: int, phase: str) -> None:
    card = page.get_by_role("region", name=TITLE)
    expect(card.locator("#lesson-progress")).to_have_text(f"Stop {number} of {count}")
    wait_phase(page, phase)


def test_a_lecturer_builds_and_publishes_a_lesson_that_a_student_plays_through(
    open_page, server, browser
):
    page = open_page("/?preset=mazur")
    build_mazur_lesson(page)
    lesson_id = publish(page)
    base = server
    expect(page.get_by_role("textbox", name="Loader snippet (sizes itself)")).to_have_value(
        f'<div data-backprop-viz data-lesson="{lesson_id}"></div>\n'
        f'<script src="{base}/static/embed.js" async></script>'
    )
    expect(page.get_by_role("textbox", name="Plain iframe")).to_have_value(
        re.compile(f'^<iframe src="{re.escape(base)}/embed\\?lesson={lesson_id}" title="')
    )
    stored = httpx.get(f"{base}/api/v1/lessons/{lesson_id}").json()["lesson"]
    assert stored["preset"] == "mazur"  # the page was on the unchanged preset
    assert [(s["step"], s["phase"], s["focus"], s["question"]) for s in stored["stops"]] == [
        (0, "idle", None, None),
        (1, "loss", {"kind": "neuron", "layer": 2, "index": 0},
         {"quantity": "delta", "layer": 1, "index": 0, "sample": 0}),
        (1, "update", {"kind": "edge", "layer": 2, "from": 0, "to": 0},
         {"quantity": "new_weights", "layer": 1, "index": [0, 0], "sample": 0}),
    ]  # fmt: skip

    # a student opens the short link in a browser of their own
    student = open_page(f"/lesson/{lesson_id}")
    fast(student)
    card = student.get_by_role("region", name=TITLE)
    expect(card.get_by_role("heading", name=TITLE)).to_be_visible()
    check_stop(student, 1, 3, "idle")
    expect(card.locator("#lesson-caption strong")).to_have_text("network")
    expect(card.locator("#lesson-caption")).to_have_text(
        "The network as published: nothing computed yet."
    )

    button(student, "Next stop").click()
    check_stop(student, 2, 3, "loss")
    expect(card.locator("#lesson-caption em")).to_have_text("delta")
    expect(card.locator("#lesson-caption code")).to_have_text("a - y")
    expect(card.locator("#lesson-caption br")).to_have_count(1)
    expect(card.locator("#lesson-focus")).to_have_text("Look at: neuron o1 (selected)")
    expect(student.locator('#network .neuron[data-name="o1"]')).to_have_class(
        re.compile("selected")
    )
    expect(student.get_by_role("region", name="Inspector")).to_contain_text("o1")
    asked = student.locator('#quiz[data-quantity="delta"][data-layer="2"][data-index="0"]')
    expect(asked).to_be_visible()
    expect(student.get_by_role("textbox", name="Your answer")).to_be_focused()
    nowhere(student, DELTA_O1)
    student.get_by_role("textbox", name="Your answer").fill("0.5")
    button(student, "Check").click()
    expect(student.locator("#quiz-feedback")).to_contain_text("Not right")
    nowhere(student, DELTA_O1)
    button(student, "Next stop").click()  # not before the question is answered
    expect(card.locator("#lesson-status")).to_have_text(
        "Answer the question below first, or press Show answer."
    )
    check_stop(student, 2, 3, "loss")
    student.get_by_role("textbox", name="Your answer").fill("0.1385")
    button(student, "Check").click()
    expect(student.locator("#quiz-feedback")).to_have_text("Correct: \u03b4 of o1 = 0.138499.")
    expect(asked).to_be_hidden()
    wait_phase(student, "loss")  # asked at its stop: the page stays there

    button(student, "Next stop").click()
    # w5's new value is asked before the update shows it, with the Inspector on w5
    asked = student.locator('#quiz[data-quantity="new_weights"][data-layer="2"][data-index="0,0"]')
    expect(asked).to_be_visible()
    expect(card.locator("#lesson-progress")).to_have_text("Stop 3 of 3")
    wait_phase(student, "backward-1")
    expect(student.locator('#network .edge[data-name="w5"]')).to_have_class(re.compile("selected"))
    nowhere(student, W5_AFTER_ONE_STEP)
    button(student, "Next phase").click()  # nothing steps past the question
    expect(student.get_by_role("textbox", name="Your answer")).to_be_focused()
    assert student.locator("#phase").get_attribute("data-phase") == "backward-1"
    nowhere(student, W5_AFTER_ONE_STEP)
    button(student, "Show answer").click()
    expect(student.locator("#quiz-feedback")).to_contain_text(
        "Shown: w5 after the update = 0.358916. The step goes on."
    )
    wait_phase(student, "update")  # the update plays, and the lesson is at its stop
    expect(student.locator('#network .edge[data-name="w5"]')).to_have_attribute(
        "aria-label", re.compile("w5 0.4 \u0394w \u22120.04108 new 0.3589")
    )
    expect(student.locator("#quiz-score")).to_have_text(
        "0 of 2 right first time (1 right on a later try, 1 shown)"
    )

    button(student, "Previous stop").click()
    check_stop(student, 2, 3, "loss")
    expect(student.locator("#quiz")).to_be_hidden()  # answered: not asked again
    expect(student.locator("#quiz-feedback")).to_be_hidden()
    button(student, "Previous stop").click()
    check_stop(student, 1, 3, "idle")
    expect(student.locator("#network .selected")).to_have_count(0)
    expect(button(student, "Previous stop")).to_be_disabled()  # aria-disabled: it keeps the focus
    expect(button(student, "Next stop")).to_be_enabled()


def test_a_lesson_plays_in_an_embed_on_a_course_page_of_another_origin(
    open_page,
    server,
    browser,
    host,  # noqa: F811
):
    page = open_page("/?preset=mazur")
    build_mazur_lesson(page)
    lesson_id = publish(page)
    root, port = host
    (root / "lessons.html").write_text(
        COURSE_PAGE.replace("SERVER", server).replace("LESSON", lesson_id)
    )
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    try:
        course = context.new_page()
        course.on("console", lambda m: m.type == "error" and errors.append(m.text))
        course.on("pageerror", lambda error: errors.append(str(error)))
        course.goto(f"http://127.0.0.1:{port}/lessons.html")
        ready = wait_message(course, "lesson", "ready")
        assert ready["origin"] == server
        first = wait_message(course, "lesson", "stop")
        assert (first["index"], first["count"], first["step"], first["phase"]) == (0, 3, 0, "idle")
        frame = course.frame_locator('[data-backprop-viz-id="lesson"] iframe')
        card = frame.get_by_role("region", name=TITLE)
        expect(card.locator("#lesson-progress")).to_have_text("Stop 1 of 3")

        frame.get_by_role("button", name="Next stop", exact=True).click()
        stop = wait_message(course, "lesson", "stop", 2)
        assert (stop["index"], stop["step"], stop["phase"]) == (1, 1, "loss")
        frame.get_by_role("textbox", name="Your answer").fill("0.1385")
        frame.get_by_role("button", name="Check", exact=True).click()
        answer = wait_message(course, "lesson", "answer")
        assert (answer["stop"], answer["quantity"], answer["layer"], answer["correct"]) == (
            1, "delta", 2, True,
        )  # fmt: skip
        assert answer["object"]["id"].startswith(f"{server}/embed?lesson={lesson_id}#")

        send(course, "lesson", {"target": "backprop-viz", "type": "nextStop"})
        stop = wait_message(course, "lesson", "stop", 3)
        assert (stop["index"], stop["step"], stop["phase"]) == (2, 1, "update")
        frame.locator('#quiz[data-quantity="new_weights"]').wait_for()
        frame.get_by_role("button", name="Show answer", exact=True).click()
        shown = wait_message(course, "lesson", "answer", 2)
        assert (shown["stop"], shown["revealed"]) == (2, True)
        frame.locator('#phase[data-phase="update"][aria-busy="false"]').wait_for()

        send(course, "lesson", {"target": "backprop-viz", "type": "previousStop"})
        stop = wait_message(course, "lesson", "stop", 4)
        assert (stop["index"], stop["phase"]) == (1, "loss")
        expect(card.locator("#lesson-progress")).to_have_text("Stop 2 of 3")
    finally:
        context.close()
    assert errors == []


def test_an_embed_without_a_lesson_says_so_to_a_stop_command(browser, server, host):  # noqa: F811
    root, port = host
    (root / "plain.html").write_text(
        COURSE_PAGE.replace("SERVER", server).replace('data-lesson="LESSON"', 'data-preset="xor"')
    )
    context = browser.new_context()
    try:
        course = context.new_page()
        course.goto(f"http://127.0.0.1:{port}/plain.html")
        wait_message(course, "lesson", "ready")
        send(course, "lesson", {"target": "backprop-viz", "type": "nextStop"})
        error = wait_message(course, "lesson", "error")
        assert error["message"].startswith("nextStop: this embed plays no lesson")
    finally:
        context.close()


def test_stops_are_reordered_and_deleted_from_the_keyboard(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    open_lesson_panel(page)
    add_stop(page, "first")
    next_phases(page, 1, "forward-1")
    add_stop(page, "second")
    next_phases(page, 1, "forward-2")
    add_stop(page, "third")
    captions = page.locator("#lesson-stops textarea")
    assert [c.input_value() for c in captions.all()] == ["first", "second", "third"]
    up = button(page, "Move stop 3 up")
    up.focus()
    page.keyboard.press("Enter")
    assert [c.input_value() for c in captions.all()] == ["first", "third", "second"]
    expect(button(page, "Move stop 2 up")).to_be_focused()  # the focus moves with the stop
    page.keyboard.press("Enter")
    assert [c.input_value() for c in captions.all()] == ["third", "first", "second"]
    expect(button(page, "Move stop 1 up")).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#lesson-problems")).to_have_text("Stop 2 is now stop 1.")
    button(page, "Delete stop 2").focus()
    page.keyboard.press("Enter")
    assert [c.input_value() for c in captions.all()] == ["third", "second"]
    expect(button(page, "Delete stop 2")).to_be_focused()
    expect(page.locator("#lesson-stops .lesson-stop-where")).to_have_text(
        ["step 1 \u00b7 forward-2", "step 1 \u00b7 forward-1"]
    )
    # Go to shows a stop as it was made, without asking
    button(page, "Go to stop 2").click()
    wait_phase(page, "forward-1")
    # the draft survives a reload, its stops and their captions
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    open_lesson_panel(page)
    assert [c.input_value() for c in page.locator("#lesson-stops textarea").all()] == [
        "third",
        "second",
    ]


@pytest.mark.parametrize(
    ("caption", "text"),
    [
        ('<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> **safe**',
         '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> safe'),
        ('<b onmouseover="window.pwned = 3">*not* html</b>\n<a href="javascript:window.pwned=4">x</a>',
         '<b onmouseover="window.pwned = 3">not html</b><a href="javascript:window.pwned=4">x</a>'),
    ],
    ids=["script-and-img", "tags-and-link"],
)  # fmt: skip
def test_a_caption_with_html_shows_as_text(open_page, server, caption, text):
    stops = [{"step": 0, "phase": "idle", "caption": caption}]
    response = httpx.post(
        f"{server}/api/v1/lessons", json={"lesson": mazur_lesson(title="HTML", stops=stops)}
    )
    assert response.status_code == 201, response.text
    # the CSP is bypassed here: markup put in as HTML would run
    page = open_page(f"/lesson/{response.json()['id']}")
    shown = page.locator("#lesson-caption")
    expect(shown).to_have_text(text)
    assert shown.locator("script, img, b, a").count() == 0
    assert page.evaluate("() => window.pwned") is None
    marked = shown.locator("strong, em")
    expect(marked).to_have_count(1)


def test_publish_errors_are_shown_beside_the_panel_in_words(open_page, watch):
    watch.allow("status of 422")  # Chromium logs the response; the page itself logs nothing
    page = open_page("/?preset=mazur")
    panel = open_lesson_panel(page)
    button(page, "Publish").click()
    problems = page.locator("#lesson-problems")
    expect(problems).to_have_text("Add a stop first: a lesson has 1 to 100 stops.")
    add_stop(page, "A stop")
    button(page, "Publish").click()  # no title: the server's 422 names the field
    expect(problems).to_have_text(re.compile(r"^Not published\. Title: .*at least 1 character"))
    expect(panel.get_by_role("textbox", name="Title")).to_have_attribute("aria-invalid", "true")
    panel.get_by_role("textbox", name="Title").fill("A title")
    expect(panel.get_by_role("textbox", name="Title")).not_to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BACKPROP_VIZ_MAX_LESSON_BYTES": "300"}, r"^Not published\. The lesson is too large to publish: a lesson is at most 300 bytes"),
        ({"BACKPROP_VIZ_LESSON_RATE": "1", "BACKPROP_VIZ_LESSON_RATE_WINDOW": "3600"}, r"^Not published\. Too many lessons were published from this address for now\. Try again in \d+ s\.$"),
    ],
    ids=["413", "429"],
)  # fmt: skip
def test_a_refused_lesson_is_explained(browser, tmp_path, env, expected):
    # a database of its own: the rate it keeps must not reach the session's other servers
    own = {"BACKPROP_VIZ_DATABASE_URL": f"sqlite:///{tmp_path / 'lessons.sqlite3'}"}
    with running_server(env=env | own) as url:
        watch = Watch(url)
        watch.allow("the server responded with a status of 4")  # Chromium logs the response
        context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        page = context.new_page()
        watch.attach(page)
        goto(page, f"{url}/?preset=mazur")
        panel = open_lesson_panel(page)
        panel.get_by_role("textbox", name="Title").fill("Too much, or too often")
        add_stop(page, "x" * 400)
        if "LESSON_RATE" in str(env):
            button(page, "Publish").click()  # the one this address may publish
            expect(page.get_by_role("textbox", name="Short link")).to_be_visible()
        button(page, "Publish").click()
        expect(page.locator("#lesson-problems")).to_have_text(re.compile(expected))
        context.close()
        assert watch.problems() == []


def test_delete_with_the_kept_edit_token(open_page, server):
    page = open_page("/?preset=mazur")
    panel = open_lesson_panel(page)
    panel.get_by_role("textbox", name="Title").fill("Short-lived")
    add_stop(page, "Soon gone")
    lesson_id = publish(page)
    token = page.get_by_role("textbox", name=re.compile("^Edit token")).input_value()
    assert len(token) >= 20
    kept = page.evaluate("() => JSON.parse(localStorage.getItem('backprop-viz:lessons'))")
    assert [(k["id"], k["edit_token"]) for k in kept] == [(lesson_id, token)]
    expect(page.locator("#lesson-kept summary")).to_have_text("Published from this browser (1)")
    button(page, "Delete this lesson").click()
    again = button(page, "Delete for good: press again")  # it asks once more
    expect(again).to_be_focused()
    assert httpx.get(f"{server}/api/v1/lessons/{lesson_id}").status_code == 200
    again.click()
    expect(page.locator("#lesson-problems")).to_have_text(
        'Deleted "Short-lived": its link no longer opens it.'
    )
    assert httpx.get(f"{server}/api/v1/lessons/{lesson_id}").status_code == 404
    expect(page.locator("#lesson-kept summary")).to_have_text("Published from this browser (0)")


def test_the_embed_dialog_offers_the_short_link(open_page, server):
    page = open_page("/?preset=xor")
    button(page, "Embed").click()
    lesson_choice = page.get_by_role("radio", name=re.compile("short link"))
    expect(lesson_choice).to_be_disabled()
    button(page, "Publish as a lesson and use its short link").click()
    link = page.get_by_role("textbox", name="Short link")
    expect(link).to_have_value(re.compile(f"^{re.escape(server)}/lesson/[A-Za-z0-9]+$"))
    lesson_id = link.input_value().rsplit("/", 1)[1]
    expect(lesson_choice).to_be_checked()
    expect(page.locator("#embed-loader")).to_have_value(re.compile(f'data-lesson="{lesson_id}"'))
    expect(page.locator("#embed-iframe")).to_have_value(re.compile(f"/embed\\?lesson={lesson_id}"))
    stored = httpx.get(f"{server}/api/v1/lessons/{lesson_id}").json()["lesson"]
    assert stored["preset"] == "xor"
    assert stored["stops"] == [
        {"step": 0, "phase": "idle", "focus": None, "caption": "", "question": None}
    ]
    # an edited network is published as its share-link state
    button(page, "Close").click()
    page.get_by_label("Learning rate \u03b7").fill("0.25")
    page.get_by_label("Learning rate \u03b7").press("Enter")
    button(page, "Embed").click()
    expect(lesson_choice).to_be_enabled()  # the last one published from this page
    # the short link shows beside the snippets only while they embed the lesson too
    page.get_by_role("radio", name="this network as it is now").check()
    expect(link).to_be_hidden()
    expect(page.locator("#embed-loader")).to_have_value(re.compile("data-state="))
    lesson_choice.check()
    expect(link).to_be_visible()


def test_a_lesson_far_into_training_and_idle_after_a_step(open_page, server):
    """A stop 25 steps in (Mazur's full batch: one /train request), one after 2 steps at
    idle, with a question about the step to come, and a stop back at the start."""
    stops = [
        {"step": 25, "phase": "forward-2", "caption": "25 steps in."},
        {"step": 2, "phase": "idle", "caption": "After two steps.",
         "focus": {"kind": "bias", "layer": 1, "index": 1},
         "question": {"quantity": "z", "layer": 0, "index": 0}},
        {"step": 0, "phase": "idle", "caption": "Back at the start."},
    ]  # fmt: skip
    response = httpx.post(
        f"{server}/api/v1/lessons", json={"lesson": mazur_lesson(title="Jumps", stops=stops)}
    )
    assert response.status_code == 201, response.text
    page = open_page(f"/lesson/{response.json()['id']}")
    wait_phase(page, "forward-2")
    expect(page.locator("#counter")).to_have_attribute("data-step", "24")  # the 25th step's phase
    expect(page.locator("#lesson-caption")).to_have_text("25 steps in.")
    button(page, "Next stop").click()
    expect(page.locator('#quiz[data-quantity="z"][data-layer="1"]')).to_be_visible()
    wait_phase(page, "idle")
    expect(page.locator("#counter")).to_have_attribute("data-step", "2")
    expect(page.locator("#lesson-focus")).to_have_text("Look at: bias of h2 (selected)")
    button(page, "Show answer").click()
    expect(page.locator("#quiz-feedback")).to_contain_text("Shown: z of h1 =")
    wait_phase(page, "idle")  # asked at its stop: nothing plays
    button(page, "Next stop").click()
    expect(page.locator("#lesson-caption")).to_have_text("Back at the start.")
    expect(page.locator("#counter")).to_have_attribute("data-step", "0")
    expect(page.locator("#lesson-status")).to_have_text("This is the last stop of the lesson.")


@pytest.mark.parametrize("size", [{}, PHONE], ids=["desktop", "phone"])
def test_the_lesson_panel_and_a_playing_lesson_are_accessible(open_page, axe_source, size):  # noqa: F811
    page = open_page("/?preset=mazur", **size)
    build_mazur_lesson(page)
    lesson_id = publish(page)
    assert violations(page, axe_source) == []
    student = open_page(f"/lesson/{lesson_id}", **size)
    fast(student)
    assert violations(student, axe_source) == []
    button(student, "Next stop").click()
    student.locator("#quiz").wait_for()
    assert violations(student, axe_source) == []


def test_preview_plays_the_draft_as_a_student_sees_it(open_page):
    page = open_page("/?preset=mazur")
    build_mazur_lesson(page)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # a long panel, scrolled
    button(page, "Preview").click()
    card = page.get_by_role("region", name=TITLE)
    expect(card.locator(".lesson-kicker")).to_have_text("Lesson preview: as a student sees it")
    expect(card.locator("#lesson-caption")).to_be_in_viewport()  # brought into view
    expect(page.get_by_role("region", name="Lesson")).to_be_hidden()
    check_stop(page, 1, 3, "idle")
    expect(button(page, "Next stop")).to_be_focused()
    page.keyboard.press("Enter")
    check_stop(page, 2, 3, "loss")
    expect(page.get_by_role("textbox", name="Your answer")).to_be_focused()
    nowhere(page, DELTA_O1)
    button(page, "End preview").click()
    expect(page.get_by_role("region", name="Lesson")).to_be_visible()
    expect(card).to_be_hidden()
    expect(button(page, "Preview")).to_be_focused()


def test_on_a_phone_the_stop_is_right_below_the_diagram(open_page, server):
    stops = [{"step": 1, "phase": "loss", "caption": "Here", "question": {"quantity": "loss"}}]
    response = httpx.post(
        f"{server}/api/v1/lessons", json={"lesson": mazur_lesson(title="Phone", stops=stops)}
    )
    page = open_page(f"/lesson/{response.json()['id']}", **PHONE)
    page.locator("#quiz").wait_for()
    # measured at one moment (the question scrolls into view)
    diagram, card, quiz = page.evaluate(
        """() => ["#network", "#lesson-player", "#quiz-panel"].map((s) => {
             const r = document.querySelector(s).getBoundingClientRect();
             return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
           })"""
    )
    assert diagram["bottom"] <= card["top"] < card["bottom"] <= quiz["top"]
    assert card["left"] >= 0 and card["right"] <= 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    # above the diagram, a line says a lesson plays and takes the student down to its words
    page.evaluate("window.scrollTo(0, 0)")
    jump = button(page, "Lesson: stop 1 of 1, its words below the diagram \u2193")
    expect(jump).to_be_in_viewport()
    jump.click()
    expect(page.locator("#lesson-caption")).to_be_in_viewport()


def test_a_lesson_on_a_changed_network_starts_from_its_state_and_stays_on_it(open_page, server):
    page = open_page("/?preset=xor")
    fast(page)
    rate = page.get_by_label("Learning rate \u03b7")
    rate.fill("2")
    rate.press("Enter")
    panel = open_lesson_panel(page)
    panel.get_by_role("textbox", name="Title").fill("XOR, faster")
    add_stop(page, "Learning rate 2.")
    button(page, "Step").click()
    wait_phase(page, "update")
    add_stop(page, "One step on.")
    # an edit leaves the lesson's network: no stop is added there
    rate.fill("3")
    rate.press("Enter")
    expect(page.locator("#lesson-here")).to_contain_text("has left this lesson's network")
    button(page, "Add a stop here").click()
    expect(page.locator("#lesson-problems")).to_contain_text("not on this lesson's network")
    expect(page.locator("#lesson-stops > li")).to_have_count(2)
    button(page, "Go to stop 2").click()  # back on it, at the stop
    wait_phase(page, "update")
    expect(rate).to_have_value("2")
    expect(page.locator("#lesson-here")).to_have_text(
        "Here: step 1 \u00b7 update (click a neuron, weight or bias to look at it)."
    )
    lesson_id = publish(page)
    stored = httpx.get(f"{server}/api/v1/lessons/{lesson_id}").json()["lesson"]
    assert "preset" not in stored and stored["state"].startswith("1.")
    assert [(s["step"], s["phase"]) for s in stored["stops"]] == [(0, "idle"), (1, "update")]
    student = open_page(f"/lesson/{lesson_id}")
    expect(student.get_by_label("Learning rate \u03b7")).to_have_value("2")
    button(student, "Next stop").click()
    wait_phase(student, "update")
    expect(student.locator("#counter")).to_have_attribute("data-step", "1")


def test_a_stops_question_is_asked_however_the_student_reaches_its_phase(open_page, server):
    """Step from the first stop runs into the second stop's question before the update shows
    the new w5; once answered, the second stop shows the update without asking again."""
    stops = [
        {"step": 0, "phase": "idle", "caption": "Press Step."},
        {"step": 1, "phase": "update", "focus": {"kind": "edge", "layer": 2, "from": 0, "to": 0},
         "question": {"quantity": "new_weights", "layer": 1, "index": [0, 0]}},
    ]  # fmt: skip
    response = httpx.post(
        f"{server}/api/v1/lessons", json={"lesson": mazur_lesson(title="Step", stops=stops)}
    )
    page = open_page(f"/lesson/{response.json()['id']}")
    fast(page)
    button(page, "Step").click()
    expect(page.locator('#quiz[data-quantity="new_weights"][data-index="0,0"]')).to_be_visible()
    wait_phase(page, "backward-1")
    nowhere(page, W5_AFTER_ONE_STEP)
    page.get_by_role("textbox", name="Your answer").fill("0.3589")
    button(page, "Check").click()
    expect(page.locator("#quiz-feedback")).to_contain_text("Correct: w5 after the update")
    wait_phase(page, "update")  # Step went on
    button(page, "Next stop").click()
    expect(page.locator("#lesson-progress")).to_have_text("Stop 2 of 2")
    wait_phase(page, "update")
    expect(page.locator("#quiz")).to_be_hidden()


def test_a_lessons_state_is_checked_against_the_servers_limits(browser, tmp_path):
    """A lesson published under larger limits, read by a server with smaller ones (one
    database): its state is refused before it is drawn, and the page says why."""
    shared = {"BACKPROP_VIZ_DATABASE_URL": f"sqlite:///{tmp_path / 'lessons.sqlite3'}"}
    stops = [{"step": 0, "phase": "idle", "caption": "XOR"}]
    with running_server(env=shared) as url:
        response = httpx.post(
            f"{url}/api/v1/lessons",
            json={"lesson": mazur_lesson(title="A state", preset=None, state=STATE, stops=stops)},
        )
        assert response.status_code == 201, response.text
    with running_server(env=shared | {"BACKPROP_VIZ_MAX_NEURONS": "2"}) as url:
        watch = Watch(url)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        page = context.new_page()
        watch.attach(page)
        goto(page, f"{url}/lesson/{response.json()['id']}")
        expect(page.locator("#message")).to_contain_text(
            "This lesson cannot be played (its network (a share-link state) cannot be opened: "
            "network.layer_sizes"
        )
        expect(page.locator("#message")).to_contain_text("the page shows the Mazur example")
        expect(page.locator("#lesson-player")).to_be_hidden()
        context.close()
        assert watch.problems() == []


def test_a_phase_pressed_while_a_lesson_fetches_its_steps_waits_for_the_stop(open_page, server):
    """Next phase and Step pressed while Next stop fetches the steps to its stop: the lesson
    arrives at its stop with every number of it drawn, and no step is fetched twice."""
    stops = [
        {"step": 0, "phase": "idle", "caption": "The start."},
        {"step": 3, "phase": "loss", "caption": "Three steps in.",
         "focus": {"kind": "neuron", "layer": 2, "index": 0}},
    ]  # fmt: skip
    response = httpx.post(
        f"{server}/api/v1/lessons", json={"lesson": mazur_lesson(title="Held", stops=stops)}
    )
    assert response.status_code == 201, response.text
    page = open_page(f"/lesson/{response.json()['id']}")
    expect(page.locator("#lesson-caption")).to_have_text("The start.")
    held, steps = [], []

    def hold(route):  # the lesson's first /step waits until the student has pressed
        steps.append(route.request.post_data_json["network"]["weights"])
        if len(steps) == 1:
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/v1/step", hold)
    button(page, "Next stop").click()
    for _ in range(600):  # until the lesson's request is out (no time is asserted)
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the lesson did not ask for its first step"
    button(page, "Next phase").click()
    button(page, "Step").click()
    held[0].continue_()
    expect(page.locator("#lesson-progress")).to_have_text("Stop 2 of 2")
    wait_phase(page, "loss")
    expect(page.locator("#counter")).to_have_attribute("data-step", "2")
    o1 = page.locator('#network .neuron[data-name="o1"]')
    expect(o1).to_have_class(re.compile("selected"))
    expect(o1).to_have_attribute(
        "aria-label", re.compile(r"neuron o1: 0\.\d+ \(its activation a\)")
    )
    expect(page.locator('#network .target[data-index="0"]')).to_be_visible()
    expect(page.locator('#network .loss-term[data-index="0"]')).to_be_visible()
    assert page.locator("#phase").get_attribute("data-phase") == "loss"
    assert len(steps) == 3  # steps 1, 2 and 3, each once
    assert len({repr(w) for w in steps}) == 3


def test_a_stops_question_mark_goes_with_the_stop(open_page, server):
    """The ring of what stop 1 asked (delta of o1) is not left on o1 at stop 2, on w5."""
    stops = [
        {"step": 1, "phase": "backward-2", "caption": "Delta of o1.",
         "question": {"quantity": "delta", "layer": 1, "index": 0}},
        {"step": 1, "phase": "backward-1", "caption": "Now w5.",
         "focus": {"kind": "edge", "layer": 2, "from": 0, "to": 0}},
    ]  # fmt: skip
    response = httpx.post(
        f"{server}/api/v1/lessons", json={"lesson": mazur_lesson(title="Rings", stops=stops)}
    )
    assert response.status_code == 201, response.text
    page = open_page(f"/lesson/{response.json()['id']}")
    expect(page.locator('#quiz[data-quantity="delta"]')).to_be_visible()
    button(page, "Show answer").click()
    wait_phase(page, "backward-2")
    expect(page.locator("#network .quiz-ring")).to_have_count(1)  # o1's answer is marked
    button(page, "Next stop").click()
    expect(page.locator("#lesson-caption")).to_have_text("Now w5.")
    wait_phase(page, "backward-1")
    expect(page.locator("#network .quiz-ring")).to_have_count(0)
