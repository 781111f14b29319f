"""Kafka's rule for topic names, checked before anything is created or subscribed to."""

from __future__ import annotations

import re

__all__ = ["MAX_TOPIC_NAME", "topic_name_problem"]

MAX_TOPIC_NAME = 249
_LEGAL = re.compile(r"[a-zA-Z0-9._-]+")


def topic_name_problem(name: str) -> str | None:
    """Why Kafka refuses ``name`` as a topic name (its own rule), or None when it is legal."""
    if not name:
        return "a topic name cannot be empty"
    if name in (".", ".."):
        return f"topic name {name!r} is not allowed ('.' and '..' are reserved)"
    if len(name) > MAX_TOPIC_NAME:
        return f"topic name {name[:40]!r}... is {len(name)} characters long; Kafka allows at most {MAX_TOPIC_NAME}"
    if not _LEGAL.fullmatch(name):
        bad = "".join(sorted({c for c in name if not _LEGAL.fullmatch(c)}))
        return (
            f"topic name {name!r} contains {bad!r}; Kafka allows only ASCII letters, digits, '.', '_' and '-'"
        )
    return None
