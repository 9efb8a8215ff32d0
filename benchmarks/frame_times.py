"""Frame times of one animated step on the deep preset (2-8x6-1) in headless Chromium.

Prints the time to the first drawn network, the p50/p90/max frame time while a whole step
plays at speed 1, and the page weight (HTML, JS, CSS). Run: python benchmarks/frame_times.py
Targets from the issue: p90 under 20 ms (60 frames per second), first draw within 1 s,
the page under 200 KiB.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.live import running_server  # noqa: E402

# every frame from the click on Step until the update phase has finished, gaps included
RECORD_FRAMES = """() => {
  window.__frames = [];
  const phase = document.getElementById("phase");
  const tick = (t) => {
    window.__frames.push(t);
    const done = phase.dataset.phase === "update" && phase.getAttribute("aria-busy") === "false";
    if (!done) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    with running_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{url}/?preset=deep")
        page.wait_for_selector("html[data-ready=true]")
        first_draw = page.evaluate("performance.getEntriesByName('network-drawn')[0].startTime")
        weight = page.evaluate(
            """() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
                 .filter((e) => !e.name.includes("/api/"))
                 .reduce((sum, e) => sum + e.decodedBodySize, 0)"""
        )
        page.get_by_role("button", name="Step", exact=True).click()
        page.evaluate(RECORD_FRAMES)
        page.wait_for_selector('#phase[data-phase="update"][aria-busy="false"]', timeout=60_000)
        stamps = page.evaluate("window.__frames")
        browser.close()
    deltas = [b - a for a, b in zip(stamps, stamps[1:])]
    print(f"first draw (navigation start -> network drawn): {first_draw:.0f} ms")
    print(f"page weight (HTML, JS, CSS, uncompressed): {weight / 1024:.1f} KiB")
    print(f"frames during one animated step: {len(stamps)}")
    print(
        f"frame time p50 {statistics.median(deltas):.1f} ms, p90 {percentile(deltas, 0.9):.1f} ms, "
        f"max {max(deltas):.1f} ms"
    )


if __name__ == "__main__":
    main()
