"""A throw-away PostgreSQL server for a DuckLake catalog: tests, benchmarks, ``streamduck airflow``.

It runs the distribution's own server binaries (``initdb``, ``pg_ctl``), found through
``pg_config --bindir`` or the usual ``/usr/lib/postgresql/<version>/bin``, in a fresh data
directory on a free loopback port, with trust authentication on loopback only. PostgreSQL refuses
to run as root, so when we are root the server runs as the ``postgres`` system user the Debian
package creates, and its data directory is made outside any private temp dir (pytest's are 0700).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from streamduck.errors import ConfigError

__all__ = ["LocalPostgres", "postgres_bindir"]

_INSTALL_HINT = "install the PostgreSQL server (Debian/Ubuntu: `apt-get install postgresql`)"


def postgres_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``.

    Raises:
        ConfigError: no PostgreSQL server binaries were found.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
            candidates.append(Path(out.stdout.strip()))
    # Debian installs server binaries per major version, off PATH; the newest first.
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(p) for p in versioned), key=lambda p: _major(p.parent.name), reverse=True)
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb") or "").parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise ConfigError(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {_INSTALL_HINT}")


def _major(name: str) -> int:
    return int(name) if name.isdigit() else 0


class LocalPostgres:
    """A PostgreSQL server in its own data directory on ``127.0.0.1:port``; a context manager.

    ``databases`` are created once the server is up. :attr:`libpq` gives connection parameters
    for the first one, the shape ``STREAMDUCK_WAREHOUSE=ducklake:postgres:<params>`` takes.
    """

    def __init__(
        self,
        port: int | None = None,
        databases: tuple[str, ...] = ("lake",),
        user: str = "postgres",
        password: str | None = None,
        data_dir: Path | None = None,
    ):
        from streamduck.broker import free_port

        self.port = port or free_port()
        self.databases = databases
        self.user = user
        self.password = password
        """With a password, TCP logins must give it (scram-sha-256); without, loopback is trusted."""
        self.bindir = postgres_bindir()
        self.persistent = data_dir is not None
        """With ``data_dir`` the cluster lives there and survives :meth:`stop` (initdb only once)."""
        self.data_dir: Path | None = data_dir.resolve() if data_dir is not None else None
        self._run_as = _unprivileged_user()

    @property
    def libpq(self) -> str:
        """libpq key/value parameters of the first database."""
        return self.params(self.databases[0])

    def params(self, database: str) -> str:
        secret = f" password={self.password}" if self.password else ""
        return f"dbname={database} host=127.0.0.1 port={self.port} user={self.user}{secret}"

    def start(self) -> LocalPostgres:
        """initdb, start, wait until it accepts connections, create the databases.

        Raises:
            ConfigError: the binaries are missing or the server did not start (with its log's tail).
        """
        if self.persistent and self.data_dir is not None:
            parent = str(self.data_dir.parent)
            fresh = not (self.data_dir / "PG_VERSION").exists()
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            if self._run_as is not None:  # initdb runs as postgres: the folder must be its own
                os.chown(self.data_dir, self._run_as.pw_uid, self._run_as.pw_gid)
        else:
            parent = tempfile.mkdtemp(prefix="streamduck-pg-")
            self.data_dir, fresh = Path(parent) / "data", True
            if self._run_as is not None:
                os.chown(parent, self._run_as.pw_uid, self._run_as.pw_gid)
        if fresh:
            self._initdb(Path(parent))
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' "
            "-c fsync=off -c max_connections=200 -c shared_buffers=64MB"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            "60",
            "start",
        )
        for database in self.databases:
            if fresh or not self._has_database(database):
                self.create_database(database)
        return self

    def _initdb(self, parent: Path) -> None:
        assert self.data_dir is not None
        auth = ["--auth=trust"]
        if self.password:
            password_file = parent / f"{self.data_dir.name}.password"
            password_file.write_text(self.password + "\n")
            if self._run_as is not None:
                os.chown(password_file, self._run_as.pw_uid, self._run_as.pw_gid)
            auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={password_file}"]
        try:
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", self.user, *auth, "--encoding=UTF8",
                "--no-sync", "--locale=C",
            )  # fmt: skip
        finally:
            if self.password:
                password_file.unlink(missing_ok=True)

    def _has_database(self, name: str) -> bool:
        listing = subprocess.run(
            [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", "postgres",
             "-tAc", "SELECT datname FROM pg_database"],
            capture_output=True, text=True, check=False, env={**os.environ, "PGPASSWORD": self.password or ""},
        )  # fmt: skip
        return name in listing.stdout.split()

    def create_database(self, name: str) -> str:
        """Create database ``name``; returns its libpq parameters."""
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name,
            env={"PGPASSWORD": self.password or ""},
        )  # fmt: skip
        return self.params(name)

    @property
    def log_file(self) -> Path:
        if self.data_dir is None:
            raise RuntimeError("the server was not started")
        return self.data_dir / "streamduck-postgres.log"  # the server's own folder: always writable by it

    def stop(self) -> None:
        """Stop the server (fast shutdown); remove its data directory unless it is persistent."""
        if self.data_dir is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(ConfigError):
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        if not self.persistent:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)
            self.data_dir = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self, program: str, *args: str, env: dict[str, str] | None = None) -> None:
        command = [str(self.bindir / program), *args]
        deadline = time.monotonic() + 120
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            user=self._run_as.pw_uid if self._run_as else None,
            group=self._run_as.pw_gid if self._run_as else None,
            cwd="/",
            env={**os.environ, **(env or {})},
            timeout=max(deadline - time.monotonic(), 1),
            check=False,
        )
        if result.returncode != 0:
            tail = ""
            if self.data_dir is not None and self.log_file.exists():
                tail = " | ".join(self.log_file.read_text(errors="replace").strip().splitlines()[-3:])
            reason = (result.stderr or result.stdout).strip().splitlines()
            raise ConfigError(
                f"PostgreSQL {program} failed: {reason[-1] if reason else result.returncode} {tail}".strip()
            )


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The account to run the server as when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise ConfigError(
            "PostgreSQL refuses to run as root and there is no 'postgres' user: "
            f"{_INSTALL_HINT}, or run as an unprivileged user"
        ) from None
