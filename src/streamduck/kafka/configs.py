"""Topic configuration: ``kafka-configs --entity-type topics --describe / --alter``.

Which entries count as the topic's own settings: Kafka tags each config with a source, and
``kafka-configs --describe`` shows the non-default ones. Tansu (the embedded broker) tags every
entry ``DEFAULT_CONFIG`` but returns only the keys set on the topic, so when a broker reports
nothing but ``DEFAULT_CONFIG`` sources we treat every entry it returned as set on the topic.
Tansu also accepts any key and silently accepts changes to unknown topics, so existence is
checked here before altering; a real Kafka broker's own rejections are passed on with its message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from streamduck.errors import ConfigError
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaAdminClient

__all__ = [
    "alter_topic_configs",
    "describe_topic_configs",
    "parse_config_pairs",
    "select_overrides",
    "topic_overrides",
]

# Sources that mean "inherited, not set on this topic" (kafka-python's ConfigSourceType names).
_DEFAULT_SOURCES = frozenset(
    {"DEFAULT_CONFIG", "STATIC_BROKER_CONFIG", "DYNAMIC_DEFAULT_BROKER_CONFIG", "DYNAMIC_BROKER_CONFIG"}
)


def parse_config_pairs(pairs: Iterable[str], option: str = "--config") -> dict[str, str]:
    """``["k=v", ...]`` as a dict; the value may itself contain ``=``.

    Raises:
        ConfigError: an entry has no ``=`` or an empty key (names the entry and the option).
    """
    configs: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{option} {pair!r} is not of the form key=value")
        configs[key.strip()] = value
    return configs


def describe_topic_configs(
    settings: Settings, topic: str, include_defaults: bool = False
) -> list[dict[str, Any]]:
    """Rows ``name, value, source, read_only, sensitive``, sorted by name; sensitive values hidden.

    Raises:
        TopicNotFound: no such topic.
    """
    from streamduck.kafka.admin import open_admin, require_topic

    with open_admin(settings) as admin:
        require_topic(admin, topic)
        entries = _all_configs(admin, topic)
    if not include_defaults:
        entries = select_overrides(entries)
    return [
        {
            "name": name,
            "value": None if e.get("is_sensitive") else e.get("value"),
            "source": e.get("config_source"),
            "read_only": bool(e.get("read_only")),
            "sensitive": bool(e.get("is_sensitive")),
        }
        for name, e in sorted(entries.items())
    ]


def topic_overrides(admin: KafkaAdminClient, topic: str) -> dict[str, str]:
    """``{key: value}`` of the configs set on the topic (what ``kafka-topics --describe`` prints)."""
    return {k: str(e.get("value")) for k, e in sorted(select_overrides(_all_configs(admin, topic)).items())}


def alter_topic_configs(
    settings: Settings, topic: str, add: Mapping[str, str] | None = None, delete: Iterable[str] = ()
) -> None:
    """Set ``add`` and reset ``delete`` to their defaults, in one incremental request.

    Raises:
        TopicNotFound: no such topic.
        ConfigError: nothing to change, a key is both added and deleted, or the broker refused.
    """
    from kafka.admin import AlterConfigOp, ConfigResource

    add, delete = dict(add or {}), list(delete)
    if not add and not delete:
        raise ConfigError(f"nothing to alter on topic {topic!r}: give --add-config and/or --delete-config")
    both = sorted(set(add) & set(delete))
    if both:
        raise ConfigError(f"topic {topic!r}: {', '.join(both)} both added and deleted")
    changes: dict[str, Any] = {**add, **{key: (AlterConfigOp.DELETE, None) for key in delete}}
    from streamduck.kafka.admin import open_admin, require_topic

    with open_admin(settings) as admin:
        require_topic(admin, topic)
        # raise_on_unknown would compare keys with the broker's *current* keys, which on Tansu
        # are only those already set; the broker is the authority on which keys it accepts.
        result = admin.alter_configs([ConfigResource("TOPIC", topic, changes)], raise_on_unknown=False)
    outcome = result.get("topic", {}).get(topic, "OK")
    if outcome != "OK":
        keys = ", ".join(sorted(changes))
        raise ConfigError(f"broker refused to alter {keys} on topic {topic!r}: {outcome}")


def _all_configs(admin: KafkaAdminClient, topic: str) -> dict[str, dict[str, Any]]:
    from kafka.admin import ConfigResource

    described = admin.describe_configs([ConfigResource("TOPIC", topic)], config_filter="all")
    return dict(described.get("topic", {}).get(topic, {}))


def select_overrides(entries: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The entries set on the topic itself, from a ``describe_configs(..., config_filter="all")`` answer."""
    sources = {e.get("config_source") for e in entries.values()}
    if sources <= {"DEFAULT_CONFIG"}:
        return dict(entries)  # a broker that does not tell sources apart (Tansu): see module doc
    return {k: e for k, e in entries.items() if e.get("config_source") not in _DEFAULT_SOURCES}
