"""Two warehouse backends behind one protocol: the DuckDB file and DuckLake.

Both hand out plain DuckDB connections whose default catalog holds the same layout (``raw``,
``_streamduck`` and the typed views in ``main``), so the loader, ``sql``, checks and ``ksql apply``
run the same statements on either. What differs is who may write at once:

- :class:`DuckDBFile` (the embedded default): one read-write process per file. Writers hold the file
  briefly and take turns (see :mod:`streamduck.warehouse.connection`); Airflow's writing tasks share
  a one-slot pool.
- :class:`DuckLake`: a catalog in PostgreSQL (``ducklake:postgres:<libpq params>``) or in a local
  DuckDB file (``ducklake:<path>.ducklake``), data in Parquet files under ``STREAMDUCK_DATA_PATH``.
  Every process attaches it: any number of writers on any number of hosts commit snapshot-isolated
  transactions, conflicting commits fail and are retried by the caller, and readers read the latest
  snapshot without waiting for anyone. A local ``.ducklake`` catalog is a DuckDB file, so it admits
  one process at a time; many hosts need PostgreSQL.

A password in the libpq parameters never reaches output: it is moved into a temporary DuckDB secret
(which DuckDB prints redacted) instead of the ATTACH string, masked in :attr:`Warehouse.location`,
and scrubbed from error messages.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from streamduck.errors import ConfigError, WarehouseConflict, WarehouseUnavailable
from streamduck.warehouse.sqltext import quote_string

if TYPE_CHECKING:
    import duckdb

    from streamduck.settings import Settings

__all__ = [
    "CATALOG",
    "DuckDBFile",
    "DuckLake",
    "Warehouse",
    "is_conflict",
    "is_ducklake",
    "mask_password",
    "retry_conflicts",
    "warehouse_for",
]

T = TypeVar("T")
_EXISTING: set[str] = set()
"""PostgreSQL catalogs seen holding a DuckLake (one never stops holding it)."""


class _NotCreated(ConfigError):
    """The catalog database holds no DuckLake yet (a read-only attach may not create one)."""


CATALOG = "lake"
"""The name a DuckLake is attached under (and made the default catalog, so layouts match the file's)."""
_MASK = "**********"


class Warehouse(Protocol):
    """What every part of streamduck needs from a warehouse backend."""

    @property
    def location(self) -> str:
        """Where it is, for messages and logs (secrets masked)."""

    @property
    def single_writer(self) -> bool:
        """True when only one process may write at a time (writers take turns; Airflow uses a pool)."""

    def exists(self) -> bool:
        """False when nothing was ever written (readers then say so instead of failing obscurely)."""

    def connect(self, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
        """A connection whose default catalog is the warehouse.

        Raises:
            WarehouseLocked, WarehouseUnavailable, WarehouseIncompatible, ConfigError.
        """

    def artifacts_dir(self) -> Path:
        """A local folder for files that go with the warehouse (Great Expectations' Data Docs)."""

    def asset_uri(self, schema: str, table: str) -> str:
        """The Airflow Asset URI of a table."""


@dataclass(frozen=True)
class DuckDBFile:
    """The warehouse as one DuckDB file (one writing process at a time)."""

    path: Path

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def single_writer(self) -> bool:
        return True

    def exists(self) -> bool:
        return self.path.exists()

    def connect(self, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
        from streamduck.warehouse.connection import connect

        return connect(self.path, read_only=read_only, wait_s=wait_s)

    def artifacts_dir(self) -> Path:
        return self.path.parent

    def asset_uri(self, schema: str, table: str) -> str:
        return f"duckdb://{self.path.name}/{schema}.{table}"


@dataclass(frozen=True)
class DuckLake:
    """The warehouse as a DuckLake: catalog in PostgreSQL or a local file, data in Parquet files."""

    catalog: str
    """What follows ``ducklake:``: ``postgres:<libpq params without password>`` or a catalog file path."""
    data_path: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def on_postgres(self) -> bool:
        return self.catalog.startswith("postgres:")

    @property
    def location(self) -> str:
        if self.password is None:
            return f"ducklake:{self.catalog}"
        return f"ducklake:{self.catalog} password={_MASK}"

    @property
    def single_writer(self) -> bool:
        return not self.on_postgres  # a local catalog is a DuckDB file: one process at a time

    def exists(self) -> bool:
        if not self.on_postgres:
            return Path(self.catalog).exists()
        if self.catalog in _EXISTING:
            return True
        try:  # only attaching can tell whether the database holds a DuckLake yet
            self.connect(read_only=True).close()
        except _NotCreated:
            return False
        _EXISTING.add(self.catalog)
        return True

    def connect(self, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
        import duckdb

        from streamduck.warehouse.extensions import OFFLINE_CONFIG, load_extension

        con = duckdb.connect(config=OFFLINE_CONFIG)
        try:
            load_extension(con, "ducklake")
            if self.on_postgres:
                load_extension(con, "postgres_scanner")
                if self.password is not None:  # the default postgres secret: DuckDB prints it redacted
                    con.execute(
                        f"CREATE TEMPORARY SECRET (TYPE postgres, PASSWORD {quote_string(self.password)})"
                    )
            elif not read_only:
                Path(self.catalog).parent.mkdir(parents=True, exist_ok=True)
            options = []
            if self.data_path:
                options.append(f"DATA_PATH {quote_string(self.data_path)}")
            if read_only:
                options.append("READ_ONLY")
            attach = f"ATTACH {quote_string('ducklake:' + self.catalog)} AS {CATALOG}"
            _retry_locked(
                lambda: con.execute(attach + (f" ({', '.join(options)})" if options else "")), wait_s
            )
            con.execute(f"USE {CATALOG}")
            self._migrate(con, read_only)
        except duckdb.Error as exc:
            con.close()
            raise self._unavailable(exc) from None
        except BaseException:
            con.close()
            raise
        return con

    def _migrate(self, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        """Bring the internal schema up to date; several processes may attach a new DuckLake at once."""
        from streamduck.warehouse.schema import migrate, refuse_newer, schema_version

        if read_only:
            refuse_newer(schema_version(con), self.location)
        else:  # a loser of the race retries and finds the schema current
            retry_conflicts(lambda: migrate(con, self.location))

    def artifacts_dir(self) -> Path:
        # Beside the data folder, never in it: DuckLake may delete files there it does not know.
        if self.data_path and "://" not in self.data_path:
            return Path(self.data_path.rstrip("/")).parent
        if not self.on_postgres:
            return Path(self.catalog).parent
        return Path("data")

    def asset_uri(self, schema: str, table: str) -> str:
        if self.on_postgres:
            params = dict(_libpq_pairs(self.catalog.removeprefix("postgres:")))
            where = (
                f"{params.get('host', 'localhost')}:{params.get('port', '5432')}/{params.get('dbname', '')}"
            )
            return f"ducklake://{where}/{schema}.{table}"
        return f"ducklake://{Path(self.catalog).name}/{schema}.{table}"

    def scrub(self, text: str) -> str:
        """``text`` with the password (if any) masked."""
        return text.replace(self.password, _MASK) if self.password else text

    def _unavailable(self, exc: BaseException) -> Exception:
        from streamduck.errors import WarehouseLocked

        message = self.scrub(str(exc)).strip().splitlines()
        reason = message[0] if message else type(exc).__name__
        if "creating a new DuckLake is explicitly disabled" in reason:  # read-only, nothing written yet
            return _NotCreated(
                f"warehouse {self.location} does not exist yet (run `ksql apply` or `load` first)"
            )
        if "data_path is not set" in reason:
            return ConfigError(
                f"DuckLake {self.location} is new and needs a data path: set STREAMDUCK_DATA_PATH "
                "(a folder or object-store prefix for its Parquet files)"
            )
        if "does not match existing data path" in reason:
            return ConfigError(
                f"DuckLake {self.location}: STREAMDUCK_DATA_PATH {reason.split(' parameter ', 1)[-1]}"
            )
        if not self.on_postgres and "lock" in reason.lower():
            return WarehouseLocked(
                f"DuckLake catalog {self.catalog} is in use by another process ({reason}); a local "
                "catalog admits one process at a time: use a PostgreSQL catalog for many loaders"
            )
        return WarehouseUnavailable(f"DuckLake {self.location} cannot be attached: {reason}")


def is_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it hides: a ROLLBACK after a failed COMMIT raises anew) is a DuckLake
    commit that lost to a concurrent one."""
    current: BaseException | None = exc
    seen = 0
    while current is not None and seen < 10:
        if type(current).__name__ == "TransactionException" and "conflict" in str(current).lower():
            return True
        current, seen = current.__cause__ or current.__context__, seen + 1
    return False


def retry_conflicts(
    attempt: Callable[[], T], *, retries: int = 50, on_retry: Callable[[BaseException], None] | None = None
) -> T:
    """``attempt()``, run again after a commit conflict, with jittered exponential backoff.

    ``attempt`` must be a whole transaction (it is re-run from its start, reading anew). After
    ``retries`` conflicts in a row the last one is raised as :class:`WarehouseConflict`.
    """
    import random
    import time

    delay = 0.02
    for tries in range(retries + 1):
        try:
            return attempt()
        except Exception as exc:
            if not is_conflict(exc):
                raise
            if tries == retries:
                raise WarehouseConflict(
                    f"gave up after {retries} commit conflicts in a row with concurrent writers; "
                    "retry later or run fewer writers"
                ) from exc
            if on_retry is not None:
                on_retry(exc)
            time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311  (jitter, not security)
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")


def is_ducklake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con``'s default catalog is a DuckLake (no keys, sequences; conflicting commits)."""
    row = con.execute(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return row is not None and row[0] == "ducklake"


def _retry_locked(attach: Callable[[], Any], wait_s: float) -> None:
    """Attach, retrying while another process holds a local catalog file (up to ``wait_s``), or
    while another process creates a new DuckLake's catalog tables (a few seconds at most)."""
    import time

    import duckdb

    deadline = time.monotonic() + wait_s
    creating_until = time.monotonic() + 10
    delay = 0.01
    while True:
        try:
            attach()
            return
        except duckdb.Error as exc:
            text = str(exc)
            if "Failed to initialize DuckLake" in text and time.monotonic() < creating_until:
                pass  # several processes attached a new DuckLake at once: one of them creates it
            elif "lock" not in text.lower() or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def warehouse_for(settings: Settings) -> Warehouse:
    """The backend ``settings.warehouse`` names (a DuckDB file path, or ``ducklake:...``).

    Raises:
        ConfigError: an unsupported DuckLake catalog, or a malformed one.
    """
    location = str(settings.warehouse)
    if not location.startswith("ducklake:"):
        return DuckDBFile(Path(location))
    catalog = location.removeprefix("ducklake:")
    data_path = str(settings.data_path) if settings.data_path else None
    if catalog.startswith("postgres:"):
        params = catalog.removeprefix("postgres:").strip()
        if "://" in params:
            raise ConfigError(
                "DuckLake catalog: give PostgreSQL key=value parameters "
                "(ducklake:postgres:dbname=lake host=db user=streamduck), not a URI"
            )
        pairs = _libpq_pairs(params)
        if not any(key == "dbname" for key, _ in pairs):
            raise ConfigError("DuckLake catalog ducklake:postgres:<params> needs dbname=<database>")
        password = next((value for key, value in pairs if key == "password"), None)
        if password is not None:  # masked in every log record from now on, whoever logs it
            from streamduck.redact import register_secret

            register_secret(password)
        kept = " ".join(f"{key}={_libpq_quote(value)}" for key, value in pairs if key != "password")
        return DuckLake(f"postgres:{kept}", data_path, password)
    if re.match(r"^[a-z]+:", catalog) and not Path(catalog.split(":", 1)[0]).exists():
        raise ConfigError(
            f"DuckLake catalog {catalog.split(':', 1)[0]!r} is not supported: use "
            "ducklake:postgres:<libpq params> or ducklake:<path>.ducklake"
        )
    if not catalog:
        raise ConfigError(
            "DuckLake catalog missing: use ducklake:postgres:<libpq params> or ducklake:<path>.ducklake"
        )
    return DuckLake(catalog, data_path)


def mask_password(location: str) -> str:
    """``location`` with the value of any libpq ``password=`` parameter masked."""
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", rf"\g<1>{_MASK}", location)


def _libpq_pairs(params: str) -> list[tuple[str, str]]:
    """libpq ``key=value`` parameters (values may be single-quoted), in order."""
    lexer = shlex.shlex(params.replace("\\'", "\x00"), posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    lexer.quotes = "'"
    lexer.escape = ""
    pairs = []
    for token in lexer:
        key, sep, value = token.replace("\x00", "'").partition("=")
        if not sep or not key:
            # the token itself is not shown: it may be a password written without its key
            raise ConfigError("DuckLake catalog: PostgreSQL parameters must be key=value pairs")
        pairs.append((key.strip(), value))
    return pairs


def _libpq_quote(value: str) -> str:
    if value and not re.search(r"[\s'\\]", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
