"""Which expectations apply to which view: the expectations files plus defaults from the columns.

File format (YAML, next to the stream definition, same stem)::

    # sql/streams/fake_people.expectations.yml
    stream: fake_people          # optional: defaults to the definition in fake_people.sql
    defaults: true               # optional: key columns not null, declared columns present
    expectations:
      - type: expect_column_values_to_match_regex
        column: email
        regex: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'
      - type: expect_column_values_to_be_between
        column: birthdate
        min_value: 1900-01-01
        max_value: today         # replaced by the date the check runs

``type`` is any Great Expectations expectation that can be evaluated batch by batch (column map
expectations such as not-null, regex, between, in-set, plus ``expect_column_to_exist``); the other
keys are its arguments. Column names match the view's columns case-insensitively.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.errors import ConfigError

if TYPE_CHECKING:
    from streamduck.ksql.model import SourceDefinition

__all__ = ["EXPECTATIONS_SUFFIX", "ExpectationSpec", "StreamChecks", "checks_for", "read_expectations_file"]

EXPECTATIONS_SUFFIX = ".expectations.yml"

# Expectations whose result over a whole table is not the sum of their results over batches.
_NOT_BATCHABLE = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation: its GX type (snake case) and its arguments."""

    type: str
    kwargs: dict[str, Any]
    origin: str = "default"
    """Where it was declared: ``default`` or the expectations file name."""

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    def describe(self) -> str:
        """Short human form, e.g. ``expect_column_values_to_match_regex(email)``."""
        return f"{self.type}({self.column})" if self.column else self.type


@dataclass(frozen=True)
class StreamChecks:
    """The expectations that apply to one stream's typed view."""

    stream: str
    view: str
    expectations: tuple[ExpectationSpec, ...] = field(default_factory=tuple)
    query: str | None = None
    """SQL the checks read; ``None`` reads the view as it is."""


def default_expectations(definition: SourceDefinition) -> list[ExpectationSpec]:
    """Every declared column exists, key columns are not null, value fields cast to their declared type.

    The cast check reads the derived column :func:`~streamduck.quality.queries.uncastable_column`
    (the raw text of values that did not cast), which must be null.
    """
    from streamduck.quality.queries import uncastable_column

    specs = [ExpectationSpec("expect_column_to_exist", {"column": c.name}) for c in definition.columns]
    specs += [
        ExpectationSpec("expect_column_values_to_not_be_null", {"column": c.name})
        for c in definition.key_columns
    ]
    specs += [
        ExpectationSpec(
            "expect_column_values_to_be_null",
            {"column": uncastable_column(c)},
            origin=f"default: {c.name} casts to {c.type}",
        )
        for c in definition.value_columns
    ]
    return specs


def read_expectations_file(path: Path, today: datetime.date | None = None) -> dict[str, Any]:
    """Parse and validate an expectations file; ``today`` replaces the value ``today``.

    Raises:
        ConfigError: the file is not valid YAML or not of the documented shape (names the file).
    """
    import yaml

    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping with an 'expectations' list")
    unknown = set(document) - {"stream", "defaults", "expectations"}
    if unknown:
        raise ConfigError(f"{path}: unknown keys {sorted(unknown)} (allowed: stream, defaults, expectations)")
    entries = document.get("expectations") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'expectations' must be a list")
    document["expectations"] = [
        _parse_entry(path, i, e, today or datetime.date.today()) for i, e in enumerate(entries, 1)
    ]
    return document


def _parse_entry(path: Path, number: int, entry: Any, today: datetime.date) -> ExpectationSpec:
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        raise ConfigError(
            f"{path}: expectation #{number} needs a 'type' (e.g. expect_column_values_to_not_be_null)"
        )
    kind = entry["type"]
    if not kind.startswith("expect_"):
        raise ConfigError(
            f"{path}: expectation #{number} type {kind!r} is not a Great Expectations expectation"
        )
    if kind in _NOT_BATCHABLE:
        raise ConfigError(f"{path}: expectation #{number} {kind} cannot be checked batch by batch")
    kwargs = {k: (today if v == "today" else v) for k, v in entry.items() if k != "type"}
    return ExpectationSpec(kind, kwargs, origin=path.name)


def checks_for(definitions: list[SourceDefinition], streams_dir: Path) -> list[StreamChecks]:
    """Every source stream's defaults plus what its expectations file declares.

    Raises:
        ConfigError: an expectations file names a stream that is not defined.
    """
    from streamduck.quality.queries import checked_query

    by_name = {d.name.upper(): d for d in definitions}
    by_stem = {d.path.stem.upper(): d for d in definitions if d.path is not None}
    extra: dict[str, list[ExpectationSpec]] = {}
    no_defaults: set[str] = set()
    for path in sorted(streams_dir.glob(f"*{EXPECTATIONS_SUFFIX}")):
        document = read_expectations_file(path)
        stem = path.name[: -len(EXPECTATIONS_SUFFIX)]
        name = str(document.get("stream") or stem).upper()
        definition = by_name.get(name) or by_stem.get(name)
        if definition is None:
            raise ConfigError(f"{path}: no stream {name!r} is defined in {streams_dir}")
        extra.setdefault(definition.name.upper(), []).extend(document["expectations"])
        if document.get("defaults") is False:
            no_defaults.add(definition.name.upper())
    checks = []
    for definition in definitions:
        key = definition.name.upper()
        specs = [] if key in no_defaults else default_expectations(definition)
        query = checked_query(definition) if specs else None
        checks.append(
            StreamChecks(definition.name, definition.name, tuple(specs + extra.get(key, [])), query)
        )
    return checks
