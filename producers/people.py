"""Fake people, keyed by id: ``streamduck generate people --topic fake_people``.

This file is also the template for a new generator: copy it to ``producers/<name>.py`` and run
``streamduck generate <name>``. A generator module defines:

- ``KEY``: the field whose value becomes the Kafka message key (as UTF-8 text).
- ``DEFAULT_TOPIC``: the topic used when ``--topic`` is not given.
- ``LOCALES`` (optional, default ``("en_US",)``): one is picked at random for each record.
- ``generate(fake, index, now) -> dict``: one record. ``fake`` is a seeded Faker for the record's
  locale, ``index`` its position in the run (0, 1, 2, ...), ``now`` its creation time (UTC; with
  ``--seed`` a synthetic clock, so output is reproducible). Return values orjson can encode: str,
  int, float, bool, None, lists, dicts, ``date`` and ``datetime`` (written as ISO 8601).

Use only ``fake`` for randomness (not the ``random`` module or the wall clock), or ``--seed`` stops
reproducing the same records.
"""

from __future__ import annotations

import functools
import unicodedata
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faker import Faker

KEY = "id"
DEFAULT_TOPIC = "fake_people"
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")

# Titles as an English-language form offers them, weighted roughly as people pick them; a title
# agrees with the first name's gender (Dr and Prof go with either).
TITLES_MALE = ("Mr",) * 16 + ("Dr",) * 2 + ("Prof",)
TITLES_FEMALE = ("Ms",) * 8 + ("Mrs",) * 6 + ("Miss",) * 2 + ("Dr",) * 2 + ("Prof",)


def generate(fake: Faker, index: int, now: datetime) -> dict[str, Any]:
    """One person who signed up at ``now``."""
    female = fake.random.random() < 0.5
    first_name = fake.first_name_female() if female else fake.first_name_male()
    last_name = fake.last_name()
    return {
        "id": fake.uuid4(),
        "title": fake.random.choice(TITLES_FEMALE if female else TITLES_MALE),
        "name": f"{first_name} {last_name}",
        "first_name": first_name,
        "last_name": last_name,
        "email": f"{_mailbox(first_name)}.{_mailbox(last_name)}@{fake.free_email_domain()}",
        "phone": fake.phone_number(),
        "address": {
            # Some locales write a street address on two lines.
            "street": fake.street_address().replace("\n", ", "),
            "city": fake.city(),
            "postcode": fake.postcode(),
            "country": fake.current_country_code(),
        },
        "job": fake.job(),
        "company": fake.company(),
        "birthdate": _birthdate(fake, now.date()),
        "created_at": now,
    }


def _birthdate(fake: Faker, today: date) -> date:
    # Relative to `now`, not Faker's date_of_birth (which reads today's date and so breaks --seed).
    return today - timedelta(days=fake.random_int(18 * 365, 90 * 365))


@functools.lru_cache(maxsize=4096)
def _mailbox(name: str) -> str:
    # "Müller" -> "muller", "De la Cruz" -> "delacruz": what people put before the @.
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_name if c.isalnum()).lower()
