"""Evaluating a transform's SELECT over one micro-batch, in an in-memory DuckDB.

The batch lands in a private in-memory copy of the warehouse layout: the same raw table and typed
view the loader builds (``warehouse.layout``), fed through the loader's own classification
(``load.classify``). So a transform sees exactly the rows, types and dead letters a load of the same
records would, and the compiled SELECT runs unchanged over the view named like the source.

Result rows are serialised in DuckDB too (one JSON text per row, ksqlDB's JSON encoding of each
type), so Python only touches records to hand them to the producer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError
from streamduck.ksql.names import PSEUDO_COLUMNS
from streamduck.transform.encode import KeyEncoder, json_scalar_sql, json_value_sql
from streamduck.transform.spec import TransformSpec
from streamduck.warehouse.sqltext import quote_ident

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BatchEvaluator", "DeadLetter", "Evaluated"]

_BATCH = "_streamduck_transform_batch"
_NO_SIZE_LIMIT = 1 << 62  # ksqlDB takes any record the broker accepted


@dataclass(frozen=True)
class DeadLetter:
    """A source record the transform could not decode, and why (the loader's reason codes)."""

    partition: int
    offset: int
    reason: str
    detail: str


@dataclass
class Evaluated:
    """One batch's output records (in source partition/offset order) and its dead letters."""

    keys: list[bytes | None] = field(default_factory=list)
    values: list[bytes] = field(default_factory=list)
    timestamps: list[int | None] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)


class BatchEvaluator:
    """Runs one transform's SELECT over successive batches; holds a private in-memory DuckDB."""

    def __init__(self, spec: TransformSpec) -> None:
        import duckdb

        from streamduck.warehouse.layout import ensure_source

        self.spec = spec
        self._con = duckdb.connect(":memory:")
        ensure_source(self._con, spec.source)
        self._query, key_types = self._output_query()
        self._key_encoder = KeyEncoder(spec.key_format, key_types)

    def close(self) -> None:
        self._con.close()

    def evaluate(self, batch: pa.Table) -> Evaluated:
        """Classify, decode and transform ``batch`` (columns of ``load.batch.Batch.to_arrow``)."""
        from streamduck.load.classify import STAGED, stage
        from streamduck.warehouse.landing import land_staged
        from streamduck.warehouse.schema import latest_table, raw_table

        con = self._con
        con.register(_BATCH, batch)
        try:
            stage(con, self.spec.source, _BATCH, _NO_SIZE_LIMIT)
        finally:
            con.unregister(_BATCH)
        con.execute(f"DELETE FROM {raw_table(self.spec.source)}")  # this batch's rows only
        if self.spec.source.kind == "TABLE":
            con.execute(f"DELETE FROM {latest_table(self.spec.source)}")
        land_staged(con, self.spec.source, STAGED)
        dead = con.execute(
            f'SELECT "partition", "offset", reason, detail FROM {STAGED} WHERE reason IS NOT NULL'
        ).fetchall()
        table = con.sql(self._query).to_arrow_table()
        return Evaluated(
            keys=self._key_encoder.encode_all(table.column("__sd_key").to_pylist()),
            values=[v.encode("utf-8") for v in table.column("__sd_value").to_pylist()],
            timestamps=table.column("__sd_rowtime").to_pylist(),
            dead_letters=[DeadLetter(*row) for row in dead],
        )

    def _output_query(self) -> tuple[str, list[str]]:
        """The SELECT wrapped to yield key, JSON value and ROWTIME per row, in source order."""
        select = self.spec.select_sql
        try:
            described = self._con.execute(f"DESCRIBE {select}").fetchall()
        except Exception as exc:  # duckdb.Error: the compiled SQL does not bind
            raise DefinitionError(
                f"transform {self.spec.name}: the SELECT does not run on DuckDB ({exc})"
            ) from None
        types = {name: type_ for name, type_, *_ in described}
        if not set(PSEUDO_COLUMNS) <= set(types):
            raise DefinitionError(
                f"transform {self.spec.name}: the compiled SELECT does not carry {PSEUDO_COLUMNS}"
            )
        keys = [n for n in self.spec.key_columns if n in types]
        values = [n for n in types if n not in keys and n not in PSEUDO_COLUMNS]
        value_sql = json_value_sql([(n, types[n]) for n in values])
        key_sql = _key_sql(keys, self.spec.key_format, types)
        # Output records keep their input's ROWTIME (as ksqlDB's do) and source order per partition.
        query = (
            f'SELECT {key_sql} AS __sd_key, {value_sql} AS __sd_value, "ROWTIME" AS __sd_rowtime\n'
            f'FROM ({select}) AS transformed ORDER BY "ROWPARTITION", "ROWOFFSET"'
        )
        return query, [types[k] for k in keys]


def _key_sql(keys: list[str], key_format: str, types: dict[str, str]) -> str:
    if not keys or key_format.upper() == "NONE":
        return "NULL"
    if key_format.upper() == "JSON":
        if len(keys) == 1:
            return f"to_json({json_scalar_sql(keys[0], types[keys[0]])})::VARCHAR"
        return json_value_sql([(k, types[k]) for k in keys])
    if len(keys) > 1:
        raise DefinitionError(f"KEY_FORMAT KAFKA holds one key column, not {len(keys)}: use JSON")
    return quote_ident(keys[0])
