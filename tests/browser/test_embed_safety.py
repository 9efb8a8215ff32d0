"""Hostile parameters and links: refused or shown as text, never run (CSP enforced)."""

from __future__ import annotations

import base64
import zlib
from urllib.parse import quote, urlencode

import pytest

pytestmark = pytest.mark.browser

# each payload, if it ever ran, would set window.pwned or open a dialog
SCRIPT = "<script>window.pwned=1</script>"
ATTRIBUTE = '"><img src=x onerror="window.pwned=1;alert(1)">'
SVG = "<svg onload=alert(1)>"


def zip_bomb() -> str:
    """A share-link-shaped state whose JSON would be 8 MiB."""
    pack = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw = pack.compress(b'{"a":"' + b"0" * (8 * 1024 * 1024)) + pack.flush()
    return "1." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


HOSTILE = [
    ("preset", SCRIPT, "unknown preset"),
    ("preset", ATTRIBUTE, "unknown preset"),
    ("theme", SVG, "is not one of"),
    ("controls", "javascript:alert(1)", "is not one of"),
    ("state", "javascript:alert(1)", "not a share-link state"),
    ("state", "1." + "A" * 20_000, "more than the"),
    ("state", zip_bomb(), "expands to more than"),
    ("id", ATTRIBUTE, "letters, digits"),
    ("show", SCRIPT, "is not one of"),
    ("quiz", ATTRIBUTE, "is not one of"),
    ("speed", "1e999", "is not a number from"),
    ("phase", "forward-1;alert(1)", "is not a phase"),
    ("onload", "alert(1)", "unknown parameter"),
]


@pytest.fixture
def strict_page(open_page, watch):
    """A page with the CSP enforced; every dialog fails the test."""
    watch.allow("status of 422")

    def open_(path: str):
        page = open_page(None, bypass_csp=False)
        page.on("dialog", lambda dialog: watch.console_errors.append(f"dialog: {dialog.message}"))
        return page

    return open_


@pytest.mark.parametrize(("name", "value", "reason"), HOSTILE)
def test_a_hostile_embed_parameter_is_refused_and_not_run(strict_page, server, name, value, reason):
    page = strict_page(None)
    response = page.goto(f"{server}/embed?{urlencode({name: value})}")
    assert response.status == 422
    text = page.locator("main").inner_text()
    assert name in text and reason in text
    assert page.evaluate("window.pwned") is None
    assert page.locator("main img, main svg, main script").count() == 0


def test_hostile_start_links_on_the_main_page_do_nothing(strict_page, server, watch):
    watch.allow("status of 404")  # the page asks the API for the unknown preset
    page = strict_page(None)
    for path in (
        f"/?preset={quote(SCRIPT)}",
        f"/?preset={quote(ATTRIBUTE)}",
        "/#state=javascript:alert(1)",
        f"/#state=1.{quote(SCRIPT)}",
    ):
        page.goto(server + path)
        page.wait_for_selector("html[data-ready=true]")
        assert page.locator("#network .edge").count() == 8  # fell back to Mazur's example
        assert page.evaluate("window.pwned") is None
        page.evaluate("localStorage.clear()")
        page.goto("about:blank")  # so that the next fragment-only link loads afresh


def test_the_visualizer_runs_under_its_strict_policy(strict_page, server):
    """Step, inspect and export with the CSP enforced: no violation reaches the console."""
    page = strict_page(None)
    page.goto(f"{server}/?preset=mazur")
    page.wait_for_selector("html[data-ready=true]")
    page.get_by_label("Speed").fill("8")
    page.get_by_role("button", name="Step", exact=True).click()
    page.locator('#phase[data-phase="update"][aria-busy="false"]').wait_for()
    page.locator('.edge[data-layer="2"][data-from="0"][data-to="0"]').click()
    page.get_by_role("region", name="Inspector").get_by_text("0.0821").first.wait_for()
    for name in ("Export SVG", "Export PNG"):
        with page.expect_download():
            page.get_by_role("button", name=name).click()
