"""``ksql apply FILE|DIR``: topics first, then each file's statements in one DuckDB transaction.

For every source definition the topic is created if missing, with the declared PARTITIONS and
REPLICAS; an existing topic with another partition count is reported, not changed. Topics are
created before the warehouse transaction because Kafka has no transaction for them: if a statement
later fails, the topics stay (harmless, and the next apply finds them), but nothing of the file is
left in the warehouse.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.errors import DefinitionError, TopicNotFound
from streamduck.warehouse.waits import WAITS

if TYPE_CHECKING:
    from streamduck.ksql.execute import Outcome
    from streamduck.ksql.model import SourceDefinition
    from streamduck.ksql.parser import Statement
    from streamduck.settings import Settings

__all__ = ["ApplyReport", "apply_path", "statement_files"]

log = logging.getLogger(__name__)


@dataclass
class ApplyReport:
    """What ``apply_path`` did, statement by statement."""

    outcomes: list[Outcome] = field(default_factory=list)
    topics_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, object]]:
        return [
            {"action": o.action, "kind": o.kind, "name": o.name, "topic": o.topic, "where": o.location}
            for o in self.outcomes
        ]


def statement_files(path: Path) -> list[Path]:
    """``path`` itself, or the ``*.sql`` files of a folder in name order."""
    path = Path(path)
    if path.is_dir():
        return sorted(path.glob("*.sql"))
    if not path.exists():
        raise DefinitionError(f"{path}: no such file or folder")
    return [path]


def apply_path(settings: Settings, path: Path) -> ApplyReport:
    """Apply every statement of a file, or of every ``*.sql`` file in a folder (each file atomically).

    Raises:
        DefinitionError: a statement is invalid; names file, line and construct. Files before it
            stay applied; nothing of the failing file is.
    """
    from streamduck.ksql.parser import parse_file

    report = ApplyReport()
    files = statement_files(path)
    types = _custom_types(settings)  # shared: a file's CREATE TYPE serves the files after it
    parsed = in_dependency_order([parse_file(file, types) for file in files])
    for statements in parsed:  # every source definition valid (topic names too) before any topic is created
        _sources(statements)
    for i, statements in enumerate(parsed):
        _provision_topics(settings, statements, report)
        later = [s for rest in parsed[i + 1 :] for s in rest]
        _apply_in_transaction(settings, statements, report, later)
    _delete_dropped_topics(settings, report)
    return report


def _custom_types(settings: Settings) -> dict[str, str]:
    """The ``CREATE TYPE`` aliases earlier applies registered (none for a new warehouse)."""
    from streamduck.ksql.custom_types import registered

    con = settings.backend.connect(wait_s=WAITS.read)  # migrates the internal schema
    try:
        return registered(con)
    finally:
        con.close()


def in_dependency_order(files: list[list[Statement]]) -> list[list[Statement]]:
    """Files ordered so that each comes after the files defining what it reads (else by name).

    ``alice_orders.sql`` reading ``orders`` must come after ``orders.sql`` on a fresh warehouse;
    files in a cycle, or reading what no file defines (already applied, say), keep name order.
    """
    defined_by: dict[str, int] = {}
    for index, statements in enumerate(files):
        for name in _defines(statements):
            defined_by.setdefault(name, index)
    needs = [
        {defined_by[n] for n in _reads(statements) if n in defined_by} - {index}
        for index, statements in enumerate(files)
    ]
    ordered: list[int] = []
    placed: set[int] = set()
    while len(ordered) < len(files):
        ready = [i for i in range(len(files)) if i not in placed and needs[i] <= placed]
        chosen = ready[0] if ready else min(i for i in range(len(files)) if i not in placed)
        ordered.append(chosen)
        placed.add(chosen)
    return [files[i] for i in ordered]


def _defines(statements: list[Statement]) -> set[str]:
    from streamduck.ksql.dialect import KsqlCreate
    from streamduck.ksql.names import ksql_name

    return {ksql_name(s.expression.this).upper() for s in statements if isinstance(s.expression, KsqlCreate)}


def _reads(statements: list[Statement]) -> set[str]:
    from sqlglot import exp

    from streamduck.ksql.names import ksql_name

    read: set[str] = set()
    for statement in statements:
        query = statement.expression.args.get("query")
        if query is not None:
            read |= {ksql_name(t.this).upper() for t in query.find_all(exp.Table)}
    return read


def _sources(statements: list[Statement]) -> list[SourceDefinition]:
    from streamduck.ksql.sources import definition_from, is_source

    return [definition_from(s) for s in statements if is_source(s.expression)]


def _provision_topics(settings: Settings, statements: list[Statement], report: ApplyReport) -> None:
    """The file's topics, by the rule the provision DAG and the demo follow (streamduck.provision)."""
    from streamduck.provision import provision_sources

    provisioned = provision_sources(settings, _sources(statements))
    report.topics_created.extend(provisioned.created)
    report.warnings.extend(provisioned.warnings())


def _apply_in_transaction(
    settings: Settings, statements: list[Statement], report: ApplyReport, later: list[Statement]
) -> None:
    """Run one file's statements, then recompile the views reading what they replaced.

    ``later``: the statements of the files applied after this one (a view they redefine is
    compiled then, not checked now).
    """
    from streamduck.ksql.dependents import recompile_dependents
    from streamduck.ksql.execute import Outcome, execute

    con = settings.backend.connect(wait_s=WAITS.read)  # migrates the internal schema
    try:
        con.execute("BEGIN TRANSACTION")
        outcomes = [execute(con, statement) for statement in statements]
        to_produce = _not_yet_produced(con, statements, outcomes)
        replaced = [o.name for o in outcomes if o.action == "replaced"]
        if replaced:
            try:
                recompiled = recompile_dependents(con, replaced, _redefined(con, later))
            except DefinitionError as exc:
                where = next(o.location for o in outcomes if o.action == "replaced")
                raise DefinitionError(f"{where}: {exc}") from None
            outcomes += [Outcome("recompiled", kind, name, "") for kind, name in recompiled]
        # Produced before the commit that records them: a failure rolls the file back, and a record
        # is never marked produced without being acknowledged (a crash between the two produces it
        # again on the next apply, never loses it).
        _produce(settings, to_produce)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    report.outcomes.extend(outcomes)


def _not_yet_produced(con: Any, statements: list[Statement], outcomes: list[Outcome]) -> list[Outcome]:
    """The INSERT ... VALUES outcomes not produced by an earlier apply of the file, recorded as
    produced (in the caller's transaction); the others become ``unchanged`` in ``outcomes``.

    A statement is its file, its text and its ordinal among the file's identical statements, so a
    file that inserts the same row twice produces it twice, and re-applying the file produces nothing.
    """
    import dataclasses
    import hashlib

    ordinals: dict[str, int] = {}
    fresh = []
    for index, (statement, outcome) in enumerate(zip(statements, outcomes, strict=True)):
        if outcome.record is None:
            continue
        text = hashlib.sha256(" ".join(statement.text.split()).encode()).hexdigest()
        ordinal = ordinals[text] = ordinals.get(text, -1) + 1
        file = str(Path(statement.path).resolve()) if statement.path else ""
        (seen,) = con.execute(
            "SELECT count(*) FROM _streamduck.inserted_values WHERE file = ? AND statement = ? AND ordinal = ?",
            [file, text, ordinal],
        ).fetchone()
        if seen:
            outcomes[index] = dataclasses.replace(outcome, action="unchanged", record=None)
            continue
        con.execute(
            "INSERT INTO _streamduck.inserted_values VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
            [file, text, ordinal, outcome.name, outcome.topic],
        )
        fresh.append(outcome)
    return fresh


def _produce(settings: Settings, outcomes: list[Outcome]) -> None:
    """Produce the INSERT ... VALUES records, in file order, and wait for every acknowledgement."""
    if not outcomes:
        return
    from streamduck.errors import DeliveryFailed
    from streamduck.kafka.clients import producer

    client = producer(settings, max_block_ms=10_000)
    try:
        futures = []
        for outcome in outcomes:
            record = outcome.record
            assert record is not None
            futures.append(
                (
                    outcome,
                    client.send(
                        record.topic, key=record.key, value=record.value, timestamp_ms=record.timestamp_ms
                    ),
                )
            )
        client.flush(timeout=30)
        for outcome, future in futures:
            try:
                future.get(timeout=10)
            except Exception as exc:
                raise DeliveryFailed(
                    f"{outcome.location}: INSERT INTO {outcome.name}: the record to topic {outcome.topic!r} "
                    f"was not acknowledged ({type(exc).__name__}: {exc})"
                ) from None
    except DeliveryFailed:
        raise
    except Exception as exc:
        raise DeliveryFailed(f"INSERT ... VALUES: producing failed ({type(exc).__name__}: {exc})") from None
    finally:
        client.close()


def _redefined(con: object, statements: list[Statement]) -> set[str]:
    """Names that ``statements`` create with another text than the catalog holds."""
    from streamduck.ksql import catalog
    from streamduck.ksql.dialect import KsqlCreate
    from streamduck.ksql.names import ksql_name

    names = set()
    for statement in statements:
        node = statement.expression
        if isinstance(node, KsqlCreate):
            current = catalog.entry(con, ksql_name(node.this))  # type: ignore[arg-type]
            if current is not None and current.statement != statement.text:
                names.add(current.name)
    return names


def _delete_dropped_topics(settings: Settings, report: ApplyReport) -> None:
    from streamduck.kafka.admin import delete_topic

    for outcome in report.outcomes:
        if outcome.action == "dropped" and outcome.delete_topic and outcome.topic:
            try:
                delete_topic(settings, outcome.topic)
            except TopicNotFound:
                report.warnings.append(f"{outcome.location}: topic '{outcome.topic}' was already gone")
