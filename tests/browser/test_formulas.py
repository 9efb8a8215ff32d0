"""The page learns the activations and losses from GET /api/v1/functions: the select lists,
and the Inspector's formulas, drawn with this step's numbers from the API's trace."""

from __future__ import annotations

import pytest

from app.engine.functions import ACTIVATIONS, LOSSES
from app.engine.network import Optimizer, step
from tests.engine import nets

from .conftest import goto

pytestmark = pytest.mark.browser


def options(select) -> list[str]:
    choices = select.locator("option")
    return [choices.nth(i).get_attribute("value") for i in range(choices.count())]


def test_the_select_lists_come_from_the_api_asked_once(open_page, server):
    asked = []
    page = open_page(None)
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/functions" in r.url else None)
    goto(page, f"{server}/?preset=mazur")
    hidden = [name for name, act in ACTIVATIONS.items() if not act.output_only]
    assert options(page.get_by_label("Activation of hidden 1")) == hidden
    assert options(page.get_by_label("Activation of output")) == list(ACTIVATIONS)
    assert options(page.locator("#loss")) == list(LOSSES)
    assert page.locator('#activation-1 option[value="elu"]').inner_text() == "ELU"
    assert len(asked) == 1


def test_the_inspector_writes_an_elu_neuron_and_a_huber_output_with_the_traces_numbers(open_page):
    page = open_page("/?preset=mazur")
    page.get_by_label("Activation of hidden 1").select_option("elu")
    page.get_by_label("Activation of output").select_option("silu")
    page.locator("#loss").select_option("huber")
    page.get_by_label("Speed").fill("8")
    page.get_by_role("button", name="Step", exact=True).click()
    page.locator('#phase[data-phase="update"][aria-busy="false"]').wait_for()

    net = nets.mazur()
    net.activations, net.loss = ["elu", "silu"], "huber"
    trace = step(net, nets.MAZUR_X, nets.MAZUR_Y, Optimizer(0.5))
    hidden, out = trace.layers

    inspector = page.get_by_role("region", name="Inspector")
    page.locator('.neuron[data-layer="1"][data-index="0"]').click()
    inspector.get_by_role("heading", name="Hidden neuron h1, ELU").wait_for()
    assert inspector.locator("mtable.cases").count() == 4  # f and f', each symbolic and with z
    text = inspector.inner_text()
    assert "otherwise" in text and "ELU" in text
    for value in (hidden.a[0][0], hidden.f_prime[0][0], hidden.delta[0][0]):
        assert f"= {value:.6g}" in text.replace("\n", " "), value

    page.locator('.neuron[data-layer="2"][data-index="0"]').click()
    inspector.get_by_role("heading", name="Output neuron o1, SiLU (swish)").wait_for()
    text = inspector.inner_text().replace("\n", " ")
    for value in (out.a[0][0], trace.output_losses[0][0], out.grad_a[0][0], out.f_prime[0][0]):
        assert f"= {value:.6g}".replace("-", "\u2212") in text, value
    assert f"= {out.delta[0][0]:.6g}" in text
