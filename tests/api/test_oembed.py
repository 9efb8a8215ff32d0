"""oEmbed: a rich iframe snippet for this server's visualizer, embed and share links."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.states import saved_state, share_code

BASE = "http://testserver"


def oembed(client, url, **params):
    return client.get("/oembed", params={"url": url, **params})


def iframe_src(answer: dict) -> str:
    return html.unescape(re.search(r'<iframe src="([^"]+)"', answer["html"]).group(1))


def test_a_preset_address_gives_a_rich_iframe(client):
    response = oembed(client, f"{BASE}/?preset=xor", format="json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    answer = response.json()
    assert answer["version"] == "1.0"
    assert answer["type"] == "rich"
    assert answer["provider_name"] == "backprop-viz"
    assert answer["title"] == "Backpropagation, step by step: XOR"
    assert isinstance(answer["width"], int) and isinstance(answer["height"], int)
    assert answer["html"].startswith("<iframe ") and 'title="Backpropagation' in answer["html"]
    src = urlsplit(iframe_src(answer))
    assert f"{src.scheme}://{src.netloc}{src.path}" == f"{BASE}/embed"
    assert parse_qs(src.query) == {"preset": ["xor"]}


def test_an_embed_address_keeps_its_parameters(client):
    url = f"{BASE}/embed?preset=mazur&controls=none&show=loss&theme=dark"
    answer = oembed(client, url).json()
    query = parse_qs(urlsplit(iframe_src(answer)).query)
    assert query == {"preset": ["mazur"], "controls": ["none"], "show": ["loss"], "theme": ["dark"]}


def test_a_share_link_becomes_a_state_embed(client):
    state = "1.q1YqS8wpTVWyUjLQUcpMUbIy0FFKLUjNS0ktykzNQ8rLQYqDszPzM0rzcxRcs7PSy1OVbIyNDAy"
    response = oembed(client, f"{BASE}/#state={state}")
    # a made-up state does not decode: not an address of a network
    assert response.status_code == 404


def test_a_real_share_link_becomes_a_state_embed(client):
    state = share_code(saved_state())
    answer = oembed(client, f"{BASE}/#state={state}").json()
    assert parse_qs(urlsplit(iframe_src(answer)).query) == {"state": [state]}


def test_maxwidth_and_maxheight_bound_the_size(client):
    answer = oembed(client, f"{BASE}/", maxwidth=400, maxheight=300).json()
    assert answer["width"] == 400
    assert answer["height"] == 300
    assert 'width="400" height="300"' in answer["html"]


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/?preset=xor",
        f"{BASE}/docs/embed",
        f"{BASE}/api/v1/presets",
        "javascript:alert(1)//testserver/",
        "javascript://testserver/%0aalert(1)",
        f"{BASE}/embed?preset=%3Cscript%3Ealert(1)%3C/script%3E",
        f"{BASE}/embed?theme=javascript:alert(1)",
        "not a url",
    ],
)
def test_other_addresses_are_not_found(client, url):
    response = oembed(client, url)
    assert response.status_code == 404
    assert "<script" not in response.text


def test_only_json_is_served(client):
    assert oembed(client, f"{BASE}/", format="xml").status_code == 501


def test_bad_sizes_are_refused(client):
    assert oembed(client, f"{BASE}/", maxwidth=0).status_code == 422
    assert client.get("/oembed").status_code == 422


@pytest.mark.parametrize("path", ["/", "/?preset=xor", "/embed?preset=xor", "/docs/embed"])
def test_every_page_links_its_oembed(client, path):
    page = client.get(path).text
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', page)
    assert link, "no oEmbed discovery link"
    href = html.unescape(link.group(1))
    answer = client.get(href.removeprefix(BASE))
    assert answer.status_code == 200
    assert answer.json()["type"] == "rich"
