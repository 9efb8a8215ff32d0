"""Frame times of one animated step on the deep preset (2-8x6-1) in headless Chromium.

Prints, for each of --runs fresh page loads and as the median over them: the time to the
first drawn network, the p50/p90/max frame time while a whole step plays at speed 1, the
frames per step, and the page weight (HTML, JS, CSS). Run: python benchmarks/frame_times.py
Targets from the issue: p90 under 20 ms (60 frames per second), first draw within 1 s,
the page under 200 KiB.

The machine may be shared: each run also measures the idle page for a second first (the
frame times the machine gives a page with nothing to do), and names the phases in which
the long frames fell. Everything runs on loopback; every wait has a timeout.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.live import running_server  # noqa: E402

LONG_FRAME = 25.0  # ms: a frame missed at 60 frames per second

# "network-drawn" is marked when the script has built the diagram; "network-painted" in the
# next frame once its style and layout are done (only painting the pixels remains): the time
# the diagram can first be seen, not delayed by tasks queued before that frame
MARK_PAINT = """(() => {
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    const entry = mark(name, options);
    if (name === "network-drawn") {
      requestAnimationFrame(() => {
        document.body.getBoundingClientRect(); // the frame's own style and layout, done now
        mark("network-painted");
      });
    }
    return entry;
  };
})();"""

# every frame from the click on Step until the update phase has finished, gaps included,
# with the phase shown when the frame began; the page itself says when it is done, so that
# no polling from Playwright runs in the frames being measured
RECORD_FRAMES = """() => new Promise((resolve, reject) => {
  const frames = [];
  const phase = document.getElementById("phase");
  const tick = (t) => {
    frames.push([t, phase.dataset.phase]);
    const done = phase.dataset.phase === "update" && phase.getAttribute("aria-busy") === "false";
    if (done) resolve(frames);
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  setTimeout(() => reject(new Error("the step did not finish within 60 s")), 60000);
})"""

# a function, not a string to evaluate: the page's Content-Security-Policy forbids eval
PAINTED = """() => new Promise((resolve) => {
  const check = () => performance.getEntriesByName("network-painted").length ? resolve() : setTimeout(check, 10);
  check();
})"""

IDLE_FRAMES = """() => new Promise((resolve) => {
  const stamps = [];
  const tick = (t) => {
    stamps.push(t);
    if (stamps.length < 61) requestAnimationFrame(tick);
    else resolve(stamps);
  };
  requestAnimationFrame(tick);
})"""

PAGE_WEIGHT = """() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
  .filter((e) => !e.name.includes("/api/"))
  .reduce((sum, e) => [sum[0] + e.decodedBodySize, sum[1] + e.encodedBodySize], [0, 0])"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def deltas(stamps: list[float]) -> list[float]:
    return [b - a for a, b in zip(stamps, stamps[1:])]


def one_run(browser, url: str, preset: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(MARK_PAINT)
        page.goto(f"{url}/?preset={preset}", timeout=30_000)
        page.wait_for_selector("html[data-ready=true]", timeout=30_000)
        page.evaluate(PAINTED)
        drawn = page.evaluate("performance.getEntriesByName('network-drawn')[0].startTime")
        painted = page.evaluate("performance.getEntriesByName('network-painted')[0].startTime")
        decoded, encoded = page.evaluate(PAGE_WEIGHT)
        page.wait_for_timeout(1000)  # let the after-draw requests (loss, heatmaps) settle
        idle = deltas(page.evaluate(IDLE_FRAMES))
        page.get_by_role("button", name="Step", exact=True).click()
        frames = page.evaluate(RECORD_FRAMES)
    finally:
        context.close()
    stamps = [t for t, _ in frames]
    times = deltas(stamps)
    # a long frame "at a phase change" ends in a frame that shows another phase
    long = [frames[i][1] != frames[i + 1][1] for i, dt in enumerate(times) if dt > LONG_FRAME]
    return {
        "drawn": drawn,
        "painted": painted,
        "weight": decoded / 1024,
        "transfer": encoded / 1024,
        "idle_p90": percentile(idle, 0.9),
        "idle_long": sum(dt > LONG_FRAME for dt in idle) / len(idle),
        "frames": len(stamps),
        "p50": statistics.median(times),
        "p90": percentile(times, 0.9),
        "max": max(times),
        "long": long,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--runs", type=int, default=3, help="fresh page loads to measure (default 3)"
    )
    parser.add_argument("--preset", default="deep")
    args = parser.parse_args()
    results = []
    with running_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in range(1, args.runs + 1):
                r = one_run(browser, url, args.preset)
                results.append(r)
                print(
                    f"run {run}: first draw {r['drawn']:.0f} ms (painted {r['painted']:.0f} ms); "
                    f"frames {r['frames']}; frame time p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms, "
                    f"max {r['max']:.1f} ms; frames over {LONG_FRAME:.0f} ms: {len(r['long'])} "
                    f"({sum(r['long'])} at a phase change); idle page: p90 {r['idle_p90']:.1f} ms, "
                    f"{100 * r['idle_long']:.0f}% over {LONG_FRAME:.0f} ms"
                )
        finally:
            browser.close()
    med = {key: statistics.median(r[key] for r in results) for key in results[0] if key != "long"}
    med["long"] = statistics.median(len(r["long"]) for r in results)
    print(f"median of {len(results)} runs ({args.preset}):")
    print(
        f"first draw (navigation start -> network drawn): {med['drawn']:.0f} ms (painted {med['painted']:.0f} ms)"
    )
    print(
        f"page weight (HTML, JS, CSS): {med['weight']:.1f} KiB uncompressed, {med['transfer']:.1f} KiB transferred"
    )
    print(f"frames during one animated step: {med['frames']:.0f}")
    print(f"frame time p50 {med['p50']:.1f} ms, p90 {med['p90']:.1f} ms, max {med['max']:.1f} ms")
    print(f"frames over {LONG_FRAME:.0f} ms per step: {med['long']:.0f}")


if __name__ == "__main__":
    main()
