"""Find and load data generators: one Python file per generator in ``settings.producers_dir``.

``producers/people.py`` is the generator ``people``. The file is loaded by path (it is user content,
not part of the engine package) and must define ``KEY``, ``DEFAULT_TOPIC`` and
``generate(fake, index, now) -> dict``; ``LOCALES`` is optional. See ``producers/people.py``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from streamduck.errors import ConfigError

__all__ = ["Generator", "available_generators", "generator_for", "load_generator"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_LOCALES = ("en_US",)


@dataclass(frozen=True)
class Generator:
    """A loaded generator module."""

    name: str
    path: Path
    key: str
    """Field of each record whose value is the message key."""
    default_topic: str
    locales: tuple[str, ...]
    generate: Callable[[Any, int, datetime], dict[str, Any]]
    """``generate(fake, index, now) -> dict``: one record."""


def available_generators(producers_dir: Path) -> list[str]:
    """Names of the generators in ``producers_dir`` (file stems, private ``_*.py`` files excluded)."""
    if not producers_dir.is_dir():
        return []
    return sorted(
        p.stem for p in producers_dir.glob("*.py") if _NAME.match(p.stem) and not p.stem.startswith("_")
    )


def generator_for(producers_dir: Path, stream: str, topic: str) -> str:
    """The generator that feeds ``stream``: the one named like the stream, else the only one whose
    ``DEFAULT_TOPIC`` is ``topic``.

    Raises:
        ConfigError: none fits, or several claim the topic (names them and what to do).
    """
    available = available_generators(producers_dir)
    if stream.lower() in available:
        return stream.lower()
    claiming = [name for name in available if load_generator(producers_dir, name).default_topic == topic]
    if len(claiming) == 1:
        return claiming[0]
    problem = (
        f"several generators write topic {topic!r} ({', '.join(claiming)})"
        if claiming
        else (f"no generator in {producers_dir} is named {stream.lower()!r} or has DEFAULT_TOPIC = {topic!r}")
    )
    listing = ", ".join(available) if available else "none"
    raise ConfigError(f"stream {stream!r}: {problem}; name one (available: {listing})")


def load_generator(producers_dir: Path, name: str) -> Generator:
    """Load ``producers_dir/<name>.py``.

    Raises:
        ConfigError: no such generator (the message lists the available ones), or the file does not
            define the generator contract.
    """
    available = available_generators(producers_dir)
    if name not in available:
        listing = ", ".join(available) if available else "none"
        raise ConfigError(f"unknown generator '{name}': no {producers_dir / name}.py (available: {listing})")
    path = producers_dir / f"{name}.py"
    return _contract(name, path, _import(name, path))


def _import(name: str, path: Path) -> ModuleType:
    module_name = f"streamduck_producers.{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"cannot load generator '{name}' from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise ConfigError(f"generator {path} failed to load: {type(exc).__name__}: {exc}") from exc
    return module


def _contract(name: str, path: Path, module: ModuleType) -> Generator:
    generate = getattr(module, "generate", None)
    if not callable(generate):
        raise ConfigError(f"generator {path} defines no function generate(fake, index, now)")
    values: dict[str, str] = {}
    for attr in ("KEY", "DEFAULT_TOPIC"):
        value = getattr(module, attr, None)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"generator {path} must set {attr} to a non-empty string")
        values[attr] = value
    locales = tuple(getattr(module, "LOCALES", DEFAULT_LOCALES))
    _check_locales(path, locales)
    return Generator(name, path, values["KEY"], values["DEFAULT_TOPIC"], locales, generate)


def _check_locales(path: Path, locales: tuple[str, ...]) -> None:
    from faker.config import AVAILABLE_LOCALES

    unknown = [locale for locale in locales if locale not in AVAILABLE_LOCALES]
    if not locales or unknown:
        raise ConfigError(f"generator {path}: LOCALES must name Faker locales; unknown: {unknown or 'empty'}")
