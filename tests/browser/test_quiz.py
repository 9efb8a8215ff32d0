"""Predict, then check on the page: the step stops before a number, the student types it, and
/api/v1/check says whether it is right or which mistake gives it, never showing the number to a
wrong guess. Numbers are Mazur's published ones."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.live import running_server

from .conftest import Watch, button, fast, goto, wait_phase

pytestmark = pytest.mark.browser

Z_H1 = 0.3775
# z of h2 in step 2, from the published new weights: 0.24975114 * 0.05 + 0.29950229 * 0.1 + 0.35
Z_H2_STEP_2 = 0.392438
A_H1 = 0.593269992
E_TOTAL = 0.298371109
DELTA_O1 = 0.138498562
DELTA_H1 = 0.008771354
DELTA_O1_WITHOUT_F_PRIME = 0.741365  # a_o1 - y_o1: Mazur's delta with f'(z) forgotten
KIND_NAMES = {
    "z": "z (a weighted sum)",
    "a": "a (an activation)",
    "loss": "the loss",
    "output_delta": "\u03b4 at the output",
    "hidden_delta": "\u03b4 in a hidden layer",
    "grad_weights": "\u2202E/\u2202w (a weight's gradient)",
    "new_weights": "a new weight, after the update",
}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def quiz(page, *kinds: str) -> None:
    """Turn the Quiz on, asking only these kinds of question."""
    button(page, "Quiz").click()
    expect(button(page, "Quiz")).to_have_attribute("aria-pressed", "true")
    page.get_by_text("Questions to ask").click()
    for kind, name in KIND_NAMES.items():
        page.get_by_role("checkbox", name=name).set_checked(kind in kinds)


def answer(page, text: str) -> None:
    page.get_by_role("textbox", name="Your answer").fill(text)
    button(page, "Check").click()


def shown_forms(x: float) -> list[str]:
    """How a number could appear on the page: rounded to 4 to 8 significant digits, cut to 4."""
    digits = abs(x)
    forms = {f"{digits:.{n}g}" for n in range(4, 9)}
    exponent = len(str(int(1 / digits))) if digits < 1 else 0
    forms.add(f"{int(digits * 10 ** (exponent + 3)) / 10 ** (exponent + 3):.{exponent + 3}f}")
    return sorted(forms)


def nowhere(page, x: float) -> None:
    """The number is in no text, attribute or field of the page (diagram, Inspector, tables...)."""
    text = page.evaluate(
        """() => document.documentElement.outerHTML + " " +
             [...document.querySelectorAll("input, textarea")].map((e) => e.value).join(" ")"""
    )
    for form in shown_forms(x):
        assert form not in text, f"{form} is on the page"


def centre(locator) -> tuple[int, int]:
    box = locator.bounding_box()
    return round(box["x"] + box["width"] / 2), round(box["y"] + box["height"] / 2)


def test_a_wrong_guess_is_refused_without_the_answer_and_a_known_mistake_is_named(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    quiz(page, "output_delta")
    page.locator('#network .neuron[data-name="o1"]').click()  # the Inspector explains o1 meanwhile
    button(page, "Step").click()
    asked = page.locator("#quiz")
    expect(asked).to_be_visible()
    wait_phase(page, "loss")  # it stopped before the backward pass shows delta
    assert asked.get_attribute("data-quantity") == "delta"
    assert asked.get_attribute("data-layer") == "2"  # as the neurons' data-layer
    assert asked.get_attribute("data-index") == "0"
    assert asked.get_attribute("data-sample") == "0"
    expect(page.get_by_role("textbox", name="Your answer")).to_be_focused()
    expect(page.locator("#quiz-question")).to_contain_text("the error signal of output o1")
    page.locator('#numbers table[data-phase="loss"]').first.wait_for()
    nowhere(page, DELTA_O1)

    answer(page, "0.5")
    status = page.locator("#quiz-feedback")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text("Not right: 0.5 is not \u03b4 of o1 to 4 significant digits")
    expect(asked).to_be_visible()
    nowhere(page, DELTA_O1)

    answer(page, str(DELTA_O1_WITHOUT_F_PRIME))
    # the API's message for forgot_activation_derivative
    expect(status).to_contain_text("f\u2032(z)")
    expect(status).to_contain_text("not dE/da alone")
    nowhere(page, DELTA_O1)
    assert page.locator("#phase").get_attribute("data-phase") == "loss"

    answer(page, "0.1385")
    expect(status).to_contain_text("Correct: \u03b4 of o1 = 0.138499")
    wait_phase(page, "update")  # Step went on to the end of the step
    expect(asked).to_be_hidden()
    # the asked neuron stays marked where its delta now shows
    expect(page.locator("#network .quiz-ring")).to_have_count(1)
    assert centre(page.locator("#network .quiz-ring")) == centre(
        page.locator('#network .neuron[data-name="o1"] .body')
    )
    expect(page.locator("#quiz-score")).to_have_text(
        "0 of 1 right first time (1 right on a later try, 0 shown)"
    )


def test_the_score_counts_and_show_answer_reveals(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    quiz(page, "z", "a", "loss")
    score = page.locator("#quiz-score")
    expect(score).to_have_text("No question answered yet")
    button(page, "Step").click()
    expect(page.locator('#quiz[data-quantity="z"][data-layer="1"]')).to_be_visible()
    # the loss before the step is the answer of a question to come: hidden from the start
    expect(page.locator("#counter")).to_have_text(re.compile(r"^step 0 .*shown at the loss phase$"))
    expect(page.locator("#loss-chart")).to_have_attribute("aria-label", re.compile("hidden"))
    nowhere(page, E_TOTAL)
    answer(page, "0.3775")  # z of h1, right first time
    expect(page.locator('#quiz[data-quantity="a"][data-layer="1"]')).to_be_visible()
    expect(page.locator("#quiz-feedback")).to_contain_text("Correct: z of h1 = 0.3775")
    answer(page, "0.6")
    expect(page.locator("#quiz-feedback")).to_contain_text("Not right")
    answer(page, "0.5933")  # a of h1, on the second try
    expect(page.locator('#quiz[data-quantity="loss"]')).to_be_visible()
    assert page.locator("#quiz").get_attribute("data-layer") is None  # the loss has none
    # the counter and the loss chart show the loss before the step: the answer, so hidden
    expect(page.locator("#counter")).to_have_text(re.compile(r"^step 0 .*predict it$"))
    expect(page.locator("#loss-chart")).to_have_attribute("aria-label", re.compile("hidden"))
    nowhere(page, E_TOTAL)
    button(page, "Show answer").click()
    expect(page.locator("#quiz-feedback")).to_contain_text("Shown: the loss E = 0.298371")
    wait_phase(page, "update")
    expect(score).to_have_text("1 of 3 right first time (1 right on a later try, 1 shown)")
    expect(page.locator("#quiz-kinds-score")).to_contain_text("z (a weighted sum): 1 of 1")
    # the new network's loss is the next step's answer: hidden until that step's loss phase
    expect(page.locator("#counter")).to_have_text(re.compile(r"^step 1 .*shown at the loss phase$"))
    nowhere(page, 0.291028)

    # the next step asks about the next neuron (h2); Reset starts the score again
    button(page, "Step").click()
    expect(page.locator('#quiz[data-quantity="z"][data-index="1"]')).to_be_visible()
    button(page, "Reset").click()
    expect(score).to_have_text("No question answered yet")
    expect(page.locator("#quiz")).to_be_hidden()


def test_the_keyboard_alone_answers_and_the_focus_comes_back(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    quiz(page, "z")
    step = button(page, "Step")
    step.focus()
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Your answer")
    expect(box).to_be_focused()
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")  # Enter checks
    expect(page.locator("#quiz-feedback")).to_contain_text("Not right")
    expect(box).to_be_focused()
    # the arrows and Space are the box's (they do not step past the question)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Space")
    expect(box).to_have_value(" 0.5")  # the wrong answer was selected, to be typed over
    assert page.locator("#phase").get_attribute("data-phase") == "idle"
    page.keyboard.press("Control+A")
    page.keyboard.type(str(Z_H1))
    page.keyboard.press("Enter")
    wait_phase(page, "update")
    expect(step).to_be_focused()  # back where the student started the step
    # Next phase from the keyboard asks too, and Show answer is a button of its own
    page.keyboard.press("ArrowRight")  # the next step's first phase: z of h2 first
    expect(box).to_be_focused()
    page.keyboard.press("Tab")
    expect(button(page, "Check")).to_be_focused()
    page.keyboard.press("Tab")
    expect(button(page, "Show answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#quiz-feedback")).to_contain_text(f"Shown: z of h2 = {Z_H2_STEP_2}")
    wait_phase(page, "forward-1")  # one phase, as Next phase does
    expect(button(page, "Next phase")).to_be_visible()


def test_going_back_closes_the_question_and_play_stops_at_it(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    quiz(page, "hidden_delta")
    page.locator('#network .neuron[data-name="h1"]').click()  # the Inspector explains h1
    button(page, "Play").click()
    asked = page.locator('#quiz[data-quantity="delta"][data-layer="1"][data-index="0"]')
    expect(asked).to_be_visible()
    wait_phase(page, "backward-2")
    page.locator('#numbers table[data-phase="backward-2"]').first.wait_for()
    nowhere(page, DELTA_H1)
    expect(button(page, "Play")).to_be_visible()  # Play stopped at the question
    answer(page, "1")
    expect(page.locator("#quiz-feedback")).to_contain_text("Not right")
    button(page, "Previous phase").click()
    wait_phase(page, "loss")
    expect(asked).to_be_hidden()
    expect(page.locator("#quiz-feedback")).to_be_hidden()  # nothing left of the closed question
    button(page, "Next phase").click()
    wait_phase(page, "backward-2")
    expect(asked).to_be_hidden()  # asked before backward-1 plays, not before this phase
    button(page, "Next phase").click()
    expect(asked).to_be_visible()  # asked again on the way forward
    assert page.locator("#phase").get_attribute("data-phase") == "backward-2"
    button(page, "Play").click()  # Play stops at it again
    expect(page.get_by_role("textbox", name="Your answer")).to_be_focused()
    answer(page, "0.008771")  # delta of h1
    expect(page.locator("#quiz-feedback")).to_contain_text("Correct")
    # Play goes on, into step 2, and stops at its question (h1 is still selected: delta of h1)
    expect(page.locator("#counter")).to_have_attribute("data-step", "1")
    expect(asked).to_be_visible()
    expect(button(page, "Play")).to_be_visible()
    expect(page.locator("#quiz-score")).to_contain_text("0 of 1 right first time")


def test_the_quiz_setting_survives_a_share_link(open_page, server):
    page = open_page("/?preset=mazur")
    quiz(page, "z", "loss")
    button(page, "Share").click()
    link = page.locator("#share-url").input_value()
    other = open_page(None)
    goto(other, link)
    expect(button(other, "Quiz")).to_have_attribute("aria-pressed", "true")
    other.get_by_text("Questions to ask").click()
    for kind, name in KIND_NAMES.items():
        expect(other.get_by_role("checkbox", name=name)).to_be_checked(
            checked=kind in ("z", "loss")
        )
    fast(other)
    button(other, "Step").click()
    expect(other.locator('#quiz[data-quantity="z"]')).to_be_visible()
    # off again: the step plays through
    button(other, "Quiz").click()
    expect(other.locator("#quiz-panel")).to_be_hidden()
    button(other, "Step").click()
    wait_phase(other, "update")


def test_the_question_is_in_view_on_a_phone(open_page):
    page = open_page("/?preset=mazur", **PHONE)
    fast(page)
    quiz(page, "z")
    page.evaluate("window.scrollTo(0, 0)")
    button(page, "Step").tap()
    expect(page.get_by_role("textbox", name="Your answer")).to_be_in_viewport()
    expect(page.locator("#quiz-question")).to_be_in_viewport()
    answer(page, "1")
    expect(page.locator("#quiz-feedback")).to_be_in_viewport()


@pytest.fixture(scope="module")
def strict_server():
    """A server whose hidden deltas are over the cost limit (1.2 ms: Mazur's step, 0.75 ms,
    is not; the check of a hidden delta, with the 20 mistakes it tries, 1.6 ms, is):
    /api/v1/check answers 422."""
    with running_server(env={"BACKPROP_VIZ_MAX_COST": "1200000"}) as url:
        yield url


def test_a_number_the_server_will_not_check_is_a_clear_message(browser, strict_server):
    watch = Watch(strict_server)
    watch.allow("status of 422")  # Chromium logs the response; the page itself logs nothing
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    watch.attach(page)
    goto(page, f"{strict_server}/?preset=mazur")
    fast(page)
    quiz(page, "hidden_delta")
    button(page, "Step").click()
    answer(page, "0.0088")
    status = page.locator("#quiz-feedback")
    expect(status).to_contain_text("Your answer could not be checked: this request would take")
    expect(status).to_contain_text("a check runs the step once, and again for each of")
    expect(status).to_contain_text("Press Show answer to go on without it.")
    button(page, "Show answer").click()
    expect(status).to_contain_text("This number cannot be checked")
    wait_phase(page, "update")  # the step went on; nothing was scored
    expect(page.locator("#quiz-score")).to_have_text("No question answered yet")
    context.close()
    assert watch.problems() == []


def test_quiz_js_loads_when_the_quiz_is_first_on_and_a_step_waits_for_it(open_page, server):
    page = open_page(None)
    asked_for: list[str] = []
    page.on("request", lambda request: asked_for.append(request.url))
    held = []  # quiz.js, held back until Step has been pressed
    page.route("**/quiz.js", lambda route: held.append(route))
    goto(page, f"{server}/?preset=mazur")
    fast(page)
    assert not [url for url in asked_for if url.endswith("/quiz.js")]  # a page that never asks
    with page.expect_request("**/quiz.js"):
        button(page, "Quiz").click()
    button(page, "Step").click()  # the quiz is on its way: the step waits for it
    for _ in range(1000):  # the route's handler runs while the test waits
        if held:
            break
        page.wait_for_timeout(20)
    assert held
    expect(page.locator("#phase")).to_have_attribute("data-phase", "idle")
    held[0].continue_()
    expect(page.locator('#quiz[data-quantity="z"][data-layer="1"]')).to_be_visible()
    expect(page.get_by_role("textbox", name="Your answer")).to_be_focused()


def test_the_embed_dialog_offers_the_quiz_as_it_is_on_the_page(open_page):
    page = open_page("/?preset=mazur")
    button(page, "Embed").click()
    ask = page.get_by_role("checkbox", name=re.compile("^Ask questions"))
    expect(ask).not_to_be_checked()  # the Quiz is off
    assert "data-quiz" not in page.locator("#embed-loader").input_value()
    button(page, "Close").click()
    quiz(page, "z", "loss")
    button(page, "Embed").click()
    expect(ask).to_be_checked()
    expect(ask).to_have_accessible_name(re.compile(r"z \(a weighted sum\); the loss"))
    expect(page.locator("#embed-loader")).to_have_value(re.compile('data-quiz="z,loss"'))
    expect(page.locator("#embed-iframe")).to_have_value(re.compile("quiz=z%2Closs"))
    ask.uncheck()
    assert "quiz" not in page.locator("#embed-loader").input_value()
