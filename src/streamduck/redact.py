"""Secrets never reach output: every log record, from any library, has them masked.

Settings keep passwords as :class:`~pydantic.SecretStr`; the clear text exists only in the Kafka
client configuration, and kafka-python logs that configuration (and, at DEBUG, the raw bytes of
SASL PLAIN requests) in full. So each secret is registered here when it is unwrapped, and a log
record factory masks it in every record's message before any handler (console, file, Airflow's
task log) formats it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

__all__ = ["MASK", "redact", "register_secret"]

MASK = "**********"
_lock = threading.Lock()
_forms: set[str] = set()
"""Every spelling of a registered secret that can show up in a message (text, and bytes' repr)."""
_installed = False


def register_secret(secret: str) -> str:
    """Remember ``secret`` so that it is masked in every log record from now on; returns it."""
    global _installed
    if len(secret) < 3:  # a one- or two-character "secret" would mask half of every message
        return secret
    with _lock:
        _forms.update({secret, repr(secret)[1:-1], repr(secret.encode())[2:-1]})
        if not _installed:
            _install_record_factory()
            _installed = True
    return secret


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by :data:`MASK`."""
    for form in sorted(_forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, MASK)
    return text


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: logging reports it
            return record
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(masking_factory)
