"""The SELECT compiler's steps (see :mod:`streamduck.ksql.compile` for the overview)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streamduck.errors import DefinitionError
from streamduck.ksql.compile import CompiledQuery, is_reserved, output_name, unsupported
from streamduck.ksql.compile_checks import check_expressions
from streamduck.ksql.compile_types import check_types, ksql_operator
from streamduck.ksql.names import PSEUDO_COLUMNS, ksql_name

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["QueryCompiler"]


class QueryCompiler:
    """Compiles one SELECT; holds what the steps learn about it (sources, aggregates, keys)."""

    def __init__(
        self,
        schema: dict[str, list[tuple[str, str]]],
        kinds: dict[str, str],
        carry: bool,
        keys: dict[str, list[str]] | None = None,
        target: str | None = None,
        statement_kind: str | None = None,
    ) -> None:
        self.schema = schema
        self.statement_kind = statement_kind
        self.kinds = kinds
        self.keys = keys or {}
        self.target = target
        self.carry = carry
        self.sources: list[tuple[str, str]] = []  # (relation name, alias), FROM first
        self.aggregates = 0
        self.join_key_check: tuple[exp.Expr, list[str]] | None = None  # a join's key rule, checked late
        self.rowkey_projected = False
        self.histories: dict[str, str] = {}  # TABLE relation -> every version of its rows
        self.emission_order: exp.Expr | None = None  # when a join emits a row, if not its ROWTIME

    # --- driver ---------------------------------------------------------------------------------

    def compile(self, select: exp.Expr) -> CompiledQuery:
        from sqlglot import exp

        if not isinstance(select, exp.Select):
            raise DefinitionError(f"expected a SELECT, got {select.key.upper()}")
        select = select.copy()
        clauses = {key: select.args.pop(key, None) for key in ("emit", "ksql_window", "partition_by")}
        self._check_clauses(select)
        self._collect_sources(select)
        names = self._expand_and_name(select)
        self._synthetic_join_key(select)
        if clauses["ksql_window"] is not None or select.args.get("group") is not None:
            from streamduck.ksql.compile_windows import check_bounds_usage
            from streamduck.ksql.names import WINDOW_BOUNDS

            check_bounds_usage(select, any(WINDOW_BOUNDS[0] in self.columns_of(r) for r, _ in self.sources))
        self._check_aggregation(select)
        self._project_partition_keys(select, names, clauses["partition_by"])
        self._check_key_projection(select, names, clauses["partition_by"])
        self._translate_tree(select)
        grouped = bool(select.args.get("group")) or self.aggregates > 0
        if grouped and self._from_table_only():
            from streamduck.ksql.compile_retractions import check_table_aggregates

            check_table_aggregates(select)
        _drop_null_group_keys(select)
        final = clauses["emit"] is not None and clauses["emit"].this == "FINAL"
        names += self._shape(select, names, clauses["ksql_window"], grouped, final)
        select = self._resolve_and_fix_types(select)
        _check_duplicate_names(select, names)
        for projection, name in zip(select.expressions, names, strict=True):
            projection.replace(exp.alias_(projection.unalias(), name, quoted=True))
        emit, limit = clauses["emit"], select.args.get("limit")
        result = self._with_emptied_groups(select, grouped and clauses["ksql_window"] is None)
        return CompiledQuery(
            sql=result.sql("duckdb"),
            kind="TABLE" if grouped or self._from_table_only() else "STREAM",
            key_columns=self._keys(select, clauses["partition_by"], grouped, names),
            windowed=clauses["ksql_window"] is not None,
            emit=emit.this if emit is not None else None,
            sources=tuple(name for name, _ in self.sources),
            limit=int(limit.expression.name) if limit is not None and limit.expression else None,
        )

    def _with_emptied_groups(self, select: exp.Expr, aggregated: bool) -> exp.Expr:
        """An aggregation over one TABLE keeps the groups its rows left (compile_retractions.py)."""
        from streamduck.ksql.compile_retractions import with_emptied_groups

        if not aggregated or len(self.sources) != 1 or not select.args.get("group"):
            return select
        history = self.histories.get(self.sources[0][0])
        if history is None or self.kinds.get(self.sources[0][0]) != "TABLE":
            return select
        return with_emptied_groups(select, history)

    def _shape(
        self, select: exp.Expr, names: list[str], window: Any, grouped: bool, final: bool
    ) -> list[str]:
        """Apply the window, the joins and the carried pseudo-columns; return output names added."""
        from streamduck.ksql.compile_joins import apply_joins
        from streamduck.ksql.compile_windows import apply_window

        added: list[str] = []
        if final and window is None:
            raise DefinitionError("EMIT FINAL is only supported for windowed aggregations.")
        if window is not None:
            if not grouped:
                raise DefinitionError("WINDOW clause requires a GROUP BY clause.")
            added += apply_window(self, select, window, final)
        apply_joins(self, select)
        if self.join_key_check is not None:
            self._check_join_key_projection(*self.join_key_check)
        if self.carry and not grouped:
            added += self._carry_pseudo_columns(select, names)
        return added

    def _check_aggregation(self, select: exp.Expr) -> None:
        from sqlglot import exp

        from streamduck.ksql.compile_aggregates import AGGREGATES
        from streamduck.ksql.compile_functions import SCALARS, TABLE_FUNCTIONS
        from streamduck.ksql.compile_grouping import check_aggregation

        known = {*AGGREGATES, *SCALARS, *TABLE_FUNCTIONS, "MAP", "STRUCT"}
        for call in select.find_all(exp.Anonymous):  # ksqlDB resolves functions before anything else
            if call.name.upper() not in known:
                raise DefinitionError(f"Can't find any functions with the name '{call.name.upper()}'")
        statement = f"CREATE {self.statement_kind} AS SELECT" if self.statement_kind else "SELECT"
        check_aggregation(select, set(AGGREGATES), statement)

    def _check_clauses(self, select: exp.Expr) -> None:
        for key, construct in (
            ("order", "ORDER BY"),
            ("with_", "WITH (common table expressions)"),
            ("qualify", "QUALIFY"),
            ("windows", "named WINDOW"),
            ("distinct", "SELECT DISTINCT"),
        ):
            if select.args.get(key):
                raise unsupported(construct, "ksqlDB has no such clause")
        from sqlglot import exp

        if select.find(exp.Subquery, exp.Union):
            raise unsupported("A subquery", "ksqlDB does not support nested queries")

    # --- sources and * --------------------------------------------------------------------------

    def _collect_sources(self, select: exp.Expr) -> None:
        from sqlglot import exp

        from_ = select.args.get("from_") or select.args.get("from")
        if from_ is None:
            raise DefinitionError("SELECT needs a FROM clause")
        tables = [from_.this] + [join.this for join in select.args.get("joins") or []]
        for table in tables:
            if not isinstance(table, exp.Table):
                raise unsupported(f"FROM {table.sql()}", "only streams and tables can be read")
            name = ksql_name(table.this)
            if name.upper() not in self.schema:  # DuckDB resolves names case-insensitively
                raise DefinitionError(f"Source `{name.upper()}` does not exist.")
            name = name.upper()
            alias = ksql_name(table.args["alias"].this) if table.args.get("alias") else name
            self.sources.append((name, alias))
        if from_.this.args.get("within") is not None:
            raise DefinitionError("WITHIN belongs to a JOIN, not to FROM")
        if self.target is not None and any(self._windowed_table(name) for name, _ in self.sources):
            raise DefinitionError("KSQL does not support persistent queries on windowed tables.")

    def _windowed_table(self, relation: str) -> bool:
        """A TABLE keyed by windows (a windowed source, or a windowed aggregation's result)."""
        from streamduck.ksql.names import WINDOW_BOUNDS

        return self.kinds.get(relation) == "TABLE" and WINDOW_BOUNDS[0] in self.columns_of(relation)

    def columns_of(self, relation: str) -> list[str]:
        return [column for column, _ in self.schema[relation]]

    def _expand_and_name(self, select: exp.Expr) -> list[str]:
        """Replace ``*`` and ``alias.*`` by declared columns; return ksqlDB's output names."""
        from sqlglot import exp

        joined = len(self.sources) > 1
        self.star = False
        self.star_only = any(isinstance(p, exp.Star) for p in select.expressions)
        projections: list[exp.Expr] = []
        names: list[str] = []
        generated = [0]
        for projection in select.expressions:
            fields = self._struct_star(projection)
            if fields is not None:  # s->*: every field of the struct, under its own name
                for name, field in fields:
                    projections.append(field)
                    names.append(name)
                continue
            star_of = self._star_source(projection)
            if star_of is None:
                projections.append(projection)
                qualified = isinstance(projection, exp.Column) and projection.args.get("table") is not None
                if joined and qualified:  # ksqlDB names a qualified column of a join ALIAS_COLUMN
                    names.append(f"{ksql_name(projection.args['table'])}_{ksql_name(projection.this)}")
                else:
                    names.append(output_name(projection, generated))
                continue
            self.star = True
            for relation, alias in self.sources:
                if star_of not in ("*", alias):
                    continue
                for column in self._star_columns(relation):
                    projections.append(exp.column(column, table=alias, quoted=True))
                    names.append(f"{alias}_{column}" if joined else column)
        select.set("expressions", projections)
        return names

    def _struct_star(self, projection: exp.Expr) -> list[tuple[str, exp.Expr]] | None:
        """The fields ``struct->*`` stands for (None when ``projection`` is something else)."""
        from sqlglot import exp

        from streamduck.ksql.dialect import StructField

        if not isinstance(projection, StructField) or projection.expression.name != "*":
            return None
        base = projection.this
        if not isinstance(base, exp.Column):
            raise DefinitionError(f"{base.sql()}->* needs a STRUCT column")
        types = {c.upper(): t for r, _ in self.sources for c, t in self.schema[r]}
        type_text = types.get(ksql_name(base.this).upper(), "")
        if not type_text.upper().startswith("STRUCT"):
            raise DefinitionError(
                f"{ksql_name(base.this)}->* needs a STRUCT column, not {type_text or 'an unknown one'}"
            )
        struct = exp.DataType.build(type_text, dialect="duckdb")
        return [
            (f.name, StructField(this=base.copy(), expression=exp.to_identifier(f.name, quoted=True)))
            for f in struct.expressions
        ]

    def _star_columns(self, relation: str) -> list[str]:
        """The columns ``*`` stands for: declared ones, and a windowed relation's window bounds
        after its key columns (as ksqlDB lists them); never the pseudo-columns."""
        from streamduck.ksql.names import WINDOW_BOUNDS

        columns = [c for c in self.columns_of(relation) if not is_reserved(c)]
        bounds = [c for c in WINDOW_BOUNDS if c in self.columns_of(relation)]
        if not bounds:
            return columns
        keys = [c for c in columns if c in self.keys.get(relation, [])]
        return keys + bounds + [c for c in columns if c not in keys]

    def _star_source(self, projection: exp.Expr) -> str | None:
        from sqlglot import exp

        if isinstance(projection, exp.Star):
            return "*"
        if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
            alias = ksql_name(projection.args["table"])
            if alias not in {a for _, a in self.sources}:
                raise DefinitionError(f"{alias}.* refers to no source in FROM")
            return alias
        return None

    def _project_partition_keys(self, select: exp.Expr, names: list[str], partition_by: Any) -> None:
        """``SELECT *`` with ``PARTITION BY expr`` projects the new key too, as ksqlDB does
        (a column under its name, an expression as the next ``KSQL_COL_n``)."""
        from sqlglot import exp

        self.projected_keys = [_key_text(p.unalias() if p.key == "alias" else p) for p in select.expressions]
        if not partition_by or not self.star:
            return
        for key in partition_by:
            if _is_null(key) or _key_text(key) in self.projected_keys:
                continue
            if isinstance(key, exp.Column):
                name = ksql_name(key.this)
            else:
                used = [int(n[9:]) for n in names if n.startswith("KSQL_COL_") and n[9:].isdigit()]
                name = f"KSQL_COL_{max(used, default=-1) + 1}"
            select.append("expressions", key.copy())
            names.append(name)
            self.projected_keys.append(_key_text(key))

    def _check_key_projection(self, select: exp.Expr, names: list[str], partition_by: Any) -> None:
        """ksqlDB's rules for the key of the result: in the projection, and there once."""
        from streamduck.ksql.compile_grouping import check_grouping_syntax

        group = select.args.get("group")
        if partition_by:
            check_grouping_syntax(list(partition_by))
            keys, what = list(partition_by), "partitioning"
        elif group is not None:
            keys, what = [e for e in group.expressions if not _is_window_key(e)], "grouping"
        elif len(self.sources) == 1:
            relation, _ = self.sources[0]
            keys, what = [_column_node(k) for k in self.keys.get(relation, [])], None
        else:  # a join: checked once apply_joins has validated the join itself
            self.join_key_check = (select.copy(), list(names))
            return
        projected = [_key_text(p.unalias() if p.key == "alias" else p) for p in select.expressions]
        from streamduck.ksql.names import WINDOW_BOUNDS

        for projection in select.expressions:
            alias = ksql_name(projection.args["alias"]) if projection.key == "alias" else None
            if alias in PSEUDO_COLUMNS or alias in WINDOW_BOUNDS:
                raise DefinitionError(
                    f"`{alias}` is a reserved column name. You cannot use it as an alias for a column."
                )
        missing = []
        for key in keys:
            if _is_null(key):
                continue
            self._check_key_type(key, names, projected)
            matches = [names[i] for i, text in enumerate(projected) if text == _key_text(key)]
            if len(matches) > 1 and what == "grouping":
                raise DefinitionError(
                    f"The projection contains a key column more than once: `{matches[0]}` and `{matches[1]}`."
                )
            if len(matches) > 1:
                raise DefinitionError(
                    f"The projection contains a key column (`{matches[0]}`) more than once, aliased as: "
                    f"{' and '.join(matches)}."
                )
            if not matches and what is not None and self.target is not None:
                # ksqlDB names a partitioning expression as resolved (INPUT.ID), a grouping one as written
                missing.append(self._qualified(key) if what == "partitioning" else _message_text(key))
        if missing:
            listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
            plural = "s" if len(missing) > 1 else ""
            raise DefinitionError(
                f"The query used to build `{self.target}` must include the {what} expression{plural} "
                f"{listed} in its projection (eg, SELECT {', '.join(missing)}...)."
            )

    def _synthetic_join_key(self, select: exp.Expr) -> None:
        """``ROWKEY`` in a join's projection: the synthetic key ksqlDB gives a FULL OUTER join or
        one on expressions, the join value of whichever side has it (COALESCE of the two)."""
        from sqlglot import exp

        joins = select.args.get("joins") or []
        condition = joins[0].args.get("on") if len(joins) == 1 else None
        if not isinstance(condition, exp.EQ):
            return
        for column in [c for p in select.expressions for c in p.find_all(exp.Column) if _is_rowkey(c)]:
            if column.args.get("table") is None:
                self.rowkey_projected = True
                column.replace(
                    exp.Coalesce(this=condition.this.copy(), expressions=[condition.expression.copy()])
                )

    def _check_join_key_projection(self, select: exp.Expr, names: list[str]) -> None:
        """A join's key is its join column (either side's, for ``L.A = R.A``), or ``ROWKEY`` when
        the criteria match no source column or the join is FULL OUTER: the projection must hold
        it, once (ksqlDB's rule for a two-source join)."""
        from sqlglot import exp

        joins = select.args.get("joins") or []
        condition = joins[0].args.get("on") if len(joins) == 1 else None
        if len(self.sources) != 2 or self.target is None or not isinstance(condition, exp.EQ):
            return
        side = (joins[0].args.get("side") or "").upper()
        columns = [c for c in (condition.this, condition.expression) if isinstance(c, exp.Column)]
        if side == "FULL" or not columns:
            if self.star_only or self.rowkey_projected:
                return
            raise DefinitionError(
                f"The query used to build `{self.target}` must include the join expression ROWKEY in its "
                "projection (eg, SELECT ROWKEY...). ROWKEY was added as a synthetic key column because the "
                "join criteria did not match any source column."
            )
        if self._foreign_key_join(select, names, columns, side):
            return
        wanted = [self._source_column(c) for c in columns]
        found: dict[tuple[str, str], list[str]] = {}
        for projection, name in zip(select.expressions, names, strict=False):
            bare = projection.unalias()
            if isinstance(bare, exp.Column) and self._source_column(bare) in wanted:
                found.setdefault(self._source_column(bare), []).append(name)
        if not found:
            shown = [f"{alias}.{column}" for alias, column in wanted]
            raise DefinitionError(
                f"The query used to build `{self.target}` must include the join expression"
                f"{'s' if len(shown) > 1 else ''} {' or '.join(shown)} in its projection "
                f"(eg, SELECT {shown[0]}...)."
            )
        for aliases in found.values():
            if len(aliases) > 1:
                raise DefinitionError(
                    f"The projection contains a key column (`{aliases[0]}`) more than once, aliased as: "
                    f"{' and '.join(sorted(aliases))}."
                )

    def _foreign_key_join(
        self, select: exp.Expr, names: list[str], columns: list[exp.Column], side: str
    ) -> bool:
        """A table-table join from a left value column to the right table's key: keyed by the left
        table's primary key, which the projection must hold whole (ksqlDB's foreign-key join)."""
        from sqlglot import exp

        (left, left_alias), (right, right_alias) = self.sources
        if self.kinds.get(left) != "TABLE" or self.kinds.get(right) != "TABLE" or len(columns) != 2:
            return False
        by_side = {self._source_column(c)[0]: self._source_column(c)[1] for c in columns}
        left_column, right_column = by_side.get(left_alias.upper()), by_side.get(right_alias.upper())
        left_keys, right_keys = self.keys.get(left, []), self.keys.get(right, [])
        if left_column is None or left_column in left_keys or right_column not in right_keys:
            return False
        if side == "RIGHT":
            raise DefinitionError("RIGHT OUTER JOIN on a foreign key is not supported")
        found: dict[str, list[str]] = {}
        for projection, name in zip(select.expressions, names, strict=False):
            bare = projection.unalias()
            if isinstance(bare, exp.Column):
                alias, column = self._source_column(bare)
                if alias == left_alias.upper() and column in left_keys:
                    found.setdefault(column, []).append(name)
        missing = [k for k in left_keys if k not in found]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            listed = ", ".join(f"`{k}`" for k in missing)
            raise DefinitionError(
                f"Primary key column{plural} missing in projection. For foreign-key table-table joins, the "
                f"projection must include all primary key columns from the left input table (`{left}`). "
                f"Missing column{plural}: {listed}."
            )
        for column, aliases in found.items():
            if len(aliases) > 1:
                raise DefinitionError(
                    f"The projection contains a key column (`{left}_{column}`) more than once, aliased as: "
                    f"{' and '.join(sorted(aliases))}."
                )
        return True

    def _source_column(self, column: exp.Expr) -> tuple[str, str]:
        """(source alias, column name) of a column of a join, qualified or not."""
        name = ksql_name(column.this).upper()
        table = column.args.get("table")
        if table is not None:
            return ksql_name(table).upper(), name
        owners = [
            alias
            for relation, alias in self.sources
            if name in {c.upper() for c in self.columns_of(relation)}
        ]
        return (owners[0].upper() if len(owners) == 1 else ""), name

    def _check_key_type(self, key: exp.Expr, names: list[str], projected: list[str]) -> None:
        from sqlglot import exp

        if not isinstance(key, exp.Column):
            return
        types = {c.upper(): t for r, _ in self.sources for c, t in self.schema[r]}
        duckdb_type = types.get(ksql_name(key.this).upper(), "")
        if "MAP(" in duckdb_type.upper():
            from streamduck.ksql.sources import sql_type_text
            from streamduck.ksql.types import ksql_type_from_duckdb

            text = _key_text(key)
            name = next((names[i] for i, p in enumerate(projected) if p == text), ksql_name(key.this))
            raise DefinitionError(
                "Map keys, including types that contain maps, are not supported as they may lead to "
                f"unexpected behavior due to inconsistent serialization. Key column name: `{name}`. "
                f"Column type: {sql_type_text(ksql_type_from_duckdb(duckdb_type))}. "
                "See https://github.com/confluentinc/ksql/issues/6621 for more."
            )

    def _qualified(self, node: exp.Expr) -> str:
        """An expression as ksqlDB prints it in messages: columns qualified by their source."""
        from sqlglot import exp

        relation, alias = self.sources[0]

        def qualify(n: exp.Expr) -> exp.Expr:
            if isinstance(n, exp.Column):
                table = n.args.get("table")
                source = ksql_name(table) if table is not None else relation
                if table is not None and ksql_name(table) == alias:
                    source = relation
                return exp.column(ksql_name(n.this), table=source)
            return n

        return _ksql_text(node.copy().transform(qualify)).replace("`", "")

    # --- ksqlDB nodes -> DuckDB nodes -----------------------------------------------------------

    def _translate_tree(self, select: exp.Expr) -> None:
        # Reversed pre-order visits every node after all of its descendants, so builders see
        # translated arguments.
        for node in reversed(list(select.walk())):
            if node is select:
                continue
            translated = self.translate(node)
            if translated is not node:
                node.replace(translated)

    def translate(self, node: exp.Expr) -> exp.Expr:
        from sqlglot import exp

        from streamduck.ksql.dialect import StructField

        if isinstance(node, StructField):
            field_name = exp.Literal.string(ksql_name(node.expression))
            return exp.Anonymous(this="struct_extract", expressions=[node.this, field_name])
        if isinstance(node, exp.Anonymous):
            return self._function(node)
        if isinstance(node, exp.Cast):
            return self._cast(node)
        if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
            return self._column(node)
        return node

    def _column(self, node: exp.Expr) -> exp.Expr:
        from sqlglot import exp

        table = node.args.get("table")
        name = ksql_name(node.this)
        return exp.column(name, table=ksql_name(table) if table is not None else None, quoted=True)

    def _function(self, node: exp.Expr) -> exp.Expr:
        from streamduck.ksql.compile_aggregates import AGGREGATES
        from streamduck.ksql.compile_functions import SCALARS, TABLE_FUNCTIONS

        name = node.name.upper()
        args = list(node.expressions)
        if name in ("MAP", "STRUCT"):
            return self._constructor(name, args)
        builder = AGGREGATES.get(name) or SCALARS.get(name) or TABLE_FUNCTIONS.get(name)
        if builder is None:
            raise DefinitionError(f"Can't find any functions with the name '{name}'")
        try:
            result = builder(args)
        except IndexError:
            from streamduck.ksql.compile_functions import arity_error

            return arity_error(name, args)
        if name in AGGREGATES:
            self.aggregates += 1
            result.meta["ksql_aggregate"] = name
        return result

    def _constructor(self, name: str, args: list[exp.Expr]) -> exp.Expr:
        import sqlglot
        from sqlglot import exp

        if name == "MAP" and not args:
            raise DefinitionError(
                "Map constructor cannot be empty. Please supply at least one key value pair "
                "(see https://github.com/confluentinc/ksql/issues/4239)."
            )
        pairs = [(a.this, a.expression) for a in args if isinstance(a, exp.PropertyEQ)]
        if len(pairs) != len(args):
            raise DefinitionError(f"{name}(...) takes 'name := value' entries")
        if name == "STRUCT":
            fields = [
                exp.PropertyEQ(this=exp.to_identifier(ksql_name(k), quoted=True), expression=v)
                for k, v in pairs
            ]
            return exp.Anonymous(this="struct_pack", expressions=fields)
        # An entry whose key is NULL is left out: DuckDB would fail the whole query on it. The
        # values stay one array literal, so the constructor's type checks see them together.
        arrays = {
            "__K": exp.Array(expressions=[k for k, _ in pairs]),
            "__V": exp.Array(expressions=[v for _, v in pairs]),
        }
        built = sqlglot.parse_one(
            "map_from_entries(list_filter(list_transform(generate_series(1, len(__K)), "
            "lambda i: {'key': __K[i], 'value': __V[i]}), lambda e: e.key IS NOT NULL))",
            read="duckdb",
        )
        for column in list(built.find_all(exp.Column)):
            if column.name in arrays:
                column.replace(arrays[column.name].copy())
        return built

    def _cast(self, node: exp.Expr) -> exp.Expr:
        from sqlglot import exp

        from streamduck.ksql.types import UnsupportedType, duckdb_type_of

        if node.args["to"].this == exp.DataType.Type.NULL:  # not a type in ksqlDB's grammar
            raise DefinitionError("Syntax error at or near 'NULL'")
        try:
            target = duckdb_type_of(node.args["to"])
        except UnsupportedType as exc:
            raise DefinitionError(f"CAST: {exc}") from None
        # ksqlDB returns NULL for a value that does not convert (and logs it); it never fails a query.
        to = exp.DataType.build(target, dialect="duckdb")
        for field in to.find_all(exp.Identifier):  # struct fields keep their case through qualify
            field.meta["case_sensitive"] = True
        cast = exp.TryCast(this=node.this, to=to)
        cast.meta["ksql_cast"] = True
        return cast

    # --- pseudo-columns, resolution, types, keys ------------------------------------------------

    def _carry_pseudo_columns(self, select: exp.Expr, names: list[str]) -> list[str]:
        from sqlglot import exp

        relation, alias = self.sources[0]
        added = []
        from streamduck.ksql.names import WINDOW_BOUNDS

        # A stream read from a windowed stream is windowed too: its rows keep their window.
        for column in (*PSEUDO_COLUMNS, *WINDOW_BOUNDS):
            if column in names or column not in self.columns_of(relation):
                continue
            carried: exp.Expr = exp.column(column, table=alias, quoted=True)
            if column == "ROWTIME" and self._stream_stream_join():
                # A joined row's ROWTIME is the later of its two rows' (ksqlDB, Kafka Streams);
                # the rows come in that order, as the join emits them.
                other = exp.column(column, table=self.sources[1][1], quoted=True)
                carried = exp.func("greatest", carried, other)
                emitted = carried.copy()
                if self.emission_order is not None:  # NULL rows of an outer join with a grace period
                    emitted = exp.Coalesce(this=self.emission_order.copy(), expressions=[emitted])
                select.set("order", exp.Order(expressions=[exp.Ordered(this=emitted)]))
            select.append("expressions", carried)
            added.append(column)
        return added

    def _stream_stream_join(self) -> bool:
        return len(self.sources) == 2 and all(
            self.kinds.get(n, "STREAM") == "STREAM" for n, _ in self.sources
        )

    def _resolve_and_fix_types(self, select: exp.Expr) -> exp.Expr:
        from sqlglot.errors import OptimizeError
        from sqlglot.optimizer.annotate_types import annotate_types
        from sqlglot.optimizer.qualify import qualify
        from sqlglot.schema import MappingSchema

        from streamduck.ksql.compile_functions import case_sensitive_keys

        schema = MappingSchema(
            {name: dict(columns) for name, columns in self.schema.items()}, dialect="duckdb", normalize=True
        )
        case_sensitive_keys(select)
        try:
            select = qualify(
                select, schema=schema, dialect="duckdb", validate_qualify_columns=True, identify=True
            )
        except OptimizeError as exc:
            raise DefinitionError(_column_error(str(exc))) from None
        select = annotate_types(select, schema=schema, dialect="duckdb")
        check_expressions(select)
        check_types(select)
        # Deepest first: a rewritten operand ('a' + s becoming 'a' || s) stays in the tree when its
        # parent is rewritten too ('a' + s + 'b'), and keeps its type for the parent's decision.
        for node in reversed(list(select.walk())):
            fixed = ksql_operator(node)
            if fixed is not node:
                if fixed.type is None and node.type is not None:
                    fixed.type = node.type
                node.replace(fixed)
        return select

    def _keys(self, select: exp.Expr, partition_by: Any, grouped: bool, names: list[str]) -> tuple[str, ...]:
        if partition_by:
            projected = {text: name for text, name in zip(self.projected_keys, names, strict=False)}
            return tuple(
                projected.get(_key_text(expr)) or output_name(expr, [0])
                for expr in partition_by
                if not _is_null(expr)  # PARTITION BY NULL: a stream without a key
            )
        if grouped:
            group = select.args["group"]
            return tuple(
                _group_key_name(select, expr) for expr in group.expressions if not _is_window_key(expr)
            )
        return ()

    def _from_table_only(self) -> bool:
        return all(self.kinds.get(name, "STREAM") == "TABLE" for name, _ in self.sources)


def _check_duplicate_names(select: exp.Expr, names: list[str]) -> None:
    """Two output columns of one name: ksqlDB names the later one with its type."""
    from streamduck.ksql.sources import sql_type_text
    from streamduck.ksql.types import ksql_type_from_duckdb

    for i, name in enumerate(names):
        if name in names[:i]:
            projection = select.expressions[i].unalias()
            known = projection.type is not None and not projection.is_type("unknown")
            if known:
                shown = sql_type_text(ksql_type_from_duckdb(projection.type.sql("duckdb")))
            else:  # sqlglot cannot type DuckDB's count(); ksqlDB's COUNT is a BIGINT
                counts = projection.meta.get("ksql_aggregate") in ("COUNT", "COUNT_DISTINCT")
                shown = "BIGINT" if counts else "UNKNOWN"
            raise DefinitionError(f"Duplicate value columns found in schema: `{name}` {shown}")


def _message_text(node: exp.Expr) -> str:
    from streamduck.ksql.compile_grouping import message_text

    return message_text(node).replace("`", "")


def _column_error(message: str) -> str:
    # sqlglot: "Column 'foo' could not be resolved. Line: 1, Col: 8" -> ksqlDB's wording.
    if "could not be resolved" in message and "'" in message:
        name = message.split("'")[1]
        return f"SELECT column '{name.upper()}' cannot be resolved."
    return message


def _group_key_name(select: exp.Expr, expr: exp.Expr) -> str:
    """A GROUP BY key's column name: the alias it is projected under, else its own."""
    from sqlglot import exp

    for projection in select.expressions:
        if isinstance(projection, exp.Alias) and projection.this == expr:
            return projection.alias
    if isinstance(expr, exp.Column):
        return ksql_name(expr.this).upper()
    return expr.sql("duckdb")


def _drop_null_group_keys(select: exp.Expr) -> None:
    """ksqlDB drops a record whose GROUP BY expression is NULL (a table key cannot be NULL)."""
    from sqlglot import exp

    group = select.args.get("group")
    if group is None:
        return
    checks = [exp.Not(this=exp.Is(this=e.copy(), expression=exp.Null())) for e in group.expressions]
    if not checks:
        return
    where = select.args.get("where")
    condition = exp.and_(*([where.this] if where is not None else []), *checks)
    select.set("where", exp.Where(this=condition))


def _column_node(name: str) -> exp.Expr:
    from sqlglot import exp

    return exp.column(name)


def _is_rowkey(node: exp.Expr) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Column) and ksql_name(node.this).upper() == "ROWKEY"


def _is_null(node: exp.Expr) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Null)


def _key_text(node: exp.Expr) -> str:
    """An expression compared regardless of qualifiers, case and outer parentheses (``t.id`` is ``ID``)."""
    from sqlglot import exp

    while isinstance(node, exp.Paren):  # GROUP BY (a IS NULL) groups by a IS NULL
        node = node.this
    bare = node.copy().transform(lambda n: exp.column(ksql_name(n.this)) if isinstance(n, exp.Column) else n)
    return _ksql_text(bare).upper()


def _ksql_text(node: exp.Expr) -> str:
    """ksqlDB text of an expression (``a->b`` for struct fields, which sqlglot cannot print)."""
    from sqlglot import exp

    from streamduck.ksql.dialect import Ksql, StructField

    def arrow(n: exp.Expr) -> str:  # innermost first: a->b->c nests StructFields
        base = _ksql_text(n.this)
        return f"{base}->{n.expression.name.upper()}"

    if isinstance(node, StructField):
        return arrow(node)
    node = node.copy()
    for field in [n for n in node.find_all(StructField) if not isinstance(n.parent, StructField)]:
        field.replace(exp.var(arrow(field)))
    return node.sql(dialect=Ksql)


def _is_window_key(expr: exp.Expr) -> bool:
    from sqlglot import exp

    return isinstance(expr, exp.Column) and expr.name.upper() in ("__WS", "__SID")
