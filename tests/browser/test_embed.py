"""The embed on a course page of another origin: the loader, sizes, events and commands."""

from __future__ import annotations

import http.server
import threading
from functools import partial

import pytest

from tests.live import free_port, running_server
from tests.states import decode_state, saved_state, share_code

pytestmark = pytest.mark.browser

W5_AFTER_ONE_STEP = 0.35891648
LOSS_AFTER_ONE_STEP = 0.291027774  # Mazur's E_total after one textbook step

# the course page's script: it keeps every message from an embed, and sends commands to one
LISTENER = """<script>
  window.messages = [];
  window.addEventListener("message", (e) => {
    if (e.data && e.data.source === "backprop-viz") window.messages.push({origin: e.origin, ...e.data});
  });
  window.send = (id, command) => document
    .querySelector('[data-backprop-viz-id="' + id + '"] iframe')
    .contentWindow.postMessage(command, "*");
</script>"""

HOST_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Week 3: backpropagation</title></head>
<body>
<h1>Week 3: backpropagation</h1>
<p>Press Step and watch the numbers.</p>
<div data-backprop-viz data-id="first" data-preset="mazur" data-controls="minimal"></div>
<p>And a second one, driven by this page:</p>
<div data-backprop-viz data-id="second" data-preset="xor" data-controls="none" data-show="none"></div>
{LISTENER}
<script src="SERVER/static/embed.js" async></script>
</body></html>
"""


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """A static course page server on another port: its origin differs from the app's."""
    root = tmp_path_factory.mktemp("course")
    handler = partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def course_page(browser, host):
    """course_page(server, host_name) -> a page showing the host page that embeds from server."""
    root, port = host
    contexts = []
    errors: list[str] = []

    def open_(server: str, host_name: str = "127.0.0.1"):
        (root / "index.html").write_text(HOST_PAGE.replace("SERVER", server))
        context = browser.new_context(viewport={"width": 1000, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
        page.goto(f"http://{host_name}:{port}/index.html")
        return page

    open_.allowed = []  # console errors a test expects, e.g. "status of 422"
    yield open_
    for context in contexts:
        context.close()
    assert [e for e in errors if not any(a in e for a in open_.allowed)] == []


def messages(page, id_: str, type_: str) -> list[dict]:
    return page.evaluate(
        "([id, type]) => window.messages.filter((m) => m.id === id && m.type === type)",
        [id_, type_],
    )


def wait_message(page, id_: str, type_: str, count: int = 1) -> dict:
    page.wait_for_function(
        "([id, type, n]) => window.messages.filter((m) => m.id === id && m.type === type).length >= n",
        arg=[id_, type_, count],
    )
    return messages(page, id_, type_)[count - 1]


def send(page, id_: str, command: dict) -> None:
    page.evaluate("([id, command]) => window.send(id, command)", [id_, command])


def hostile_code() -> str:
    """A share-link state whose network has layer_sizes [1000, 1000]."""
    state = saved_state()
    state["network"] = state["initial"] = state["network"] | {
        "layer_sizes": [1000, 1000], "activations": ["tanh"],
        "weights": [[[0.0] * 1000] * 1000], "biases": [[0.0] * 1000],
    }  # fmt: skip
    return share_code(state)


def test_two_embeds_on_a_course_page_of_another_origin(course_page, server):
    page = course_page(server)
    for id_ in ("first", "second"):
        ready = wait_message(page, id_, "ready")
        assert ready["origin"] == server
        wait_message(page, id_, "resize")
    first = page.frame_locator('[data-backprop-viz-id="first"] iframe')
    second = page.frame_locator('[data-backprop-viz-id="second"] iframe')
    assert first.locator("#network .neuron").count() == 6  # Mazur 2-2-2
    assert first.locator("#network .edge").count() == 8
    assert second.locator("#network .edge").count() == 9  # XOR 2-3-1
    assert first.get_by_role("button", name="Step").is_visible()
    assert second.get_by_role("button", name="Step").count() == 0  # controls=none

    # titled, full width, and as tall as the content says (no inner scrolling)
    for id_ in ("first", "second"):
        frame = page.locator(f'[data-backprop-viz-id="{id_}"] iframe')
        assert frame.get_attribute("title")
        box = frame.bounding_box()
        body_width = page.evaluate("document.body.clientWidth")
        assert box["width"] == pytest.approx(body_width, abs=1)
        page.wait_for_function(
            "([id]) => { const m = window.messages.filter((m) => m.id === id && m.type === 'resize').pop();"
            " const f = document.querySelector(`[data-backprop-viz-id='${id}'] iframe`);"
            " return m && Math.abs(f.getBoundingClientRect().height - m.height) < 1; }",
            arg=[id_],
        )
        height = frame.bounding_box()["height"]
        assert 250 < height < 2000, height
    first_height = page.locator('[data-backprop-viz-id="first"] iframe').bounding_box()["height"]
    second_height = page.locator('[data-backprop-viz-id="second"] iframe').bounding_box()["height"]
    assert first_height > second_height + 150  # the panels (inspector, loss) make it taller

    # getState answers with the share-link state
    send(page, "first", {"target": "backprop-viz", "type": "getState"})
    state = decode_state(wait_message(page, "first", "state")["state"])
    assert state["step"] == 0
    assert state["network"]["weights"][1][0][0] == 0.4  # w5

    # step: the phases play, then a step event with the loss after the step
    send(page, "first", {"target": "backprop-viz", "type": "step"})
    step = wait_message(page, "first", "step")
    assert step["step"] == 1
    assert step["loss"] == pytest.approx(LOSS_AFTER_ONE_STEP, abs=1e-9)
    phases = [m["phase"] for m in messages(page, "first", "phase")]
    assert phases == [
        "idle",
        "forward-1",
        "forward-2",
        "loss",
        "backward-2",
        "backward-1",
        "update",
    ]
    w5 = first.locator('#network .edge[data-layer="2"][data-from="0"][data-to="0"]')
    assert float(w5.get_attribute("data-value")) == pytest.approx(W5_AFTER_ONE_STEP, abs=1e-8)

    # commands run in order: this getState sees the stepped network
    send(page, "first", {"target": "backprop-viz", "type": "getState"})
    after = wait_message(page, "first", "state", count=2)["state"]
    assert decode_state(after)["step"] == 1

    # the second embed was left alone, and obeys its own commands
    assert [m["phase"] for m in messages(page, "second", "phase")] == ["idle"]
    send(page, "second", {"target": "backprop-viz", "type": "next"})
    assert wait_message(page, "second", "phase", count=2)["phase"] == "forward-1"
    assert second.locator("#phase").get_attribute("data-phase") == "forward-1"

    # setState moves the first embed's network into the second
    send(page, "second", {"target": "backprop-viz", "type": "setState", "state": after})
    assert wait_message(page, "second", "phase", count=3)["phase"] == "idle"  # a new network
    assert second.locator("#network .edge").count() == 8
    w5_second = second.locator('#network .edge[data-layer="2"][data-from="0"][data-to="0"]')
    assert float(w5_second.get_attribute("data-value")) == pytest.approx(
        W5_AFTER_ONE_STEP, abs=1e-8
    )


def test_an_embed_the_course_page_adds_later_is_loaded_too(course_page, server):
    page = course_page(server)
    wait_message(page, "first", "ready")
    page.evaluate(
        """() => {
          const tab = document.createElement("section");  // as a tab or an LMS view renders
          tab.innerHTML = '<div data-backprop-viz data-id="later" data-preset="xor"></div>';
          document.body.append(tab);
        }"""
    )
    assert wait_message(page, "later", "ready")["origin"] == server
    later = page.frame_locator('[data-backprop-viz-id="later"] iframe')
    assert later.locator("#network .edge").count() == 9  # XOR 2-3-1
    assert page.locator("iframe").count() == 3  # and the first two were not embedded twice


def test_malformed_commands_are_ignored_and_bad_states_refused(course_page, server):
    page = course_page(server)
    wait_message(page, "first", "ready")
    for junk in [
        "step",
        ["step"],
        {"type": "step"},
        {"target": "other", "type": "step"},
        {"target": "backprop-viz", "type": "alert"},
        {"target": "backprop-viz", "type": {"toString": "step"}},
    ]:
        send(page, "first", junk)
    send(
        page,
        "first",
        {"target": "backprop-viz", "type": "setState", "state": "javascript:alert(1)"},
    )
    error = wait_message(page, "first", "error")
    assert "setState" in error["message"]
    # a well-formed state that decodes to nothing useful
    send(page, "first", {"target": "backprop-viz", "type": "setState", "state": "1.AAAA"})
    assert "does not decode" in wait_message(page, "first", "error", count=2)["message"]
    # a state that decodes, with a network past the server's limits: refused before drawing
    send(page, "first", {"target": "backprop-viz", "type": "setState", "state": hostile_code()})
    assert wait_message(page, "first", "error", count=3)["message"] == (
        "setState: this state cannot be opened: network.layer_sizes.0: a layer has 1 to 512 "
        "neurons, got 1000"
    )
    send(page, "first", {"target": "backprop-viz", "type": "getState"})
    state = decode_state(wait_message(page, "first", "state")["state"])
    assert state["step"] == 0 and state["name"] == "mazur"  # nothing above changed it
    frame = page.frame_locator('[data-backprop-viz-id="first"] iframe')
    assert frame.locator("#phase").get_attribute("data-phase") == "idle"


def test_a_bad_parameter_reaches_the_page_as_an_error_event(course_page, server):
    course_page.allowed.append("status of 422")  # the embed's answer to a bad parameter
    page = course_page(server)
    wait_message(page, "first", "ready")
    page.evaluate(
        """() => {
          const div = document.createElement("div");
          div.dataset.backpropViz = "";
          div.dataset.id = "third";
          div.dataset.preset = '"><script>window.parent.pwned = 1</script>';
          document.body.append(div);
          const script = document.createElement("script");
          script.src = document.querySelector("script[src$='embed.js']").src;
          document.body.append(script);
        }"""
    )
    error = wait_message(page, "third", "error")
    assert "unknown preset" in error["message"]
    frame = page.frame_locator('[data-backprop-viz-id="third"] iframe')
    assert "<script>" in frame.locator("main").inner_text()  # shown as text, not run
    assert page.evaluate("window.pwned") is None


@pytest.fixture(scope="module")
def strict_server(host):
    """The app with an allow-list: only http://localhost:<host port> may drive its embeds."""
    _, port = host
    with running_server(env={"BACKPROP_VIZ_EMBED_ORIGINS": f"http://localhost:{port}"}) as url:
        yield url


def test_commands_from_a_disallowed_origin_are_ignored(course_page, strict_server, host):
    page = course_page(strict_server, host_name="127.0.0.1")  # not on the list
    frame = page.frame_locator('[data-backprop-viz-id="first"] iframe')
    frame.locator("html[data-ready=true]").wait_for()
    assert frame.locator("#network .edge").count() == 8  # it shows, but takes no orders

    with page.expect_console_message(lambda m: "ignored a command" in m.text) as warning:
        send(page, "first", {"target": "backprop-viz", "type": "step"})
    assert f"from http://127.0.0.1:{host[1]}" in warning.value.text
    assert frame.locator("#phase").get_attribute("data-phase") == "idle"
    assert frame.locator("#counter").inner_text().startswith("step 0")
    assert page.evaluate("window.messages") == []  # no events to a page that may not drive it

    # the same page from an allowed origin drives it
    allowed = course_page(strict_server, host_name="localhost")
    wait_message(allowed, "first", "ready")
    send(allowed, "first", {"target": "backprop-viz", "type": "step"})
    assert wait_message(allowed, "first", "step")["step"] == 1


def test_step_events_follow_what_the_embed_shows(course_page, server):
    page = course_page(server)
    wait_message(page, "first", "ready")
    send(page, "first", {"target": "backprop-viz", "type": "step"})
    assert wait_message(page, "first", "step")["step"] == 1
    # back before the update: the step is undone on screen; forward again: it is announced again
    send(page, "first", {"target": "backprop-viz", "type": "previous"})
    send(page, "first", {"target": "backprop-viz", "type": "next"})
    again = wait_message(page, "first", "step", count=2)
    assert again["step"] == 1 and again["loss"] == pytest.approx(LOSS_AFTER_ONE_STEP, abs=1e-9)
    events = page.evaluate(
        """() => window.messages.filter((m) => m.id === "first" && (m.type === "phase" || m.type === "step"))
              .map((m) => m.type === "phase" ? m.phase : `step ${m.step}`)"""
    )
    # a step's event (with the loss after it) comes with its update phase, never before
    assert events == [
        "idle", "forward-1", "forward-2", "loss", "backward-2", "backward-1", "update", "step 1",
        "backward-1", "update", "step 1",
    ]  # fmt: skip


def test_run_and_stop_from_the_course_page(course_page, server):
    page = course_page(server)
    wait_message(page, "second", "ready")
    page.evaluate(
        """() => {
          window.relayed = [];  // the loader's DOM events on the div
          document.querySelector('[data-backprop-viz-id="second"]')
            .addEventListener("backprop-viz", (e) => window.relayed.push(e.detail));
        }"""
    )
    send(page, "second", {"target": "backprop-viz", "type": "run"})
    started = wait_message(page, "second", "running")
    assert (started["running"], started["step"]) == (True, 0)
    # Run trains on its own: the state the page gets moves on
    for count in range(1, 500):
        send(page, "second", {"target": "backprop-viz", "type": "getState"})
        seen = decode_state(wait_message(page, "second", "state", count=count)["state"])["step"]
        if seen > 0:
            break
    assert seen > 0
    assert not messages(page, "second", "step")  # no step event per redraw while it runs
    send(page, "second", {"target": "backprop-viz", "type": "stop"})
    stopped = wait_message(page, "second", "running", count=2)
    assert stopped["running"] is False and stopped["step"] >= seen
    # then, as after Train, one step event for the step the embed stays at
    step = wait_message(page, "second", "step")
    assert step["step"] == stopped["step"] and step["loss"] > 0
    frame = page.frame_locator('[data-backprop-viz-id="second"] iframe')
    assert frame.locator("#counter").get_attribute("data-step") == str(stopped["step"])
    send(page, "second", {"target": "backprop-viz", "type": "getState"})
    state = decode_state(wait_message(page, "second", "state", count=count + 1)["state"])
    assert state["step"] == stopped["step"]
    relayed = page.evaluate("window.relayed.filter((d) => d.type === 'running')")
    assert [(d["running"], d["step"]) for d in relayed] == [(True, 0), (False, stopped["step"])]
