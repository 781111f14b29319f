"""Reports as plain JSON-friendly values (for XCom, asset-event extras and printed summaries)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

__all__ = ["to_plain"]


def to_plain(value: Any) -> Any:
    """Dataclasses and mappings become dicts with string keys, tuples lists, paths strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
