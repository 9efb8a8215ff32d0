"""Every /api/v1 endpoint: status first, then the body."""

import asyncio
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.api.endpoints import PostEndpoints

W5_AFTER_ONE_STEP = 0.35891648


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_step_returns_the_whole_trace_of_the_worked_example(client, mazur_step):
    r = client.post("/api/v1/step", json=mazur_step)
    assert r.status_code == 200
    body = r.json()
    assert round(body["loss"], 9) == 0.298371109
    assert body["diverged"] is False
    hidden, output = body["layers"]
    assert set(output) >= {
        "weights", "biases", "z", "a", "delta", "grad_weights", "grad_biases",
        "new_weights", "new_biases",
    }  # fmt: skip
    assert round(output["a"][0][0], 8) == 0.75136507  # out_o1
    assert round(output["delta"][0][0], 9) == 0.138498562
    assert round(output["grad_weights"][0][0], 9) == 0.082167041  # dE/dw5
    assert round(output["new_weights"][0][0], 8) == W5_AFTER_ONE_STEP
    assert round(hidden["new_weights"][0][0], 9) == 0.149780716  # w1
    assert body["network"]["weights"][1][0][0] == output["new_weights"][0][0]
    assert body["network"]["biases"] == [[0.35, 0.35], [0.6, 0.6]]  # not trained
    assert sum(body["output_losses"][0]) == pytest.approx(body["loss"], rel=1e-15)


def test_a_client_can_replay_a_step_phase_by_phase(client, mazur_step):
    """Forward layer by layer, loss, backward layer by layer, update: all from one response."""
    body = client.post("/api/v1/step", json=mazur_step).json()
    a_prev = body["inputs"][0]
    for layer in body["layers"]:  # forward: z = W a_prev + b
        for j, row in enumerate(layer["weights"]):
            z = sum(w * a for w, a in zip(row, a_prev)) + layer["biases"][j]
            assert layer["z"][0][j] == pytest.approx(z, rel=1e-14)
        a_prev = layer["a"][0]
    layers = body["layers"]
    for l in range(len(layers) - 1, 0, -1):  # backward: delta = (W^T delta_next) * f'(z)
        below, above = layers[l - 1], layers[l]
        for k in range(len(below["z"][0])):
            back = sum(
                above["weights"][j][k] * above["delta"][0][j] for j in range(len(above["z"][0]))
            )
            assert below["grad_a"][0][k] == pytest.approx(back, rel=1e-14)
            assert below["delta"][0][k] == pytest.approx(back * below["f_prime"][0][k], rel=1e-14)
    for layer, a_in in zip(layers, [body["inputs"][0], layers[0]["a"][0]]):  # update
        for j, row in enumerate(layer["grad_weights"]):
            for k, g in enumerate(row):
                assert g == pytest.approx(layer["delta"][0][j] * a_in[k], rel=1e-14)
                w_new = layer["weights"][j][k] - mazur_step["learning_rate"] * g
                assert layer["new_weights"][j][k] == pytest.approx(w_new, rel=1e-15)


def test_a_step_reports_each_weights_change_and_with_terms_the_terms_of_its_sums(
    client, mazur_step
):
    """Mazur's numbers: w5 delta_o1 + w7 delta_o2 = 0.0553994 + (-0.0190491) = dE/da_h1."""
    plain = client.post("/api/v1/step", json=mazur_step)
    r = client.post("/api/v1/step", json={**mazur_step, "terms": True})
    assert plain.status_code == r.status_code == 200
    hidden, output = r.json()["layers"]
    assert plain.json()["layers"][0]["z_terms"] is None  # only when asked for
    # the change: new - old, = -learning_rate * dE/dw without momentum (w1 moves by -0.00021928)
    assert round(hidden["change_weights"][0][0], 9) == -0.000219284  # 0.149780716 - 0.15
    for layer in (hidden, output):
        for j, row in enumerate(layer["weights"]):
            for k, w in enumerate(row):
                assert w + layer["change_weights"][j][k] == layer["new_weights"][j][k]
                assert layer["change_weights"][j][k] == pytest.approx(
                    -mazur_step["learning_rate"] * layer["grad_weights"][j][k], rel=1e-12
                )
    assert output["change_biases"] == [0.0, 0.0]  # biases are not trained in the example
    # z of h1 = w1 i1 + w2 i2 + b1 = 0.0075 + 0.02 + 0.35
    assert hidden["z_terms"][0][0] == pytest.approx([0.0075, 0.02], rel=1e-15)
    assert round(hidden["grad_a_terms"][0][0][0], 7) == 0.0553994  # w5 delta_o1
    assert round(hidden["grad_a_terms"][0][0][1], 7) == -0.0190491  # w7 delta_o2
    assert output["grad_a_terms"] is None  # dE/da of an output comes from the loss
    for layer in (hidden, output):
        for j, terms in enumerate(layer["z_terms"][0]):
            assert sum(terms) + layer["biases"][j] == pytest.approx(layer["z"][0][j], rel=1e-15)
    for k, terms in enumerate(hidden["grad_a_terms"][0]):
        assert sum(terms) == pytest.approx(hidden["grad_a"][0][k], rel=1e-15)


def test_the_terms_of_a_big_batch_are_refused_before_any_work(client):
    spec = {"layer_sizes": [2, 200, 200, 1], "activations": ["tanh", "tanh", "linear"]}
    body = {"network": spec, "inputs": [[0.0, 0.0]] * 30, "targets": [[0.0]] * 30,
            "learning_rate": 0.1, "terms": True}  # fmt: skip
    r = client.post("/api/v1/step", json=body)
    assert r.status_code == 422
    problems = r.json()["detail"]
    assert {tuple(p["loc"]) for p in problems} == {("body", "terms")}
    answer = next(p["msg"] for p in problems if "(max_answer_bytes)" in p["msg"])
    assert answer.endswith("ask without terms (they are two numbers a sample and weight), "
                           "or send fewer samples")  # fmt: skip
    assert client.post("/api/v1/step", json={**body, "terms": False}).status_code == 200


def test_init_fills_in_weights_deterministically_from_the_seed(client):
    spec = {"layer_sizes": [2, 3, 1], "activations": ["tanh", "sigmoid"], "init": "he", "seed": 4}
    r = client.post("/api/v1/init", json={"network": spec})
    assert r.status_code == 200
    net = r.json()["network"]
    assert [len(w) for w in net["weights"]] == [3, 1] and len(net["weights"][0][0]) == 2
    assert net["biases"] == [[0.0, 0.0, 0.0], [0.0]]
    assert client.post("/api/v1/init", json={"network": spec}).json()["network"] == net
    other = client.post("/api/v1/init", json={"network": {**spec, "seed": 5}}).json()["network"]
    assert other["weights"] != net["weights"]


def test_every_endpoint_initializes_a_network_without_weights_the_same_way(client):
    spec = {"layer_sizes": [2, 3, 1], "activations": ["tanh", "sigmoid"], "seed": 11}
    weights = client.post("/api/v1/init", json={"network": spec}).json()["network"]["weights"]
    data = {"inputs": [[0.1, 0.2]], "targets": [[1.0]]}
    step = client.post("/api/v1/step", json={"network": spec, **data, "learning_rate": 0.1}).json()
    assert step["layers"][0]["weights"] == weights[0]


def test_forward_returns_z_and_a_per_layer_and_the_loss_with_targets(client, mazur):
    r = client.post(
        "/api/v1/forward", json={"network": mazur["network"], "inputs": mazur["inputs"]}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["loss"] is None
    assert round(body["layers"][0]["z"][0][0], 4) == 0.3775
    assert body["outputs"] == body["layers"][1]["a"]
    with_targets = client.post(
        "/api/v1/forward",
        json={"network": mazur["network"], "inputs": mazur["inputs"], "targets": mazur["targets"]},
    ).json()
    assert round(with_targets["loss"], 9) == 0.298371109


def test_forward_without_the_trace_gives_the_same_losses_without_layers(client):
    deep = client.get("/api/v1/presets/deep").json()
    request = {k: deep[k] for k in ("network", "inputs", "targets")}
    full = client.post("/api/v1/forward", json=request)
    losses = client.post("/api/v1/forward", json={**request, "trace": False})
    assert full.status_code == losses.status_code == 200
    assert losses.json()["layers"] is None
    assert {**full.json(), "layers": None} == losses.json()
    assert len(losses.content) < len(full.content) / 10  # what the page's loss chart asks


def test_train_runs_many_steps_and_its_last_history_entry_matches_a_forward_pass(
    client, mazur_step
):
    r = client.post("/api/v1/train", json={**mazur_step, "epochs": 10_000, "record_every": 2500})
    assert r.status_code == 200
    body = r.json()
    assert [h["epoch"] for h in body["history"]] == [2500, 5000, 7500, 10_000]
    assert [h["step"] for h in body["history"]] == [2500, 5000, 7500, 10_000]
    assert round(body["initial_loss"], 9) == 0.298371109
    assert round(body["history"][-1]["loss"], 10) == 0.0000351019
    assert body["diverged"] is False and body["steps"] == 10_000
    forward = client.post(
        "/api/v1/forward",
        json={**{k: mazur_step[k] for k in ("inputs", "targets")}, "network": body["network"]},
    )
    assert forward.json()["loss"] == pytest.approx(body["history"][-1]["loss"], rel=1e-12)


def test_train_with_minibatches_and_a_test_split(client):
    preset = client.get("/api/v1/presets/circle").json()
    r = client.post(
        "/api/v1/train",
        json={
            "network": preset["network"], "inputs": preset["inputs"], "targets": preset["targets"],
            "test_inputs": preset["test_inputs"], "test_targets": preset["test_targets"],
            "learning_rate": preset["learning_rate"], "batch_size": preset["batch_size"],
            "shuffle_seed": 1, "epochs": 300, "record_every": 100,
        },
    )  # fmt: skip
    assert r.status_code == 200
    history = r.json()["history"]
    assert len(history) == 3 and all(h["test_loss"] is not None for h in history)
    assert history[-1]["loss"] < 0.5 * r.json()["initial_loss"]  # it learns the circle


def test_gradcheck_reports_backprop_beside_finite_differences(client, mazur_step):
    body = {k: mazur_step[k] for k in ("network", "inputs", "targets")}
    r = client.post("/api/v1/gradcheck", json={**body, "method": "five_point"})
    assert r.status_code == 200
    check = r.json()
    assert check["max_rel_error"] < 1e-8
    output = check["layers"][1]
    assert output["fd_grad_weights"][0][0] == pytest.approx(0.082167041, abs=1e-9)
    assert output["grad_weights"][0][0] == pytest.approx(0.082167041, abs=1e-9)
    assert check["method"] == "five_point" and check["epsilon"] == 1e-3


def test_predict_returns_every_neuron_over_the_grid(client, mazur):
    r = client.post(
        "/api/v1/predict",
        json={"network": mazur["network"], "resolution": 5, "x_range": [0, 1], "y_range": [0, 2]},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["x"] == [0.0, 0.25, 0.5, 0.75, 1.0] and body["y"][-1] == 2.0
    hidden, output = body["layers"]
    assert len(hidden) == 2 and len(output) == 2 and len(output[0]) == 5 and len(output[0][0]) == 5
    # row i is y[i], column j is x[j]: check one point against /forward
    point = [body["x"][1], body["y"][3]]
    forward = client.post(
        "/api/v1/forward", json={"network": mazur["network"], "inputs": [point]}
    ).json()
    assert output[1][3][1] == pytest.approx(forward["outputs"][0][1], rel=1e-14)
    only_output = client.post(
        "/api/v1/predict", json={"network": mazur["network"], "resolution": 3, "hidden": False}
    ).json()
    assert len(only_output["layers"]) == 1


def test_predict_on_a_1_input_network_gives_a_curve(client):
    preset = client.get("/api/v1/presets/regression").json()
    body = client.post(
        "/api/v1/predict", json={"network": preset["network"], "resolution": 7}
    ).json()
    assert (
        body["y"] is None and len(body["layers"][-1][0]) == 1 and len(body["layers"][-1][0][0]) == 7
    )


def test_presets_list_and_each_preset(client):
    r = client.get("/api/v1/presets")
    assert r.status_code == 200
    names = [p["name"] for p in r.json()]
    assert {"mazur", "xor", "circle", "spiral", "gaussian", "regression", "deep"} <= set(names)
    for name in names:
        preset = client.get(f"/api/v1/presets/{name}")
        assert preset.status_code == 200
        body = preset.json()
        assert len(body["inputs"]) == len(body["targets"]) > 0
        assert len(body["network"]["weights"]) == len(body["network"]["layer_sizes"]) - 1
    deep = client.get("/api/v1/presets/deep").json()["network"]
    assert deep["layer_sizes"] == [2, 8, 8, 8, 8, 8, 8, 1] and set(deep["activations"]) == {"tanh"}
    mazur = client.get("/api/v1/presets/mazur").json()
    assert mazur["learning_rate"] == 0.5 and mazur["network"]["train_biases"] is False


def test_unknown_preset_and_dataset_are_404(client):
    assert client.get("/api/v1/presets/nope").status_code == 404
    r = client.get("/api/v1/datasets/nope")
    assert r.status_code == 404
    assert "nope" in r.json()["detail"]


def test_datasets_are_deterministic_for_a_seed(client):
    r = client.get("/api/v1/datasets/spiral", params={"n": 50, "noise": 0.1, "seed": 3, "test": 10})
    assert r.status_code == 200
    body = r.json()
    assert len(body["inputs"]) == 50 and len(body["test_inputs"]) == 10
    assert {t for (t,) in body["targets"]} == {0.0, 1.0}
    again = client.get(
        "/api/v1/datasets/spiral", params={"n": 50, "noise": 0.1, "seed": 3, "test": 10}
    ).json()
    assert again == body
    signed = client.get("/api/v1/datasets/xor", params={"labels": "signed"}).json()
    assert {t for (t,) in signed["targets"]} == {-1.0, 1.0}
    assert set(client.get("/api/v1/datasets").json()) >= {
        "xor",
        "circle",
        "gaussian",
        "spiral",
        "regression",
    }


def test_openapi_docs_are_served(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/v1/init",
        "/api/v1/forward",
        "/api/v1/step",
        "/api/v1/train",
        "/api/v1/gradcheck",
        "/api/v1/predict",
    ):
        assert path in paths
    assert client.get("/api/docs").status_code == 200


def test_the_schema_documents_each_post_endpoint_with_its_models(client):
    schema = client.get("/api/openapi.json").json()
    step = schema["paths"]["/api/v1/step"]["post"]
    body = step["requestBody"]["content"]["application/json"]["schema"]
    assert step["requestBody"]["required"] is True
    assert body == {"$ref": "#/components/schemas/StepRequest"}
    answers = {code: r["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
               for code, r in step["responses"].items()}  # fmt: skip
    assert answers == {"200": "StepResponse", "422": "ValidationErrors", "413": "Message",
                       "415": "Message", "503": "Message", "400": "Message"}  # fmt: skip
    assert "learning_rate" in schema["components"]["schemas"]["StepRequest"]["properties"]
    refs = re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', json.dumps(schema))
    assert "StepLayer" in refs and set(refs) <= set(schema["components"]["schemas"])


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_the_post_endpoints_answer_only_post(client, method):
    r = client.request(method, "/api/v1/step")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert r.json() == {"detail": "Method Not Allowed"}


def test_a_client_that_leaves_before_sending_its_body_gets_no_answer(client):
    sent = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/step",
             "headers": [(b"content-type", b"application/json")],
             "query_string": b"", "root_path": ""}  # fmt: skip
    endpoints = PostEndpoints(None, jobs=client.app.state.jobs)
    with ThreadPoolExecutor(1) as thread:  # a loop of its own, whatever runs in this thread
        thread.submit(asyncio.run, endpoints(scope, receive, send)).result()
    assert sent == []


def test_a_diverging_step_answers_200_with_valid_json_and_the_last_finite_network(
    client, mazur_step
):
    huge = {**mazur_step, "network": {**mazur_step["network"], "activations": ["linear", "linear"]}}
    huge["network"]["weights"] = [
        [[1e200, 1e200], [1e200, 1e200]],
        [[1e200, 1e200], [1e200, 1e200]],
    ]
    r = client.post("/api/v1/step", json=huge)
    assert r.status_code == 200
    assert "NaN" not in r.text and "Infinity" not in r.text
    body = r.json()
    assert body["diverged"] is True and body["loss"] is None
    assert body["network"]["weights"] == huge["network"]["weights"]


def test_diverging_training_answers_200_with_the_last_finite_state(client, mazur_step):
    r = client.post(
        "/api/v1/train",
        json={
            **mazur_step,
            "network": {**mazur_step["network"], "activations": ["linear", "linear"]},
            "learning_rate": 50,
            "epochs": 1000,
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["diverged"] is True and body["diverged_at_epoch"] < 1000
    assert all(
        math.isfinite(w) for layer in body["network"]["weights"] for row in layer for w in row
    )


def test_train_can_count_steps_instead_of_epochs(client):
    preset = client.get("/api/v1/presets/circle").json()
    body = {k: preset[k] for k in ("network", "inputs", "targets", "learning_rate", "batch_size")}
    r = client.post("/api/v1/train", json={**body, "steps": 25})  # 200 samples, 20 a batch
    assert r.status_code == 200
    assert r.json()["steps"] == 25
    assert [h["epoch"] for h in r.json()["history"]] == [1, 2, 3]
    assert [h["step"] for h in r.json()["history"]] == [10, 20, 25]  # the last epoch cut short
    both = client.post("/api/v1/train", json={**body, "steps": 25, "epochs": 3})
    assert both.status_code == 422
    assert both.json()["detail"][0]["msg"] == "give either epochs or steps"
    assert client.post("/api/v1/train", json=body).status_code == 422
