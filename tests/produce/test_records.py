"""The messages a generator run sends: shape, keys, reproducibility and every bad kind (no broker)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from streamduck.produce.badrecords import (
    BAD_KIND_HEADER,
    BAD_KINDS,
    OVERSIZED_BYTES,
    POISON_KINDS,
    VALID_KINDS,
    plan_bad_records,
)
from streamduck.produce.records import SEEDED_EPOCH, Message, messages
from streamduck.produce.registry import Generator

LOADER_DEFAULT_LIMIT = 256 * 1024


def run(people: Generator, count: int, seed: int | None = 7, bad_ratio: float = 0.0) -> list[Message]:
    return list(messages(people, count, seed, bad_ratio))


def test_a_person_has_the_documented_shape_and_is_keyed_by_id(people: Generator) -> None:
    for message in run(people, 50):
        person = orjson.loads(message.value)
        assert set(person) == {
            "id",
            "title",
            "name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "job",
            "company",
            "birthdate",
            "created_at",
        }
        assert set(person["address"]) == {"street", "city", "postcode", "country"}
        assert message.key == person["id"].encode() and uuid.UUID(person["id"])
        assert person["name"] == f"{person['first_name']} {person['last_name']}"
        assert person["title"] in {"Mr", "Ms", "Mrs", "Miss", "Dr", "Prof"}
        assert "@" in person["email"] and person["email"].isascii()
        assert 18 <= (date(2026, 1, 1) - date.fromisoformat(person["birthdate"])).days // 365 <= 90
        assert person["created_at"].endswith("Z")
        assert message.headers == [] and message.bad_kind is None


def test_people_come_from_several_locales_with_matching_countries(people: Generator) -> None:
    countries = Counter(orjson.loads(m.value)["address"]["country"] for m in run(people, 300))
    assert len(countries) >= 5, countries


def test_titles_vary_and_agree_with_reproducible_runs(people: Generator) -> None:
    titles = [orjson.loads(m.value)["title"] for m in run(people, 400)]
    assert set(titles) == {"Mr", "Ms", "Mrs", "Miss", "Dr", "Prof"}
    assert titles == [orjson.loads(m.value)["title"] for m in run(people, 400)]


def test_ids_are_unique(people: Generator) -> None:
    keys = [m.key for m in run(people, 3000)]
    assert len(set(keys)) == len(keys)


def test_same_seed_gives_byte_identical_messages(people: Generator) -> None:
    first, second = run(people, 400, seed=11, bad_ratio=0.1), run(people, 400, seed=11, bad_ratio=0.1)
    assert first == second
    assert run(people, 400, seed=12, bad_ratio=0.1) != first


def test_seeded_created_at_follows_a_synthetic_clock(people: Generator) -> None:
    stamps = [orjson.loads(m.value)["created_at"] for m in run(people, 3, seed=1)]
    expected = [SEEDED_EPOCH + timedelta(seconds=i) for i in range(3)]
    assert stamps == [t.isoformat().replace("+00:00", "Z") for t in expected]


def test_without_a_seed_runs_differ_and_created_at_is_now(people: Generator) -> None:
    before = datetime.now(UTC)
    first, second = run(people, 20, seed=None), run(people, 20, seed=None)
    assert {m.key for m in first}.isdisjoint({m.key for m in second})
    created = datetime.fromisoformat(orjson.loads(first[0].value)["created_at"])
    assert before <= created <= datetime.now(UTC)


def test_good_records_do_not_change_when_bad_ones_are_mixed_in(people: Generator) -> None:
    clean, mixed = run(people, 300, seed=3), run(people, 300, seed=3, bad_ratio=0.3)
    pairs = [(c, m) for c, m in zip(clean, mixed, strict=True) if m.bad_kind is None]
    assert len(pairs) == 210
    assert all(c == m for c, m in pairs)


def test_every_kind_appears_once_ratio_times_count_reaches_the_number_of_kinds(people: Generator) -> None:
    mixed = run(people, 100, bad_ratio=0.1)
    kinds = Counter(m.bad_kind for m in mixed if m.bad_kind)
    assert kinds == Counter({kind: 1 for kind in BAD_KINDS})
    for message in mixed:
        expected_headers = [(BAD_KIND_HEADER, message.bad_kind.encode())] if message.bad_kind else []
        assert message.headers == expected_headers


def test_bad_count_is_rounded_ratio_of_count() -> None:
    import random

    assert len(plan_bad_records(1000, 0.0155, random.Random(1))) == 16
    assert len(plan_bad_records(7, 1.0, random.Random(1))) == 7
    assert plan_bad_records(50, 0.0, random.Random(1)) == {}
    with pytest.raises(ValueError, match="between 0 and 1"):
        plan_bad_records(10, 1.5, random.Random(1))


@pytest.fixture(scope="module")
def bad_and_clean(people: Generator) -> list[tuple[Message, Message, list[Message]]]:
    """Each bad message with the good message of the same index and the messages sent before it."""
    clean, mixed = run(people, 600, seed=5), run(people, 600, seed=5, bad_ratio=0.1)
    return [(m, clean[i], mixed[:i]) for i, m in enumerate(mixed) if m.bad_kind]


def of_kind(bad_and_clean: list, kind: str) -> list[tuple[Message, Message, list[Message]]]:
    found = [entry for entry in bad_and_clean if entry[0].bad_kind == kind]
    assert len(found) == 6, kind
    return found


def test_not_json_and_truncated_json_fail_to_parse(bad_and_clean: list) -> None:
    for kind in ("not_json", "truncated_json"):
        for bad, original, _ in of_kind(bad_and_clean, kind):
            with pytest.raises(orjson.JSONDecodeError):
                orjson.loads(bad.value)
            assert bad.key == original.key
    for bad, original, _ in of_kind(bad_and_clean, "truncated_json"):
        assert original.value.startswith(bad.value) and len(bad.value) < len(original.value)


def test_invalid_utf8_fails_to_decode(bad_and_clean: list) -> None:
    for bad, _, _ in of_kind(bad_and_clean, "invalid_utf8"):
        with pytest.raises(UnicodeDecodeError):
            bad.value.decode("utf-8")


def test_wrong_root_type_is_json_but_not_an_object(bad_and_clean: list) -> None:
    for bad, _, _ in of_kind(bad_and_clean, "wrong_root_type"):
        assert not isinstance(orjson.loads(bad.value), dict)


def test_wrong_field_type_changes_the_json_type_of_one_field(bad_and_clean: list) -> None:
    for bad, original, _ in of_kind(bad_and_clean, "wrong_field_type"):
        record, expected = orjson.loads(bad.value), orjson.loads(original.value)
        assert record.keys() == expected.keys()
        changed = [k for k in record if type(record[k]) is not type(expected[k])]
        assert len(changed) == 1, (record, expected)


def test_missing_field_drops_one_field_but_keeps_the_key(bad_and_clean: list) -> None:
    for bad, original, _ in of_kind(bad_and_clean, "missing_field"):
        record, expected = orjson.loads(bad.value), orjson.loads(original.value)
        assert len(expected.keys() - record.keys()) == 1 and record.keys() < expected.keys()
        assert record["id"] == expected["id"] and bad.key == original.key


def test_oversized_is_valid_json_above_the_loader_limit(bad_and_clean: list) -> None:
    for bad, original, _ in of_kind(bad_and_clean, "oversized"):
        assert len(bad.value) == OVERSIZED_BYTES > LOADER_DEFAULT_LIMIT
        record = orjson.loads(bad.value)
        assert record["id"] == orjson.loads(original.value)["id"]


def test_tombstone_deletes_an_earlier_valid_key(bad_and_clean: list) -> None:
    for bad, _, earlier in of_kind(bad_and_clean, "tombstone"):
        assert bad.value is None
        assert bad.key in {m.key for m in earlier if m.bad_kind in (None, *VALID_KINDS)}


def test_null_key_is_a_valid_person_without_a_key(bad_and_clean: list) -> None:
    for bad, original, _ in of_kind(bad_and_clean, "null_key"):
        assert bad.key is None and bad.value == original.value


def test_duplicate_key_is_a_valid_person_reusing_an_earlier_key(bad_and_clean: list) -> None:
    for bad, original, earlier in of_kind(bad_and_clean, "duplicate_key"):
        record = orjson.loads(bad.value)
        assert bad.key in {m.key for m in earlier if m.bad_kind in (None, *VALID_KINDS)}
        assert record["id"].encode() == bad.key != original.key
        assert {k: v for k, v in record.items() if k != "id"} == {
            k: v for k, v in orjson.loads(original.value).items() if k != "id"
        }


def test_poison_and_valid_kinds_partition_the_kinds() -> None:
    assert set(BAD_KINDS) == POISON_KINDS | VALID_KINDS and not POISON_KINDS & VALID_KINDS
