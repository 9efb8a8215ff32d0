"""What Run asks for: /api/v1/train in pieces (start_step) with the grids the page draws."""

import base64
import json

import pytest

from app.api.endpoints import PostEndpoints
from app.api.schemas import TrainRequest
from app.config import get_settings

from .test_validation import errors

PLANE = {"x_range": [-6.0, 6.0], "y_range": [-5.5, 5.5]}


@pytest.fixture
def spiral(client) -> dict:
    """A /train body of the spiral preset with every one of its training settings."""
    p = client.get("/api/v1/presets/spiral").json()
    keys = ("network", "inputs", "targets", "test_inputs", "test_targets", "learning_rate",
            "batch_size", "momentum", "shuffle_seed")  # fmt: skip
    return {k: p[k] for k in keys}


def quantized(grids: list[list[list[float | None]]]) -> list[dict]:
    """The README's rule, written out on its own: per neuron lo and hi of its finite values,
    code = round(254 (v - lo) / (hi - lo)) (0 when hi = lo), 255 where v is not finite."""
    out = []
    for neuron in grids:
        values = [v for row in neuron for v in row]
        finite = [v for v in values if v is not None]
        lo, hi = (min(finite), max(finite)) if finite else (0.0, 0.0)
        codes = bytes(
            255 if v is None else (round(254 * (v - lo) / (hi - lo)) if hi > lo else 0)
            for v in values
        )  # fmt: skip
        out.append({"lo": lo, "hi": hi, "codes": codes})
    return out


def flat(matrices) -> list[float]:
    return [w for matrix in matrices for row in matrix for w in row]


def split(grid: dict) -> list[dict]:
    """A QuantizedGrid of an answer, neuron by neuron, as quantized() writes them."""
    neurons, rows, cols = grid["shape"]
    data = base64.b64decode(grid["data"])
    assert len(data) == neurons * rows * cols
    size = rows * cols
    return [
        {"lo": grid["lo"][n], "hi": grid["hi"][n], "codes": data[n * size : (n + 1) * size]}
        for n in range(neurons)
    ]


def test_the_grids_are_predicts_grids_of_the_trained_network_quantized(client, spiral):
    body = spiral | {
        "steps": 30,
        "record_every": 30,
        "grids": PLANE | {"resolution": 40, "maps": 20},
    }
    r = client.post("/api/v1/train", json=body)
    assert r.status_code == 200
    answer = r.json()
    grids = answer["grids"]
    network = answer["network"]
    output = client.post(
        "/api/v1/predict", json={"network": network, **PLANE, "resolution": 40, "hidden": False}
    ).json()
    assert grids["x"] == output["x"] and grids["y"] == output["y"]
    assert grids["output"]["shape"] == [1, 40, 40]
    assert split(grids["output"]) == quantized(output["layers"][0])
    maps = client.post(
        "/api/v1/predict", json={"network": network, **PLANE, "resolution": 20, "hidden": True}
    ).json()
    assert [m["shape"] for m in grids["maps"]] == [[12, 20, 20], [12, 20, 20], [1, 20, 20]]
    for got, layer in zip(grids["maps"], maps["layers"], strict=True):
        assert split(got) == quantized(layer)
    # the losses the chart draws: the last history entry, after all 30 steps
    assert answer["steps"] == 30 and len(answer["history"]) == 1
    forward = client.post("/api/v1/forward", json={
        "network": network, "inputs": spiral["test_inputs"], "targets": spiral["test_targets"],
        "trace": False,
    }).json()  # fmt: skip
    assert answer["history"][0]["test_loss"] == pytest.approx(forward["loss"], rel=1e-12)


def test_a_one_input_network_gets_its_curve(client):
    p = client.get("/api/v1/presets/regression").json()
    body = {k: p[k] for k in ("network", "inputs", "targets", "learning_rate", "batch_size")}
    r = client.post("/api/v1/train", json=body | {"steps": 3, "grids": {"resolution": 40}})
    assert r.status_code == 200
    grids = r.json()["grids"]
    assert grids["y"] is None and grids["maps"] is None and grids["output"]["shape"] == [1, 1, 40]
    curve = client.post("/api/v1/predict", json={
        "network": r.json()["network"], "resolution": 40, "hidden": False,
    }).json()["layers"][0]  # fmt: skip
    assert split(grids["output"]) == quantized(curve)


def test_training_in_pieces_takes_the_steps_of_training_at_once(client, spiral):
    whole = client.post("/api/v1/train", json=spiral | {"steps": 47})
    assert whole.status_code == 200
    network, velocity, taken = spiral["network"], None, 0
    for steps in (13, 1, 20, 13):  # 20 steps an epoch: pieces that start and end mid-epoch
        piece = {"network": network, "steps": steps, "start_step": taken}
        r = client.post(
            "/api/v1/train", json=spiral | piece | ({"velocity": velocity} if velocity else {})
        )
        assert r.status_code == 200
        assert r.json()["steps"] == steps
        network, velocity, taken = r.json()["network"], r.json()["velocity"], taken + steps
    assert flat(network["weights"]) == pytest.approx(
        flat(whole.json()["network"]["weights"]), rel=1e-12
    )


def test_shuffled_epochs_use_the_documented_permutation(client, spiral):
    """Epoch e takes numpy's default_rng([shuffle_seed, e]).permutation: one step on epoch 3's
    first batch equals a step on those samples."""
    import numpy as np

    order = np.random.default_rng([spiral["shuffle_seed"], 3]).permutation(200)[:10]
    start = 3 * 20  # 200 samples, batches of 10
    r = client.post("/api/v1/train", json=spiral | {"steps": 1, "start_step": start})
    step = client.post("/api/v1/step", json={
        "network": spiral["network"], "learning_rate": spiral["learning_rate"],
        "momentum": spiral["momentum"],
        "inputs": [spiral["inputs"][i] for i in order], "targets": [spiral["targets"][i] for i in order],
    })  # fmt: skip
    assert r.status_code == 200 and step.status_code == 200
    want = flat(step.json()["network"]["weights"])
    assert flat(r.json()["network"]["weights"]) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"grids": {"resolution": 401}}, "body.grids.resolution", "less than or equal to 400"),
        ({"grids": {"maps": 1}}, "body.grids.maps", "greater than or equal to 2"),
        ({"grids": {"x_range": [1, -1]}}, "body.grids.x_range", "min < max"),
        ({"grids": {"colours": 3}}, "body.grids.colours", "Extra inputs are not permitted"),
        ({"steps": None, "epochs": 2, "start_step": 5}, "body.start_step", "goes with steps"),
        ({"start_step": -1}, "body.start_step", "greater than or equal to 0"),
    ],
)  # fmt: skip
def test_bad_grids_and_start_steps_name_the_field(client, spiral, change, loc, words):
    r = client.post(
        "/api/v1/train",
        json={k: v for k, v in (spiral | {"steps": 5} | change).items() if v is not None},
    )
    assert r.status_code == 422
    found = errors(r)
    assert loc in found and words in found[loc], found


def test_grids_need_one_or_two_inputs(client):
    body = {
        "network": {"layer_sizes": [3, 2, 1], "activations": ["tanh", "sigmoid"]},
        "inputs": [[0.0, 0.1, 0.2]], "targets": [[1.0]], "learning_rate": 0.1, "steps": 1,
        "grids": {},
    }  # fmt: skip
    r = client.post("/api/v1/train", json=body)
    assert r.status_code == 422
    assert errors(r) == {"body.grids": "grids need a network with 1 or 2 inputs, this one has 3"}


def test_the_grids_count_in_the_cost_and_its_limits_name_them(make_client, spiral):
    body = spiral | {"steps": 1}
    plain = TrainRequest.model_validate_json(json.dumps(body)).estimate()
    drawn = TrainRequest.model_validate_json(
        json.dumps(body | {"grids": PLANE | {"maps": 20}})
    ).estimate()
    assert drawn.ns > plain.ns and drawn.memory > plain.memory
    # 40 x 40 output codes and 25 maps of 20 x 20, in base64, beside the numbers
    assert drawn.answer_bytes - plain.answer_bytes > 4 * (1600 + 25 * 400) // 3
    client = make_client(max_answer_bytes=200_000)
    huge = body | {"grids": PLANE | {"resolution": 400, "maps": 100}}
    r = client.post("/api/v1/train", json=huge)
    assert r.status_code == 422
    assert "(max_answer_bytes): ask for coarser grids" in errors(r)["body.grids.resolution"]
    client = make_client(max_cost=5_000_000)
    r = client.post("/api/v1/train", json=body | {"grids": PLANE | {"resolution": 300}})
    assert r.status_code == 422
    assert "(max_cost): ask for coarser grids" in errors(r)["body.grids.resolution"]
    r = client.post("/api/v1/train", json=body | {"steps": 2000, "grids": PLANE})
    assert r.status_code == 422
    assert "(max_cost): ask for fewer steps" in errors(r)["body.steps"]


def test_runs_chunks_are_answered_at_once_and_cached(client, spiral):
    """A chunk of Run on the spiral, grids and all, is small work for the event loop; the
    same body again is answered from the cache (a class running from one start)."""
    endpoints = PostEndpoints(None, jobs=client.app.state.jobs)
    body = spiral | {
        "steps": 40,
        "start_step": 100,
        "record_every": 40,
        "grids": PLANE | {"maps": 20},
    }
    raw = json.dumps(body).encode()
    assert endpoints.plan("/api/v1/train", raw).ns <= get_settings().inline_cost
    first = client.post("/api/v1/train", content=raw, headers={"content-type": "application/json"})
    again = client.post("/api/v1/train", content=raw, headers={"content-type": "application/json"})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert ("/api/v1/train", raw) in client.app.state.jobs._cache


def test_answers_carry_the_servers_time_and_estimate_for_run_to_size_its_requests(client, spiral):
    """Server-Timing: the server's own milliseconds for the answer and its cost estimate
    (pacer.js fits the time a step adds to it); an answer from the cache has no estimate."""
    raw = json.dumps(spiral | {"steps": 3}).encode()
    headers = {"content-type": "application/json"}
    first = client.post("/api/v1/train", content=raw, headers=headers)
    again = client.post("/api/v1/train", content=raw, headers=headers)
    assert first.status_code == again.status_code == 200
    endpoints = PostEndpoints(None, jobs=client.app.state.jobs)
    estimate = endpoints.plan("/api/v1/train", raw).ns / 1e6
    app, planned = first.headers["server-timing"].split(", ")
    assert app.startswith("app;dur=") and float(app.removeprefix("app;dur=")) > 0
    assert planned.startswith("estimate;dur=")
    assert float(planned.removeprefix("estimate;dur=")) == pytest.approx(estimate, abs=0.005)
    assert again.headers["server-timing"].startswith("app;dur=")
    assert "estimate" not in again.headers["server-timing"]


def decoded(grid: dict) -> list[list[float]]:
    """A QuantizedGrid's values, neuron by neuron (README: lo + code (hi - lo) / 254)."""
    return [
        [n["lo"] + code * (n["hi"] - n["lo"]) / 254 for code in n["codes"]] for n in split(grid)
    ]


def test_maps_on_every_other_point_of_the_output_grid_are_its_pass_s(client, spiral):
    """The page asks for 39 points an axis and maps of 20: the maps' points are every other
    point of the output grid's, and the server takes them from the output's forward pass.
    They are /predict's at 20 points, to within half a code (the points agree to a rounding)."""
    body = spiral | {"steps": 5, "grids": PLANE | {"resolution": 39, "maps": 20}}
    r = client.post("/api/v1/train", json=body)
    assert r.status_code == 200
    answer = r.json()
    maps = client.post("/api/v1/predict", json={
        "network": answer["network"], **PLANE, "resolution": 20, "hidden": True,
    }).json()  # fmt: skip
    assert [m["shape"] for m in answer["grids"]["maps"]] == [
        [12, 20, 20],
        [12, 20, 20],
        [1, 20, 20],
    ]
    for got, layer in zip(answer["grids"]["maps"], maps["layers"], strict=True):
        for values, neuron, n in zip(decoded(got), layer, split(got), strict=True):
            want = [v for row in neuron for v in row]
            half_code = (n["hi"] - n["lo"]) / 508
            assert max(abs(a - b) for a, b in zip(values, want, strict=True)) <= half_code * 1.001
    output = client.post("/api/v1/predict", json={
        "network": answer["network"], **PLANE, "resolution": 39, "hidden": False,
    }).json()  # fmt: skip
    assert split(answer["grids"]["output"]) == quantized(output["layers"][0])


def test_snapshots_are_the_states_training_in_pieces_reaches(client, spiral):
    """snapshot_every 10 on 25 steps: the states after steps 10 and 20 (not 25, the answer's
    own), each what /train of that many steps from the same start answers, grids included."""
    grids = PLANE | {"resolution": 39, "maps": 20}
    body = spiral | {"steps": 25, "start_step": 7, "record_every": 25, "grids": grids}
    r = client.post("/api/v1/train", json=body | {"snapshot_every": 10})
    assert r.status_code == 200
    answer = r.json()
    assert [shot["step"] for shot in answer["snapshots"]] == [10, 20]
    alone = client.post("/api/v1/train", json=body).json()
    assert answer["network"] == alone["network"] and answer["grids"] == alone["grids"]
    for shot in answer["snapshots"]:
        piece = client.post("/api/v1/train", json=body | {"steps": shot["step"], "record_every": 1})
        assert piece.status_code == 200
        want = piece.json()
        assert flat(shot["network"]["weights"]) == pytest.approx(
            flat(want["network"]["weights"]), rel=1e-12
        )
        assert flat(shot["velocity"]["weights"]) == pytest.approx(
            flat(want["velocity"]["weights"]), rel=1e-12
        )
        assert shot["loss"] == pytest.approx(want["history"][-1]["loss"], rel=1e-12)
        assert shot["test_loss"] == pytest.approx(want["history"][-1]["test_loss"], rel=1e-12)
        output = client.post("/api/v1/predict", json={
            "network": shot["network"], **PLANE, "resolution": 39, "hidden": False,
        }).json()  # fmt: skip
        assert split(shot["grids"]["output"]) == quantized(output["layers"][0])


@pytest.mark.parametrize(
    ("change", "steps"),
    [
        ({"steps": 20, "snapshot_every": 10}, [10]),  # the 20th is the answer's own
        ({"steps": 20, "snapshot_every": 20}, []),
        ({"steps": 1, "snapshot_every": 1}, []),
        ({"steps": None, "epochs": 3, "snapshot_every": 25}, [25, 50]),  # 3 epochs of 20 steps
        ({"steps": 9}, None),  # not asked: none
    ],
)  # fmt: skip
def test_snapshots_fall_every_so_many_steps_short_of_the_last(client, spiral, change, steps):
    body = {k: v for k, v in (spiral | change).items() if v is not None}
    r = client.post("/api/v1/train", json=body)
    assert r.status_code == 200
    shots = r.json().get("snapshots")
    assert (shots if shots is None else [shot["step"] for shot in shots]) == steps


def test_a_run_that_diverges_answers_no_snapshots(client, spiral):
    """A linear network at learning rate 0.1 overflows after 6 steps: its first 5 have their
    snapshots, and a run past them has none (its network is the last good one)."""
    linear = spiral["network"] | {"activations": ["linear"] * 3, "loss": "mse"}
    body = spiral | {"network": linear, "learning_rate": 0.1, "snapshot_every": 2}
    r = client.post("/api/v1/train", json=body | {"steps": 5})
    assert r.status_code == 200
    assert r.json()["diverged"] is False and [s["step"] for s in r.json()["snapshots"]] == [2, 4]
    r = client.post("/api/v1/train", json=body | {"steps": 20})
    assert r.status_code == 200
    assert r.json()["diverged"] is True and r.json()["snapshots"] == []


def test_snapshots_count_in_the_cost_and_its_limits_name_them(make_client, spiral):
    body = spiral | {"steps": 40, "grids": PLANE | {"maps": 20}}
    one = TrainRequest.model_validate_json(json.dumps(body)).estimate()
    three = TrainRequest.model_validate_json(json.dumps(body | {"snapshot_every": 20})).estimate()
    seven = TrainRequest.model_validate_json(json.dumps(body | {"snapshot_every": 5})).estimate()
    assert one.ns < three.ns < seven.ns
    assert seven.answer_bytes - one.answer_bytes > 7 * (one.answer_bytes - len(json.dumps(spiral)))
    client = make_client(max_answer_bytes=400_000)
    r = client.post("/api/v1/train", json=body | {"snapshot_every": 5})
    assert r.status_code == 200
    assert len(r.content) <= seven.answer_bytes
    r = client.post("/api/v1/train", json=body | {"steps": 400, "snapshot_every": 1})
    assert r.status_code == 422
    assert "(max_answer_bytes): ask for fewer snapshots" in errors(r)["body.snapshot_every"]
    client = make_client(max_cost=20_000_000, max_answer_bytes=16 * 2**20)
    r = client.post("/api/v1/train", json=body | {"steps": 400, "snapshot_every": 1})
    assert r.status_code == 422
    assert "(max_cost): ask for fewer snapshots" in errors(r)["body.snapshot_every"]
