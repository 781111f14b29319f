"""The ``streamduck`` command line: thin shells over library functions.

Every module in this package whose name does not start with ``_`` defines ``register(app)`` and is
picked up automatically, so a new command group is one new file. Command modules import only typer
at module level; Kafka, DuckDB, Faker and Great Expectations are imported inside the commands so that
``streamduck --help`` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil

from streamduck.cli._app import app

__all__ = ["app", "main"]


def _register_commands() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}").register(app)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app()
