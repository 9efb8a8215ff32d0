"""Fixtures shared by the engine and API tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.engine.data import preset
from app.main import create_app
from tests.postgres import running_postgres


def pytest_configure(config):
    """Every app and server of the session keeps its lessons in a temporary directory, never
    in the user's data: set before test modules (some build an app at import) are collected."""
    config.backprop_viz_data = tempfile.mkdtemp(prefix="backprop-viz-test-data-")
    os.environ["BACKPROP_VIZ_DATA_DIR"] = config.backprop_viz_data
    get_settings.cache_clear()


def pytest_unconfigure(config):
    shutil.rmtree(config.backprop_viz_data, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of our own for the session (tests/postgres.py)."""
    with running_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A new, empty lessons database: a SQLite file, or a database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lessons.sqlite3'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def mazur() -> dict:
    """The published worked example, as the API serves it."""
    return preset("mazur")


@pytest.fixture
def mazur_step(mazur) -> dict:
    """A /api/v1/step request body for one step of the worked example."""
    return {k: mazur[k] for k in ("network", "inputs", "targets", "learning_rate")}


@pytest.fixture
def make_client(monkeypatch, tmp_path):
    """A TestClient for an app built with these BACKPROP_VIZ_* settings (and, unless they say
    otherwise, lessons kept in a data directory of this test's own), started as a server
    starts it (its lifespan runs) and stopped at the end of the test (its workers with it)."""
    monkeypatch.setenv("BACKPROP_VIZ_DATA_DIR", str(tmp_path / "data"))
    with contextlib.ExitStack() as started:

        def make(**settings) -> TestClient:
            for key, value in settings.items():
                monkeypatch.setenv(f"BACKPROP_VIZ_{key.upper()}", str(value))
            get_settings.cache_clear()
            client = StartedClient(create_app())
            TestClient.__enter__(client)
            started.callback(TestClient.__exit__, client, None, None, None)
            return client

        yield make
    get_settings.cache_clear()


class StartedClient(TestClient):
    """A TestClient already started by make_client, which stops it: `with` does nothing more
    (one event loop and one lifespan per app, whatever a test does)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        return None


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
