"""A throwaway PostgreSQL server (Debian's `postgresql` package) for the store's tests.

initdb and pg_ctl make a cluster in a temporary directory and start it on a free loopback
port, with trust authentication; stop() removes it all. initdb refuses to run as root, so
as root (CI on a fresh machine) the server runs as the `postgres` system user, which the
package creates, in a directory that user owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.live import free_port

INSTALL_HINT = "install Debian's postgresql package (tests/run.sh does: apt-get install postgresql)"


def bin_dir() -> Path:
    """The newest installed PostgreSQL's bin directory."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError(f"PostgreSQL's initdb was not found: {INSTALL_HINT}")


class Postgres:
    def __init__(self):
        self.bin = bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="backprop-viz-pg-"))
        self.data = self.root / "data"
        self.user = None  # run as this user (when we are root)
        self.superuser = pwd.getpwuid(os.getuid()).pw_name
        if os.getuid() == 0:
            self.user = self.superuser = "postgres"
            try:
                entry = pwd.getpwnam(self.user)
            except KeyError:
                raise RuntimeError(
                    f"as root, PostgreSQL runs as `postgres`: {INSTALL_HINT}"
                ) from None
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.port = None

    def run(self, *args: str) -> None:
        as_user = {"user": self.user, "group": pwd.getpwnam(self.user).pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.root,
            capture_output=True,
            text=True,
            **(as_user if self.user else {}),
        )
        if result.returncode != 0:
            log = self.root / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stderr[-2000:]}\n{tail}")

    def start(self) -> None:
        self.run("initdb", "-D", str(self.data), "--auth=trust", "--no-sync", "-E", "UTF8",
                 "--locale=C", f"--username={self.superuser}")  # fmt: skip
        for attempt in range(3):  # another process may take the free port first
            self.port = free_port()
            options = (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self.run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"),
                         "-o", options, "-w", "-t", "60", "start")  # fmt: skip
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            if self.port is not None:
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database on this server."""
        name = f"lessons_{secrets.token_hex(6)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def running_postgres():
    server = Postgres()
    try:
        server.start()
        yield server
    finally:
        server.stop()
