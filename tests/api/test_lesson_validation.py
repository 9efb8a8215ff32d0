"""A malformed lesson gets 422 naming the field; stops are checked against the lesson's network."""

from __future__ import annotations

import pytest

from app.lessons.document import MAX_CAPTION, MAX_STEP, MAX_STOPS
from app.state import MAX_STATE_CHARS
from tests.api.test_oembed import share_code
from tests.lessons.examples import STATE, mazur_lesson, with_stop

NEURON = {"kind": "neuron", "layer": 1, "index": 0}
LESSON = ["body", "lesson"]
STOP = [*LESSON, "stops", 0]

# Mazur's network is 2-2-2: diagram layers 0 to 2, trace layers 0 and 1, one sample
CASES = {
    "no title": (mazur_lesson(title=None), [*LESSON, "title"], "Field required"),
    "empty title": (mazur_lesson(title="  "), [*LESSON, "title"], "the title is empty"),
    "title over two lines": (mazur_lesson(title="a\nb"), [*LESSON, "title"], "one line"),
    "version 2": (mazur_lesson(version=2), [*LESSON, "version"], "Input should be 1"),
    "neither preset nor state": (mazur_lesson(preset=None), [*LESSON, "preset"], "exactly one"),
    "preset and state": (mazur_lesson(state=STATE), [*LESSON, "preset"], "exactly one"),
    "unknown preset": (mazur_lesson(preset="nope"), [*LESSON, "preset"], "Input should be"),
    "no stops": (mazur_lesson(stops=[]), [*LESSON, "stops"], "at least 1"),
    "too many stops": (
        mazur_lesson(stops=[{"step": 0, "phase": "idle"}] * (MAX_STOPS + 1)),
        [*LESSON, "stops"],
        f"at most {MAX_STOPS} items",
    ),
    "an unknown field": (mazur_lesson(author="me"), [*LESSON, "author"], "Extra inputs"),
    "a negative step": (with_stop({"step": -1}), [*STOP, "step"], "greater than or equal to 0"),
    "a step past the maximum": (
        with_stop({"step": MAX_STEP + 1}),
        [*STOP, "step"],
        f"less than or equal to {MAX_STEP}",
    ),
    "step 0 with a phase": (with_stop({"step": 0}), [*STOP, "phase"], "its phase is idle"),
    "not a phase": (with_stop({"phase": "sideways"}), [*STOP, "phase"], "not a phase"),
    "a phase past the layers": (
        with_stop({"phase": "backward-3"}),
        [*STOP, "phase"],
        "this network has 2 weight layers: l in backward-<l> is 1 to 2",
    ),
    "a neuron past the layers": (
        with_stop({"focus": {"kind": "neuron", "layer": 3, "index": 0}}),
        [*STOP, "focus", "neuron", "layer"],
        "layers are 0 (inputs) to 2",
    ),
    "a neuron past its layer": (
        with_stop({"focus": {"kind": "neuron", "layer": 2, "index": 2}}),
        [*STOP, "focus", "neuron", "index"],
        "layer 2 of the diagram has 2 neurons: 0 to 1",
    ),
    "a bias of the input layer": (
        with_stop({"focus": {"kind": "bias", "layer": 0, "index": 0}}),
        [*STOP, "focus", "bias", "layer"],
        "greater than or equal to 1",
    ),
    "an edge from a missing neuron": (
        with_stop({"focus": {"kind": "edge", "layer": 1, "from": 2, "to": 0}}),
        [*STOP, "focus", "edge", "from"],
        "layer 0 of the diagram has 2 neurons",
    ),
    "an edge without its end": (
        with_stop({"focus": {"kind": "edge", "layer": 1, "from": 0}}),
        [*STOP, "focus", "edge", "to"],
        "Field required",
    ),
    "an unknown kind of focus": (
        with_stop({"focus": {"kind": "layer", "layer": 1}}),
        [*STOP, "focus"],
        "'neuron', 'bias', 'edge'",
    ),
    "a caption too long": (
        with_stop({"caption": "x" * (MAX_CAPTION + 1)}),
        [*STOP, "caption"],
        f"at most {MAX_CAPTION} characters",
    ),
    "a control character in a caption": (
        with_stop({"caption": "bell\x07"}),
        [*STOP, "caption"],
        "control characters",
    ),
    "an unknown quantity": (
        with_stop({"question": {"quantity": "gradient", "layer": 0, "index": 0}}),
        [*STOP, "question", "quantity"],
        "Input should be",
    ),
    "a question past the trace's layers": (
        with_stop({"question": {"quantity": "delta", "layer": 2, "index": 0}}),
        [*STOP, "question", "layer"],
        "trace has layers 0 to 1",
    ),
    "a question without its layer": (
        with_stop({"question": {"quantity": "a", "index": 0}}),
        [*STOP, "question", "layer"],
        "a needs a layer",
    ),
    "a neuron question with a weight's index": (
        with_stop({"question": {"quantity": "z", "layer": 0, "index": [0, 1]}}),
        [*STOP, "question", "index"],
        "z takes an index a neuron j",
    ),
    "a weight question with a neuron's index": (
        with_stop({"question": {"quantity": "new_weights", "layer": 0, "index": 1}}),
        [*STOP, "question", "index"],
        "new_weights takes an index [j, k]",
    ),
    "a weight from a missing neuron": (
        with_stop({"question": {"quantity": "grad_weights", "layer": 1, "index": [0, 2]}}),
        [*STOP, "question", "index"],
        "k: layer 1 of the diagram has 2 neurons",
    ),
    "a loss with a layer": (
        with_stop({"question": {"quantity": "loss", "layer": 1}}),
        [*STOP, "question", "layer"],
        "the loss is one number",
    ),
    "output losses of a hidden layer": (
        with_stop({"question": {"quantity": "output_losses", "layer": 0, "index": 0}}),
        [*STOP, "question", "layer"],
        "output layer's (1)",
    ),
    "a sample the step does not have": (
        with_stop({"question": {"quantity": "loss", "sample": 1}}),
        [*STOP, "question", "sample"],
        "a step of this network has 1 samples: 0 to 0",
    ),
    "a state that is not one": (
        mazur_lesson(preset=None, state="2.abc"),
        [*LESSON, "state"],
        "not a share-link state",
    ),
    "a state too long": (
        mazur_lesson(preset=None, state="1." + "A" * MAX_STATE_CHARS),
        [*LESSON, "state"],
        f"at most {MAX_STATE_CHARS} characters",
    ),
    "a damaged state": (
        mazur_lesson(preset=None, state="1.AAAA"),
        [*LESSON, "state"],
        "damaged",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_lesson_gets_422_naming_the_field(client, case):
    lesson, loc, message = CASES[case]
    response = client.post("/api/v1/lessons", json={"lesson": lesson})
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert any(p["loc"] == loc and message in p["msg"] for p in problems), problems


def test_every_problem_is_named_at_once(client):
    lesson = with_stop(
        {"step": 0, "phase": "forward-1", "focus": {**NEURON, "index": 5}, "caption": "\x00"}
    )
    response = client.post("/api/v1/lessons", json={"lesson": lesson})
    assert response.status_code == 422
    assert [p["loc"][-1] for p in response.json()["detail"]] == ["caption", "phase", "index"]


def test_a_body_without_a_lesson_is_422(client):
    response = client.post("/api/v1/lessons", json={"title": "x"})
    assert response.status_code == 422
    assert {tuple(p["loc"]) for p in response.json()["detail"]} == {
        ("body", "lesson"),
        ("body", "title"),
    }


def test_a_lesson_on_a_state_is_checked_against_the_state_network(client):
    # the state's network is 2-3-1 with batches of 2 samples
    ok = mazur_lesson(
        preset=None,
        state=STATE,
        stops=[
            {"step": 2, "phase": "backward-2", "focus": {"kind": "neuron", "layer": 1, "index": 2}},
            {
                "step": 2,
                "phase": "loss",
                "question": {"quantity": "delta", "layer": 0, "index": 2, "sample": 1},
            },
        ],
    )
    response = client.post("/api/v1/lessons", json={"lesson": ok})
    assert response.status_code == 201
    stored = client.get(f"/api/v1/lessons/{response.json()['id']}").json()["lesson"]
    assert stored["state"] == STATE
    assert "preset" not in stored

    bad = mazur_lesson(
        preset=None,
        state=STATE,
        stops=[
            {"step": 1, "phase": "forward-3", "focus": {"kind": "neuron", "layer": 1, "index": 3}},
            {"step": 1, "phase": "loss", "question": {"quantity": "loss", "sample": 2}},
        ],
    )
    response = client.post("/api/v1/lessons", json={"lesson": bad})
    assert response.status_code == 422
    assert [(p["loc"][2:], p["msg"]) for p in response.json()["detail"]] == [
        (["stops", 0, "phase"], "this network has 2 weight layers: l in forward-<l> is 1 to 2"),
        (["stops", 0, "focus", "neuron", "index"], "layer 1 of the diagram has 3 neurons: 0 to 2"),
        (["stops", 1, "question", "sample"], "a step of this network has 2 samples: 0 to 1"),
    ]


@pytest.mark.parametrize(
    ("preset", "phase", "focus", "question"),
    [
        ("xor", "backward-2", {"kind": "edge", "layer": 1, "from": 1, "to": 2},
         {"quantity": "grad_weights", "layer": 0, "index": [2, 1], "sample": 3}),
        ("deep", "forward-7", {"kind": "bias", "layer": 7, "index": 0},
         {"quantity": "output_losses", "index": 0, "sample": 9}),
        ("regression", "update", {"kind": "neuron", "layer": 0, "index": 0},
         {"quantity": "new_biases", "layer": 0, "index": 7}),
    ],
)  # fmt: skip
def test_the_last_element_of_each_preset_is_accepted(client, preset, phase, focus, question):
    stop = {"step": 3, "phase": phase, "focus": focus, "question": question}
    response = client.post("/api/v1/lessons", json={"lesson": with_stop(stop, preset=preset)})
    assert response.status_code == 201, response.text


def test_a_state_whose_network_the_api_refuses_is_refused_naming_the_state(client):
    for network, why in [
        ({"layer_sizes": [2, "3", 1], "activations": ["tanh", "tanh"]},
         "network.layer_sizes.1: Input should be a valid integer"),
        ({"layer_sizes": [2, 1000, 1], "activations": ["tanh", "tanh"]},
         "network.layer_sizes.1: a layer has 1 to 512 neurons, got 1000"),
    ]:  # fmt: skip
        odd = share_code({"version": 1, "network": network, "inputs": [[0, 0]], "targets": [[0]]})
        lesson = mazur_lesson(preset=None, state=odd)
        response = client.post("/api/v1/lessons", json={"lesson": lesson})
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"loc": ["body", "lesson", "state"], "msg": why, "type": "value_error"}
        ]


def test_a_body_that_is_not_json_is_refused(client):
    headers = {"content-type": "application/json"}
    response = client.post("/api/v1/lessons", content=b'{"lesson": ', headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
    response = client.post("/api/v1/lessons", content=b"\xff\xfe{", headers=headers)
    assert response.status_code == 400  # FastAPI's answer to bytes that are not UTF-8
