"""A lesson's short link (/lesson/{id}) and embed (/embed?lesson={id}): they carry the lesson
to the page as data, answer 404 for an unknown id, and are discoverable through oEmbed."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.test_headers import directives
from tests.api.test_oembed import BASE, iframe_src, oembed
from tests.lessons.examples import STATE, mazur_lesson

IDLE = {"step": 0, "phase": "idle"}
HOSTILE_TITLE = "</script><script>alert(1)</script> & 'quotes'"


def publish(client, lesson) -> dict:
    response = client.post("/api/v1/lessons", json={"lesson": lesson})
    assert response.status_code == 201, response.text
    return response.json()


def lesson_data(page: str) -> dict:
    """The JSON of the page's #lesson-data element, which is data and never runs."""
    found = re.search(
        r'<script type="application/json" id="lesson-data">(.*?)</script>', page, re.S
    )
    assert found, "no #lesson-data element"
    return json.loads(found.group(1))


def embed_root(page: str) -> dict[str, str]:
    tag = re.search(r'<main id="embed"[^>]*>', page).group(0)
    return {k: html.unescape(v) for k, v in re.findall(r'\s(data-[a-z-]+)="([^"]*)"', tag)}


@pytest.fixture
def published(client) -> dict:
    return publish(client, mazur_lesson(title=HOSTILE_TITLE, preset="xor", stops=[
        {"step": 1, "phase": "forward-1", "focus": {"kind": "neuron", "layer": 1, "index": 2}},
    ]))  # fmt: skip


def test_the_short_link_is_the_page_with_the_lesson(client, published):
    response = client.get(urlsplit(published["url"]).path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert re.search(rf'<body data-lesson="{published["id"]}">', page)
    assert lesson_data(page) == client.get(f"/api/v1/lessons/{published['id']}").json()
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert html.unescape(title) == f"{HOSTILE_TITLE} · backprop-viz"
    assert "<script>alert(1)" not in page
    assert directives(response)["script-src"] == "'self'"


@pytest.mark.parametrize("path", ["/lesson/{id}", "/embed?lesson={id}"])
def test_lesson_pages_run_no_inline_script(client, published, path):
    page = client.get(path.format(id=published["id"])).text
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert re.search(r'\ssrc="/static/', tag) or tag == (
            '<script type="application/json" id="lesson-data">'
        ), tag


def test_an_unknown_short_link_is_a_404_page(client):
    response = client.get("/lesson/Abc123xyz9")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "This lesson does not exist" in response.text
    assert client.get("/lesson/not-an-id!").status_code == 404


def test_the_embed_of_a_lesson_starts_from_its_network(client, published):
    response = client.get(f"/embed?lesson={published['id']}&theme=dark")
    assert response.status_code == 200
    page = response.text
    root = embed_root(page)
    assert root["data-lesson"] == published["id"]
    assert root["data-preset"] == "xor"
    assert root["data-state"] == ""
    assert lesson_data(page)["lesson"]["title"] == HOSTILE_TITLE
    assert f'href="{BASE}/lesson/{published["id"]}"' in page  # "Open in backprop-viz"
    assert directives(response)["frame-ancestors"].split()[0] == "*"


def test_the_embed_of_a_lesson_on_a_state_carries_the_state(client):
    lesson = publish(client, mazur_lesson(preset=None, state=STATE, stops=[IDLE]))
    root = embed_root(client.get(f"/embed?lesson={lesson['id']}").text)
    assert (root["data-preset"], root["data-state"]) == ("", STATE)


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("lesson=Abc123xyz9", 404, "no lesson has this id"),
        ("lesson=abc!", 422, "not a lesson id: 6 to 16 letters and digits"),
        ("lesson=Abc123xyz9&preset=xor", 422, "leave out preset and state"),
    ],
)
def test_an_embed_of_a_missing_lesson_says_so(client, query, status, message):
    response = client.get(f"/embed?{query}")
    assert response.status_code == status
    assert "The parameter <code>lesson</code> is wrong" in response.text
    assert message in html.unescape(response.text)


@pytest.mark.parametrize("path", ["/lesson/{id}", "/embed?lesson={id}&controls=full"])
def test_lesson_addresses_are_oembed_discoverable(client, published, path):
    page = client.get(path.format(id=published["id"])).text
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', page)
    response = client.get(html.unescape(link.group(1)).removeprefix(BASE))
    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == "rich"
    assert answer["title"] == HOSTILE_TITLE
    assert re.search(r'<iframe [^>]*title="([^"]*)"', answer["html"]).group(1) == html.escape(
        HOSTILE_TITLE
    )
    src = urlsplit(iframe_src(answer))
    assert src.path == "/embed"
    assert parse_qs(src.query)["lesson"] == [published["id"]]
    assert "preset" not in parse_qs(src.query)


def test_oembed_of_an_unknown_lesson_is_not_found(client):
    assert oembed(client, f"{BASE}/lesson/Abc123xyz9").status_code == 404
    assert oembed(client, f"{BASE}/embed?lesson=Abc123xyz9").status_code == 404
    assert oembed(client, f"{BASE}/lesson/").status_code == 404
