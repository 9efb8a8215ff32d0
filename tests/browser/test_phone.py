"""The page on a phone (390 x 844): the toolbar, the Inspector, and no sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import button, fast, wait_phase

pytestmark = pytest.mark.browser

# reduced motion: the page then scrolls at once, not smoothly (nothing to wait for)
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
STILL = {**PHONE, "reduced_motion": "reduce"}
PRESETS = ["mazur", "xor", "circle", "gaussian", "spiral", "regression", "deep"]


def rows(toolbar) -> int:
    """How many rows the toolbar's controls take (items whose middles are 8 px apart or more)."""
    middles = toolbar.evaluate(
        """(bar) => [...bar.querySelectorAll("button, input, label, output")]
             .filter((e) => e.offsetParent !== null)
             .map((e) => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })"""
    )
    distinct = []
    for y in sorted(middles):
        if not distinct or y - distinct[-1] >= 8:
            distinct.append(y)
    return len(distinct)


def top(locator) -> float:
    return locator.evaluate("(e) => e.getBoundingClientRect().top")


def sideways(page) -> int:
    """How far the page scrolls sideways (0: not at all)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("path", ["/?preset=mazur", "/embed?preset=mazur&controls=full"])
def test_the_toolbar_fits_in_two_rows(open_page, path):
    page = open_page(path, **PHONE)
    toolbar = page.get_by_role("toolbar", name="Step controls")
    assert rows(toolbar) <= 2
    button(page, "Play").click()  # "Pause" is a longer word
    expect(button(page, "Pause")).to_be_visible()
    assert rows(toolbar) <= 2
    button(page, "Pause").click()
    button(page, "Run").click()  # and so is "Stop"
    expect(button(page, "Stop")).to_be_visible()
    assert rows(toolbar) <= 2
    button(page, "Stop").click()
    # the phase buttons read as arrows here, and keep their whole names
    for name in ("Previous phase", "Next phase"):
        expect(button(page, name)).to_be_visible()


def test_choosing_a_number_brings_its_explanation_into_view(open_page):
    page = open_page("/?preset=mazur", **STILL)
    fast(page)
    button(page, "Step").click()
    wait_phase(page, "update")
    inspector = page.get_by_role("region", name="Inspector")
    assert top(inspector) > 844 / 2  # it sits below the diagram
    page.locator('#network .neuron[data-name="h1"]').tap()
    expect(inspector).to_contain_text("Hidden neuron h1")
    # scrolled up to the top of the screen: its formulas show
    expect(inspector.get_by_text("Forward: weighted sum")).to_be_in_viewport()
    assert -1 <= top(inspector) < 844 / 2

    page.get_by_role("link", name="Back to the diagram").tap()
    diagram = page.get_by_role("group", name="Network diagram", exact=False)
    expect(diagram).to_be_in_viewport()
    expect(page.locator('#network .neuron[data-name="h1"]')).to_be_focused()
    page.locator('#network .edge[data-name="w5"]').tap()
    expect(inspector).to_contain_text("Weight w5")
    expect(inspector.get_by_text("Gradient", exact=True)).to_be_in_viewport()


@pytest.mark.parametrize("preset", PRESETS)
def test_the_page_never_scrolls_sideways(open_page, preset):
    page = open_page(f"/?preset={preset}", **PHONE)
    fast(page)
    assert sideways(page) == 0
    button(page, "Step").click()
    wait_phase(page, "update")
    page.locator("#numbers table").first.wait_for()
    assert sideways(page) == 0
    # the Inspector with its widest formulas: an output neuron and a weight into it
    page.locator('#network .neuron[data-layer]:not([data-layer="0"])').last.tap()
    page.locator("#inspector .formula").first.wait_for()
    assert sideways(page) == 0
    page.locator("#network .edge").last.dispatch_event("click")  # not focusable on big networks
    page.locator("#inspector h3").get_by_text("Weight").wait_for()
    assert sideways(page) == 0
    button(page, "Embed").tap()
    page.get_by_role("dialog", name="Embed this demo").wait_for()
    assert sideways(page) == 0
