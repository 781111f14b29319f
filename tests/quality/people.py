"""The small people definition the quality tests check (a subset of sql/streams/fake_people.sql)."""

from __future__ import annotations

from pathlib import Path

from streamduck.ksql.model import Column, SourceDefinition

PEOPLE = SourceDefinition(
    name="FAKE_PEOPLE",
    kind="STREAM",
    topic="fake_people",
    columns=(Column("ID", "STRING", "key"), Column("EMAIL", "STRING"), Column("BIRTHDATE", "DATE")),
    path=Path("fake_people.sql"),
)
