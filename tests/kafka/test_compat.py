"""The compat module's bookkeeping: every shim points at a control test that exists, and warns off its release."""

from __future__ import annotations

import ast
import logging

import pytest

from streamduck.kafka import compat
from tests.conftest import REPO_ROOT


def _test_functions(path: str) -> set[str]:
    tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("name", sorted(compat.SHIMS))
def test_every_shim_names_a_control_test_that_exists(name: str) -> None:
    path, _, function = compat.SHIMS[name].partition("::")
    assert function in _test_functions(path), f"{name}: no test {compat.SHIMS[name]}"


def test_a_shim_warns_once_on_an_unverified_kafka_python(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    @compat.shim("tests/kafka/test_compat.py::test_a_shim_warns_once_on_an_unverified_kafka_python")
    def workaround() -> int:
        return 7

    monkeypatch.setattr(compat, "_installed", lambda: (3, 9))
    with caplog.at_level(logging.WARNING, logger=compat.__name__):
        assert workaround() == 7 and workaround() == 7
    warnings = [r.getMessage() for r in caplog.records if "workaround" in r.getMessage()]
    assert len(warnings) == 1 and "3.9" in warnings[0] and "test_compat.py" in warnings[0]


def test_no_warning_on_the_verified_release(caplog: pytest.LogCaptureFixture) -> None:
    assert compat._installed() == compat.VERIFIED_ON  # the pinned kafka-python is the verified one

    @compat.shim("tests/kafka/test_compat.py::test_no_warning_on_the_verified_release")
    def workaround() -> None:
        return None

    with caplog.at_level(logging.WARNING, logger=compat.__name__):
        workaround()
    assert not caplog.records
