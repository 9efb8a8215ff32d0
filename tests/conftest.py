"""Fixtures shared by the engine and API tests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.engine.data import preset
from app.main import create_app


@pytest.fixture
def mazur() -> dict:
    """The published worked example, as the API serves it."""
    return preset("mazur")


@pytest.fixture
def mazur_step(mazur) -> dict:
    """A /api/v1/step request body for one step of the worked example."""
    return {k: mazur[k] for k in ("network", "inputs", "targets", "learning_rate")}


@pytest.fixture
def make_client(monkeypatch):
    """A TestClient for an app built with these BACKPROP_VIZ_* settings."""

    def make(**settings) -> TestClient:
        for key, value in settings.items():
            monkeypatch.setenv(f"BACKPROP_VIZ_{key.upper()}", str(value))
        get_settings.cache_clear()
        return TestClient(create_app())

    yield make
    get_settings.cache_clear()


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
