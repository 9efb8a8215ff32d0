"""Every preset learns its problem with one Train of its own settings, as the page sends it."""

import json
import re
from pathlib import Path

import pytest

TRAINING = ("learning_rate", "batch_size", "momentum", "l1", "l2", "shuffle_seed")
NAMES = ["mazur", "xor", "circle", "gaussian", "spiral", "regression", "deep"]
# the share of training points classified right after one Train
ACCURACY = {"xor": 0.95, "circle": 0.95, "gaussian": 0.95, "spiral": 0.90, "deep": 0.90}


def train_body(preset: dict) -> dict:
    """The /train request of the page's Train button right after the preset is loaded."""
    body = {k: preset[k] for k in ("network", "inputs", "targets", *TRAINING)}
    body |= {"steps": preset["train_steps"], "record_every": 50}
    if preset["test_inputs"]:
        body |= {k: preset[k] for k in ("test_inputs", "test_targets")}
    return body


def accuracy(outputs, targets) -> float:
    """Outputs on the right side of the middle of the two labels (0/1 or -1/+1)."""
    labels = [t[0] for t in targets]
    middle = (min(labels) + max(labels)) / 2
    right = sum((a[0] > middle) == (y > middle) for a, y in zip(outputs, labels))
    return right / len(labels)


def test_every_preset_carries_its_training_settings(client):
    r = client.get("/api/v1/presets")
    assert r.status_code == 200
    assert [p["name"] for p in r.json()] == NAMES
    for name in NAMES:
        r = client.get(f"/api/v1/presets/{name}")
        assert r.status_code == 200
        preset = r.json()
        assert set(TRAINING) | {"train_steps"} <= set(preset), name
        assert 1 <= preset["train_steps"] <= 10_000, name
        # the names are those /train takes: the preset's settings make a valid request
        r = client.post("/api/v1/train", json=train_body(preset) | {"steps": 1})
        assert r.status_code == 200, (name, r.text)


def test_mazur_stays_as_published(client):
    r = client.get("/api/v1/presets/mazur")
    assert r.status_code == 200
    mazur = r.json()
    assert mazur["network"]["weights"] == [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]]
    assert mazur["network"]["biases"] == [[0.35, 0.35], [0.6, 0.6]]
    assert mazur["learning_rate"] == 0.5 and mazur["momentum"] == 0 and mazur["batch_size"] is None
    assert mazur["train_steps"] == 10_000  # the post's 10,000 iterations


@pytest.mark.parametrize("name", NAMES)
def test_one_train_with_the_presets_own_settings_learns_it(client, name):
    preset = client.get(f"/api/v1/presets/{name}").json()
    r = client.post("/api/v1/train", json=train_body(preset))
    assert r.status_code == 200
    result = r.json()
    assert result["diverged"] is False
    assert result["steps"] == preset["train_steps"]
    forward = client.post(
        "/api/v1/forward",
        json={
            "network": result["network"],
            "inputs": preset["inputs"],
            "targets": preset["targets"],
        },
    )
    assert forward.status_code == 200
    trained = forward.json()
    if name == "mazur":  # the textbook's loss after 10,000 steps
        assert round(trained["loss"], 10) == 0.0000351019
    elif name == "regression":
        assert trained["loss"] <= 0.2 * result["initial_loss"]
    else:
        assert accuracy(trained["outputs"], preset["targets"]) >= ACCURACY[name]


def test_the_diagrams_label_test_covers_every_preset_as_it_is(client):
    """tests/js/labels.test.mjs checks the labels of each preset's layout from its own list of
    layer sizes: that list must be the presets' own."""
    source = (Path(__file__).parents[1] / "js" / "labels.test.mjs").read_text()
    table = source[source.index("export const PRESETS = {") : source.index("};")]
    listed = {name: json.loads(sizes) for name, sizes in re.findall(r"(\w+): (\[[\d, ]+\])", table)}
    r = client.get("/api/v1/presets")
    assert r.status_code == 200
    sizes = {}
    for entry in r.json():
        preset = client.get(f"/api/v1/presets/{entry['name']}")
        assert preset.status_code == 200
        sizes[entry["name"]] = preset.json()["network"]["layer_sizes"]
    assert listed == sizes
