"""How fast the fake-people producer is, and whether generation is its bottleneck.

Measures, in one run against its own embedded broker:

1. generation alone: records built and JSON-encoded, nothing sent;
2. sending alone: the same messages, pre-built, sent by kafka-python and acknowledged (the ceiling);
3. end to end: ``streamduck.produce.generate`` (generate + send + wait for every ack).

Usage: ``uv run python benchmarks/bench_generate.py [--count N] [--bad-ratio F]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from streamduck.broker import EmbeddedBroker
from streamduck.kafka.clients import admin_client, producer
from streamduck.produce import generate
from streamduck.produce.records import Message, messages
from streamduck.produce.registry import load_generator
from streamduck.produce.runner import producer_config
from streamduck.settings import Settings

PRODUCERS_DIR = Path(__file__).resolve().parent.parent / "producers"


def generation_rate(count: int, bad_ratio: float) -> float:
    generator = load_generator(PRODUCERS_DIR, "people")
    started = time.perf_counter()
    for _message in messages(generator, count, seed=1, bad_ratio=bad_ratio):
        pass  # kept nowhere, as when sending: a list of them would time the garbage collector
    return count / (time.perf_counter() - started)


def prebuilt(count: int, bad_ratio: float) -> list[Message]:
    return list(messages(load_generator(PRODUCERS_DIR, "people"), count, seed=1, bad_ratio=bad_ratio))


def sending_rate(settings: Settings, topic: str, built: list[Message]) -> float:
    with producer(settings, **producer_config()) as kafka:
        started = time.perf_counter()
        for message in built:
            kafka.send(topic, value=message.value, key=message.key, headers=message.headers)
        kafka.flush()
        return len(built) / (time.perf_counter() - started)


def end_to_end_rate(settings: Settings, topic: str, count: int, bad_ratio: float) -> float:
    report = generate(settings, "people", topic=topic, count=count, seed=2, bad_ratio=bad_ratio)
    assert report.acknowledged == count, report
    return report.rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--bad-ratio", type=float, default=0.0)
    args = parser.parse_args()

    with EmbeddedBroker() as broker:
        settings = Settings(bootstrap_servers=broker.bootstrap_servers, producers_dir=PRODUCERS_DIR)
        with admin_client(settings) as admin:
            admin.create_topics({t: {"num_partitions": 3, "replication_factor": 1} for t in ("send", "e2e")})
        # Warm-up: Faker's imports and first pools are paid once per process, not per record.
        generate(settings, "people", topic="e2e", count=10_000, seed=3)

        generated = generation_rate(args.count, args.bad_ratio)
        sent = sending_rate(settings, "send", prebuilt(args.count, args.bad_ratio))
        end_to_end = end_to_end_rate(settings, "e2e", args.count, args.bad_ratio)

    print(f"records: {args.count:,} people, bad ratio {args.bad_ratio}, 3 partitions, embedded Tansu broker")
    print(f"generation alone     {generated:>10,.0f} records/s")
    print(f"sending alone        {sent:>10,.0f} records/s  (pre-built messages: kafka-python's ceiling)")
    print(f"end to end           {end_to_end:>10,.0f} records/s  (generate + send + every ack)")
    print(f"generation / e2e     {generated / end_to_end:>10.1f}x")
    print(f"e2e / sending alone  {end_to_end / sent:>10.0%}")


if __name__ == "__main__":
    main()
