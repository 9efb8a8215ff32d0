"""Pause, the keys and the diagram's keyboard order, as a lecturer and a keyboard user meet them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import button, fast, wait_phase

pytestmark = pytest.mark.browser

# every keydown that reaches the window, and whether the page took it (it prevents the default)
RECORD_KEYS = """() => {
  window.keys = [];
  window.addEventListener("keydown", (e) => window.keys.push([e.key, e.defaultPrevented]));
}"""


def taken(page, key: str) -> bool:
    """Press a key where the focus is: did the page act on it?"""
    page.evaluate("window.keys = []")
    page.keyboard.press(key)
    return page.evaluate("window.keys.at(-1)[1]")


def test_pause_holds_the_phase_it_was_pressed_in(open_page):
    page = open_page("/?preset=mazur")
    page.get_by_label("Speed").fill("0.25")  # 3.6 s a phase: Pause comes in the middle of one
    # the phase on screen at the moment Pause is clicked
    page.evaluate(
        """() => document.getElementById("play").addEventListener("click",
             () => { window.pausedAt = document.getElementById("phase").dataset.phase; }, true)"""
    )
    button(page, "Play").click()
    page.locator('#phase[data-phase="forward-1"][aria-busy="true"]').wait_for()
    button(page, "Pause").click()
    assert page.locator("#play").inner_text() == "Play"  # at once
    paused_at = page.evaluate("window.pausedAt")
    assert paused_at not in ("idle", "update")
    # the page comes to rest in that phase: the step (busy until it ends) went no further
    wait_phase(page, paused_at)
    assert page.locator("#counter").get_attribute("data-step") == "0"
    expect(button(page, "Play")).to_be_visible()
    # Play goes on from there
    fast(page)
    button(page, "Play").click()
    page.locator('#counter[data-step="1"]').wait_for()
    button(page, "Pause").click()


def test_keys_work_wherever_the_focus_is_unless_the_control_uses_them(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    page.evaluate(RECORD_KEYS)

    # a focused button keeps Space for itself, the arrows still step
    button(page, "Next phase").click()
    wait_phase(page, "forward-1")
    assert taken(page, "ArrowRight")
    wait_phase(page, "forward-2")
    assert taken(page, "ArrowLeft")
    wait_phase(page, "forward-1")
    assert not taken(page, "Space")  # it pressed the focused button: Next phase
    wait_phase(page, "forward-2")
    assert page.locator("#play").inner_text() == "Play"

    # nowhere in particular: Space plays and pauses
    page.locator("h1").click()
    assert taken(page, "Space")
    expect(button(page, "Pause")).to_be_visible()
    assert taken(page, "Space")
    expect(button(page, "Play")).to_be_visible()

    # a checkbox keeps Space, the arrows step
    biases = page.get_by_label("Train biases")
    biases.focus()
    assert not taken(page, "Space")
    assert biases.is_checked()  # Mazur's biases were fixed: Space ticked the box
    assert taken(page, "ArrowRight")
    wait_phase(page, "forward-1")  # ticking it made the network a new start: its first phase

    # a text field keeps every key; the slider its arrows
    rate = page.get_by_label("Learning rate")
    rate.focus()
    assert not taken(page, "ArrowRight") and not taken(page, "ArrowLeft")
    assert not taken(page, "Space")
    page.get_by_label("Speed").focus()
    assert not taken(page, "ArrowLeft")
    assert page.locator("#speed-value").inner_text() == "7.75x"  # the slider moved instead

    # a neuron: Space and Enter select it, the arrows step
    page.locator("h1").click()
    neuron = page.locator('#network .neuron[data-name="h1"]')
    neuron.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Inspector")).to_contain_text("Hidden neuron h1")
    phase = page.locator("#phase").get_attribute("data-phase")
    assert taken(page, "ArrowRight")
    page.locator(f'#phase:not([data-phase="{phase}"])[aria-busy="false"]').wait_for()


def test_a_focused_neuron_is_marked_by_a_square_not_a_ring(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    for _ in range(4):  # backward-2: the outputs carry their delta rings
        button(page, "Next phase").click()
    wait_phase(page, "backward-2")
    o1 = page.locator('#network .neuron[data-name="o1"]')
    button(page, "Reset").focus()  # then Tab: a keyboard focus, which is shown
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the skip link, into the diagram
    while page.evaluate("document.activeElement.dataset.name") != "o1":
        page.keyboard.press("Tab")
    style = o1.evaluate(
        """(g) => Object.fromEntries([".focus", ".backdrop", ".ring"].map((s) => {
             const c = getComputedStyle(g.querySelector(s));
             return [s, {stroke: c.stroke, width: c.strokeWidth, shape: g.querySelector(s).tagName}];
           }))"""
    )
    assert style[".focus"]["shape"] == "rect" and style[".focus"]["stroke"] != "none"
    assert style[".backdrop"]["stroke"] == "none"  # no second circle around the neuron
    assert style[".ring"]["width"] == "3px"  # the delta ring is as it was
    assert o1.locator(".ring").get_attribute("visibility") == "visible"


def test_the_diagrams_tab_order_follows_the_layers_and_can_be_skipped(open_page):
    page = open_page("/?preset=mazur")
    page.locator("#train").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip past the diagram")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["width"] > 20  # it shows when it has the focus
    order = []
    for _ in range(18):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.dataset.name"))
    assert order == [
        "i1", "i2", "w1", "w2", "w3", "w4",  # the inputs, then the weights leaving them
        "b h1", "b h2", "h1", "h2",  # z = W a + b: the biases join before the neurons
        "w5", "w6", "w7", "w8", "b o1", "b o2", "o1", "o2",
    ]  # fmt: skip
    # a bias is a button: Enter explains it
    page.locator('#network .bias[data-name="b o1"]').focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Inspector")).to_contain_text("Bias of o1")

    page.locator("#train").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    page.keyboard.press("Tab")
    after = page.evaluate(
        """() => {
          const focused = document.activeElement;
          const diagram = document.getElementById("network");
          return {inside: diagram.contains(focused),
                  after: Boolean(diagram.compareDocumentPosition(focused) & Node.DOCUMENT_POSITION_FOLLOWING),
                  url: location.href};
        }"""
    )
    assert after["inside"] is False and after["after"] is True
    assert "#" not in after["url"]
