"""DuckDB's failures on the warehouse file, as one-line errors that name the file and the fix.

DuckDB reports a damaged file, a foreign file or a full disk as an ``IOException`` (or, for a full
disk during COMMIT, a ``TransactionException``) whose text varies with where it happened; a
ROLLBACK after a failed COMMIT then raises "no transaction is active", hiding the cause. These
helpers look through the whole exception chain for the cause and say it in one line.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

from streamduck.errors import DiskFull, StreamduckError, WarehouseDamaged

__all__ = ["check_warehouse_file", "translated", "warehouse_errors"]

_MAGIC = b"DUCK"
"""Every DuckDB database file carries these bytes at offset 8 (after the header checksum)."""
_MAGIC_AT = 8
_KNOWN_FORMATS = {
    b"SQLite format 3\x00": "a SQLite database",
    b"PAR1": "a Parquet file",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "a gzip file",
}
_RESTORE = "restore it from a backup, or move it aside and run `streamduck ksql apply` and `streamduck load` to rebuild it from Kafka"
_NO_SPACE = re.compile(r"no space left on device", re.IGNORECASE)
_FILE_IN_MESSAGE = re.compile(r'file "([^"]+)"')
_DAMAGED = re.compile(
    r"not a valid DuckDB database file|Could not read enough bytes|Corrupt database file|checksum|"
    r"Failed to load metadata|INTERNAL Error: .*(block|storage|serializ)",
    re.IGNORECASE,
)


def check_warehouse_file(path: Path) -> None:
    """Refuse, before DuckDB opens it, a file that is empty or not a DuckDB database.

    DuckDB would try to download a reader extension for some foreign files (SQLite), or answer
    with a long internal error; this reads the first bytes instead.

    Raises:
        WarehouseDamaged: the file exists and is empty or is no DuckDB database.
    """
    try:
        with open(path, "rb") as file:
            head = file.read(16)  # enough for the DuckDB magic and the known formats' signatures
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return  # DuckDB creates a missing file; a directory gets DuckDB's own message
    if not head:
        raise WarehouseDamaged(
            f"warehouse {path} is empty (0 bytes), not a DuckDB database: "
            "delete it to start a new warehouse, or point --warehouse / STREAMDUCK_WAREHOUSE at the right file"
        )
    if head[_MAGIC_AT : _MAGIC_AT + len(_MAGIC)] == _MAGIC:
        return
    kind = next((name for magic, name in _KNOWN_FORMATS.items() if head.startswith(magic)), None)
    if kind is not None:
        raise WarehouseDamaged(
            f"warehouse {path} is {kind}, not a DuckDB database: "
            "point --warehouse / STREAMDUCK_WAREHOUSE at a DuckDB file, or move this one aside"
        )
    raise WarehouseDamaged(
        f"warehouse {path} is not a DuckDB database file or its header is damaged: {_RESTORE}"
    )


def translated(exc: BaseException, path: Path | str | None = None) -> StreamduckError | None:
    """The one-line error for a DuckDB failure anywhere in ``exc``'s chain, or None if not one we know."""
    for cause in _chain(exc):
        if not type(cause).__module__.lstrip("_").startswith("duckdb"):
            continue
        text = str(cause)
        if _NO_SPACE.search(text):
            where = _file_named(text) or (str(path) if path else "the warehouse")
            return DiskFull(
                f"no space left on device while writing {where}: the transaction was rolled back and "
                "nothing committed is lost; free space on that device and re-run the command"
            )
        if _DAMAGED.search(text):
            where = str(path) if path else (_file_named(text) or "the warehouse file")
            first = text.splitlines()[0] if text else type(cause).__name__
            return WarehouseDamaged(f"warehouse {where} is damaged ({first}): {_RESTORE}")
    return None


@contextlib.contextmanager
def warehouse_errors(path: Path | str | None = None) -> Iterator[None]:
    """Re-raise DuckDB's damaged-file and disk-full failures as one-line streamduck errors."""
    try:
        yield
    except StreamduckError:
        raise
    except Exception as exc:
        error = translated(exc, path)
        if error is None:
            raise
        raise error from None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _file_named(text: str) -> str | None:
    match = _FILE_IN_MESSAGE.search(text)
    return match.group(1) if match else None
