"""/api/v1/lessons against both stores: a SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from app.config import get_settings
from app.lessons.store import database_url as store_url
from app.lessons.store import metadata
from tests.lessons.examples import MAZUR_LESSON, MAZUR_LESSON_STORED, mazur_lesson

ID = re.compile(r"[A-Za-z0-9]{6,16}")


@pytest.fixture
def api(make_client, database_url):
    """A client of an app on a new database of each kind, started and stopped (lifespan)."""
    with make_client(database_url=database_url) as client:
        yield client


def publish(client, lesson=MAZUR_LESSON) -> dict:
    response = client.post("/api/v1/lessons", json={"lesson": lesson})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_published_lesson_reads_back_as_published(api):
    before = datetime.now(UTC)
    response = api.post("/api/v1/lessons", json={"lesson": MAZUR_LESSON})
    after = datetime.now(UTC)
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "url", "edit_token"}
    assert ID.fullmatch(created["id"])
    assert created["url"] == f"http://testserver/lesson/{created['id']}"
    assert response.headers["location"] == f"/api/v1/lessons/{created['id']}"

    response = api.get(f"/api/v1/lessons/{created['id']}")
    assert response.status_code == 200
    answer = response.json()
    assert answer["id"] == created["id"]
    assert answer["lesson"] == MAZUR_LESSON_STORED
    assert answer["created"].endswith("Z")
    moment = datetime.fromisoformat(answer["created"])
    assert moment.utcoffset() == timedelta(0)
    assert before.replace(microsecond=0) <= moment <= after


def test_ids_are_letters_and_digits_drawn_at_random(api):
    ids = [publish(api)["id"] for _ in range(12)]
    assert all(ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids != sorted(ids)  # not a sequence: 12 random ids are in order 1 time in 12!


def test_a_lesson_cannot_be_changed_and_an_edit_is_a_new_lesson(api):
    first = publish(api)
    path = f"/api/v1/lessons/{first['id']}"
    edited = mazur_lesson(title="Edited")
    for method in ("PUT", "PATCH", "POST"):
        response = api.request(method, path, json={"lesson": edited})
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, DELETE"
    second = publish(api, edited)
    assert second["id"] != first["id"]
    assert api.get(path).json()["lesson"]["title"] == MAZUR_LESSON["title"]
    assert api.get(f"/api/v1/lessons/{second['id']}").json()["lesson"]["title"] == "Edited"


def test_deleting_takes_the_edit_token(api):
    lesson, other = publish(api), publish(api)
    path = f"/api/v1/lessons/{lesson['id']}"

    response = api.delete(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["detail"]
    response = api.delete(path, headers={"Authorization": f"Basic {lesson['edit_token']}"})
    assert response.status_code == 401
    response = api.delete(path, headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 403
    response = api.delete(path, headers={"Authorization": f"Bearer {other['edit_token']}"})
    assert response.status_code == 403
    assert api.get(path).status_code == 200

    response = api.delete(path, headers={"Authorization": f"Bearer {lesson['edit_token']}"})
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(path).status_code == 404
    assert api.get(f"/lesson/{lesson['id']}").status_code == 404
    again = api.delete(path, headers={"Authorization": f"Bearer {lesson['edit_token']}"})
    assert again.status_code == 404
    assert api.get(f"/api/v1/lessons/{other['id']}").status_code == 200


def test_a_page_of_another_origin_may_delete_with_the_token(api):
    lesson = publish(api)
    path = f"/api/v1/lessons/{lesson['id']}"
    origin = {"Origin": "https://course.example.edu"}
    preflight = api.options(
        path,
        headers=origin
        | {"Access-Control-Request-Method": "DELETE"}
        | {"Access-Control-Request-Headers": "authorization"},
    )
    assert preflight.status_code == 200
    assert "DELETE" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    token = {"Authorization": f"Bearer {lesson['edit_token']}"}
    response = api.delete(path, headers=origin | token)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("lesson_id", ["Abc123xyz9", "short", "x" * 17, "abc-def!", "%00"])
def test_an_unknown_id_is_not_found(api, lesson_id):
    response = api.get(f"/api/v1/lessons/{lesson_id}")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no lesson")
    response = api.delete(f"/api/v1/lessons/{lesson_id}", headers={"Authorization": "Bearer x"})
    assert response.status_code == 404


def test_edit_tokens_are_kept_only_as_hashes(api, database_url):
    published = publish(api)
    engine = create_engine(store_url(get_settings()))
    try:
        with engine.connect() as conn:
            rows = [row for table in metadata.sorted_tables for row in conn.execute(select(table))]
    finally:
        engine.dispose()
    kept = " ".join(str(value) for row in rows for value in row)
    assert published["edit_token"] not in kept
    assert hashlib.sha256(published["edit_token"].encode()).hexdigest() in kept


def test_a_lesson_outlives_the_server_that_published_it(make_client, database_url):
    with make_client(database_url=database_url) as first:
        published = publish(first)
    with make_client(database_url=database_url) as second:
        response = second.get(f"/api/v1/lessons/{published['id']}")
        assert response.status_code == 200
        assert response.json()["lesson"] == MAZUR_LESSON_STORED


def test_too_many_lessons_from_one_address_get_429(make_client, database_url):
    with make_client(database_url=database_url, lesson_rate=3, lesson_rate_window=3600) as api:
        for _ in range(3):
            publish(api)
        response = api.post("/api/v1/lessons", json={"lesson": MAZUR_LESSON})
        assert response.status_code == 429
        # three at once, then one every 3600 / 3 s
        assert 1 <= int(response.headers["retry-after"]) <= 1200
        assert "at most 3 lessons per 3600 s" in response.json()["detail"]
        elsewhere = TestClient(api.app, client=("203.0.113.7", 50000))
        assert elsewhere.post("/api/v1/lessons", json={"lesson": MAZUR_LESSON}).status_code == 201


def test_refused_lessons_do_not_count_toward_the_rate(make_client, database_url):
    with make_client(database_url=database_url, lesson_rate=1, lesson_rate_window=3600) as api:
        bad = api.post("/api/v1/lessons", json={"lesson": mazur_lesson(title="")})
        assert bad.status_code == 422
        publish(api)
        assert api.post("/api/v1/lessons", json={"lesson": MAZUR_LESSON}).status_code == 429


def test_apps_sharing_a_store_share_the_rate(make_client, database_url):
    settings = {"database_url": database_url, "lesson_rate": 2, "lesson_rate_window": 3600}
    with make_client(**settings) as one, make_client(**settings) as two:
        publish(one)
        publish(two)
        assert one.post("/api/v1/lessons", json={"lesson": MAZUR_LESSON}).status_code == 429
        assert two.post("/api/v1/lessons", json={"lesson": MAZUR_LESSON}).status_code == 429


def test_a_lesson_over_the_size_limit_gets_413(client):
    limit = get_settings().max_lesson_bytes
    assert limit == 256 * 1024  # the documented default
    body = json.dumps({"lesson": MAZUR_LESSON})
    at_limit = body + " " * (limit - len(body))  # JSON may carry any amount of white space
    headers = {"content-type": "application/json"}
    response = client.post("/api/v1/lessons", content=at_limit, headers=headers)
    assert response.status_code == 201
    response = client.post("/api/v1/lessons", content=at_limit + " ", headers=headers)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        f"a lesson is at most {limit} bytes of JSON, got {limit + 1}"
    )


def test_the_size_limit_is_a_setting(make_client):
    client = make_client(max_lesson_bytes=500)
    response = client.post("/api/v1/lessons", json={"lesson": MAZUR_LESSON})
    assert response.status_code == 413
    assert "at most 500 bytes" in response.json()["detail"]


def test_the_endpoints_are_documented_with_their_models(client):
    schema = client.get("/api/openapi.json").json()
    paths, models = schema["paths"], schema["components"]["schemas"]

    post = paths["/api/v1/lessons"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CreateLesson"
    )
    assert {"201", "413", "422", "429"} <= set(post["responses"])
    assert post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Created"
    )
    item = paths["/api/v1/lessons/{lesson_id}"]
    assert {"200", "404"} <= set(item["get"]["responses"])
    assert {"204", "401", "403", "404"} <= set(item["delete"]["responses"])
    assert item["delete"]["security"] == [{"HTTPBearer": []}]

    assert item["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"
    ].endswith("/LessonOut")
    lesson = models["Lesson"]
    assert set(lesson["properties"]) == {"version", "title", "preset", "state", "stops"}
    assert set(lesson["required"]) == {"title", "stops"}
    focus = models["Stop"]["properties"]["focus"]["anyOf"][0]
    assert set(focus["discriminator"]["mapping"]) == {"neuron", "bias", "edge"}
    assert "from" in models["EdgeFocus"]["properties"]
    assert set(models["Question"]["properties"]["quantity"]["enum"]) == {
        "z", "a", "delta", "grad_weights", "grad_biases", "new_weights", "new_biases",
        "loss", "output_losses",
    }  # fmt: skip
