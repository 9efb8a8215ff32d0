"""Response headers: CSP and framing per page, CORS on /api/v1, static caching and gzip."""

from __future__ import annotations

import re

import pytest

from app.pages import ASSET_VERSION

PAGES = ["/", "/embed", "/docs/embed", "/embed?preset=nope"]


def directives(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: d.partition(" ")[2] for d in (p.strip() for p in policy.split(";")) if d}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_script_policy(client, path):
    response = client.get(path)
    assert response.status_code in (200, 422)
    csp = directives(response)
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_no_inline_script_or_style(client, path):
    html = client.get(path).text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.search(r'\ssrc="/static/', tag), tag
    assert all(
        not body.strip() for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    )
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert not re.search(r"<[^>]+\sstyle=", html)  # no style attributes


def test_the_main_page_is_framed_only_by_this_server(client):
    response = client.get("/")
    assert directives(response)["frame-ancestors"] == "'self'"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_the_embed_may_be_framed_anywhere_by_default(client):
    response = client.get("/embed?preset=xor")
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"].split()[0] == "*"
    assert "x-frame-options" not in response.headers


def test_the_embed_frame_ancestors_follow_the_setting(make_client):
    client = make_client(frame_ancestors="https://course.example.edu, http://localhost:8080")
    response = client.get("/embed")
    assert directives(response)["frame-ancestors"] == (
        "'self' https://course.example.edu http://localhost:8080"
    )
    assert "x-frame-options" not in response.headers
    assert directives(client.get("/"))["frame-ancestors"] == "'self'"


def test_a_setting_that_is_not_an_origin_list_is_refused(make_client):
    with pytest.raises(ValueError, match="not an origin"):
        make_client(frame_ancestors="https://a.edu; script-src *")


def test_api_and_health_carry_no_page_headers(client, mazur_step):
    for response in (client.get("/healthz"), client.post("/api/v1/step", json=mazur_step)):
        assert response.status_code == 200
        assert "content-security-policy" not in response.headers
        assert "x-frame-options" not in response.headers


def test_cors_preflight_on_step(client):
    response = client.options(
        "/api/v1/step",
        headers={
            "Origin": "https://course.example.edu",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


def test_cors_on_an_api_answer(client, mazur_step):
    response = client.post(
        "/api/v1/step", json=mazur_step, headers={"Origin": "https://course.example.edu"}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


def test_cors_follows_the_setting(make_client):
    client = make_client(cors_origins="https://course.example.edu")
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = client.options(
        "/api/v1/step", headers={"Origin": "https://course.example.edu"} | preflight
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://course.example.edu"
    refused = client.options("/api/v1/step", headers={"Origin": "https://evil.example"} | preflight)
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_versioned_static_files_are_cached_for_a_year(client):
    response = client.get(f"/static/v/{ASSET_VERSION}/js/main.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["etag"]


def test_plain_static_files_are_revalidated(client):
    response = client.get("/static/embed.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    again = client.get("/static/embed.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == "no-cache"


def test_an_old_version_is_served_but_not_cached_for_long(client):
    response = client.get("/static/v/0123456789ab/js/main.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


def test_versioned_files_answer_304_to_their_etag(client):
    path = f"/static/v/{ASSET_VERSION}/css/app.css"
    etag = client.get(path).headers["etag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["cache-control"].endswith("immutable")


def test_text_assets_and_pages_are_gzipped(client):
    for path in (f"/static/v/{ASSET_VERSION}/js/inspector.js", "/static/css/app.css", "/"):
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.status_code == 200
        assert packed.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in packed.headers["vary"].lower()
        assert int(packed.headers["content-length"]) < len(plain.content) / 2
        assert packed.content == plain.content  # httpx decodes; the bytes are the file's
        assert "content-encoding" not in plain.headers


def test_small_api_answers_are_not_compressed(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers


def test_templates_name_assets_by_version(client):
    html = client.get("/").text
    assert f'src="/static/v/{ASSET_VERSION}/js/main.js"' in html
    assert f'href="/static/v/{ASSET_VERSION}/css/app.css"' in html
    assert 'src="/static/js/' not in html


@pytest.mark.parametrize("path", ["/", "/embed", "/docs/embed", "/api/docs", "/healthz"])
def test_head_is_served_with_the_headers_of_get(client, path):
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-security-policy") == got.headers.get("content-security-policy")


def test_an_unknown_embed_parameter_is_named_shortened(client):
    name = "x" * 5000
    response = client.get(f"/embed?{name}=1")
    assert response.status_code == 422
    assert f"<code>{'x' * 40}...</code>" in response.text
    assert "x" * 41 not in response.text
