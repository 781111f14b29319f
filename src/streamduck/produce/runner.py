"""Run a generator against a topic: count, rate, progress, and every acknowledgement accounted for."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamduck.errors import ConfigError, DeliveryFailed, TopicNotFound
from streamduck.produce.badrecords import OVERSIZED_BYTES
from streamduck.produce.pacing import RateLimiter
from streamduck.produce.records import Message, messages
from streamduck.produce.registry import load_generator
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaProducer

__all__ = ["GenerateReport", "generate", "producer_config"]

_PROGRESS_EVERY = 500  # records between progress-bar refreshes: rich costs µs per update


def producer_config() -> dict[str, Any]:
    """kafka-python producer settings for generating: idempotent, batched, room for oversized records."""
    from streamduck.produce.partitioner import key_partitioner

    return {
        "enable_idempotence": True,  # kafka-python 3's default, stated because we rely on it
        "acks": "all",
        # Fewer, bigger requests than kafka-python's defaults (16 KiB, no wait): batches of up to
        # 256 KiB that wait up to 20 ms to fill.
        "linger_ms": 20,
        "batch_size": 256 * 1024,
        "max_request_size": max(1024 * 1024, 2 * OVERSIZED_BYTES),
        "allow_auto_create_topics": False,
        # A broker lost mid-run fails the run in ~30 s rather than kafka-python's 2 minutes.
        "request_timeout_ms": 10_000,
        "delivery_timeout_ms": 30_000,
        "partitioner": key_partitioner(),
    }


@dataclass
class GenerateReport:
    """What a run sent and what the broker acknowledged."""

    generator: str
    topic: str
    requested: int
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0
    bad: Counter[str] = field(default_factory=Counter)
    """Acknowledged bad records by kind."""
    elapsed_s: float = 0.0
    """From the first send until the last acknowledgement."""
    interrupted: bool = False
    """Ctrl-C stopped the run early; what was sent was still flushed and counted."""
    first_error: str | None = None

    @property
    def bad_total(self) -> int:
        """Acknowledged bad records of all kinds."""
        return sum(self.bad.values())

    @property
    def rate(self) -> float:
        """Acknowledged records per second."""
        return self.acknowledged / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def summary(self) -> str:
        """The one-line result: ``N records acknowledged by TOPIC (B bad)``."""
        return f"{self.acknowledged} records acknowledged by {self.topic} ({self.bad_total} bad)"


def generate(
    settings: Settings,
    name: str = "people",
    *,
    topic: str | None = None,
    count: int = 1000,
    rate: float = 0,
    seed: int | None = None,
    bad_ratio: float = 0.0,
    progress: bool = False,
) -> GenerateReport:
    """Send ``count`` records from generator ``name`` to ``topic`` and wait for every acknowledgement.

    Args:
        settings: where the broker and ``producers_dir`` are.
        name: the generator, ``producers_dir/<name>.py``.
        topic: the target topic (default: the generator's ``DEFAULT_TOPIC``); it must exist.
        count: records to send, bad ones included.
        rate: records per second; 0 sends as fast as possible.
        seed: same seed, same keys and values (``created_at`` from a synthetic clock); None: random.
        bad_ratio: share of records made bad, dealt round-robin over every bad kind.
        progress: show a progress bar on stderr.

    Raises:
        ConfigError: unknown generator or invalid argument.
        TopicNotFound: the topic does not exist (creating it is not the producer's job).
        BrokerUnavailable: no broker answered.
        DeliveryFailed: some records were not acknowledged.
    """
    _check_arguments(count, rate, bad_ratio)
    generator = load_generator(settings.producers_dir, name)
    topic = topic or generator.default_topic
    _require_topic(settings, topic)
    report = GenerateReport(generator=generator.name, topic=topic, requested=count)
    stream = messages(generator, count, seed, bad_ratio)
    with _progress_bar(progress, f"{name} → {topic}", count) as update:
        _send_all(settings, stream, report, RateLimiter(rate), update)
    if report.failed:
        raise DeliveryFailed(
            f"only {report.acknowledged} of {report.requested} records were acknowledged by {topic}; "
            f"{report.failed} failed (first: {report.first_error})"
        )
    return report


def _check_arguments(count: int, rate: float, bad_ratio: float) -> None:
    if count < 0:
        raise ConfigError(f"count must be >= 0, got {count}")
    if rate < 0:
        raise ConfigError(f"rate must be >= 0 records per second, got {rate}")
    if not 0.0 <= bad_ratio <= 1.0:
        raise ConfigError(f"bad ratio must be between 0 and 1, got {bad_ratio}")


def _require_topic(settings: Settings, topic: str) -> None:
    """Fail unless ``topic`` exists: a metadata request for one topic would make Tansu create it."""
    from streamduck.kafka.admin import open_admin, topic_exists

    with open_admin(settings) as admin:
        exists = topic_exists(admin, topic)
    if not exists:
        raise TopicNotFound(
            f"topic '{topic}' does not exist at {settings.bootstrap_servers}; create it first, e.g. "
            f"`streamduck topics create {topic} --partitions 3 --replication-factor 1`"
        )


def _send_all(
    settings: Settings,
    stream: Iterator[Message],
    report: GenerateReport,
    limiter: RateLimiter,
    update: Callable[[int], None],
) -> None:
    from kafka.errors import KafkaError

    from streamduck.kafka.clients import broker_errors, producer

    acks = _AckCounter(report)
    with closing(producer(settings, **producer_config())) as kafka, broker_errors(settings):
        started = time.monotonic()
        try:
            _send_loop(kafka, report, stream, limiter, acks, update)
        except KeyboardInterrupt:
            report.interrupted = True
        except KafkaError as exc:  # refused before sending (e.g. too large): stop, report it below
            acks.failed(exc)
        finally:
            kafka.flush()  # every future is done afterwards: acknowledged or failed
            report.elapsed_s = time.monotonic() - started
            update(report.acknowledged)


def _send_loop(
    kafka: KafkaProducer,
    report: GenerateReport,
    stream: Iterator[Message],
    limiter: RateLimiter,
    acks: _AckCounter,
    update: Callable[[int], None],
) -> None:
    send, topic = kafka.send, report.topic
    for index, message in enumerate(stream):
        limiter.wait(index)
        future = send(topic, value=message.value, key=message.key, headers=message.headers)
        report.sent += 1
        if message.bad_kind is None:
            future.add_callback(acks.good)
        else:
            future.add_callback(acks.bad, message.bad_kind)
        future.add_errback(acks.failed)
        if index % _PROGRESS_EVERY == 0:
            update(report.acknowledged)


class _AckCounter:
    """Counts outcomes; called from kafka-python's sender thread, the only writer of the ack counts."""

    def __init__(self, report: GenerateReport) -> None:
        self.report = report
        self._failures = threading.Lock()  # failures are also counted by the sending thread

    def good(self, _metadata: object) -> None:
        self.report.acknowledged += 1

    def bad(self, kind: str, _metadata: object) -> None:
        self.report.acknowledged += 1
        self.report.bad[kind] += 1

    def failed(self, exc: BaseException) -> None:
        with self._failures:
            self.report.failed += 1
            if self.report.first_error is None:
                self.report.first_error = f"{type(exc).__name__}: {exc}"


@contextmanager
def _progress_bar(enabled: bool, description: str, total: int) -> Iterator[Callable[[int], None]]:
    """Yields ``update(acknowledged)``; a rich progress bar on stderr when enabled, else a no-op."""
    if not enabled:
        yield lambda _done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)
