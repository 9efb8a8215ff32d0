"""A share link, the autosave and an Import are checked against the server's limits before
anything is drawn or saved: a hostile one gets a clear message, and the page stays usable."""

from __future__ import annotations

import json

import pytest

from tests.states import saved_state, share_code

from .conftest import goto

pytestmark = pytest.mark.browser

TOO_WIDE = "network.layer_sizes.0: a layer has 1 to 512 neurons, got 1000"


def hostile_state(n: int = 1000) -> dict:
    """The Mazur state with layer_sizes [1000, 1000]: a million edges to draw (weights for
    n x n of them: the autosave holds at most a few megabytes)."""
    state = saved_state()
    state["network"] = state["initial"] = state["network"] | {
        "layer_sizes": [1000, 1000], "activations": ["tanh"],
        "weights": [[[0.0] * n] * n], "biases": [[0.0] * n],
    }  # fmt: skip
    return state


def test_a_hostile_share_link_is_refused_and_not_kept(open_page, server):
    page = open_page(f"/#state={share_code(hostile_state())}")
    assert page.locator("#message").inner_text() == (
        f"This share link cannot be opened: {TOO_WIDE}. "
        "The page started from the Mazur example instead."
    )
    assert page.locator("#network .edge").count() == 8  # Mazur's 2-2-2
    assert "#state" not in page.url
    page.reload()  # the autosave kept the example, not the hostile state
    page.wait_for_selector("html[data-ready=true]")
    assert page.locator("#network .edge").count() == 8
    assert page.locator("#message").inner_text() == ""


def test_a_hostile_autosave_is_refused_on_load(open_page, server):
    page = open_page(None)
    page.add_init_script(  # as if an earlier visit had saved it
        f"localStorage.setItem('backprop-viz:state', {json.dumps(json.dumps(hostile_state(10)))})"
    )
    goto(page, server + "/")
    assert page.locator("#message").inner_text() == (
        f"The work saved in this browser cannot be restored: {TOO_WIDE}. "
        "The page started from the Mazur example instead."
    )
    assert page.locator("#network .edge").count() == 8


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ({"backprop_viz": 1, "state": hostile_state(), "trace": None}, TOO_WIDE),
        (hostile_state(), TOO_WIDE),
        ([1, 2, 3], "not a backprop-viz state (version 1)"),
        ({"state": saved_state(inputs=[[0.05, "x"]])}, "inputs.0.1: not a finite number"),
        ("{not json", "it is not a backprop-viz export (not JSON)"),
    ],
)  # fmt: skip
def test_a_hostile_import_changes_nothing_and_says_why(open_page, tmp_path, content, reason):
    page = open_page("/?preset=xor")
    path = tmp_path / "lesson.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    page.locator("#import-file").set_input_files(path)
    message = page.locator("#message")
    message.get_by_text("cannot be imported").wait_for()
    assert message.inner_text() == f"lesson.json cannot be imported: {reason}. Nothing was changed."
    assert page.locator("#network .neuron").count() == 6  # still XOR's 2-3-1
    page.get_by_role("button", name="Step", exact=True).click()  # and it still works
    page.locator('#phase[data-phase="update"][aria-busy="false"]').wait_for()
