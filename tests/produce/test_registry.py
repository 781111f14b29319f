"""Generators are files in producers/: found by name, checked against the contract, errors named."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamduck.errors import ConfigError
from streamduck.produce.records import messages
from streamduck.produce.registry import available_generators, load_generator
from tests.produce.conftest import PRODUCERS_DIR, write_generator

MINIMAL = """
KEY = "sku"
DEFAULT_TOPIC = "products"

def generate(fake, index, now):
    return {"sku": f"SKU-{index:05d}", "name": fake.word(), "price": fake.random_int(1, 999)}
"""


def test_people_ships_with_the_repository() -> None:
    generator = load_generator(PRODUCERS_DIR, "people")
    assert (generator.key, generator.default_topic) == ("id", "fake_people")
    assert "people" in available_generators(PRODUCERS_DIR)


def test_a_new_generator_is_one_file(tmp_path: Path) -> None:
    write_generator(tmp_path, "products", MINIMAL)
    write_generator(tmp_path, "_helpers", "X = 1\n")
    assert available_generators(tmp_path) == ["products"]
    generator = load_generator(tmp_path, "products")
    assert generator.locales == ("en_US",)
    first = next(messages(generator, 1, seed=1))
    assert first.key == b"SKU-00000"


def test_unknown_generator_lists_the_available_ones(tmp_path: Path) -> None:
    write_generator(tmp_path, "products", MINIMAL)
    with pytest.raises(ConfigError, match=r"unknown generator 'nope'.*available: products"):
        load_generator(tmp_path, "nope")
    with pytest.raises(ConfigError, match="available: none"):
        load_generator(tmp_path / "missing", "people")


def test_a_name_is_never_a_path(tmp_path: Path) -> None:
    write_generator(tmp_path / "sub", "evil", MINIMAL)
    with pytest.raises(ConfigError, match="unknown generator"):
        load_generator(tmp_path, "sub/evil")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('KEY = "id"\nDEFAULT_TOPIC = "t"\n', "defines no function generate"),
        ('DEFAULT_TOPIC = "t"\ndef generate(fake, index, now):\n    return {}\n', "must set KEY"),
        (MINIMAL + 'LOCALES = ("xx_XX",)\n', "unknown: \\['xx_XX'\\]"),
        ("def generate(:\n", "failed to load: SyntaxError"),
    ],
)
def test_a_broken_generator_is_named_with_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    path = write_generator(tmp_path, "broken", body)
    with pytest.raises(ConfigError, match=message) as caught:
        load_generator(tmp_path, "broken")
    assert str(path) in str(caught.value)


def test_a_record_without_its_key_field_is_refused(tmp_path: Path) -> None:
    write_generator(tmp_path, "keyless", MINIMAL.replace('"sku": f"SKU', '"code": f"SKU'))
    with pytest.raises(ConfigError, match="key field 'sku'"):
        next(messages(load_generator(tmp_path, "keyless"), 1, seed=1))


def test_a_generator_that_raises_is_named_with_its_line(tmp_path: Path) -> None:
    write_generator(
        tmp_path, "buggy", MINIMAL.replace('"price": fake.random_int(1, 999)', '"price": 1 // index')
    )
    with pytest.raises(ConfigError, match=r"buggy.py failed on record 0 \(line 6\): ZeroDivisionError"):
        next(messages(load_generator(tmp_path, "buggy"), 1, seed=1))
