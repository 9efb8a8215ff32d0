"""The lessons' store: a SQL database through SQLAlchemy Core, SQLite or PostgreSQL.

A lesson is written once (publishing an edit makes a new one) and read by id. Its edit token
is kept only as a SHA-256 hash: the token is 32 random bytes, so a fast hash is enough.

Every call blocks: the web layer calls it from a thread (FastAPI runs plain `def` routes
in its threadpool). SQLite runs in WAL mode with a busy timeout, so that several worker
processes write to one file, each write waiting its turn for the file's write lock.

The creation rate per client address is kept in the database too (a GCRA: one "theoretical
arrival time" per address), so every process and machine that shares the store shares it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import sqlite3
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError

from ..config import Settings
from . import ID

metadata = MetaData()
lessons = Table(
    "lessons",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("document", Text, nullable=False),  # the lesson's JSON, as served
    Column("edit_token_hash", String(64), nullable=False),  # hex SHA-256 of the edit token
    Column("created", DateTime(timezone=True), nullable=False),
)
lesson_rate = Table(
    "lesson_rate",
    metadata,
    Column("client", String(64), primary_key=True),  # hex SHA-256 of the client address
    Column("tat", Float, nullable=False),  # when its bucket is empty again (Unix seconds)
    Index("lesson_rate_tat", "tat"),
)

ID_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 10  # 62^10: about 8e17 ids, drawn by `secrets`
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_SECONDS = 30
_MIGRATION_LOCK = 0x6C6573736F6E73  # PostgreSQL advisory lock key ("lessons")


@dataclass(frozen=True)
class Stored:
    id: str
    document: str  # JSON text
    created: datetime  # UTC


@dataclass(frozen=True)
class Published:
    id: str
    edit_token: str
    created: datetime


class RateLimited(Exception):
    """Too many lessons from one client address; retry_after in whole seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def database_url(s: Settings) -> URL:
    """The store's URL: database_url (postgresql:// uses psycopg 3), else SQLite in data_dir."""
    if not s.database_url:
        return URL.create("sqlite", database=str(Path(s.data_dir) / "lessons.sqlite3"))
    url = make_url(s.database_url)
    if url.get_backend_name() in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LessonStore:
    """Lessons in one database; every method blocks (call it from a thread)."""

    def __init__(
        self, url: URL, *, rate: int, window: float, clock: Callable[[], float] = time.time
    ):
        self.url = url
        self.rate = rate  # lessons per window and client address; 0: no limit
        self.window = window
        self.clock = clock
        self._engine: Engine | None = None
        self._opening = threading.Lock()

    @classmethod
    def from_settings(cls, s: Settings) -> LessonStore:
        return cls(database_url(s), rate=s.lesson_rate, window=s.lesson_rate_window)

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The engine, the schema migrated: at start-up, or else at first use."""
        if self._engine is None:
            self.open()
        return self._engine

    def open(self) -> None:
        """Connect and bring the schema up to date (several processes may do it at once)."""
        with self._opening:
            if self._engine is not None:
                return
            if self.url.get_backend_name() == "sqlite":
                engine = self._sqlite_engine()
            else:
                engine = create_engine(self.url, pool_pre_ping=True)
            try:
                migrate(engine)
            except BaseException:
                engine.dispose()
                raise
            self._engine = engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _sqlite_engine(self) -> Engine:
        folder = Path(self.url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RuntimeError(
                f"cannot create {folder} for the lessons' database ({e.strerror}): "
                "set BACKPROP_VIZ_DATA_DIR or BACKPROP_VIZ_DATABASE_URL"
            ) from e
        engine = create_engine(
            self.url,
            connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, record):
            # SQLAlchemy, not the sqlite3 module, begins transactions (see _begin)
            dbapi_connection.isolation_level = None
            _wal(dbapi_connection)

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # a writing transaction takes the write lock at once: waiting for it is what the
            # busy timeout covers, while a lock upgrade mid-transaction would fail at once
            writes = conn.get_execution_options().get("writes", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

        return engine

    def _writing(self) -> Connection:
        return self.engine.connect().execution_options(writes=True)

    # --- lessons ------------------------------------------------------------------------------

    def create(self, document: str, client: str) -> Published:
        """Store a lesson for `client` (an address); RateLimited if it has made too many."""
        for _ in range(3):  # a new id if the drawn one is taken (about never)
            token = secrets.token_urlsafe(32)
            lesson_id = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
            now = self.clock()
            created = datetime.fromtimestamp(math.floor(now), UTC)
            try:
                with self._writing() as conn, conn.begin():
                    if self.rate:
                        self._take(conn, hash_token(client), now)
                    conn.execute(
                        lessons.insert().values(
                            id=lesson_id,
                            document=document,
                            edit_token_hash=hash_token(token),
                            created=created,
                        )
                    )
            except IntegrityError:
                continue  # rolled back, the count of creations too
            return Published(lesson_id, token, created)
        raise RuntimeError("three lesson ids in a row were taken")

    def get(self, lesson_id: str) -> Stored | None:
        if not ID.fullmatch(lesson_id):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(lessons.c.document, lessons.c.created).where(lessons.c.id == lesson_id)
            ).first()
        if row is None:
            return None
        return Stored(lesson_id, row.document, _utc(row.created))

    def delete(self, lesson_id: str, token: str) -> bool | None:
        """True if deleted, False if the token is not this lesson's, None if there is no such
        lesson. Compares hashes in constant time."""
        if not ID.fullmatch(lesson_id):
            return None
        with self._writing() as conn, conn.begin():
            stored = conn.execute(
                select(lessons.c.edit_token_hash).where(lessons.c.id == lesson_id)
            ).scalar()
            if stored is None:
                return None
            if not hmac.compare_digest(hash_token(token), stored):
                return False
            conn.execute(delete(lessons).where(lessons.c.id == lesson_id))
            return True

    # --- the rate of creation -----------------------------------------------------------------

    def _take(self, conn: Connection, client: str, now: float) -> None:
        """Count one creation for client, or raise RateLimited (GCRA: `rate` at once, then
        one every window / rate seconds). Locks the client's row until the transaction ends."""
        interval = self.window / self.rate
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(insert(lesson_rate).values(client=client, tat=now).on_conflict_do_nothing())
        tat = conn.execute(
            select(lesson_rate.c.tat).where(lesson_rate.c.client == client).with_for_update()
        ).scalar_one()
        tat = max(tat, now)
        wait = tat + interval - now - self.window  # > 0: the bucket is full
        if wait > 0:
            raise RateLimited(max(1, math.ceil(wait)))
        conn.execute(
            update(lesson_rate).where(lesson_rate.c.client == client).values(tat=tat + interval)
        )
        # forget addresses whose bucket is empty; rows another transaction holds are skipped
        expired = (
            select(lesson_rate.c.client)
            .where(lesson_rate.c.tat < now)
            .with_for_update(skip_locked=True)
        )
        conn.execute(delete(lesson_rate).where(lesson_rate.c.client.in_(expired.scalar_subquery())))


def migrate(engine: Engine) -> None:
    """Run migrations/ up to head, in one transaction that holds a lock, so that processes
    starting together migrate one after the other (the later ones find nothing to do)."""
    with engine.connect().execution_options(writes=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no zone: what it has was written as UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _wal(dbapi_connection) -> None:
    """WAL mode, in which readers never wait for the writer. While another process turns a
    new database to WAL, SQLite answers "database is locked" at once, without waiting the
    busy timeout: try again, for as long as that timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
