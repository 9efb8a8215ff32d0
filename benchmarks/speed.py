"""Speed of the engine and of the API, side by side with a plain numpy loop and PyTorch.

Run from the repository root:

    python benchmarks/speed.py            # the full run (about two minutes)
    python benchmarks/speed.py --quick    # a smoke run (a few seconds)

Part 1 trains two networks with the engine's train() (many steps in one call),
with a numpy loop written the obvious way, and with PyTorch eager (CPU, float64) when
torch is importable, checks that all three end at the same weights and loss, and
prints steps per second. Part 2 starts the real server (`python -m app`, 1 worker, on
a free loopback port) and times POST /api/v1/train against PyTorch doing the same SGD
steps in-process, then /api/v1/step against the GET /healthz floor. Every time is the
median of several interleaved repetitions after a warm-up. PyTorch is optional: without
it the PyTorch columns say so and everything else still runs.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.engine import data, network  # noqa: E402
from app.engine.train import train as engine_train  # noqa: E402
from tests.live import running_server  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

AGREE = 1e-9  # relative tolerance for "the same final weights and loss"


# --- the two problems -------------------------------------------------------------------


@dataclass
class Problem:
    name: str
    layer_sizes: list[int]
    activations: list[str]
    weights: list[np.ndarray]  # weights[l] : (n_{l+1}, n_l)
    biases: list[np.ndarray]  # biases[l] : (n_{l+1},)
    train_biases: bool
    x: np.ndarray  # (batch, n_0)
    y: np.ndarray  # (batch, n_out)
    learning_rate: float

    def net(self) -> network.Network:
        return network.Network(
            list(self.layer_sizes),
            list(self.activations),
            "squared_error",
            [w.copy() for w in self.weights],
            [b.copy() for b in self.biases],
            self.train_biases,
        )

    def train_request(self, epochs: int, record_every: int) -> bytes:
        """The POST /api/v1/train body for `epochs` full-batch epochs."""
        body = {
            "network": {
                "layer_sizes": self.layer_sizes,
                "activations": self.activations,
                "loss": "squared_error",
                "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases],
                "train_biases": self.train_biases,
            },
            "inputs": self.x.tolist(),
            "targets": self.y.tolist(),
            "learning_rate": self.learning_rate,
            "epochs": epochs,
            "record_every": record_every,
        }
        return json.dumps(body).encode()


def mazur() -> Problem:
    p = data.preset("mazur")
    net = p["network"]
    return Problem(
        "mazur 2-2-2 sigmoid, 1 sample",
        net["layer_sizes"],
        net["activations"],
        [np.array(w) for w in net["weights"]],
        [np.array(b) for b in net["biases"]],
        net["train_biases"],
        np.array(p["inputs"]),
        np.array(p["targets"]),
        p["learning_rate"],
    )


def deep() -> Problem:
    sizes = [2, 8, 8, 8, 8, 8, 8, 1]
    weights, biases = network.init_params(sizes, "xavier", seed=0)
    x, y = data.dataset("spiral", 500, labels="signed")
    lr = data.PRESETS["deep"]["learning_rate"]
    return Problem(
        "2-8x6-1 tanh, 500 samples", sizes, ["tanh"] * 7, weights, biases, True, x, y, lr
    )


# --- three implementations of the same training run ---------------------------------------
# Each returns (weights, biases, loss after the last update).


def run_engine(p: Problem, steps: int):
    result = engine_train(
        p.net(), p.x, p.y, network.Optimizer(p.learning_rate), steps, record_every=steps
    )
    return result.network.weights, result.network.biases, result.history[-1].loss


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


REFERENCE_ACTS = {  # f(z) and f'(z) written from a = f(z)
    "sigmoid": (_sigmoid, lambda a: a * (1.0 - a)),
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
}


def run_numpy(p: Problem, steps: int):
    """The obvious loop: forward with np.dot, backward, update; fresh arrays every step."""
    W = [w.copy() for w in p.weights]
    b = [v.copy() for v in p.biases]
    fs = [REFERENCE_ACTS[name] for name in p.activations]
    x, y, n = p.x, p.y, p.x.shape[0]

    def forward():
        a_list = [x]
        for Wl, bl, (f, _) in zip(W, b, fs):
            a_list.append(f(np.dot(a_list[-1], Wl.T) + bl))
        return a_list

    for _ in range(steps):
        a_list = forward()
        delta = (a_list[-1] - y) * fs[-1][1](a_list[-1])  # squared_error: dl/da = a - y
        for l in range(len(W) - 1, -1, -1):
            grad_w = np.dot(delta.T, a_list[l]) / n
            grad_b = delta.sum(axis=0) / n
            if l > 0:
                delta = np.dot(delta, W[l]) * fs[l - 1][1](a_list[l])
            W[l] = W[l] - p.learning_rate * grad_w
            if p.train_biases:
                b[l] = b[l] - p.learning_rate * grad_b
    out = forward()[-1]
    return W, b, float(np.mean(0.5 * np.sum((out - y) ** 2, axis=1)))


TORCH_ACTS = {"sigmoid": "sigmoid", "tanh": "tanh"}


def run_torch(p: Problem, steps: int):
    """PyTorch eager, float64: nn.Linear layers, loss = mean_s 0.5 sum_o (a - y)^2, SGD."""
    layers = []
    for w, b in zip(p.weights, p.biases):
        layer = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
        layer.bias.requires_grad_(p.train_biases)
        layers.append(layer)
    acts = [getattr(torch, TORCH_ACTS[name]) for name in p.activations]
    params = [q for layer in layers for q in layer.parameters() if q.requires_grad]
    opt = torch.optim.SGD(params, lr=p.learning_rate)
    x, y = torch.from_numpy(p.x), torch.from_numpy(p.y)

    def loss_fn():
        a = x
        for layer, f in zip(layers, acts):
            a = f(layer(a))
        return 0.5 * ((a - y) ** 2).sum(dim=1).mean()

    for _ in range(steps):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
    with torch.no_grad():
        loss = float(loss_fn())
    weights = [layer.weight.detach().numpy().copy() for layer in layers]
    return weights, [layer.bias.detach().numpy().copy() for layer in layers], loss


def rel_diff(run, ref) -> float:
    """max |run - ref| / max |ref| over all weights and biases, and the same for the loss."""
    flat = np.concatenate([np.ravel(v) for v in (*run[0], *run[1])])
    flat_ref = np.concatenate([np.ravel(v) for v in (*ref[0], *ref[1])])
    params = np.max(np.abs(flat - flat_ref)) / np.max(np.abs(flat_ref))
    loss = abs(run[2] - ref[2]) / abs(ref[2])
    return float(max(params, loss))


# --- timing -----------------------------------------------------------------------------


def interleaved(fns: dict, reps: int) -> tuple[dict[str, float], dict]:
    """Median seconds of each callable, called in turn `reps` times after one warm-up round,
    and what each returned from the warm-up."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    results = {}
    for rep in range(reps + 1):
        for name, fn in fns.items():
            start = time.perf_counter()
            result = fn()
            if rep:  # round 0 is the warm-up
                times[name].append(time.perf_counter() - start)
            else:
                results[name] = result
    return {name: statistics.median(t) for name, t in times.items()}, results


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server():
    """The real server (`python -m app`, 1 worker) on a free loopback port: (url, pid).

    Its answer cache is off: the repetitions send identical bodies, and every one must be
    computed to be measured.
    """
    with running_server(env={"BACKPROP_VIZ_RESPONSE_CACHE_ENTRIES": "0"}) as url:
        yield url, int(httpx.get(f"{url}/healthz").headers["x-backprop-worker"])


def post_train(client: httpx.Client, body: bytes) -> dict:
    r = client.post("/api/v1/train", content=body, headers={"content-type": "application/json"})
    r.raise_for_status()
    return r.json()


# --- the report -------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    blas = {k: v for k, v in os.environ.items() if "BLAS" in k or k.endswith("_NUM_THREADS")}
    blas.setdefault("OPENBLAS_CORETYPE", "<unset: OpenBLAS detects the core>")
    lines = [
        f"cpu      {cpu} ({os.cpu_count()} logical cores), {platform.system()} {platform.release()}",
        f"python   {platform.python_version()}, numpy {np.__version__}, "
        + (
            f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
            if torch
            else "torch not installed: PyTorch columns are skipped"
        ),
        f"env      {' '.join(f'{k}={v}' for k, v in sorted(blas.items()))}",
        f"load     {load()} (other processes share these cores: the figures move with it)",
    ]
    return lines


def load() -> str:
    try:
        return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "load average unknown"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))
    )
    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def rate(steps: int, seconds: float) -> str:
    return f"{steps / seconds:,.0f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def verdict(value: float, target: float) -> str:
    return f"{'met' if value <= target else 'MISSED'} (target <= {target:.3f})"


TARGETS: list[str] = []  # one line per target, for the summary


def part1(quick: bool) -> None:
    print("\n1. Steps per second: the engine's train() vs a numpy loop vs PyTorch eager")
    settings = [(mazur(), 1_000 if quick else 10_000), (deep(), 50 if quick else 500)]
    reps = 1 if quick else 3
    rows, checks = [], []
    for p, steps in settings:
        runs = {"engine": run_engine, "numpy": run_numpy}
        if torch:
            runs["torch"] = run_torch
        t, results = interleaved(
            {name: functools.partial(fn, p, steps) for name, fn in runs.items()}, reps
        )
        rows.append(
            [
                p.name,
                rate(steps, t["engine"]),
                rate(steps, t["numpy"]),
                rate(steps, t["torch"]) if torch else "-",
                ratio(t["numpy"], t["engine"]),
                ratio(t.get("torch"), t["engine"]),
            ]
        )
        checks.append(
            [p.name, f"{steps:,}", f"{results['numpy'][2]:.12g}"]
            + [
                f"{rel_diff(results[name], results['numpy']):.1e}" if name in results else "-"
                for name in ("engine", "torch")
            ]
        )
    print(
        table(
            ["network", "engine steps/s", "numpy loop", "torch", "engine/numpy", "engine/torch"],
            rows,
        )
    )
    print("(engine/x = how many times faster the engine is than x)")
    print(
        f"\nSame final weights and loss: max relative difference from the numpy loop (<= {AGREE})"
    )
    print(table(["network", "steps", "final loss", "engine", "torch"], checks))
    worst = max(float(c) for row in checks for c in row[3:] if c != "-")
    print(f"agreement: {'ok' if worst <= AGREE else 'FAILED'} (worst {worst:.1e})")


def part2(quick: bool) -> None:
    print(
        "\n2. Over HTTP: the real server (python -m app, 1 worker, loopback) vs PyTorch in-process"
    )
    reps = 2 if quick else 5
    cases = [
        (mazur(), 1_000 if quick else 10_000, 1_000, 20),
        (deep(), 50 if quick else 500, 50, 4),
    ]
    latency_n = 200 if quick else 2_000
    with server() as (url, pid), httpx.Client(base_url=url, timeout=120) as client:
        rows, notes = [], []
        for p, epochs, every, target in cases:
            body = p.train_request(epochs, every)
            fns = {"http": lambda body=body: post_train(client, body)}
            if torch:
                fns["torch"] = lambda p=p, epochs=epochs: run_torch(p, epochs)
            cpu = cpu_seconds(pid)
            t, results = interleaved(fns, reps)
            cpu = None if cpu is None else (cpu_seconds(pid) - cpu) / (reps + 1)
            answer = results["http"]
            net = answer["network"]
            got = ([np.array(w) for w in net["weights"]], [np.array(b) for b in net["biases"]])
            same = rel_diff((*got, answer["history"][-1]["loss"]), run_numpy(p, epochs))
            row = [
                p.name,
                f"{epochs:,}",
                f"{t['http'] * 1e3:.1f}",
                "-" if cpu is None else f"{cpu * 1e3:.0f}",
                f"{t['http'] / epochs * 1e6:.1f}",
                f"{t['torch'] * 1e3:.1f}" if torch else "-",
                f"{t['torch'] / epochs * 1e6:.1f}" if torch else "-",
            ]
            name = f"POST /api/v1/train, {p.name}, {epochs:,} epochs: http/torch <= 1/{target}"
            if torch:
                r = t["http"] / t["torch"]
                met = r <= 1 / target
                row += [f"{r:.3f} (1/{1 / r:.1f})", "met" if met else "MISSED"]
                TARGETS.append(f"{'met   ' if met else 'MISSED'} {name}: 1/{1 / r:.1f}")
            else:
                row += ["-", "no torch"]
                TARGETS.append(f"n/a    {name}: PyTorch is not installed")
            rows.append(row)
            notes.append(
                f"{p.name}: the HTTP answer vs the numpy loop, max relative difference {same:.1e}"
            )
        print(
            table(
                [
                    "POST /api/v1/train",
                    "epochs",
                    "http ms",
                    "server cpu ms",
                    "us/step",
                    "torch ms",
                    "us/step",
                    "http/torch",
                    "target",
                ],
                rows,
            )
        )
        print("\n".join(notes))
        latency(client, pid, latency_n)


def latency(client: httpx.Client, pid: int, n: int) -> None:
    p = mazur()
    step_body = json.dumps(
        {
            "network": data.preset("mazur")["network"],
            "inputs": p.x.tolist(),
            "targets": p.y.tolist(),
            "learning_rate": p.learning_rate,
        }
    ).encode()
    headers = {"content-type": "application/json"}

    def health():
        client.get("/healthz").raise_for_status()

    def step():
        client.post("/api/v1/step", content=step_body, headers=headers).raise_for_status()

    for _ in range(50):  # warm-up
        health()
        step()
    times = {health: [], step: []}
    for _ in range(n):  # interleaved, so drift in the machine's load hits both alike
        for fn, t in times.items():
            start = time.perf_counter()
            fn()
            t.append(time.perf_counter() - start)
    cpu = {}  # server CPU per request, from a separate block of each (immune to scheduling)
    for fn in times:
        before = cpu_seconds(pid)
        for _ in range(n // 4):
            fn()
        cpu[fn] = None if before is None else (cpu_seconds(pid) - before) / (n // 4)
    h, s = (statistics.median(t) for t in times.values())
    print(
        f"\nLatency: median of {n:,} sequential keep-alive requests each (httpx.Client), interleaved"
    )

    def us(x):
        return "-" if x is None else f"{x * 1e6:.0f}"

    print(
        table(
            ["request", "median us", "p90 us", "vs /healthz", "server cpu us"],
            [
                ["GET /healthz", us(h), us(_p90(times[health])), "1.00x", us(cpu[health])],
                [
                    "POST /api/v1/step (mazur)",
                    us(s),
                    us(_p90(times[step])),
                    f"{s / h:.2f}x",
                    us(cpu[step]),
                ],
            ],
        )
    )
    print(f"step cost above the /healthz floor: {us(s - h)} us")
    TARGETS.append(f"info   POST /api/v1/step vs GET /healthz: {s / h:.2f}x, +{us(s - h)} us")


def _p90(values):
    return statistics.quantiles(values, n=10)[-1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (a few seconds)")
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=1,
        help="PyTorch intra-op threads (default 1: these sizes gain nothing from threads, "
        "and on a small shared machine OpenMP spinning makes the default many times slower)",
    )
    args = parser.parse_args(argv)
    if torch:
        torch.set_num_threads(args.torch_threads)
    start = time.perf_counter()
    print(
        "backprop-viz speed" + (" (--quick: small counts, figures are rough)" if args.quick else "")
    )
    print("\n".join(machine()))
    part1(args.quick)
    part2(args.quick)
    print("\nTargets (issue 2, Speed):")
    print("\n".join(TARGETS))
    print(f"\ntotal {time.perf_counter() - start:.0f} s, {load()}")


if __name__ == "__main__":
    main()
