"""Nothing on the page shows a number before the phase that computes it, and going back a
phase hides it again: diagram, numbers table, loss chart, counter, Inspector, data plot,
neuron maps (the embed's events are in test_embed.py)."""

from __future__ import annotations

import re

import pytest

from .conftest import button, fast, wait_phase

pytestmark = pytest.mark.browser

# XOR's 2-3-1 network: the phases of a step, in order
PHASES = ["idle", "forward-1", "forward-2", "loss", "backward-2", "backward-1", "update"]
HIDDEN = ["h1", "h2", "h3"]
LAYER_1 = ["w1", "w2", "w3", "w4", "w5", "w6", "b h1", "b h2", "b h3"]  # into the hidden layer
LAYER_2 = ["w7", "w8", "w9", "b o1"]  # into the output


def reached(phase: str, kind: str, layer: int) -> bool:
    """What a phase has computed: forward z and a of a layer, or backward delta and gradients."""
    at = PHASES.index(phase)
    if kind == "forward":
        return at >= PHASES.index(f"forward-{layer}")
    return at >= PHASES.index(f"backward-{layer}")


def cells(page, table: str, row: str) -> list[str]:
    """The numbers of a row of the numbers table ("" where none is shown)."""
    found = page.get_by_role("table", name=re.compile(f"^{table}"))
    line = found.get_by_role("row", name=re.compile(f"^{re.escape(row)}( |$)"))
    return [c.strip() for c in line.get_by_role("cell").all_text_contents()]


def check_phase(page, phase: str) -> None:
    """Everything shown at this phase of step 1, and nothing more."""
    wait_phase(page, phase)
    page.locator(f'#numbers table[data-phase="{phase}"]').first.wait_for()  # drawn for it
    updated = phase == "update"
    # the numbers table says which step and phase its numbers belong to
    where = "not started" if phase == "idle" else f"phase {phase}"
    neurons = page.get_by_role("table", name=re.compile("^Neurons"))
    assert f"step 1, {where}" in neurons.locator("caption").text_content()
    weights = page.get_by_role("table", name=re.compile("^Weights and biases"))
    assert f"step 1, {where}" in weights.locator("caption").text_content()

    for name, layer in [*((h, 1) for h in HIDDEN), ("o1", 2)]:
        z, a, delta, bias = cells(page, "Neurons", name)
        assert bool(z) == bool(a) == reached(phase, "forward", layer), (phase, name, z, a)
        assert bool(delta) == reached(phase, "backward", layer), (phase, name, delta)
        assert bias  # a parameter: always known
    for names, layer in [(LAYER_1, 1), (LAYER_2, 2)]:
        for name in names:
            value, grad, fd_grad, new = cells(page, "Weights and biases", name)
            assert value
            assert bool(grad) == reached(phase, "backward", layer), (phase, name, grad)
            if not reached(phase, "backward", layer):
                assert fd_grad == "", (phase, name)  # the finite differences wait too
            assert bool(new) == updated, (phase, name, new)

    # the diagram: a of the output, its delta ring, the gradient on an output weight
    o1 = page.locator('#network .neuron[data-name="o1"]')
    assert bool(o1.locator(".value").text_content()) == reached(phase, "forward", 2)
    ring = o1.locator(".ring").get_attribute("visibility")
    assert (ring == "visible") == reached(phase, "backward", 2), (phase, ring)
    w7 = page.locator('#network .edge[data-name="w7"]').get_attribute("aria-label")
    # XOR's batch of 4 samples: the gradient of the batch's mean loss L, not of one sample's E
    assert ("\u2202L/\u2202w7" in w7) == (reached(phase, "backward", 2) and not updated), (
        phase,
        w7,
    )
    assert ("\u0394w" in w7) == updated, (phase, w7)  # old value, change and new value
    w1 = page.locator('#network .edge[data-name="w1"]').get_attribute("aria-label")
    assert ("\u2202L/\u2202w1" in w1) == (reached(phase, "backward", 1) and not updated), (
        phase,
        w1,
    )

    # biases: the value before the step, the new one from the update on (XOR trains them)
    for name in ("h1", "h2", "h3", "o1"):
        value, _, _, new = cells(page, "Weights and biases", f"b {name}")
        bias = float(
            page.locator(f'#network .bias[data-name="b {name}"]').get_attribute("data-value")
        )
        expected = float((new if updated else value).replace("\u2212", "-"))  # to 6 digits
        assert bias == pytest.approx(expected, rel=1e-5, abs=1e-9), (phase, name)
    # the target, its loss term and the total from the loss phase on; hidden, with no number, before
    loss = PHASES.index(phase) >= PHASES.index("loss")
    for selector in ('.target[data-index="0"]', '.loss-term[data-index="0"]', ".loss-total"):
        shown = page.locator(f"#network {selector}")
        assert shown.is_visible() == loss, (phase, selector)
        assert (shown.get_attribute("data-value") is not None) == loss, (phase, selector)
    # no pulse shows once a phase has played
    assert page.locator('#network .pill:not([display="none"])').count() == 0
    # the sources of o1's newest number: z (from the hidden layer), its loss term, its delta
    marked = page.locator("#network .source").evaluate_all(
        "(es) => es.map((e) => e.dataset.name ?? 'y')"
    )
    marked = set(marked)
    if phase == "loss" or reached(phase, "backward", 2):
        assert marked == {"y"}, (phase, marked)  # a - y: its target (and its own a)
    else:
        assert marked == {"h1", "h2", "h3", "w7", "w8", "w9", "b o1"}, (phase, marked)

    # the Inspector (o1 is selected) explains what its phase has computed, no more
    inspector = page.get_by_role("region", name="Inspector").text_content()
    assert ("Forward: weighted sum" in inspector) == reached(phase, "forward", 2), phase
    assert ("Loss of this output" in inspector) == (PHASES.index(phase) >= PHASES.index("loss"))
    assert ("Backward" in inspector) == reached(phase, "backward", 2), phase
    assert ("Update" in inspector) == updated, phase

    # the step's new loss, the counter and the pictures of the network change with the update
    steps = "1" if updated else "0"
    page.locator(f'#loss-chart[data-last-step="{steps}"]').wait_for()
    assert page.locator("#counter").get_attribute("data-step") == steps
    assert page.locator("#counter").inner_text().startswith(f"step {steps}")
    page.locator(f'#data-plot[data-step="{steps}"]').wait_for()
    page.locator(f'#neuron-maps[data-step="{steps}"]').wait_for()


def test_each_phase_shows_only_what_it_has_computed_and_going_back_hides_it(open_page):
    page = open_page("/?preset=xor")
    fast(page)
    button(page, "Step").click()  # the step is recorded, and its new loss is known...
    wait_phase(page, "update")
    page.locator('#loss-chart[data-last-step="1"]').wait_for()
    page.locator('#network .neuron[data-name="o1"]').click()
    check_phase(page, "update")
    for phase in reversed(PHASES[:-1]):  # ...but shows only from its update phase on
        button(page, "Previous phase").click()
        check_phase(page, phase)
    for phase in PHASES[1:]:
        button(page, "Next phase").click()
        check_phase(page, phase)


def test_the_loss_chart_names_the_last_step_it_plots(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    chart = page.locator("#loss-chart")
    page.locator('#loss-chart[data-last-step="0"]').wait_for()
    # one point: the axis still spans a step, and says so
    labels = chart.locator("text").all_text_contents()
    assert "step 0" in labels and "step 1" in labels
    button(page, "Step").click()
    wait_phase(page, "update")
    page.locator('#loss-chart[data-last-step="1"]').wait_for()
    assert "at step 1" in chart.get_attribute("aria-label")
    button(page, "Next phase").click()  # forward-1 of step 2: its loss is fetched already
    wait_phase(page, "forward-1")
    page.locator('#numbers table[data-phase="forward-1"]').first.wait_for()
    assert chart.get_attribute("data-last-step") == "1"
