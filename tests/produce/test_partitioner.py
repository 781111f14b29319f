"""Our key partitioner must route every key exactly as Kafka's clients do."""

from __future__ import annotations

import random

from kafka.partitioner.default import murmur2 as kafka_python_murmur2

from streamduck.produce.partitioner import key_partitioner, murmur2


def test_murmur2_matches_kafka_python_for_keys_of_every_length() -> None:
    rng = random.Random(42)
    for _ in range(5000):
        data = rng.randbytes(rng.randrange(0, 80))
        assert murmur2(data) == kafka_python_murmur2(data), data


def test_murmur2_matches_the_java_client_reference_values() -> None:
    # From Kafka's UtilsTest.testMurmur2 (signed ints there; compared as unsigned 32-bit here).
    cases = {
        b"21": -973932308,
        b"foobar": -790332482,
        b"a-little-bit-long-string": -985981536,
        b"a-little-bit-longer-string": -1486304829,
        b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
        b"abc": 479470107,
    }
    for data, signed in cases.items():
        assert murmur2(data) == signed & 0xFFFFFFFF, data


def test_partitioner_is_a_kafka_python_partitioner() -> None:
    from kafka.partitioner.abc import Partitioner

    assert isinstance(key_partitioner(), Partitioner)
