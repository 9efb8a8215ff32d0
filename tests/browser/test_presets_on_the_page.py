"""A preset's own training settings reach the page's fields and its Train request."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import button

pytestmark = pytest.mark.browser

TRAINING = ("learning_rate", "batch_size", "momentum", "l1", "l2", "shuffle_seed")
FIELDS = {"Learning rate": "learning_rate", "Batch size": "batch_size", "Momentum": "momentum",
          "Shuffle seed": "shuffle_seed"}  # fmt: skip


@pytest.mark.parametrize("name", ["xor", "spiral"])
def test_train_sends_the_presets_own_settings_and_steps(open_page, server, name):
    preset = httpx.get(f"{server}/api/v1/presets/{name}").json()
    page = open_page(f"/?preset={name}")
    assert page.get_by_label("Steps", exact=True).input_value() == str(preset["train_steps"])
    for label, key in FIELDS.items():
        shown = page.get_by_label(label).input_value()
        assert shown == ("" if preset[key] is None else f"{preset[key]:g}"), label
    with page.expect_request(lambda r: r.url.endswith("/api/v1/train")) as request:
        button(page, "Train").click()
    body = request.value.post_data_json
    assert {k: body[k] for k in TRAINING} == {k: preset[k] for k in TRAINING}
    assert body["steps"] == preset["train_steps"]
    page.get_by_text(f"Trained {preset['train_steps']} steps").wait_for()
    expect(page.locator("#counter")).to_have_attribute("data-step", str(preset["train_steps"]))


def test_loading_another_preset_brings_its_steps(open_page):
    page = open_page("/?preset=mazur")
    steps = page.get_by_label("Steps", exact=True)
    assert steps.input_value() == "10000"  # the post's 10,000 iterations
    page.get_by_label("Preset").select_option("circle")
    button(page, "Load").click()
    expect(steps).to_have_value("1000")
    expect(page.get_by_label("Shuffle seed")).to_have_value("1")
    # a student's own number stays until another preset is loaded
    steps.fill("40")
    button(page, "Train").click()
    page.get_by_text(re.compile("^Trained 40 steps")).wait_for()
    assert steps.input_value() == "40"
