"""GET /api/v1/functions, and the functions of the table through every endpoint."""

import pytest

from app.engine.functions import ACTIVATIONS, FUSED, LOSSES

NEW = ["elu", "softplus", "silu"]


def test_functions_lists_the_table_with_its_formulas(client):
    r = client.get("/api/v1/functions")
    assert r.status_code == 200
    body = r.json()
    assert [a["name"] for a in body["activations"]] == list(ACTIVATIONS)
    assert [l["name"] for l in body["losses"]] == list(LOSSES)
    assert [(f["activation"], f["loss"]) for f in body["fused"]] == list(FUSED)
    sigmoid = body["activations"][0]
    assert sigmoid == {
        "name": "sigmoid", "title": "sigmoid", "symbol": "\u03c3", "output_only": False,
        "f": {"op": "/", "args": [{"num": 1.0}, {"op": "+", "args": [
            {"num": 1.0}, {"op": "exp", "args": [{"op": "neg", "args": [{"var": "z"}]}]}]}]},
        "f_prime": {"op": "*", "args": [{"var": "a"}, {"op": "-", "args": [{"num": 1.0}, {"var": "a"}]}]},
        "delta": None,
    }  # fmt: skip
    softmax = next(a for a in body["activations"] if a["name"] == "softmax")
    assert softmax["output_only"] and softmax["f_prime"] is None and softmax["delta"]["op"] == "*"
    huber = next(l for l in body["losses"] if l["name"] == "huber")
    assert huber["term"]["op"] == "cases" and huber["grad_a"]["op"] == "cases"


def test_the_schema_documents_functions_and_takes_the_names_from_the_table(client):
    schema = client.get("/api/openapi.json").json()
    get = schema["paths"]["/api/v1/functions"]["get"]
    ref = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/Functions"
    models = schema["components"]["schemas"]
    assert {"Num", "Var", "Op", "ActivationInfo", "LossInfo", "FusedInfo"} <= set(models)
    spec = models["NetworkSpec"]["properties"]
    assert spec["activations"]["items"]["enum"] == list(ACTIVATIONS)
    assert spec["loss"]["enum"] == list(LOSSES)


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("where", ["hidden", "output"])
def test_each_new_activation_steps_trains_and_passes_gradcheck(client, name, where):
    activations = [name, "linear"] if where == "hidden" else ["tanh", name]
    network = {"layer_sizes": [2, 3, 2], "activations": activations, "loss": "huber", "seed": 3}
    data = {"inputs": [[0.5, -1.0], [1.5, 0.2]], "targets": [[2.0, -0.5], [0.1, 0.3]]}
    for samples in (1, 2):  # a traced step compiled (1 sample) and in numpy (2)
        part = {k: v[:samples] for k, v in data.items()}
        r = client.post("/api/v1/step", json={"network": network, **part, "learning_rate": 0.1})
        assert r.status_code == 200
        assert r.json()["diverged"] is False and r.json()["loss"] > 0
    r = client.post("/api/v1/train", json={"network": network, **data, "learning_rate": 0.1,
                                           "epochs": 50})  # fmt: skip
    assert r.status_code == 200
    assert r.json()["history"][-1]["loss"] < r.json()["initial_loss"]
    r = client.post("/api/v1/gradcheck", json={"network": network, **data, "method": "five_point"})
    assert r.status_code == 200
    assert r.json()["max_rel_error"] < 1e-6


def test_output_only_activations_are_refused_in_hidden_layers(client):
    network = {"layer_sizes": [2, 3, 2], "activations": ["softmax", "elu"]}
    r = client.post("/api/v1/init", json={"network": network})
    assert r.status_code == 422
    error = r.json()["detail"][0]
    assert error["loc"] == ["body", "network", "activations", 0]
    assert error["msg"] == "softmax is allowed on the output layer only"
