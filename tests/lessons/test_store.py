"""The store on both databases: its schema as migrated, migrations that take turns, and the
rate of creation per client address (a GCRA on a clock the test sets)."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import func, select

from app.config import Settings
from app.lessons.store import LessonStore, RateLimited, lesson_rate, metadata
from app.lessons.store import database_url as store_url


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def open_store(url: str, **options) -> LessonStore:
    store = LessonStore(store_url(Settings(database_url=url)), **options)
    store.open()
    return store


@pytest.fixture
def store(database_url):
    store = open_store(database_url, rate=0, window=60)
    yield store
    store.close()


def test_the_migrated_schema_is_the_one_the_store_uses(store):
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == "0001"
        assert compare_metadata(context, metadata) == []


def test_processes_starting_together_migrate_in_turn(database_url):
    url = store_url(Settings(database_url=database_url))
    stores = [LessonStore(url, rate=0, window=60) for _ in range(6)]
    start = threading.Barrier(len(stores))
    failures = []

    def open_at_once(store):
        start.wait()
        try:
            store.open()
        except Exception as e:  # reported below
            failures.append(e)

    threads = [threading.Thread(target=open_at_once, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    published = stores[0].create("{}", "client")
    assert all(s.get(published.id) is not None for s in stores)
    for s in stores:
        s.close()


def test_a_client_creates_rate_lessons_at_once_then_one_every_window_over_rate(database_url):
    clock = Clock(1_000.0)
    store = open_store(database_url, rate=3, window=60, clock=clock)
    try:
        for _ in range(3):
            store.create("{}", "a")
        with pytest.raises(RateLimited) as refused:
            store.create("{}", "a")
        assert refused.value.retry_after == 20
        store.create("{}", "b")  # another address has its own bucket

        clock.now = 1_019.5
        with pytest.raises(RateLimited) as refused:
            store.create("{}", "a")
        assert refused.value.retry_after == 1  # whole seconds, rounded up
        clock.now = 1_020.0
        store.create("{}", "a")
        with pytest.raises(RateLimited):
            store.create("{}", "a")

        # long after, a creation forgets the addresses whose buckets have emptied
        clock.now = 5_000.0
        store.create("{}", "c")
        with store.engine.connect() as conn:
            assert conn.execute(select(lesson_rate.c.client)).scalars().all() != []
            assert conn.execute(select(func.count()).select_from(lesson_rate)).scalar() == 1
    finally:
        store.close()


def test_without_a_rate_nothing_is_counted(store):
    for _ in range(50):
        store.create("{}", "a")
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(lesson_rate)).scalar() == 0


def test_database_urls():
    default = store_url(Settings(data_dir="/srv/viz"))
    assert default.render_as_string() == "sqlite:////srv/viz/lessons.sqlite3"
    for given in ("postgresql://u:p@db:5432/viz", "postgres://u:p@db:5432/viz"):
        url = store_url(Settings(database_url=given))
        assert url.render_as_string(hide_password=False) == "postgresql+psycopg://u:p@db:5432/viz"
    url = store_url(Settings(database_url="sqlite:///relative/lessons.db"))
    assert url.database == "relative/lessons.db"
    for wrong in ("mysql://db/viz", "sqlite://", "lessons.db"):
        with pytest.raises(ValidationError, match="use sqlite:///path"):
            Settings(database_url=wrong)
