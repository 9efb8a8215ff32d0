"""axe-core (npm's axe-core, installed by tests/run.sh) finds no violation on the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import button, fast, wait_phase

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.exists(), (
        f"{AXE} is missing: tests/run.sh installs it (npm ci --prefix tests/browser)"
    )
    return AXE.read_text()


def violations(page, source: str) -> list[str]:
    """axe's violations on the page as it is now, one line each (every rule but experimental ones)."""
    # injecting axe takes an inline script: the contexts of these tests bypass the page's CSP
    page.add_script_tag(content=source)
    found = page.evaluate(
        """async () => (await axe.run(document, {iframes: false, resultTypes: ["violations"]}))
             .violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}: ${n.failureSummary}`))"""
    )
    return found


@pytest.mark.parametrize("size", [{}, PHONE], ids=["desktop", "phone"])
def test_the_page_idle(open_page, axe_source, size):
    page = open_page("/?preset=mazur", **size)
    assert violations(page, axe_source) == []


@pytest.mark.parametrize("size", [{}, PHONE], ids=["desktop", "phone"])
def test_the_page_mid_step_with_the_inspector_open(open_page, axe_source, size):
    page = open_page("/?preset=mazur", **size)
    fast(page)
    for _ in range(5):
        button(page, "Next phase").click()
    wait_phase(page, "backward-1")
    page.locator('#network .neuron[data-name="h1"]').click()
    page.get_by_role("region", name="Inspector").get_by_text("backprop agrees").wait_for()
    page.locator("#numbers table").first.wait_for()
    assert violations(page, axe_source) == []
    page.locator('#network .edge[data-name="w5"]').click()
    page.get_by_role("region", name="Inspector").get_by_text("Weight w5").wait_for()
    assert violations(page, axe_source) == []
    # the update: each weight's label shows its change; a bias explained
    button(page, "Next phase").click()
    wait_phase(page, "update")
    page.locator('#network .bias[data-name="b h1"]').click()
    page.get_by_role("region", name="Inspector").get_by_text("Bias of h1").wait_for()
    assert violations(page, axe_source) == []


def test_the_deep_preset_after_a_step(open_page, axe_source):
    page = open_page("/?preset=deep")
    fast(page)
    button(page, "Step").click()
    wait_phase(page, "update")
    page.locator("#neuron-maps canvas").first.wait_for()
    assert violations(page, axe_source) == []


@pytest.mark.parametrize("size", [{}, PHONE], ids=["desktop", "phone"])
def test_the_embed(open_page, axe_source, size):
    page = open_page("/embed?preset=xor&controls=full&show=inspector,loss,data,numbers", **size)
    page.locator("#network .neuron").first.click()
    assert violations(page, axe_source) == []


@pytest.mark.parametrize("size", [{}, PHONE], ids=["desktop", "phone"])
def test_the_embed_documentation(open_page, server, axe_source, size):
    page = open_page(None, **size)
    page.goto(f"{server}/docs/embed")
    # its live examples are embeds (checked above): wait until they are in place
    page.frame_locator("#drive-demo iframe").locator("html[data-ready=true]").wait_for()
    assert violations(page, axe_source) == []


@pytest.mark.parametrize("size", [{}, PHONE], ids=["desktop", "phone"])
def test_the_page_mid_quiz_after_a_wrong_answer(open_page, axe_source, size):
    page = open_page("/?preset=mazur", **size)
    fast(page)
    button(page, "Quiz").click()
    page.get_by_text("Questions to ask").click()  # the teacher's checkboxes, open
    page.locator('#network .neuron[data-name="o1"]').click()
    button(page, "Next phase").click()
    wait_phase(page, "forward-1")
    button(page, "Next phase").click()  # z of o1 is asked before forward-2 shows it
    box = page.get_by_role("textbox", name="Your answer")
    box.fill("0.5")
    box.press("Enter")
    page.locator("#quiz-feedback", has_text="Not right").wait_for()
    page.locator("#network .quiz-badge").wait_for()
    assert violations(page, axe_source) == []


def test_the_embed_mid_quiz(open_page, axe_source):
    page = open_page("/embed?preset=mazur&controls=full&quiz=z&show=inspector,numbers")
    button(page, "Step").click()
    page.get_by_role("textbox", name="Your answer").fill("1")
    button(page, "Check").click()
    page.locator("#quiz-feedback", has_text="Not right").wait_for()
    assert violations(page, axe_source) == []


@pytest.mark.parametrize("size", [{}, PHONE], ids=["desktop", "phone"])
def test_the_page_while_run_trains(open_page, axe_source, size):
    page = open_page("/?preset=deep", **size)
    page.locator('#network .edge[data-name="w5"]').click()  # its label waits for Stop
    button(page, "Run").click()
    page.locator('#counter:not([data-step="0"])').wait_for()
    assert violations(page, axe_source) == []
    button(page, "Stop").click()


def test_the_embed_while_run_trains(open_page, axe_source):
    page = open_page("/embed?preset=spiral&controls=full&show=inspector,loss,data,numbers")
    button(page, "Run").click()
    page.locator('#counter:not([data-step="0"])').wait_for()
    assert violations(page, axe_source) == []
    button(page, "Stop").click()
