"""Run: training with the current settings, redrawn as it goes, and Stop at the step shown."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.states import decode_state

from .conftest import button, fast, goto, wait_phase

pytestmark = pytest.mark.browser

TRAINING = ("learning_rate", "batch_size", "momentum", "l1", "l2", "shuffle_seed")

EDGES = """() => [...document.querySelectorAll("#network .edge")].map((e) =>
  [Number(e.dataset.layer), Number(e.dataset.to), Number(e.dataset.from), Number(e.dataset.value)])"""


BIASES = """() => [...document.querySelectorAll("#network .bias")].map((b) =>
  [Number(b.dataset.layer), Number(b.dataset.index), Number(b.dataset.value)])"""


def edges(page) -> list[list[float]]:
    """[layer, to, from, data-value] of every edge of the diagram."""
    return page.evaluate(EDGES)


def weights_of(network: dict) -> list[list[float]]:
    """The same list for a network of an API answer."""
    return [
        [l + 1, j, k, w]
        for l, matrix in enumerate(network["weights"])
        for j, row in enumerate(matrix)
        for k, w in enumerate(row)
    ]


def assert_drawn(page, network: dict) -> None:
    """The diagram's weights and biases are the network's."""
    got = sorted(edges(page))
    want = sorted(weights_of(network))
    assert [e[:3] for e in got] == [e[:3] for e in want]
    assert [e[3] for e in got] == pytest.approx([e[3] for e in want], rel=1e-9, abs=1e-12)
    chips = sorted(page.evaluate(BIASES))
    biases = [
        [l + 1, j, b] for l, column in enumerate(network["biases"]) for j, b in enumerate(column)
    ]
    assert [c[:2] for c in chips] == [b[:2] for b in biases]
    assert [c[2] for c in chips] == pytest.approx([b[2] for b in biases], rel=1e-9, abs=1e-12)


def flat(nested) -> list[float]:
    return [x for item in nested for x in (flat(item) if isinstance(item, list) else [item])]


def shown_step(page) -> int:
    return int(page.locator("#counter").get_attribute("data-step"))


def trained_on(page, steps: int = 2) -> int:
    """Wait until Run has drawn `steps` more answers; the step shown then."""
    for _ in range(steps):
        page.locator(f'#counter:not([data-step="{shown_step(page)}"])').wait_for()
    return shown_step(page)


def stop(page) -> int:
    """Press Stop; the step the page stays at, once every view shows it."""
    button(page, "Stop").click()
    expect(button(page, "Run")).to_be_visible()
    n = shown_step(page)
    page.locator(f'#loss-chart[data-last-step="{n}"]').wait_for()
    if page.locator("#data-panel").is_visible():
        page.locator(f'#data-plot[data-step="{n}"]').wait_for()
        page.locator(f'#neuron-maps[data-step="{n}"]').wait_for()
    return n


def train_body(server: str, name: str, steps: int) -> dict:
    """/api/v1/train from a preset's start, with its settings, for `steps` steps."""
    p = httpx.get(f"{server}/api/v1/presets/{name}").json()
    body = {k: p[k] for k in ("network", "inputs", "targets", *TRAINING)}
    if p["test_inputs"]:
        body |= {"test_inputs": p["test_inputs"], "test_targets": p["test_targets"]}
    return body | {"steps": steps, "record_every": steps}


def test_run_then_stop_shows_exactly_what_train_computes(open_page, server):
    page = open_page("/?preset=spiral")  # shuffled batches of 10, momentum, a test set
    run = page.locator("#run")
    button(page, "Run").click()
    expect(button(page, "Stop")).to_be_visible()
    assert run.inner_text() == "Stop"
    assert page.locator("#phase").inner_text().startswith("Running")
    expect(page.locator("#inspector-body")).to_contain_text("Run is training")
    trained_on(page)
    n = stop(page)
    assert run.inner_text() == "Run" and n > 0
    # the counter, the data plot and the weights drawn are those of /train's n steps
    r = httpx.post(f"{server}/api/v1/train", json=train_body(server, "spiral", n))
    assert r.status_code == 200
    answer = r.json()
    assert answer["steps"] == n
    assert_drawn(page, answer["network"])
    loss = float(re.search(r"loss (\S+)", page.locator("#counter").inner_text()).group(1))
    assert loss == pytest.approx(answer["history"][-1]["loss"], rel=1e-5)  # 6 digits shown
    chart = page.get_by_role("img", name=re.compile("Loss over"))
    assert f"at step {n} " in chart.get_attribute("aria-label")
    # the Inspector's note is gone; nothing of a step is on screen: the numbers table is back
    # at step n, not started
    expect(page.locator("#inspector-body")).to_contain_text("Click a neuron, a weight or a bias")
    neurons = page.get_by_role("table", name=re.compile("^Neurons"))
    expect(neurons.locator("caption")).to_contain_text(f"step {n + 1}, not started")
    # the momentum goes on too: Step sends /train's velocity after n steps (Run's answers
    # bring two states each, a snapshot and the end: either may be the one shown)
    with page.expect_response("**/api/v1/step") as stepped:
        button(page, "Step").click()
    sent = stepped.value.request.post_data_json["velocity"]
    for part in ("weights", "biases"):
        assert flat(sent[part]) == pytest.approx(
            flat(answer["velocity"][part]), rel=1e-9, abs=1e-15
        )


STATES = """async (body) => {
  const { snapshotsOf, statesOf } = await import("/static/js/run.js");
  const asked = { ...body, ...snapshotsOf(body.steps) };
  const answer = await (await fetch("/api/v1/train", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(asked),
  })).json();
  return { asked, states: statesOf({ step: 100, cursor: 0 }, answer) };
}"""


def test_each_state_an_answer_brings_is_what_train_computes_for_its_steps(open_page, server):
    """Run's request for 9 steps asks for a snapshot (run.js's snapshotsOf), and the states it
    makes of the answer (statesOf), a frame each, are /train's after 5 and after 9 steps:
    network, velocity (the momentum Step goes on with) and losses."""
    page = open_page("/?preset=spiral")
    body = train_body(server, "spiral", 9)
    got = page.evaluate(STATES, body)
    assert got["asked"]["snapshot_every"] == 5
    assert [state["state"]["step"] for state in got["states"]] == [105, 109]
    for shown, steps in zip(got["states"], (5, 9), strict=True):
        r = httpx.post(
            f"{server}/api/v1/train", json=body | {"steps": steps, "record_every": steps}
        )
        assert r.status_code == 200
        want = r.json()
        for part in ("network", "velocity"):
            for key in ("weights", "biases"):
                assert flat(shown["state"][part][key]) == pytest.approx(
                    flat(want[part][key]), rel=1e-12, abs=1e-15
                )
        point = shown["point"]
        assert point["step"] == 100 + steps
        assert point["loss"] == pytest.approx(want["history"][-1]["loss"], rel=1e-12)
        assert point["test_loss"] == pytest.approx(want["history"][-1]["test_loss"], rel=1e-12)


def test_step_after_stop_goes_on_from_the_weights_shown(open_page):
    page = open_page("/?preset=xor")  # a small diagram: every edge shows its number
    fast(page)
    button(page, "Run").click()
    trained_on(page)
    n = stop(page)
    at_stop = edges(page)
    labels = page.locator("#network .edge-label").all_text_contents()
    with page.expect_response("**/api/v1/step") as stepped:
        button(page, "Step").click()
    sent = stepped.value.request.post_data_json["network"]
    assert sorted(weights_of(sent)) == sorted(at_stop)  # exactly what was drawn
    assert any(label.strip() for label in labels)  # and the labels showed those numbers
    wait_phase(page, "update")
    assert shown_step(page) == n + 1
    assert_drawn(page, stepped.value.json()["network"])
    # the history starts at the stop, as after Train
    for _ in range(6):
        button(page, "Previous phase").click()
    wait_phase(page, "idle")
    assert shown_step(page) == n
    button(page, "Previous phase").click()
    page.get_by_text("This is the first state kept in the history.").wait_for()


def test_a_learning_rate_changed_while_running_takes_effect_at_once(open_page):
    page = open_page("/?preset=spiral")
    bodies = []
    page.on("request", lambda r: "/api/v1/train" in r.url and bodies.append(r.post_data_json))
    button(page, "Run").click()
    trained_on(page)
    rate = page.get_by_label("Learning rate")

    def still(response) -> bool:
        return (
            "/api/v1/train" in response.url
            and response.request.post_data_json["learning_rate"] == 0
        )

    with page.expect_response(still) as first_still:
        rate.fill("0")
        rate.press("Enter")
    answer = first_still.value.json()
    reached = first_still.value.request.post_data_json["start_step"] + answer["steps"]
    trained_on(page, 3)  # that answer drawn, and on, without learning
    n = stop(page)
    assert n > reached
    assert_drawn(page, answer["network"])  # momentum still moves, the weights do not
    later = bodies[bodies.index(first_still.value.request.post_data_json) :]
    assert len(later) >= 2 and all(b["learning_rate"] == 0 for b in later)
    # every request carried on from where the one before ended
    for before, after in zip(bodies, bodies[1:]):
        assert after["start_step"] in (before["start_step"], before["start_step"] + before["steps"])


def test_play_step_train_and_reset_stop_run_first(open_page):
    page = open_page("/?preset=gaussian")
    fast(page)
    button(page, "Run").click()
    trained_on(page)
    button(page, "Play").click()  # Run stops where it is; Play goes on from there
    expect(button(page, "Run")).to_be_visible()
    expect(button(page, "Pause")).to_be_visible()
    n = shown_step(page)
    page.locator(f'#counter[data-step="{n + 1}"]').wait_for()
    button(page, "Pause").click()
    expect(button(page, "Play")).to_be_visible()

    button(page, "Run").click()
    m = trained_on(page, 1)
    page.get_by_label("Steps", exact=True).fill("7")
    button(page, "Train").click()
    page.get_by_text("Trained 7 steps").wait_for()
    expect(button(page, "Run")).to_be_visible()
    assert shown_step(page) >= m + 7

    button(page, "Run").click()
    trained_on(page, 1)
    page.keyboard.press("Space")  # Space stops whatever moves
    expect(button(page, "Run")).to_be_visible()
    button(page, "Run").click()
    trained_on(page, 1)
    button(page, "Reset").click()
    expect(button(page, "Run")).to_be_visible()
    page.locator('#counter[data-step="0"]').wait_for()


def test_share_and_autosave_keep_the_state_run_stopped_at(open_page):
    page = open_page("/?preset=circle")
    button(page, "Run").click()
    trained_on(page)
    button(page, "Share").click()  # stops Run: the link is the state on screen
    expect(button(page, "Run")).to_be_visible()
    n = shown_step(page)
    link = page.get_by_label(re.compile("Share link")).input_value()
    state = decode_state(link.split("#state=", 1)[1])
    assert state["step"] == n
    assert sorted(weights_of(state["network"])) == sorted(edges(page))
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    assert shown_step(page) == n
    assert sorted(weights_of(state["network"])) == sorted(edges(page))


def test_the_quiz_waits_while_run_trains(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    button(page, "Quiz").click()
    button(page, "Run").click()
    trained_on(page)
    expect(page.get_by_role("textbox", name="Your answer")).to_be_hidden()
    # the quiz asks for losses: the loss before a step stays hidden, while Run trains too
    expect(page.locator("#counter")).to_contain_text("loss: shown at the loss phase")
    button(page, "Stop").click()
    expect(button(page, "Run")).to_be_visible()
    button(page, "Step").click()
    expect(page.get_by_role("textbox", name="Your answer")).to_be_visible()


def test_run_is_in_the_embed_with_full_controls_only(open_page, server):
    page = open_page("/embed?preset=xor&controls=full&show=loss,data")
    button(page, "Run").click()
    trained_on(page)
    n = stop(page)
    assert n > 0
    goto(page, f"{server}/embed?preset=xor")
    expect(page.locator("#step")).to_be_visible()
    assert page.locator("#run").count() == 0
