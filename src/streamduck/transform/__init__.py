"""``streamduck transform``: a ksqlDB ``CREATE STREAM ... AS SELECT`` run topic to topic, exactly once.

Public API: :func:`run_transform`, :class:`TransformOptions`, :class:`TransformReport`,
:func:`load_transform` and :class:`TransformSpec`. Heavy libraries load only when a transform runs.
"""

from __future__ import annotations

from streamduck.transform.processor import group_id, run_transform, transactional_id
from streamduck.transform.report import TransformOptions, TransformReport
from streamduck.transform.spec import TransformSpec, load_transform

__all__ = [
    "TransformOptions",
    "TransformReport",
    "TransformSpec",
    "group_id",
    "load_transform",
    "run_transform",
    "transactional_id",
]
