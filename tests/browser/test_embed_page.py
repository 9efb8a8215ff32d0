"""/embed's parameters as a reader sees them, and the main page's Embed dialog."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import goto

pytestmark = pytest.mark.browser


def test_parameters_shape_the_embed(open_page):
    page = open_page(
        "/embed?preset=mazur&phase=backward-2&controls=full&speed=2&theme=dark&show=numbers"
    )
    assert page.locator("#phase").get_attribute("data-phase") == "backward-2"
    assert page.locator("html").get_attribute("data-theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 21, 25)"  # the dark palette, whatever the system says
    assert page.get_by_role("button", name="Train").is_visible()
    assert page.locator("#speed-value").inner_text() == "2x"
    assert page.get_by_role("region", name="Inspector").count() == 0
    numbers = page.get_by_role("table", name="Weights and biases")
    numbers.get_by_role("row", name=re.compile(r"^w5 ")).get_by_text("0.082167").first.wait_for()
    assert page.get_by_role("banner").count() == 0  # no page chrome


def test_minimal_controls_and_autoplay(open_page):
    page = open_page("/embed?preset=xor&autoplay=1&speed=8&show=none")
    names = [b.inner_text() for b in page.get_by_role("toolbar").get_by_role("button").all()]
    assert names == ["Step", "Previous phase", "Next phase", "Pause", "Reset"]  # playing
    page.get_by_text(re.compile(r"^step [1-9]")).wait_for()
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    assert page.locator(".panel").count() == 0


def test_the_embed_dialog_gives_snippets_for_this_state(open_page, server):
    page = open_page("/?preset=mazur", permissions=["clipboard-read", "clipboard-write"])
    page.get_by_label("Speed").fill("8")
    page.get_by_role("button", name="Step", exact=True).click()
    page.locator('#phase[data-phase="update"][aria-busy="false"]').wait_for()
    opener = page.get_by_role("button", name="Embed")
    opener.click()
    dialog = page.get_by_role("dialog", name="Embed this demo")
    dialog.wait_for()  # it opens once the state is encoded
    expect(dialog.get_by_role("button", name="Copy loader snippet")).to_be_focused()
    assert dialog.get_by_label(re.compile("as it is now")).is_checked()

    loader = dialog.get_by_label("With the loader").input_value()
    assert re.fullmatch(
        rf'<div data-backprop-viz data-state="1\.[\w-]+"></div>\n<script src="{server}/static/embed.js" async></script>',
        loader,
    )
    dialog.get_by_label("Controls").select_option("none")
    dialog.get_by_label("Numbers").check()
    iframe = dialog.get_by_label("Plain iframe").input_value()
    assert iframe.startswith(f'<iframe src="{server}/embed?state=1.')
    assert "controls=none" in iframe and "show=inspector%2Closs%2Cnumbers" in iframe

    dialog.get_by_role("button", name="Copy iframe snippet").click()
    dialog.get_by_text("Copied to the clipboard.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == iframe

    # the snippet's address opens the same network at step 1
    src = re.search(r'src="([^"]+)"', iframe).group(1).replace("&amp;", "&")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    embed = open_page(None)
    goto(embed, src)
    assert embed.locator("#counter").inner_text().startswith("step 1")
    w5 = embed.locator('.edge[data-layer="2"][data-from="0"][data-to="0"]')
    assert float(w5.get_attribute("data-value")) == pytest.approx(0.35891648, abs=1e-8)
