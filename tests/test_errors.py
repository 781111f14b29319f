"""One error hierarchy: everything streamduck raises on purpose is either retryable or fatal."""

from __future__ import annotations

import ast
import inspect

import pytest

from streamduck import errors
from streamduck.errors import ConfigError, DefinitionError, FatalError, QueryFailed, StreamduckError
from tests.conftest import REPO_ROOT


def test_every_error_class_is_retryable_or_fatal() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, StreamduckError)]
    loose = [
        c.__name__
        for c in classes
        if c not in (StreamduckError, errors.RetryableError, FatalError)
        and not issubclass(c, (errors.RetryableError, FatalError))
    ]
    assert not loose and len(classes) > 10


def test_no_bare_streamduck_error_is_raised() -> None:
    """A bare StreamduckError is neither retryable nor fatal: Airflow would retry it for nothing."""
    bare = []
    for path in sorted((REPO_ROOT / "src" / "streamduck").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = node.exc if isinstance(node, ast.Raise) else None
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "StreamduckError":
                bare.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert not bare, bare


def test_an_unsupported_type_is_a_definition_error() -> None:
    from streamduck.ksql.types import parse_type

    with pytest.raises(DefinitionError, match="FANCY"):
        parse_type("FANCY")


def test_query_failures_are_fatal(settings) -> None:
    from streamduck.ksql.query import run_query

    with pytest.raises(ConfigError, match="does not exist yet"):
        run_query(settings, "SELECT 1")
    settings.backend.connect().close()
    with pytest.raises(QueryFailed, match="no_such_table") as caught:
        run_query(settings, "SELECT * FROM no_such_table")
    assert not caught.value.retryable
