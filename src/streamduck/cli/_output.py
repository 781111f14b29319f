"""Tabular output: ``--format table|json|jsonl|csv``; data to stdout, nothing else."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import enum
import json
import math
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

import typer

__all__ = ["Format", "FormatOption", "render", "to_jsonable"]


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def _decimal(value: decimal.Decimal) -> float | str:
    """A DECIMAL as ksqlDB writes it in JSON, a number; as a string only where a float would round it."""
    number = float(value)
    return number if decimal.Decimal(repr(number)) == value else str(value)


def _timestamp(value: dt.datetime) -> str:
    """ISO 8601 with milliseconds, ksqlDB's TIMESTAMP precision (finer digits kept when present)."""
    return value.isoformat(timespec="milliseconds" if value.microsecond % 1000 == 0 else "microseconds")


def to_jsonable(value: Any) -> Any:
    """A value JSON can carry faithfully: decimals as exact numbers, times in ISO 8601."""
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, float) and not math.isfinite(value):
        # JSON has no NaN/Infinity numbers; ksqlDB's Jackson writes them as these strings.
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dt.datetime):
        return _timestamp(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="backslashreplace")
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(to_jsonable(value), ensure_ascii=False)
    return str(to_jsonable(value))


def render(
    rows: Iterable[Mapping[str, Any]],
    fmt: Format = Format.table,
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> None:
    """Print rows (mappings with the same keys) in the chosen format."""
    rows = list(rows)
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    out = sys.stdout
    if fmt is Format.json:
        json.dump([{c: to_jsonable(r.get(c)) for c in cols} for r in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is Format.jsonl:
        for r in rows:
            out.write(json.dumps({c: to_jsonable(r.get(c)) for c in cols}, ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(out)
        writer.writerow(cols)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else _cell(r.get(c)) for c in cols])
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_edge=False, header_style="bold")
        for c in cols:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*(_cell(r.get(c)) for c in cols))
        Console(file=out, width=None if out.isatty() else 200).print(table)
