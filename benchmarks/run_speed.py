"""Run's speed in headless Chromium, beside TensorFlow Playground's play on the same problems.

For the spiral preset (2-12-12-1) and the deep preset (2-8x6-1), over --seconds of Run
(after a second to warm up): the decision boundary's redraws a second (#data-plot's
data-step changes), the training points a second (steps x batch size), and the frame time
p50/p90/max (between animation frames). Playground, built from its source, is served from
--playground (default /tmp/playground/dist) by a static server on loopback when that
directory exists; it is measured the same way on its spiral with hidden layers 8,8 and
8,8,8,8,8,8 (its counter counts epochs of its 250 training points; it redraws once an
epoch). Nothing of Playground is copied into this project. Without it, our figures alone.

    python benchmarks/run_speed.py                 # about a minute and a half
    python benchmarks/run_speed.py --quick         # a smoke run: 2 s each, 1x only

Targets (issue 15): spiral >= 50 redraws/s, >= 30,000 points/s, frame p90 <= 20 ms; deep
>= 30 redraws/s, >= 15,000 points/s, p90 <= 20 ms. The machine may be shared: the idle
page's frame p90 is printed first, and the load average.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import os
import statistics
import sys
import threading
from functools import partial
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.engine.data import preset  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.live import free_port, running_server  # noqa: E402

# preset -> (Playground's hidden layers, its training points; our targets: redraws/s,
# points/s, frame p90 ms)
PROBLEMS = {
    "spiral": ("8,8", 250, (50, 30_000, 20)),
    "deep": ("8,8,8,8,8,8", 250, (30, 15_000, 20)),
}
PLAYGROUND_STATE = (
    "activation=tanh&batchSize=10&dataset=spiral&learningRate=0.03&regularizationRate=0"
    "&noise=0&seed=0.12345&showTestData=false&discretize=false&percTrainData=50&x=true&y=true"
    "&problem=classification&initZero=false&hideText=true&networkShape="
)

# frames and redraws, recorded in the page itself so that no polling runs in the frames
# measured; `counter()` reads how far training has got (a function, not a string: the
# pages' Content-Security-Policy forbids eval)
RECORD = """([seconds, plotId, counterId]) => new Promise((resolve) => {
  const plot = plotId && document.getElementById(plotId);
  const counter = document.getElementById(counterId);
  const count = () => plotId ? Number(plot.dataset.step) : Number(counter.textContent.replace(/,/g, ""));
  let redraws = 0;
  const observer = plot && new MutationObserver(() => (redraws += 1));
  observer?.observe(plot, { attributes: true, attributeFilter: ["data-step"] });
  const first = count();
  const stamps = [];
  const tick = (t) => {
    stamps.push(t);
    if (t - stamps[0] < seconds * 1000) return requestAnimationFrame(tick);
    observer?.disconnect();
    resolve({ stamps, redraws, trained: count() - first });
  };
  requestAnimationFrame(tick);
})"""

IDLE_FRAMES = """() => new Promise((resolve) => {
  const stamps = [];
  const tick = (t) => (stamps.push(t) < 61 ? requestAnimationFrame(tick) : resolve(stamps));
  requestAnimationFrame(tick);
})"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def frames(stamps: list[float]) -> dict:
    times = [b - a for a, b in zip(stamps, stamps[1:])]
    return {
        "fps": len(times) / ((stamps[-1] - stamps[0]) / 1000),
        "p50": statistics.median(times),
        "p90": percentile(times, 0.9),
        "max": max(times),
    }


def ours(browser, url: str, name: str, speed: float, seconds: float) -> dict:
    """Run on a preset at a speed: redraws, steps and frames over `seconds`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{url}/?preset={name}", timeout=30_000)
        page.wait_for_selector("html[data-ready=true]", timeout=30_000)
        page.wait_for_selector("#data-plot[data-step='0']", timeout=30_000)
        idle = frames(page.evaluate(IDLE_FRAMES))
        page.get_by_label("Speed").fill(str(speed))
        page.get_by_role("button", name="Run", exact=True).click()
        page.wait_for_timeout(1000)  # the pacer finds its chunk size
        r = page.evaluate(RECORD, [seconds, "data-plot", "counter"])
        page.get_by_role("button", name="Stop", exact=True).click()
        errors = page.locator("#message.error:not([hidden]), .field-error:not(:empty)").count()
    finally:
        context.close()
    batch = preset(name)["batch_size"] or len(preset(name)["inputs"])
    elapsed = (r["stamps"][-1] - r["stamps"][0]) / 1000
    return {
        "redraws": r["redraws"] / elapsed,
        "steps": r["trained"] / elapsed,
        "points": r["trained"] * batch / elapsed,
        "idle_p90": idle["p90"],
        "errors": errors,
        **frames(r["stamps"]),
    }


def playground(browser, url: str, shape: str, points: int, seconds: float) -> dict:
    """Playground's play on its spiral: epochs (= redraws) and frames over `seconds`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        # its fonts and analytics come from other hosts: refused, as in a classroom offline
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith(url) else route.abort(),
        )
        page.goto(f"{url}/index.html#{PLAYGROUND_STATE}{shape}", timeout=30_000)
        page.wait_for_selector("#iter-number", timeout=30_000)
        page.click("#play-pause-button")
        page.wait_for_timeout(1000)
        r = page.evaluate(RECORD, [seconds, None, "iter-number"])
        page.click("#play-pause-button")
    finally:
        context.close()
    elapsed = (r["stamps"][-1] - r["stamps"][0]) / 1000
    epochs = r["trained"] / elapsed
    return {"redraws": epochs, "steps": epochs, "points": epochs * points, **frames(r["stamps"])}


@contextlib.contextmanager
def static_server(directory: Path):
    """A static file server of `directory` on a free loopback port."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    port = free_port()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), partial(Quiet, directory=str(directory))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def row(label: str, r: dict) -> str:
    return (
        f"  {label:28s} {r['redraws']:7.1f} {r['points']:10,.0f} {r['fps']:6.1f} "
        f"{r['p50']:6.1f} {r['p90']:6.1f} {r['max']:7.1f}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="of Run measured (default 10)")
    parser.add_argument("--speeds", default="1,8", help="Run's speeds to measure (default 1,8)")
    parser.add_argument("--playground", type=Path, default=Path("/tmp/playground/dist"))
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 s each, 1x only")
    args = parser.parse_args(argv)
    seconds = 2.0 if args.quick else args.seconds
    speeds = [1.0] if args.quick else [float(s) for s in args.speeds.split(",")]
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; "
          f"{seconds:g} s of Run each, headless Chromium at 1280x800")  # fmt: skip
    has_playground = (args.playground / "index.html").is_file()
    if not has_playground:
        print(f"TensorFlow Playground is not built at {args.playground}: our figures only "
              "(build it from github.com/tensorflow/playground and pass --playground DIR)")  # fmt: skip
    header = f"  {'':28s} {'redraws/s':>9s} {'points/s':>10s} {'fps':>6s} {'p50':>6s} {'p90':>6s} {'max':>7s}"
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(running_server())
        pg = stack.enter_context(static_server(args.playground)) if has_playground else None
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        for name, (shape, points, (redraws, rate, p90)) in PROBLEMS.items():
            print(
                f"\n{name} (targets: >= {redraws} redraws/s, >= {rate:,} points/s, p90 <= {p90} ms)"
            )
            print(header + "   (frame times in ms)")
            results = {}
            for speed in speeds:
                r = ours(browser, url, name, speed, seconds)
                results[speed] = r
                print(row(f"backprop-viz Run, {speed:g}x", r) + f"   errors {r['errors']}, "
                      f"idle page p90 {r['idle_p90']:.1f}")  # fmt: skip
            if pg:
                theirs = playground(browser, pg, shape, points, seconds)
                print(row(f"Playground, hidden {shape}", theirs))
                for speed, r in results.items():
                    print(f"  ratio at {speed:g}x: redraws {r['redraws'] / theirs['redraws']:.2f}, "
                          f"points {r['points'] / theirs['points']:.2f}, "
                          f"p90 {r['p90'] / theirs['p90']:.2f}")  # fmt: skip
            best = max(results.values(), key=lambda r: r["points"])
            met = best["redraws"] >= redraws and best["points"] >= rate and best["p90"] <= p90
            print(f"  targets {'met' if met else 'NOT met'} at the fastest speed measured")


if __name__ == "__main__":
    main()
