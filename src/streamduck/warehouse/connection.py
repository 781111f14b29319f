"""Opening the DuckDB warehouse file, with a clear error when another process holds it.

DuckDB allows one read-write process per file, or many read-only ones. Writers (loaders, ``ksql
apply``) open it read-write only for as long as they write; readers (``sql``, ``status``, checks) open
it read-only.

A process that finds the file locked says so while it waits, by holding a shared ``flock`` on the
sidecar file ``<warehouse>.waiting``; a loader holding the file checks :class:`Waiters` after each
batch and hands the file over at once instead of after a fixed time. DuckDB itself offers no way
to learn that someone waits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.errors import WarehouseIncompatible, WarehouseLocked
from streamduck.warehouse.failures import check_warehouse_file, translated

if TYPE_CHECKING:
    import duckdb

__all__ = ["Waiters", "connect", "one_row"]


def one_row(cursor: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The row of a query that always returns exactly one (an aggregate: ``count(*)``, ``max``)."""
    row = cursor.fetchone()
    if row is None:
        raise AssertionError("an aggregate query returned no row")
    return row


STORAGE_VERSION = "v1.2.0"
"""The DuckDB storage format of warehouse files streamduck creates: the first that compresses text
with zstd (the kept bytes, :func:`~streamduck.warehouse.schema.create_source_tables`). DuckDB 1.2
and later read it; files created earlier keep the format they have."""


def connect(path: Path | str, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at the current internal schema version, waiting up to ``wait_s`` for its lock.

    A read-write open migrates the file (see :mod:`~streamduck.warehouse.schema`). A read-only open
    of a file written by an older streamduck migrates it first through a short read-write open.

    Raises:
        WarehouseLocked: the file is still locked after ``wait_s``; the message names the file and
            the holder DuckDB reports.
        WarehouseDamaged: the file is empty, truncated, corrupt or not a DuckDB database.
        DiskFull: replaying the file's write-ahead log ran out of space.
        WarehouseTooNew: a newer streamduck wrote the file.
    """
    from streamduck.warehouse.schema import SCHEMA_VERSION, migrate, refuse_newer, schema_version

    path = Path(path)
    con = _open(path, read_only, wait_s)
    try:
        if not read_only:
            migrate(con, str(path))
            return con
        version = schema_version(con)
        refuse_newer(version, str(path))
        if version is None or version == SCHEMA_VERSION:
            return con  # current, or not a streamduck warehouse (yet): nothing to migrate
    except BaseException:
        con.close()
        raise
    con.close()
    connect(path, wait_s=wait_s).close()
    return _open(path, read_only, wait_s)


def _open(path: Path, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retrying while another process holds the file's lock."""
    import duckdb

    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    check_warehouse_file(path)
    deadline = time.monotonic() + wait_s
    delay = 0.01
    announced = False
    with contextlib.ExitStack() as waiting:
        while True:
            try:
                return duckdb.connect(
                    str(path), read_only=read_only, config={"storage_compatibility_version": STORAGE_VERSION}
                )
            except duckdb.IOException as exc:
                if "version number" in str(exc):
                    raise _incompatible(path) from None
                if "lock" not in str(exc).lower():
                    error = translated(exc, path)
                    if error is None:
                        raise
                    raise error from None
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"warehouse {path} is locked by another process: {exc}. "
                        "Wait for the writer to finish, or read with a read-only connection."
                    ) from exc
                if not announced:
                    waiting.enter_context(_announce_waiting(path))
                    announced = True
                time.sleep(delay)
                delay = min(delay * 2, 0.2)


def _incompatible(path: Path) -> WarehouseIncompatible:
    """The one-line refusal of a file written by another DuckDB storage format (e.g. DuckDB 2.x)."""
    import duckdb

    written_by, storage = _file_header(path)
    return WarehouseIncompatible(
        f"warehouse {path} was written by DuckDB {written_by} (storage version {storage}), which "
        f"DuckDB {duckdb.__version__} (pinned by streamduck) cannot read: export it with that DuckDB "
        "(EXPORT DATABASE) and IMPORT DATABASE into a new file, or point STREAMDUCK_WAREHOUSE at a new file"
    )


def _file_header(path: Path) -> tuple[str, int]:
    """The DuckDB version that wrote ``path`` and its storage version, from the file's main header.

    Layout: 8-byte checksum, ``DUCK``, little-endian uint64 storage version, 4 uint64 flags, then
    the writer's version string (``v2.0.1``) in 32 bytes.
    """
    with path.open("rb") as file:
        header = file.read(84)
    storage = int.from_bytes(header[12:20], "little") if header[8:12] == b"DUCK" else -1
    written_by = header[52:84].split(b"\0", 1)[0].decode("ascii", "replace") or "an unknown version"
    return written_by, storage


def _waiting_file(path: Path) -> Path:
    return path.with_name(path.name + ".waiting")


@contextlib.contextmanager
def _announce_waiting(path: Path) -> Iterator[None]:
    """Hold a shared lock on the sidecar file while waiting for the warehouse (best effort)."""
    try:
        fd = os.open(_waiting_file(path), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only directory: waiting still works, only not announced
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class Waiters:
    """Whether another process is waiting to open the warehouse (see the module docstring)."""

    def __init__(self, path: Path):
        self._path = _waiting_file(Path(path))
        self._fd: int | None = None

    def present(self) -> bool:
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                return False
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True  # some waiter holds a shared lock
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        return False

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
