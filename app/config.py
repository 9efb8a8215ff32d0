"""Settings, read from BACKPROP_VIZ_* environment variables; tests override get_settings."""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "BACKPROP_VIZ_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX)

    # limits, all checked before any work starts: shapes and sizes, then each request's
    # estimated cost (api/cost.py): its time, the size of its answer and its memory
    max_layers: int = 10  # entries of layer_sizes, input layer included
    max_neurons: int = 512  # per layer
    max_params: int = 100_000  # weights and biases together
    max_samples: int = 10_000  # per request (inputs, test_inputs, dataset n + test)
    max_cost: int = 4_000_000_000  # estimated nanoseconds of one core: 4 s
    max_answer_bytes: int = 16 * 1024 * 1024  # estimated JSON of the answer
    max_memory_bytes: int = 256 * 1024 * 1024  # estimated working memory of a request
    max_body_bytes: int = 2 * 1024 * 1024

    # where work runs (jobs.py): inline up to inline_cost (estimated nanoseconds), else in
    # a pool of heavy_workers processes with room for heavy_queue more requests waiting;
    # a job running past job_time_budget seconds is stopped
    # 8 ms: the page's own requests, even on the deep preset, and Run's pieces (their steps,
    # two states' grids); the event loop's other requests wait at most that long for one
    inline_cost: int = 8_000_000
    heavy_workers: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1))
    heavy_queue: int = 4
    job_time_budget: float = 10.0
    response_cache_entries: int = 1024  # answers kept by request body; 0 turns the cache off

    # slow clients (app/server.py): a request must arrive whole (headers and body) within
    # request_timeout seconds of its first byte, and an answer that the client stops
    # reading for write_timeout seconds is dropped
    request_timeout: float = 20.0
    write_timeout: float = 20.0

    # embedding (app/security.py): origins as "*" or a space/comma separated list of
    # scheme://host[:port]; the app's own origin is always allowed
    frame_ancestors: str = "*"  # who may show /embed in a frame
    embed_origins: str = "*"  # whose postMessage commands an embed obeys
    cors_origins: str = "*"  # who may call /api/v1 from their own page's JavaScript

    # lessons (app/lessons): a SQLite file in data_dir, unless database_url names a database
    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    database_url: str = ""  # sqlite:///path or postgresql://user:password@host:port/database
    max_lesson_bytes: int = Field(256 * 1024, ge=1)  # a POST /api/v1/lessons body
    # lessons one client address may create per lesson_rate_window seconds (0: no limit)
    lesson_rate: int = Field(30, ge=0)
    lesson_rate_window: int = Field(60, ge=1)

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if value and not re.match(r"(sqlite:///.|postgres(ql)?(\+psycopg)?://.)", value):
            raise ValueError("use sqlite:///path/to/file or postgresql://user@host/database")
        return value

    @field_validator("frame_ancestors", "embed_origins", "cors_origins")
    @classmethod
    def _origin_list(cls, value: str) -> str:
        return " ".join(parse_origins(value))


def parse_origins(value: str) -> list[str]:
    """["*"] or a list of origins such as https://course.example.edu; anything else is an error."""
    items = [item.rstrip("/") for item in value.replace(",", " ").split()]
    if items == ["*"] or not items:
        return ["*"]
    for item in items:
        if not _ORIGIN.fullmatch(item):
            raise ValueError(f"{item!r} is not an origin such as https://example.edu or *")
    return items


_ORIGIN = re.compile(r"https?://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?")


def default_data_dir() -> Path:
    """The platform's per-user data directory for backprop-viz (created when first needed)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:  # the XDG base directory specification
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = xdg if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return Path(base) / "backprop-viz"


@lru_cache
def get_settings() -> Settings:
    # a misspelt or retired setting (such as max_train_work) would otherwise be ignored
    # without a word, leaving a limit other than the one its operator meant
    unknown = sorted(
        key for key in os.environ
        if key.upper().startswith(PREFIX) and key[len(PREFIX):].lower() not in Settings.model_fields
    )  # fmt: skip
    if unknown:
        known = ", ".join(PREFIX + name.upper() for name in Settings.model_fields)
        raise ValueError(f"unknown setting {', '.join(unknown)}; the settings are {known}")
    return Settings()
