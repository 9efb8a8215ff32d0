"""Lessons on real servers: several processes writing at once, two servers sharing one
PostgreSQL, and a SQLite file that outlives the server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.lessons.examples import MAZUR_LESSON, MAZUR_LESSON_STORED
from tests.live import answering_workers, running_server

POSTS = 200  # at once, from 16 threads


def publish(base: str) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/lessons", json={"lesson": MAZUR_LESSON}, timeout=60)


def test_two_servers_share_lessons_through_one_postgresql(postgres):
    env = {
        "BACKPROP_VIZ_DATABASE_URL": postgres.new_database(),
        "BACKPROP_VIZ_LESSON_RATE": "3",
        "BACKPROP_VIZ_LESSON_RATE_WINDOW": "3600",
    }
    with running_server(env=env) as one, running_server(env=env) as two:
        response = publish(one)
        assert response.status_code == 201
        created = response.json()
        assert created["url"] == f"{one}/lesson/{created['id']}"

        response = httpx.get(f"{two}/api/v1/lessons/{created['id']}")
        assert response.status_code == 200
        assert response.json()["lesson"] == MAZUR_LESSON_STORED
        assert httpx.get(f"{two}/lesson/{created['id']}").status_code == 200

        token = {"Authorization": f"Bearer {created['edit_token']}"}
        assert (
            httpx.delete(f"{two}/api/v1/lessons/{created['id']}", headers=token).status_code == 204
        )
        assert httpx.get(f"{one}/api/v1/lessons/{created['id']}").status_code == 404

        # one address, two servers, one rate: three lessons an hour in all
        assert publish(two).status_code == 201
        assert publish(one).status_code == 201
        refused = publish(two)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_two_workers_write_many_lessons_at_once(store, tmp_path, request):
    """A new store, so the two workers also migrate it together at start-up."""
    env = {"BACKPROP_VIZ_LESSON_RATE": "0", "BACKPROP_VIZ_DATA_DIR": str(tmp_path)}
    if store == "postgresql":
        env["BACKPROP_VIZ_DATABASE_URL"] = request.getfixturevalue("postgres").new_database()
    lesson = {"lesson": MAZUR_LESSON}
    with (
        running_server(workers=2, env=env) as url,
        # every request on a new connection, so that the kernel hands each to either worker
        httpx.Client(base_url=url, headers={"connection": "close"}, timeout=60) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        assert len(answering_workers(client, 2)) == 2
        posts = pool.map(lambda _: client.post("/api/v1/lessons", json=lesson), range(POSTS))
        responses = list(posts)
        assert [r.status_code for r in responses] == [201] * POSTS
        ids = {r.json()["id"] for r in responses}
        assert len(ids) == POSTS
        reads = list(pool.map(lambda i: client.get(f"/api/v1/lessons/{i}"), ids))
        assert {r.status_code for r in reads} == {200}
    if store == "sqlite":
        assert (tmp_path / "lessons.sqlite3").is_file()


def test_the_default_store_is_a_file_in_the_data_dir_that_outlives_the_server(tmp_path):
    data_dir = tmp_path / "not" / "there" / "yet"
    env = {"BACKPROP_VIZ_DATA_DIR": str(data_dir)}
    with running_server(env=env) as url:
        created = publish(url).json()
    assert (data_dir / "lessons.sqlite3").is_file()
    with running_server(env=env) as url:
        response = httpx.get(f"{url}/api/v1/lessons/{created['id']}")
        assert response.status_code == 200
        assert response.json()["lesson"] == MAZUR_LESSON_STORED


def test_a_server_whose_database_is_unreachable_does_not_start(postgres):
    unreachable = postgres.url().rsplit("/", 1)[0] + "/no_such_database"
    with (
        pytest.raises(RuntimeError, match="no_such_database"),
        running_server(env={"BACKPROP_VIZ_DATABASE_URL": unreachable}),
    ):
        pass
