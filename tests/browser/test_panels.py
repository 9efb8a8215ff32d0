"""What a lecturer noticed around the diagram: messages, pulses, the legend, the data panel and
the Embed dialog."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from .conftest import button, fast, goto, wait_phase

pytestmark = pytest.mark.browser

# records the keyframes of every pulse the page animates (the page's own calls, as made)
RECORD_PULSES = """
window.pulseFrames = [];
const animate = Element.prototype.animate;
Element.prototype.animate = function (keyframes, options) {
  if (this.classList.contains("pulse")) window.pulseFrames.push(keyframes);
  return animate.call(this, keyframes, options);
};
"""


def diagram_top(page) -> float:
    return page.locator("#network").evaluate("(svg) => svg.getBoundingClientRect().top + scrollY")


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)])
def test_nothing_moves_the_diagram_while_steps_play(open_page, size):
    width, height = size
    page = open_page("/?preset=xor", viewport={"width": width, "height": height})
    fast(page)
    top = diagram_top(page)
    for phase in ["forward-1", "forward-2", "loss", "backward-2", "backward-1", "update"]:
        button(page, "Next phase").click()
        wait_phase(page, phase)
        assert diagram_top(page) == top, phase
    button(page, "Play").click()
    page.locator('#counter[data-step="2"]').wait_for()
    assert diagram_top(page) == top
    page.get_by_label("Steps", exact=True).fill("20")
    button(page, "Train").click()  # it pauses Play, and says what it did
    page.get_by_text("Trained 20 steps").wait_for()
    assert diagram_top(page) == top


def test_pulses_stop_short_of_the_neurons_numbers(open_page, server):
    page = open_page(None)
    page.add_init_script(RECORD_PULSES)
    goto(page, f"{server}/?preset=deep")
    fast(page)
    forward = [f"forward-{layer}" for layer in range(1, 8)]
    for phase in [*forward, "loss", "backward-7", "backward-6"]:
        button(page, "Next phase").click()
        wait_phase(page, phase)
    neurons = page.locator("#network .neuron").evaluate_all(
        """(all) => all.map((g) => {
             const [x, y] = g.getAttribute("transform").match(/[-\\d.]+/g).map(Number);
             return [x, y, Number(g.querySelector(".body").getAttribute("r"))];
           })"""
    )
    flights = page.evaluate("window.pulseFrames")
    # forward: 2 x 8 edges, five times 8 x 8, 8 x 1; backward-6: from layer 7 to 6, 8
    assert len(flights) == 16 + 5 * 64 + 8 + 8
    for keyframes in flights:
        for frame in keyframes:  # where a pulse starts, arrives and waits
            x, y = (float(v) for v in re.findall(r"[-\d.]+", frame["transform"]))
            clearance = min(math.hypot(x - nx, y - ny) - r for nx, ny, r in neurons)
            assert clearance >= 3, (frame, clearance)  # the number inside a neuron stays readable
        assert keyframes[-1]["opacity"] == 0  # and it fades as it arrives


def test_the_legend_says_what_the_fill_means(open_page):
    page = open_page("/?preset=mazur")
    legend = page.get_by_role("list", name="Legend")
    expect(legend).to_contain_text("fill: activation a, blue when positive, orange when negative")


def test_hand_written_data_offers_no_dataset_as_its_own(open_page, watch):
    page = open_page("/?preset=mazur")
    dataset = page.get_by_label("Dataset", exact=True)
    assert dataset.input_value() == ""
    assert dataset.locator("option:checked").inner_text() == "choose one"
    expect(page.get_by_text("Replace these samples with a generated dataset")).to_be_visible()
    button(page, "Generate").click()
    expect(page.locator('[data-field="dataset"]').get_by_text("choose a dataset")).to_be_visible()
    assert page.get_by_text("1 training sample;").is_visible()  # the data is untouched

    page.get_by_label("Preset").select_option("circle")
    button(page, "Load").click()
    expect(dataset).to_have_value("circle")
    expect(page.get_by_text("Generate a dataset", exact=True)).to_be_visible()


@pytest.mark.parametrize(
    "preset, heading",
    [("circle", "Data and decision boundary"), ("regression", "Data and the fitted curve")],
)
def test_the_data_panel_is_headed_by_what_it_shows(open_page, preset, heading):
    page = open_page(f"/?preset={preset}")
    page.locator('#data-plot[data-step="0"]').wait_for()
    expect(page.locator("#data-panel h2")).to_have_text(heading)


def test_the_embed_dialog_sets_phase_speed_autoplay_and_shows_a_preview(open_page):
    page = open_page("/?preset=mazur")
    button(page, "Embed").click()
    dialog = page.get_by_role("dialog", name="Embed this demo")
    dialog.wait_for()
    preview = page.frame_locator('iframe[title="Preview of the embed"]')
    expect(preview.locator("#phase")).to_have_attribute("data-phase", "idle")
    expect(preview.locator("#network .neuron")).to_have_count(6)

    dialog.get_by_label("Open at").select_option("backward-2")
    dialog.get_by_label("Animation rate").select_option("2")
    snippet = dialog.get_by_label("Plain iframe")
    assert "phase=backward-2" in snippet.input_value()
    assert "speed=2" in snippet.input_value()
    expect(preview.locator("#phase")).to_have_attribute("data-phase", "backward-2")
    assert preview.locator("#speed-value").count() == 0  # minimal controls: no speed slider

    dialog.get_by_label("Play at once").check()
    assert "autoplay=1" in snippet.input_value()
    assert re.search(r'data-autoplay="1"', dialog.get_by_label("With the loader").input_value())
    expect(preview.get_by_role("button", name="Pause")).to_be_visible()  # it plays

    button(page, "Close").click()
    expect(page.locator('iframe[title="Preview of the embed"]')).to_have_count(0)
