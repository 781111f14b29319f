"""Golden ksqlDB cases in files, in the spirit of ksqlDB's own query-validation tests.

A case file holds cases separated by ``--@test: name`` lines. Within a case:

* ``--@expected.message: text``: applying the statements must fail with ``text`` in the one-line
  error (the file and line named first);
* ``--@input: SOURCE {"key": k, "value": {...}, "timestamp": ms}``: a record of SOURCE's topic
  (keys serialized per the source's key format: KAFKA binary, or JSON; with
  ``"window": {"start": ms, "end": ms}`` a windowed key, for sources declared with WINDOW_TYPE);
* ``--@output: OBJECT {"COL": value, ...}``: the rows of ``SELECT * FROM OBJECT``, in order, as
  ``sql --format jsonl`` prints them (``--@output: OBJECT`` alone: it has none);
* every other non-empty line is a statement line for ``ksql apply``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "cases"


@dataclass
class Case:
    name: str
    file: str
    statements: list[str] = field(default_factory=list)
    error: str | None = None
    inputs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    outputs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.statements) + "\n"

    @property
    def tier(self) -> str:
        """The case file's name: errors, basic, functions, keys, windows, joins, ..."""
        return Path(self.file).stem


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(directory.glob("*.sql")):
        current: Case | None = None
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if line.startswith("--@test:"):
                current = Case(line.removeprefix("--@test:").strip(), path.name)
                cases.append(current)
            elif current is None or not line or (line.startswith("--") and not line.startswith("--@")):
                continue
            elif line.startswith("--@expected.message:"):
                current.error = line.removeprefix("--@expected.message:").strip()
            elif line.startswith("--@input:"):
                source, record = line.removeprefix("--@input:").strip().split(" ", 1)
                current.inputs.append((source.upper(), json.loads(record)))
            elif line.startswith("--@output:"):
                target, *row = line.removeprefix("--@output:").strip().split(" ", 1)
                rows = current.outputs.setdefault(target.upper(), [])
                rows.extend(json.loads(r) for r in row)  # a bare target: it has no rows
            else:
                current.statements.append(raw)
    return cases
