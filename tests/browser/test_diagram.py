"""Where every number on the diagram comes from, on Mazur's worked example: biases, targets and
loss terms at their published values, the sources of each number marked, pulses that carry
their products, the Inspector's chain rule factor by factor, and labels that never overlap."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from app.engine.network import Optimizer, step, sum_terms
from tests.engine import nets

from .conftest import button, fast, wait_phase

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
PRESETS = ["mazur", "xor", "circle", "gaussian", "spiral", "regression", "deep"]
MAZUR_PHASES = ["forward-1", "forward-2", "loss", "backward-2", "backward-1", "update"]


@pytest.fixture(scope="module")
def mazur():
    """The engine's trace of the worked example's step: the numbers the page must show."""
    trace = step(nets.mazur(), nets.MAZUR_X, nets.MAZUR_Y, Optimizer(0.5))
    hidden, output = trace.layers
    (_, grad_a_terms_h), _ = sum_terms(trace)
    return {"trace": trace, "h": hidden, "o": output, "grad_a_terms_h": grad_a_terms_h}


def go_to(page, phase: str) -> None:
    """From idle, Next phase until `phase` is shown."""
    for name in MAZUR_PHASES[: MAZUR_PHASES.index(phase) + 1]:
        button(page, "Next phase").click()
        wait_phase(page, name)


def number(locator) -> float:
    return float(locator.get_attribute("data-value"))


def sources(page) -> set[str]:
    """The diagram elements marked as sources: weights, biases and neurons by name, targets as y<o>."""
    return set(
        page.evaluate(
            """[...document.querySelectorAll("#network .source")]
                 .map((e) => e.classList.contains("target") ? `y${Number(e.dataset.index) + 1}` : e.dataset.name)"""
        )
    )


def formula_numbers(inspector, title: str) -> list[float]:
    """Every number of one of the Inspector's equations, at full precision (each number's title)."""
    group = inspector.get_by_role("group", name=title, exact=True)
    group.wait_for()  # the Inspector loads when something is first chosen
    titles = group.locator("mn[title]").evaluate_all(
        "(ns) => ns.map((n) => n.getAttribute('title'))"
    )
    return [float(t.replace("\u2212", "-")) for t in titles]


def assert_in_order(found: list[float], expected: list[float], tolerance: float = 1e-8) -> None:
    """`expected` appears in `found` in this order (other numbers, such as 1 in 1 - a, between)."""
    at = 0
    for value in expected:
        while at < len(found) and abs(found[at] - value) > tolerance:
            at += 1
        assert at < len(found), f"{value} not found (in order) in {found}"
        at += 1


def test_biases_targets_and_loss_terms_are_the_published_numbers(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    biases = {
        (l, j): page.locator(f'#network .bias[data-layer="{l}"][data-index="{j}"]')
        for l in (1, 2)
        for j in (0, 1)
    }
    for (l, _), bias in biases.items():
        assert number(bias) == pytest.approx({1: 0.35, 2: 0.60}[l], abs=1e-8)
        expect(bias).to_be_visible()
    targets = [page.locator(f'#network .target[data-index="{o}"]') for o in (0, 1)]
    terms = [page.locator(f'#network .loss-term[data-index="{o}"]') for o in (0, 1)]
    for shown in (*targets, *terms):
        expect(shown).to_be_hidden()  # before the loss phase
        assert shown.get_attribute("data-value") is None
    go_to(page, "loss")
    assert [number(t) for t in targets] == pytest.approx([0.01, 0.99], abs=1e-8)
    assert [number(t) for t in terms] == pytest.approx([0.274811083, 0.023560026], abs=1e-8)
    total = page.locator("#network .loss-total")
    expect(total).to_contain_text("E total 0.2984")
    assert number(total) == pytest.approx(0.298371109, abs=1e-8)
    for shown in (*targets, *terms):
        expect(shown).to_be_visible()
    # the output neuron's name reads its target and loss term too
    label = page.locator('#network .neuron[data-name="o1"]').get_attribute("aria-label")
    assert "target y 0.01" in label and "loss term E 0.2748" in label
    # biases are not trained in the example: at the update they stay as they were
    for name in ("backward-2", "backward-1", "update"):
        button(page, "Next phase").click()
        wait_phase(page, name)
    assert number(biases[(2, 0)]) == pytest.approx(0.60, abs=1e-8)


def test_the_sources_of_a_number_are_marked(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    go_to(page, "backward-1")
    page.locator('#network .neuron[data-name="h1"]').click()
    # delta of h1: its outgoing edges and the delta of each neuron they reach
    assert sources(page) == {"w5", "w7", "o1", "o2"}
    # the mark is a shape, not a colour only: arrowheads at a neuron, beads along an edge
    o1 = page.locator('#network .neuron[data-name="o1"] .source-mark')
    assert o1.evaluate("(e) => getComputedStyle(e).fill") != "none"
    casing = page.locator('#network .edge[data-name="w5"] .casing').evaluate(
        "(e) => [getComputedStyle(e).strokeDasharray, getComputedStyle(e).strokeWidth]"
    )
    assert casing[0] != "none" and float(casing[1][:-2]) > 4
    assert (
        page.locator('#network .neuron[data-name="h2"] .source-mark').evaluate(
            "(e) => getComputedStyle(e).fill"
        )
        == "none"
    )
    # dE/dw5: the delta of o1, which it feeds, and the a of h1, which it leaves
    page.locator('#network .edge[data-name="w5"]').click()
    assert sources(page) == {"o1", "h1"}
    # dE/db of h1 is its delta
    page.locator('#network .bias[data-name="b h1"]').click()
    assert sources(page) == {"h1"}
    # going back to forward-1: z of h1 comes from i1, i2, w1, w2 and b1
    page.locator('#network .neuron[data-name="h1"]').click()
    for _ in range(4):
        button(page, "Previous phase").click()
    wait_phase(page, "forward-1")
    assert sources(page) == {"i1", "i2", "w1", "w2", "b h1"}
    # at the loss phase, an output's loss term comes from its a and its target
    page.locator('#network .neuron[data-name="o2"]').click()
    button(page, "Next phase").click()
    button(page, "Next phase").click()
    wait_phase(page, "loss")
    assert sources(page) == {"y2"}


# every change of the sources, the neurons being computed and the pulses' numbers while a step
# plays, with the phase shown at that moment: the page records them itself (no timing involved)
RECORD = """() => {
  window.seen = [];
  window.hidden = [];
  const phase = () => document.getElementById("phase").dataset.phase;
  const marked = (cls) => [...document.querySelectorAll(`#network .${cls}`)].map((e) =>
    e.classList.contains("target") ? `y${Number(e.dataset.index) + 1}` : e.dataset.name).sort().join(" ");
  new MutationObserver(() => {
    const pills = [...document.querySelectorAll("#network .pill")].filter((p) => p.getAttribute("display") !== "none")
      .map((p) => p.textContent);
    const now = [phase(), marked("active"), marked("source"), pills.sort().join(" ")];
    const last = window.seen.at(-1);
    if (!last || last.join("|") !== now.join("|")) window.seen.push(now);
    for (const e of document.querySelectorAll("#network .source")) {  // a source must be seen
      if (getComputedStyle(e).visibility === "hidden") window.hidden.push(`${phase()} ${e.dataset.name ?? "y"}`);
    }
  }).observe(document.getElementById("network"), { subtree: true, attributes: true, characterData: true, childList: true });
}"""


def test_a_step_marks_what_each_number_is_computed_from_and_pulses_carry_their_products(
    open_page, mazur
):
    page = open_page("/?preset=mazur")
    page.evaluate(RECORD)
    fast(page)
    button(page, "Step").click()
    wait_phase(page, "update")
    seen = [tuple(s) for s in page.evaluate("window.seen")]
    during = {(phase, active): (marks, pills) for phase, active, marks, pills in seen}
    # forward-1, neuron by neuron: z of h1 from i1, i2, w1, w2 and b1, carried as w a
    marks, _ = during[("forward-1", "h1")]
    assert marks == "b h1 i1 i2 w1 w2"
    pills = {p for phase, active, _, p in seen if phase == "forward-1" and active == "h1" and p}
    assert "0.0075 0.02" in pills  # w1 i1 = 0.15 x 0.05, w2 i2 = 0.2 x 0.1
    # backward-1: delta of h1 from w5, w7 and the deltas of o1 and o2, carried as w delta
    marks, _ = during[("backward-1", "h1")]
    assert marks == "o1 o2 w5 w7"
    pills = {p for phase, active, _, p in seen if phase == "backward-1" and active == "h1" and p}
    assert "0.0554 \u22120.01905" in pills  # w5 delta_o1, w7 delta_o2
    # the loss from the outputs and the targets; the update from every weight
    assert during[("loss", "o1 o2")][0] == "o1 o2 y1 y2"
    assert page.evaluate("window.hidden") == []  # every source is on screen while it is one
    update = [marks for phase, active, marks, _ in seen if phase == "update" and marks]
    assert update and all(f"w{i}" in update[0].split() for i in range(1, 9))
    # a pulse carries only a number its phase computes: w a forward, w delta into a hidden neuron
    (z_1, grad_a_1), (z_2, _) = sum_terms(mazur["trace"])
    products = {"forward-1": z_1, "forward-2": z_2, "backward-1": grad_a_1}
    for phase, _, _, shown in seen:
        allowed = [x for rows in products.get(phase, [[]]) for row in rows for x in row]
        for text in shown.split():
            value = float(text.replace("\u2212", "-"))
            assert any(abs(value - x) <= 5e-4 * abs(x) for x in allowed), (phase, text)
    # at rest nothing is being computed, no pulse shows, the update shows each change
    assert page.locator("#network .active").count() == 0
    assert page.locator('#network .pill:not([display="none"])').count() == 0
    w5 = page.locator('#network .edge[data-name="w5"] .edge-label tspan').all_text_contents()
    assert [" ".join(line.split()) for line in w5] == [
        "w5 0.4",
        "\u0394w \u22120.04108",
        "new 0.3589",
    ]
    w1 = page.locator('#network .edge[data-name="w1"]').get_attribute("aria-label")
    assert "\u0394w \u22120.0002193" in w1  # a change of 0.0002 that old -> new would hide


def test_the_inspector_walks_the_chain_rule_with_mazurs_numbers(open_page, mazur):
    h, o, terms = mazur["h"], mazur["o"], mazur["grad_a_terms_h"]
    page = open_page("/?preset=mazur")
    fast(page)
    go_to(page, "update")
    inspector = page.get_by_role("region", name="Inspector")

    # an output: delta = dE/da * f'(z), dE/da = a - y = 0.751365 - 0.01 = 0.741365
    page.locator('#network .neuron[data-name="o1"]').click()
    a, y = o.a[0][0], 0.01
    chain = formula_numbers(inspector, "Backward: delta by the chain rule")
    assert_in_order(
        chain,
        [
            a,
            y,
            o.grad_a[0][0],
            a,
            a,
            o.f_prime[0][0],
            o.grad_a[0][0],
            o.f_prime[0][0],
            o.delta[0][0],
        ],
    )
    assert o.grad_a[0][0] == pytest.approx(0.741365, abs=5e-7) and o.delta[0][0] == pytest.approx(
        0.138498562, abs=1e-9
    )

    # an output weight: Mazur's three factors dE/da * da/dz * dz/dw
    page.locator('#network .edge[data-name="w5"]').click()
    factors = formula_numbers(inspector, "Gradient")
    assert_in_order(factors, [o.grad_a[0][0], o.f_prime[0][0], h.a[0][0], o.grad_weights[0][0]])
    assert o.grad_weights[0][0] == pytest.approx(0.082167041, abs=1e-9)
    update = formula_numbers(inspector, "Update: the change, then the new value")
    assert_in_order(
        update,
        [
            0.5,
            o.grad_weights[0][0],
            o.change_weights[0][0],
            0.4,
            o.change_weights[0][0],
            o.new_weights[0][0],
        ],
    )

    # a hidden neuron: the sum over every path, w5 delta_o1 + w7 delta_o2, times f'(z)
    page.locator('#network .neuron[data-name="h1"]').click()
    chain = formula_numbers(inspector, "Backward: delta by the chain rule")
    assert terms[0][0] == pytest.approx([0.0553994, -0.0190491], abs=5e-8)
    assert_in_order(chain, [
        0.4, o.delta[0][0], 0.5, o.delta[0][1],  # w5 delta_o1 + w7 delta_o2, as numbers
        terms[0][0][0], terms[0][0][1], h.grad_a[0][0],  # = 0.0553994 + (-0.0190491) = 0.0363503
        h.f_prime[0][0], h.grad_a[0][0], h.f_prime[0][0], h.delta[0][0],
    ])  # fmt: skip

    # a hidden weight: the path sum, f'(z) and the input: 0.0363503 * 0.241301 * 0.05
    page.locator('#network .edge[data-name="w1"]').click()
    factors = formula_numbers(inspector, "Gradient")
    assert_in_order(factors, [h.grad_a[0][0], h.f_prime[0][0], 0.05, h.grad_weights[0][0]])
    assert h.grad_weights[0][0] == pytest.approx(0.000438568, abs=1e-9)

    # a bias: its place in z, its gradient (delta), and fixed, since the example trains none
    page.locator('#network .bias[data-name="b h1"]').click()
    expect(inspector.get_by_role("heading", name="Bias of h1")).to_be_visible()
    assert_in_order(
        formula_numbers(inspector, "Forward: its place in z of h1"), [0.0075, 0.02, 0.35, h.z[0][0]]
    )
    assert_in_order(
        formula_numbers(inspector, "Gradient of the bias"), [h.delta[0][0], h.grad_biases[0]]
    )
    expect(inspector).to_contain_text("Fixed: biases are not trained here")

    # maths at least as large as the text around it, and never upper-cased
    sizes = page.evaluate(
        """() => [parseFloat(getComputedStyle(document.body).fontSize),
                  ...[...document.querySelectorAll("#inspector math")].map((m) => parseFloat(getComputedStyle(m).fontSize))]"""
    )
    assert min(sizes[1:]) >= sizes[0]
    cased = inspector.locator(".formula-title, math").evaluate_all(
        "(ns) => ns.map((n) => getComputedStyle(n).textTransform)"
    )
    assert set(cased) == {"none"}


# every text of the diagram on screen, each as one box (its lines together), and the edges'
# lines on screen: [x1, y1, x2, y2, name]
MEASURE = """() => {
  const svg = document.getElementById("network");
  const visible = (e) => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden" && e.textContent.trim();
  const texts = [...svg.querySelectorAll("text")].filter((t) => visible(t) && !t.closest(".pill"))
    .map((t) => {
      const r = t.getBoundingClientRect();
      const owner = t.closest(".edge, .neuron, .bias, .target");
      return {text: t.textContent, x: r.x, y: r.y, w: r.width, h: r.height, size: parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a,
              edge: t.closest(".edge")?.dataset.name ?? null, owner: owner?.dataset.name ?? null};
    });
  const lines = [...svg.querySelectorAll(".edge .stroke")].map((l) => {
    const m = l.getScreenCTM();
    const p = (x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
    return [...p(+l.getAttribute("x1"), +l.getAttribute("y1")), ...p(+l.getAttribute("x2"), +l.getAttribute("y2")), l.closest(".edge").dataset.name];
  });
  return {texts, lines};
}"""


def crosses(box, line) -> bool:
    """Does the segment pass through the box (shrunk by a pixel: a line may touch a label)?"""
    x0, y0, x1, y1 = box["x"] + 1, box["y"] + 1, box["x"] + box["w"] - 1, box["y"] + box["h"] - 1
    (px, py, qx, qy, _), lo, hi = line, 0.0, 1.0
    for move, room in (
        (-(qx - px), px - x0),
        (qx - px, x1 - px),
        (-(qy - py), py - y0),
        (qy - py, y1 - py),
    ):
        if move == 0:
            if room < 0:
                return False
        else:
            t = room / move
            lo, hi = (max(lo, t), hi) if move < 0 else (lo, min(hi, t))
            if lo > hi:
                return False
    return True


@pytest.mark.parametrize("viewport", [{}, PHONE], ids=["1280x800", "390x844"])
@pytest.mark.parametrize("preset", PRESETS)
def test_no_label_overlaps_another_and_each_sits_on_its_own_line(open_page, preset, viewport):
    page = open_page(f"/?preset={preset}", **viewport)
    fast(page)
    button(page, "Step").click()
    wait_phase(page, "update")  # the longest texts: old value, change and new value
    small = page.locator("#network .edge .edge-label").count() > 0
    if not small:  # a crowded diagram labels the selected edge only
        page.locator("#network .edge").nth(3).dispatch_event("click")
        page.locator("#network .edge-labels .edge-label").wait_for()
    for phase in ("update", "backward-1", "loss"):
        if phase != "update":
            while page.locator("#phase").get_attribute("data-phase") != phase:
                button(page, "Previous phase").click()
            wait_phase(page, phase)
        found = page.evaluate(MEASURE)
        texts = found["texts"]
        assert texts, "the diagram shows its numbers"
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                apart = (a["x"] + a["w"] <= b["x"] + 0.5 or b["x"] + b["w"] <= a["x"] + 0.5
                         or a["y"] + a["h"] <= b["y"] + 0.5 or b["y"] + b["h"] <= a["y"] + 0.5)  # fmt: skip
                assert apart, f"{phase}: {a['text']!r} overlaps {b['text']!r}"
            if small and a["edge"]:  # an edge's label sits on its own line and on no other
                own = next(line for line in found["lines"] if line[4] == a["edge"])
                assert crosses(a, own), f"{phase}: {a['text']!r} is off its line"
                for line in found["lines"]:
                    assert line[4] == a["edge"] or not crosses(a, line), (
                        f"{phase}: {a['text']!r} is on {line[4]}'s line"
                    )
        if preset in ("mazur", "xor"):
            assert min(t["size"] for t in texts) >= 11, f"{phase}: text under 11 px on screen"


def test_the_embed_shows_the_same_marks(open_page):
    page = open_page("/embed?preset=mazur&phase=loss")
    assert number(page.locator('#network .bias[data-layer="2"][data-index="1"]')) == pytest.approx(
        0.6, abs=1e-8
    )
    assert number(page.locator('#network .target[data-index="1"]')) == pytest.approx(0.99, abs=1e-8)
    assert number(page.locator('#network .loss-term[data-index="0"]')) == pytest.approx(
        0.274811083, abs=1e-8
    )
    page.get_by_text("What the marks mean").click()
    expect(page.get_by_role("list", name="Legend")).to_contain_text("bias b, added to z")
    page.locator('#network .neuron[data-name="o1"]').click()
    assert sources(page) == {"y1"}


def test_with_a_batch_the_inspector_writes_each_samples_product_and_their_mean(open_page):
    """XOR's batch of 4: w1's label reads dL/dw1 (the batch's mean loss L), and the Inspector
    writes delta a of every sample and 1/4 of their sum, which is the API's gradient."""
    page = open_page("/?preset=xor")
    fast(page)
    server = "/".join(page.url.split("/")[:3])
    preset = httpx.get(f"{server}/api/v1/presets/xor").json()
    body = {k: preset[k] for k in ("network", "inputs", "targets", "learning_rate")}
    trace = httpx.post(f"{server}/api/v1/step", json=body).json()
    hidden = trace["layers"][0]
    delta, x, grad = hidden["delta"], trace["inputs"], hidden["grad_weights"][0][0]
    products = [delta[t][0] * x[t][0] for t in range(4)]
    assert sum(products) / 4 == pytest.approx(grad, rel=1e-12, abs=1e-15)  # what it writes is right
    go_to(page, "backward-1")
    w1 = page.locator('#network .edge[data-name="w1"]')
    expect(w1).to_have_attribute(
        "aria-label", re.compile(r"^\u2202L/\u2202w1 .*mean over the batch")
    )
    w1.click()
    inspector = page.get_by_role("region", name="Inspector")
    numbers = formula_numbers(inspector, "Gradient: the mean over the batch of 4 samples")
    assert_in_order(numbers, [v for t in range(4) for v in (delta[t][0], x[t][0])] + [grad])
    # the bias: 1/4 of the samples' deltas, and its gradient
    page.locator('#network .bias[data-name="b h1"]').click()
    numbers = formula_numbers(inspector, "Gradient of the bias (mean of delta over the batch)")
    assert_in_order([*numbers], [round(delta[t][0], 12) for t in range(4)] + [hidden["grad_biases"][0]],
                    tolerance=5e-5)  # fmt: skip
