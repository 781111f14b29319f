"""Data generators: fake records (and bad ones on purpose) sent to Kafka.

``streamduck.produce.generate(settings, "people", topic=..., count=...)`` runs the generator
``producers/people.py``; see :mod:`streamduck.produce.registry` for the generator contract.
"""

from __future__ import annotations

from streamduck.produce.badrecords import BAD_KIND_HEADER, BAD_KINDS
from streamduck.produce.registry import available_generators
from streamduck.produce.runner import GenerateReport, generate

__all__ = ["BAD_KINDS", "BAD_KIND_HEADER", "GenerateReport", "available_generators", "generate"]
