"""One error hierarchy for the whole engine.

Every expected failure is a :class:`StreamduckError`. It is either *retryable* (the same call may
succeed later: a broker that is down, a warehouse file another process holds) or *fatal* (retrying
cannot help: an unknown topic, a bad definition). Airflow tasks map the first to task retries and the
second to an immediate failure; the CLI prints the message on one line and exits non-zero.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationFailed",
    "BrokerBinaryMissing",
    "BrokerUnavailable",
    "ConfigError",
    "DefinitionError",
    "DeliveryFailed",
    "DiskFull",
    "FatalError",
    "GroupActive",
    "GroupNotFound",
    "OffsetOutOfRange",
    "QueryFailed",
    "QualityCheckFailed",
    "RetryableError",
    "StreamduckError",
    "TopicExists",
    "TopicNotFound",
    "TransactionAbortFailed",
    "TransformFenced",
    "WarehouseConflict",
    "WarehouseDamaged",
    "WarehouseIncompatible",
    "WarehouseLocked",
    "WarehouseTooNew",
    "WarehouseUnavailable",
]


class StreamduckError(Exception):
    """Base of every error streamduck raises on purpose. The message names the object at fault."""

    retryable: bool = False


class RetryableError(StreamduckError):
    """A transient failure: the same operation may succeed if tried again later."""

    retryable = True


class FatalError(StreamduckError):
    """A permanent failure: retrying cannot help until something is changed."""


class BrokerUnavailable(RetryableError):
    """No broker answered at the configured bootstrap address."""


class WarehouseLocked(RetryableError):
    """Another process holds the DuckDB warehouse file for writing."""


class WarehouseTooNew(FatalError):
    """The warehouse was written by a newer streamduck (its internal schema version is unknown here)."""


class WarehouseConflict(RetryableError):
    """Concurrent writers kept winning the DuckLake commit; this one gave up after many retries."""


class WarehouseUnavailable(RetryableError):
    """The DuckLake catalog (PostgreSQL) could not be reached or attached."""


class DeliveryFailed(RetryableError):
    """Records sent to a topic were not acknowledged by the broker (names the topic and how many)."""


class AuthenticationFailed(FatalError):
    """The broker refused our credentials, or the TLS handshake failed (names the broker and the settings)."""


class WarehouseDamaged(FatalError):
    """The warehouse file is empty, truncated, corrupt or not a DuckDB database (names the file)."""


class DiskFull(FatalError):
    """A write ran out of space; the transaction was rolled back (names the file). Free space, re-run."""


class ConfigError(FatalError):
    """A setting or argument is invalid."""


class WarehouseIncompatible(FatalError):
    """The warehouse file was written by a DuckDB this streamduck cannot read (e.g. DuckDB 2.x)."""


class BrokerBinaryMissing(FatalError):
    """The embedded Tansu broker binary could not be found."""


class TopicNotFound(FatalError):
    """A topic the command needs does not exist."""


class TopicExists(FatalError):
    """A topic to create already exists (and ``--if-not-exists`` was not given)."""


class GroupNotFound(FatalError):
    """A consumer group the command needs does not exist."""


class GroupActive(FatalError):
    """A consumer group has active members, so its offsets cannot be reset (stop its consumers first)."""


class DefinitionError(FatalError):
    """A ksqlDB-style statement is invalid or unsupported (names the file, line and construct)."""


class OffsetOutOfRange(FatalError):
    """A stored offset lies outside what the broker still holds for a partition."""


class QualityCheckFailed(FatalError):
    """Quality checks ran and at least one expectation failed (the message is the readable report)."""


class QueryFailed(FatalError):
    """The warehouse refused a query (a missing table or column, a type error); names the reason."""


class TransactionAbortFailed(RetryableError):
    """A transform's Kafka transaction could not be aborted; a restarted instance aborts it for good."""


class TransformFenced(FatalError):
    """A newer instance of the same transform took over its transactional id; this one must stop."""
