"""Opening the DuckDB warehouse file, with a clear error when another process holds it.

DuckDB allows one read-write process per file, or many read-only ones. Writers (loaders, ``ksql
apply``) open it read-write only for as long as they write; readers (``sql``, ``status``, checks) open
it read-only.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from streamduck.errors import WarehouseLocked

if TYPE_CHECKING:
    import duckdb

__all__ = ["connect"]


def connect(path: Path | str, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, retrying for up to ``wait_s`` seconds while another process holds its lock.

    Raises:
        WarehouseLocked: the file is still locked after ``wait_s``; the message names the file and
            the holder DuckDB reports.
    """
    import duckdb

    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    f"warehouse {path} is locked by another process: {exc}. "
                    "Wait for the writer to finish, or read with a read-only connection."
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
