"""Bad input gets a clear 4xx naming the field and the reason; limits hold before any work."""

import json
import re

import pytest

from app.engine.data import dataset


def post_raw(client, path, text):
    return client.post(path, content=text, headers={"content-type": "application/json"})


def errors(r) -> dict:
    """{loc joined by '.': msg} of a 422."""
    return {".".join(map(str, e["loc"])): e["msg"] for e in r.json()["detail"]}


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_rejected(client, mazur_step, literal):
    text = json.dumps(mazur_step).replace('"learning_rate": 0.5', f'"learning_rate": {literal}')
    r = post_raw(client, "/api/v1/step", text)
    assert r.status_code == 422
    assert errors(r) == {"body.learning_rate": "Input should be a finite number"}


def test_a_nan_deep_inside_the_weights_is_located(client, mazur_step):
    text = json.dumps(mazur_step).replace("0.55", "NaN")
    r = post_raw(client, "/api/v1/step", text)
    assert r.status_code == 422
    assert "body.network.weights.1.1.1" in errors(r)


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"weights": [[[0.15, 0.2], [0.25, 0.3]]]}, "body.network.weights", "expected 2 layers"),
        ({"weights": [[[0.15, 0.2]], [[0.4, 0.45], [0.5, 0.55]]]}, "body.network.weights.0", "expected 2 rows"),
        ({"weights": [[[0.15], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]]}, "body.network.weights.0.0", "expected 2 values"),
        ({"biases": [[0.35], [0.6, 0.6]]}, "body.network.biases.0", "expected 2 rows"),
        ({"activations": ["sigmoid"]}, "body.network.activations", "expected 2 activations"),
        ({"activations": ["softmax", "sigmoid"]}, "body.network.activations.0", "output layer only"),
        ({"activations": ["sigmoid", "swish"]}, "body.network.activations.1", "Input should be"),
        ({"layer_sizes": [2, 0, 2]}, "body.network.layer_sizes.1", "1 to 512 neurons"),
        ({"loss": "hinge"}, "body.network.loss", "Input should be"),
    ],
)  # fmt: skip
def test_shape_problems_name_the_field_and_what_was_expected(
    client, mazur_step, change, loc, words
):
    body = {**mazur_step, "network": {**mazur_step["network"], **change}}
    r = client.post("/api/v1/step", json=body)
    assert r.status_code == 422
    found = errors(r)
    assert loc in found and words in found[loc], found


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"inputs": [[0.05, 0.1, 0.2]]}, "body.inputs.0", "expected 2 values"),
        ({"targets": [[0.01]]}, "body.targets.0", "expected 2 values"),
        ({"targets": [[0.01, 0.99], [0.0, 1.0]]}, "body.targets", "expected 1 rows"),
        ({"inputs": []}, "body.inputs", "at least 1 item"),
        ({"learning_rate": -1}, "body.learning_rate", "greater than or equal to 0"),
        ({"momentum": 1.5}, "body.momentum", "less than 1"),
        ({"learning_rte": 0.5}, "body.learning_rte", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_data_and_option_problems_name_the_field(client, mazur_step, change, loc, words):
    r = client.post("/api/v1/step", json={**mazur_step, **change})
    assert r.status_code == 422
    found = errors(r)
    assert loc in found and words in found[loc], found


def test_missing_learning_rate_is_reported(client, mazur_step):
    del mazur_step["learning_rate"]
    r = client.post("/api/v1/step", json=mazur_step)
    assert r.status_code == 422
    assert errors(r) == {"body.learning_rate": "Field required"}


def test_biases_without_weights_are_ambiguous(client):
    spec = {"layer_sizes": [2, 1], "activations": ["sigmoid"], "biases": [[0.1]]}
    r = client.post("/api/v1/init", json={"network": spec})
    assert r.status_code == 422
    assert "body.network.biases" in errors(r)


def test_limits_are_enforced_and_their_numbers_are_in_the_message(client):
    too_deep = {"layer_sizes": [2] * 11, "activations": ["tanh"] * 10}
    r = client.post("/api/v1/init", json={"network": too_deep})
    assert r.status_code == 422
    assert "at most 10 layers" in errors(r)["body.network.layer_sizes"]
    too_wide = {"layer_sizes": [2, 513, 1], "activations": ["tanh", "tanh"]}
    assert (
        "1 to 512 neurons"
        in errors(client.post("/api/v1/init", json={"network": too_wide}))[
            "body.network.layer_sizes.1"
        ]
    )
    too_many = {"layer_sizes": [512, 200, 1], "activations": ["tanh", "tanh"]}
    assert (
        "at most 100000 parameters"
        in errors(client.post("/api/v1/init", json={"network": too_many}))[
            "body.network.layer_sizes"
        ]
    )


def test_samples_are_limited(client):
    net = {"layer_sizes": [1, 1], "activations": ["linear"]}
    r = client.post("/api/v1/forward", json={"network": net, "inputs": [[0.0]] * 10_001})
    assert r.status_code == 422
    assert "at most 10000 samples" in errors(r)["body.inputs"]


def spiral(n: int, outputs: int = 1) -> dict:
    x, y = dataset("spiral", n, labels="signed")
    targets = y.tolist() if outputs == 1 else [[float(i % outputs == o) for o in range(outputs)]
                                               for i in range(n)]  # fmt: skip
    return {"inputs": x.tolist(), "targets": targets}


@pytest.mark.parametrize(
    ("network", "data", "options"),
    [  # the jobs of 3 to 6 minutes
        ({"layer_sizes": [2] + [16] * 8 + [4], "activations": ["tanh"] * 8 + ["softmax"],
          "loss": "cross_entropy"}, spiral(10_000, 4), {"batch_size": 1, "epochs": 200}),
        ({"layer_sizes": [2, 31, 31, 1], "activations": ["tanh", "tanh", "linear"], "loss": "mse"},
         spiral(10_000), {"batch_size": 1, "epochs": 184}),
    ],
)  # fmt: skip
def test_training_that_would_take_minutes_is_refused_naming_the_time_limit(
    client, network, data, options
):
    body = {"network": network, **data, "learning_rate": 0.01, **options}
    r = client.post("/api/v1/train", json=body)
    assert r.status_code == 422
    assert re.fullmatch(
        r"this request would take about [\d.]+ s to compute; the limit is 4 s \(max_cost\): "
        r"ask for fewer epochs, .*",
        errors(r)["body.epochs"],
    )


def test_a_tiny_body_asking_for_a_huge_answer_is_refused_naming_the_answer_limit(client):
    body = {"network": {"layer_sizes": [1, 1], "activations": ["linear"]}, "inputs": [[1]],
            "targets": [[1]], "learning_rate": 0.1, "epochs": 2_000_000, "record_every": 1}  # fmt: skip
    r = client.post("/api/v1/train", json=body)
    assert r.status_code == 422
    found = errors(r)
    assert "the limit is 16 MiB (max_answer_bytes)" in found["body.record_every"]
    assert "(max_cost)" in found["body.epochs"]  # two million steps take too long as well


def test_a_step_with_a_hundred_megabyte_trace_is_refused_naming_the_answer_limit(client):
    net = {"layer_sizes": [2, 48, 48, 1], "activations": ["tanh", "tanh", "tanh"]}
    r = client.post("/api/v1/step", json={"network": net, **spiral(10_000), "learning_rate": 0.1})
    assert r.status_code == 422
    found = [e["msg"] for e in r.json()["detail"] if e["loc"] == ["body", "inputs"]]
    assert any(
        re.match(r"the answer would be about [\d.]+ MiB of JSON; the limit is 16 MiB "
                 r"\(max_answer_bytes\)", msg)
        for msg in found
    ), found  # fmt: skip


def test_a_request_past_the_memory_limit_is_refused_naming_it(client):
    wide = {"layer_sizes": [2, 300, 300, 1], "activations": ["tanh", "tanh", "tanh"]}
    body = {"network": wide, **spiral(10_000), "learning_rate": 0.1, "epochs": 1}
    r = client.post("/api/v1/train", json=body)
    assert r.status_code == 422
    assert "(max_memory_bytes): use a smaller batch_size" in errors(r)["body.batch_size"]
    r = client.post("/api/v1/train", json=body | {"batch_size": 100})  # the same data, in batches
    assert r.status_code == 200


def test_an_unknown_or_retired_setting_is_refused_at_startup(make_client):
    # max_train_work was replaced by max_cost; silently ignoring it would run other limits
    with pytest.raises(ValueError, match="unknown setting BACKPROP_VIZ_MAX_TRAIN_WORK"):
        make_client(max_train_work=1000)


def test_limits_are_configurable(make_client):
    client = make_client(max_layers=3, max_cost=10_000_000, max_answer_bytes=2000)
    net = {"layer_sizes": [1, 1, 1, 1], "activations": ["linear"] * 3}
    assert client.post("/api/v1/init", json={"network": net}).status_code == 422
    small = {
        "network": {"layer_sizes": [1, 1], "activations": ["linear"]},
        "inputs": [[0.0]] * 10,
        "targets": [[0.0]] * 10,
        "learning_rate": 0.1,
        "record_every": 100,
    }
    assert client.post("/api/v1/train", json={**small, "epochs": 100}).status_code == 200
    r = client.post("/api/v1/train", json={**small, "epochs": 100_000})
    assert r.status_code == 422
    assert "the limit is 10 ms (max_cost)" in errors(r)["body.epochs"]
    r = client.post("/api/v1/train", json={**small, "epochs": 100, "record_every": 1})
    assert r.status_code == 422
    assert "the limit is 1.95 KiB (max_answer_bytes)" in errors(r)["body.record_every"]


def test_a_body_over_the_limit_is_413_from_its_content_length(make_client, mazur_step):
    client = make_client(max_body_bytes=1000)
    r = post_raw(client, "/api/v1/step", json.dumps(mazur_step) + " " * 2000)
    assert r.status_code == 413
    assert "1000 bytes" in r.json()["detail"]


def test_a_chunked_body_under_the_limit_is_served(client, mazur_step):
    r = client.post(
        "/api/v1/step",
        content=iter([json.dumps(mazur_step).encode()]),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 200


@pytest.mark.parametrize(
    "text", ["{", "[" * 100_000 + "]" * 100_000, '{"network": 1e99999999}', "1" * 5000, '"\\ud800"']
)
def test_malformed_json_is_a_4xx_without_a_stack_trace(client, text):
    r = post_raw(client, "/api/v1/step", text)
    assert 400 <= r.status_code < 500
    assert "Traceback" not in r.text and 'File "' not in r.text


def test_query_parameters_are_validated(client):
    r = client.get("/api/v1/datasets/spiral", params={"n": 0})
    assert r.status_code == 422
    r = client.get("/api/v1/datasets/spiral", params={"noise": "nan"})
    assert r.status_code == 422
    r = client.get("/api/v1/datasets/spiral", params={"n": 9000, "test": 2000})
    assert r.status_code == 422
    assert "n + test" in r.json()["detail"][0]["msg"]


def test_gradcheck_and_predict_name_what_to_change(client):
    net = {"layer_sizes": [2, 300, 300, 1], "activations": ["tanh", "tanh", "tanh"]}
    r = client.post(
        "/api/v1/gradcheck", json={"network": net, "inputs": [[0, 0]] * 100, "targets": [[0]] * 100}
    )
    assert r.status_code == 422
    assert "(max_cost): use fewer samples, or a smaller network" in errors(r)["body.inputs"]
    r = client.post("/api/v1/predict", json={"network": net, "resolution": 400})
    assert r.status_code == 422
    assert (
        "use a lower resolution, or hidden: false for the output layer alone"
        in errors(r)["body.resolution"]
    )
    r = client.post(
        "/api/v1/predict",
        json={"network": {"layer_sizes": [1, 1], "activations": ["tanh"]}, "x_range": [1, 0]},
    )
    assert r.status_code == 422
    assert "body.x_range" in errors(r)


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("step", "learning_rate", True),
        ("step", "momentum", False),
        ("step", "inputs", [[True, 0.1]]),
        ("train", "epochs", True),
        ("train", "batch_size", True),
        ("train", "record_every", True),
        ("predict", "hidden", 1),
        ("predict", "x_range", [False, True]),
        ("init", "network.seed", True),
        ("init", "network.layer_sizes", [2, True, 1]),
        ("forward", "trace", 1),
    ],
)  # fmt: skip
def test_a_bool_where_a_number_goes_and_a_number_where_a_bool_goes_are_422(
    client, mazur_step, path, field, value
):
    body = {**mazur_step, "epochs": 1, "method": "central"}
    body = {k: body[k] for k in FIELDS[path]}
    target, *rest = field.split(".")
    if rest:
        body[target] = {**body[target], rest[0]: value}
    else:
        body[target] = value
    r = client.post(f"/api/v1/{path}", json=body)
    assert r.status_code == 422
    assert any(f"body.{field}" in loc for loc in errors(r)), errors(r)


FIELDS = {
    "step": ("network", "inputs", "targets", "learning_rate"),
    "train": ("network", "inputs", "targets", "learning_rate", "epochs"),
    "gradcheck": ("network", "inputs", "targets"),
    "predict": ("network",),
    "init": ("network",),
    "forward": ("network", "inputs"),
}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/json; charset=latin-1", "application/jsonp", None],
)  # fmt: skip
def test_a_body_that_is_not_application_json_is_415(client, mazur_step, content_type):
    headers = {} if content_type is None else {"content-type": content_type}
    r = client.post("/api/v1/step", content=json.dumps(mazur_step), headers=headers)
    assert r.status_code == 415
    assert "application/json" in r.json()["detail"]


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON;charset=UTF-8"])  # fmt: skip
def test_application_json_is_taken_with_or_without_its_charset(client, mazur_step, content_type):
    r = client.post(
        "/api/v1/step", content=json.dumps(mazur_step), headers={"content-type": content_type}
    )
    assert r.status_code == 200


def test_the_limits_are_served(client):
    r = client.get("/api/v1/limits")
    assert r.status_code == 200
    limits = r.json()
    assert limits["max_neurons"] == 512 and limits["max_layers"] == 10
    assert limits["max_answer_bytes"] == 16 * 1024 * 1024
    assert limits["job_time_budget"] == 10.0


def test_the_limits_served_are_the_settings(make_client):
    client = make_client(max_neurons=7, max_answer_bytes=1000)
    assert client.get("/api/v1/limits").json()["max_neurons"] == 7
    assert client.get("/api/v1/limits").json()["max_answer_bytes"] == 1000
