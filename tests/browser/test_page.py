"""The visualizer in a real Chromium, driven as a student would: by role and accessible name."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import button, fast, goto, wait_phase

pytestmark = pytest.mark.browser

W5 = '.edge[data-layer="2"][data-from="0"][data-to="0"]'  # h1 -> o1 in Mazur's example
W5_AFTER_ONE_STEP = 0.35891648  # published: w5+ = 0.35891648


def step(page) -> None:
    button(page, "Step").click()
    wait_phase(page, "update")


def value(page, selector: str) -> float:
    return float(page.locator(selector).get_attribute("data-value"))


def test_mazur_step_gives_the_published_numbers(open_page):
    page = open_page("/?preset=mazur")
    assert page.locator("#network .neuron").count() == 6
    assert page.locator("#network .edge").count() == 8
    assert "preset" not in page.url
    assert value(page, W5) == pytest.approx(0.40, abs=1e-12)

    fast(page)
    step(page)
    assert value(page, W5) == pytest.approx(W5_AFTER_ONE_STEP, abs=1e-8)

    page.locator(W5).click()
    inspector = page.get_by_role("region", name="Inspector")
    inspector.get_by_role(
        "heading", name="Weight w5: from h1 to o1"
    ).wait_for()  # loaded when first needed
    assert "0.0821" in inspector.inner_text()  # dE/dw5 = 0.082167041
    assert "0.358916" in inspector.inner_text()
    # the finite-difference check arrives from /gradcheck and agrees
    inspector.get_by_text("backprop agrees").wait_for()


def test_inspector_explains_a_hidden_delta(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    step(page)
    page.locator('.neuron[data-layer="1"][data-index="0"]').click()
    inspector = page.get_by_role("region", name="Inspector")
    inspector.get_by_role("heading", name="Hidden neuron h1, sigmoid").wait_for()
    text = inspector.inner_text()
    for number in ("0.3775", "0.59327", "0.0363503", "0.241301", "0.00877135"):
        assert number in text, number


def test_reload_keeps_the_state(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    step(page)
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    assert value(page, W5) == pytest.approx(W5_AFTER_ONE_STEP, abs=1e-8)
    assert page.locator("#counter").inner_text().startswith("step 1")


def test_a_share_link_restores_the_state(open_page, server):
    page = open_page("/?preset=mazur")
    fast(page)
    page.get_by_label("Learning rate").fill("0.25")
    page.get_by_label("Learning rate").press("Enter")
    step(page)
    step(page)
    w5 = value(page, W5)
    button(page, "Share").click()
    link = page.get_by_label(re.compile("Share link")).input_value()
    assert "#state=" in link

    other = open_page(None)  # a fresh browser profile: nothing saved
    goto(other, link)
    assert value(other, W5) == w5  # exactly
    assert other.get_by_label("Learning rate").input_value() == "0.25"
    assert other.locator("#counter").inner_text().startswith("step 2")
    assert "#state" not in other.url


def test_previous_phase_goes_back_through_phases_and_steps(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    step(page)
    button(page, "Previous phase").click()
    wait_phase(page, "backward-1")
    assert value(page, W5) == pytest.approx(0.40, abs=1e-12)  # not yet updated
    for phase in ("backward-2", "loss", "forward-2", "forward-1", "idle"):
        button(page, "Previous phase").click()
        wait_phase(page, phase)
    button(page, "Next phase").click()
    wait_phase(page, "forward-1")
    assert page.locator('.neuron[data-layer="1"][data-index="0"] .value').text_content() == "0.5933"


def test_previous_phase_reaches_back_into_the_step_before(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    step(page)
    step(page)
    assert page.locator("#counter").inner_text().startswith("step 2")
    for _ in range(6):  # update .. forward-1 of step 2, then the update of step 1
        button(page, "Previous phase").click()
    wait_phase(page, "update")
    assert value(page, W5) == pytest.approx(W5_AFTER_ONE_STEP, abs=1e-8)
    assert page.locator("#counter").inner_text().startswith("step 1")


def test_a_damaged_share_link_falls_back_to_the_example(open_page):
    page = open_page("/#state=1.not-a-state")
    assert page.locator("#network .edge").count() == 8
    assert "share link is damaged" in page.locator("#message").inner_text()


def test_keyboard_plays_and_steps(open_page):
    page = open_page("/?preset=mazur")
    fast(page)
    page.locator("h1").click()  # focus on the page, not on a control
    page.keyboard.press("ArrowRight")
    wait_phase(page, "forward-1")
    page.keyboard.press("ArrowLeft")
    wait_phase(page, "idle")
    page.keyboard.press("Space")
    button(page, "Pause").wait_for()
    page.keyboard.press("Space")
    button(page, "Play").wait_for()


def test_train_jumps_to_the_result(open_page):
    page = open_page("/?preset=xor")
    before = value(page, '.edge[data-layer="2"][data-from="0"][data-to="0"]')
    page.get_by_label("Steps", exact=True).fill("200")
    button(page, "Train").click()
    page.get_by_text("Trained 200 steps").wait_for()
    assert page.locator("#counter").inner_text().startswith("step 200")
    assert value(page, '.edge[data-layer="2"][data-from="0"][data-to="0"]') != before
    chart = page.get_by_role("img", name=re.compile("Loss over"))
    assert "at step 200" in chart.get_attribute("aria-label")


def test_divergence_keeps_the_last_good_state(open_page, watch):
    page = open_page("/?preset=regression")
    edges = page.locator("#network .edge")
    before = [edges.nth(i).get_attribute("data-value") for i in range(edges.count())]
    page.get_by_label("Learning rate").fill("1e6")
    page.get_by_label("Learning rate").press("Enter")
    page.get_by_label("Steps", exact=True).fill("60")
    button(page, "Train").click()
    message = page.locator("#message")
    message.get_by_text("diverged").wait_for()
    assert "kept as it was before" in message.inner_text()
    assert [edges.nth(i).get_attribute("data-value") for i in range(edges.count())] == before
    assert "NaN" not in page.content()
    assert "NaN" not in page.locator("body").inner_text()


def test_api_errors_appear_next_to_their_control(open_page, watch):
    watch.allow("status of 422")
    page = open_page("/?preset=mazur")
    page.get_by_label("Learning rate").fill("-1")
    page.get_by_label("Learning rate").press("Enter")
    button(page, "Step").click()
    field = page.locator('[data-field="learning_rate"]')
    field.get_by_text("greater than or equal to 0").wait_for()
    assert page.get_by_label("Learning rate").get_attribute("aria-invalid") == "true"
    assert page.locator("#phase").get_attribute("data-phase") == "idle"

    page.get_by_label("Steps", exact=True).fill("0")
    button(page, "Train").click()
    page.locator('[data-field="train-steps"]').get_by_text("greater than or equal to 1").wait_for()


def test_numbers_table_and_csv(open_page):
    page = open_page("/?preset=mazur", permissions=["clipboard-read", "clipboard-write"])
    fast(page)
    step(page)
    page.get_by_role("heading", name="Numbers of this step").scroll_into_view_if_needed()
    weights = page.get_by_role("table", name="Weights and biases")
    row = weights.get_by_role("row", name=re.compile(r"^w5 "))
    # backprop, and the finite difference: asked for once the table is on screen
    row.get_by_text("0.082167").nth(1).wait_for()
    assert row.get_by_text("0.082167").count() == 2
    button(page, "Copy as CSV").click()
    page.get_by_text("Copied the tables as CSV").wait_for()
    csv = page.evaluate("navigator.clipboard.readText()")
    line = next(line for line in csv.splitlines() if line.startswith("w5,"))
    _, old, grad, fd_grad, new_value = line.split(",")
    assert float(old) == 0.4
    assert float(new_value) == pytest.approx(W5_AFTER_ONE_STEP, abs=1e-8)
    assert float(fd_grad) == pytest.approx(float(grad), rel=1e-6)


def test_edit_a_weight_and_the_architecture(open_page):
    page = open_page("/?preset=mazur")
    page.locator(W5).click()
    inspector = page.get_by_role("region", name="Inspector")
    inspector.get_by_label("New value of w5").fill("1.5")
    inspector.get_by_role("button", name="Set").click()
    page.wait_for_function(f"document.querySelector('{W5}').dataset.value === '1.5'")

    button(page, "Add a neuron to hidden layer 1").click()
    page.wait_for_function("document.querySelectorAll('#network .neuron').length === 7")
    assert page.locator("#network .edge").count() == 12
    button(page, "Add hidden layer").click()
    page.wait_for_function("document.querySelectorAll('#network .neuron').length === 10")
    page.get_by_label("Activation of hidden 2").select_option("relu")
    fast(page)
    step(page)


def test_datasets_draw_the_decision_boundary(open_page):
    page = open_page("/?preset=circle")
    plot = page.get_by_role("img", name=re.compile("training data"))
    assert plot.is_visible()
    maps = page.get_by_role("img", name=re.compile("over the input plane"))
    maps.first.wait_for()
    assert maps.count() == 5  # 4 hidden neurons and the output
    page.get_by_label("Noise").fill("0.2")
    page.get_by_label("Seed", exact=True).last.fill("5")
    button(page, "Generate").click()
    page.get_by_text("200 training samples, 100 test").wait_for()


def test_export_and_import_restore_exactly(open_page, tmp_path):
    page = open_page("/?preset=mazur")
    fast(page)
    step(page)
    with page.expect_download() as download:
        button(page, "Export JSON").click()
    path = tmp_path / "state.json"
    download.value.save_as(path)
    saved = json.loads(path.read_text())
    assert saved["trace"]["layers"][1]["grad_weights"][0][0] == pytest.approx(0.082167041, abs=1e-9)
    for name in ("Export SVG", "Export PNG"):
        with page.expect_download() as download:
            button(page, name).click()
        assert download.value.suggested_filename.startswith("network.")

    page.get_by_label("Preset").select_option("xor")
    button(page, "Load").click()
    page.wait_for_function("document.querySelectorAll('#network .neuron').length === 6")
    page.locator("#import-file").set_input_files(path)
    page.get_by_text("Imported state.json").wait_for()
    assert value(page, W5) == pytest.approx(W5_AFTER_ONE_STEP, abs=1e-8)


def test_deep_preset_animates(open_page):
    page = open_page("/?preset=deep")
    assert page.locator("#network .neuron").count() == 51
    assert page.locator("#network .edge").count() == 344
    page.evaluate(
        """() => {
          window.__frames = [];
          const tick = (t) => { window.__frames.push(t); requestAnimationFrame(tick); };
          requestAnimationFrame(tick);
        }"""
    )
    button(page, "Next phase").click()
    wait_phase(page, "forward-1")
    assert page.evaluate("window.__frames.length") > 10  # the animation ran and drew frames


def test_the_loss_chart_asks_for_the_losses_without_the_trace(open_page):
    page = open_page("/")
    fast(page)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/forward")) as answer:
        step(page)
    assert json.loads(answer.value.request.post_data)["trace"] is False
    body = answer.value.json()
    assert body["layers"] is None
    assert round(body["loss"], 9) == 0.291027774  # the published loss after one step


def test_a_step_on_the_deep_preset_asks_only_for_what_it_draws(open_page):
    page = open_page("/?preset=deep")
    fast(page)
    page.locator("#neuron-maps canvas").first.wait_for()
    answers = []
    page.on("response", lambda r: "/api/v1/" in r.url and answers.append(r))
    with page.expect_response(lambda r: r.url.endswith("/api/v1/predict")) as grid:
        step(page)
    grid.value.finished()
    page.wait_for_timeout(300)  # the other grid and the losses
    asked = {r.url.rsplit("/", 1)[1]: json.loads(r.request.post_data) for r in answers}
    assert set(asked) == {"step", "forward", "predict"}
    predicts = sorted(
        (json.loads(r.request.post_data)["resolution"], json.loads(r.request.post_data)["hidden"])
        for r in answers if r.url.endswith("/predict")
    )  # fmt: skip
    assert predicts == [(20, True), (39, False)]  # coarse maps of every neuron, a fine output
    assert asked["forward"]["trace"] is False
    sizes = {r.url.rsplit("/", 1)[1]: 0 for r in answers}
    for r in answers:
        assert r.status == 200
        sizes[r.url.rsplit("/", 1)[1]] += len(r.body())
    assert sum(sizes.values()) < 800_000, sizes  # it was 2.4 MB: 1.6 MB of grids, 600 KB of z, a
