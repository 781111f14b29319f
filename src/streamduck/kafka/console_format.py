"""Line formats of the console tools, with the ``--property`` names of Kafka's own scripts.

:class:`LineReader` is ``kafka-console-producer``'s line reader (``parse.key``, ``key.separator``,
``parse.headers``, ``headers.delimiter``, ``headers.separator``, ``headers.key.separator``,
``null.marker``); :class:`RecordFormatter` is ``kafka-console-consumer``'s default formatter
(``print.timestamp``, ``print.partition``, ``print.offset``, ``print.headers``, ``print.key``,
``print.value``, ``key.separator``, ``line.separator``, ``headers.separator``, ``null.literal``).
Both are pure: no client, no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from streamduck.errors import ConfigError

__all__ = ["ConsoleRecord", "LineReader", "ParsedLine", "RecordFormatter"]

_TIMESTAMP_TYPES = {0: "CreateTime", 1: "LogAppendTime"}


@dataclass(frozen=True)
class ConsoleRecord:
    """One consumed record, as the console consumer shows it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp: int | None = None
    timestamp_type: int | None = None
    """0 = CreateTime, 1 = LogAppendTime, anything else = no timestamp (Kafka's TimestampType)."""
    headers: tuple[tuple[str, bytes | None], ...] = ()


@dataclass(frozen=True)
class ParsedLine:
    """What one input line becomes: key, value (None = null, a tombstone) and headers."""

    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def _properties(
    cls: type, properties: Mapping[str, str], booleans: frozenset[str], option: str
) -> dict[str, object]:
    """``--property`` pairs as field values of ``cls`` (``parse.key`` -> ``parse_key``), validated."""
    fields = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, object] = {}
    for name, raw in properties.items():
        attribute = name.replace(".", "_")
        if attribute not in fields:
            known = ", ".join(sorted(f.replace("_", ".") for f in fields))
            raise ConfigError(f"{option} {name!r} is not a known property (known: {known})")
        if attribute in booleans:
            if raw.lower() not in ("true", "false"):
                raise ConfigError(f"{option} {name}={raw!r}: expected true or false")
            values[attribute] = raw.lower() == "true"
        else:
            if raw == "" and attribute != "null_marker":
                raise ConfigError(f"{option} {name} must not be empty")
            values[attribute] = _unescape(raw)
    return values


def _unescape(text: str) -> str:
    # Shells make a literal tab awkward to type: "\t" and "\n" are read as the characters.
    return text.replace("\\t", "\t").replace("\\n", "\n")


@dataclass(frozen=True)
class LineReader:
    """kafka-console-producer's line format: ``[headers<TAB>][key<TAB>]value`` with the defaults below."""

    parse_key: bool = False
    key_separator: str = "\t"
    parse_headers: bool = False
    headers_delimiter: str = "\t"
    headers_separator: str = ","
    headers_key_separator: str = ":"
    null_marker: str | None = None
    """A key or value equal to it is sent as null (a tombstone when it is the value)."""

    @classmethod
    def from_options(
        cls,
        properties: Mapping[str, str] | None = None,
        key_separator: str | None = None,
        null_marker: str | None = None,
    ) -> LineReader:
        """From ``--property`` pairs plus the ``--key-separator``/``--null-marker`` shorthands.

        Raises:
            ConfigError: an unknown property, a malformed boolean, or an empty separator or marker.
        """
        values = _properties(cls, properties or {}, frozenset({"parse_key", "parse_headers"}), "--property")
        if key_separator is not None:
            if key_separator == "":
                raise ConfigError("--key-separator must not be empty")
            values.update(parse_key=True, key_separator=key_separator)
        if null_marker is not None:
            values["null_marker"] = null_marker
        if values.get("null_marker") == "":
            raise ConfigError("--null-marker must not be empty")
        return cls(**values)  # type: ignore[arg-type]

    def parse(self, line: str, number: int) -> ParsedLine:
        """Key, value and headers of one input line (without its newline).

        Text decoded with ``errors="surrogateescape"`` is sent as the exact bytes that were read.

        Raises:
            ConfigError: a delimiter the format needs is missing, or a header has no key or no
                value (kafka-python cannot send a null header value); names the line.
        """
        headers: list[tuple[str, bytes]] = []
        rest = line
        if self.parse_headers:
            section, sep, rest = line.partition(self.headers_delimiter)
            if not sep:
                raise ConfigError(
                    f"line {number} has no headers delimiter {self.headers_delimiter!r}: {line[:80]!r}"
                )
            headers = self._headers(section, number) if section else []
        key = None
        if self.parse_key:
            raw_key, sep, rest = rest.partition(self.key_separator)
            if not sep:
                raise ConfigError(f"line {number} has no key separator {self.key_separator!r}: {line[:80]!r}")
            key = self._nullable(raw_key)
        return ParsedLine(key, self._nullable(rest), headers)

    def _headers(self, section: str, number: int) -> list[tuple[str, bytes]]:
        headers = []
        for header in section.split(self.headers_separator):
            name, sep, value = header.partition(self.headers_key_separator)
            if not name or name == self.null_marker:
                raise ConfigError(f"line {number} has a header without a key: {header[:80]!r}")
            if not sep or value == self.null_marker:
                raise ConfigError(
                    f"line {number}: header {name!r} has no value (null header values cannot be sent)"
                )
            headers.append((name, _bytes(value)))
        return headers

    def _nullable(self, text: str) -> bytes | None:
        return None if self.null_marker is not None and text == self.null_marker else _bytes(text)


def _bytes(text: str) -> bytes:
    # surrogateescape round-trips input that was not UTF-8 (read with errors="surrogateescape").
    return text.encode("utf-8", errors="surrogateescape")


@dataclass(frozen=True)
class RecordFormatter:
    """kafka-console-consumer's DefaultMessageFormatter: the fields asked for, in Kafka's order.

    ``CreateTime:<ms>``, ``Partition:<n>``, ``Offset:<n>``, headers (``k:v`` joined by
    ``headers.separator``, or ``NO_HEADERS``), key, value; separated by ``key.separator``.
    Bytes that are not UTF-8 are shown as ``\\xNN`` escapes rather than failing.
    """

    print_timestamp: bool = False
    print_partition: bool = False
    print_offset: bool = False
    print_headers: bool = False
    print_key: bool = False
    print_value: bool = True
    key_separator: str = "\t"
    line_separator: str = "\n"
    headers_separator: str = ","
    null_literal: str = "null"

    @classmethod
    def from_options(
        cls, properties: Mapping[str, str] | None = None, print_key: bool = False
    ) -> RecordFormatter:
        """From ``--property`` pairs plus the ``--print-key`` shorthand.

        Raises:
            ConfigError: an unknown property or a malformed boolean.
        """
        booleans = frozenset(f.name for f in dataclasses.fields(cls) if f.name.startswith("print_"))
        values = _properties(cls, properties or {}, booleans, "--property")
        if print_key:
            values["print_key"] = True
        return cls(**values)  # type: ignore[arg-type]

    def format(self, record: ConsoleRecord) -> str:
        """The record's line, without the line separator."""
        fields = []
        if self.print_timestamp:
            kind = _TIMESTAMP_TYPES.get(record.timestamp_type if record.timestamp_type is not None else -1)
            fields.append(
                f"{kind}:{record.timestamp}" if kind and record.timestamp is not None else "NO_TIMESTAMP"
            )
        if self.print_partition:
            fields.append(f"Partition:{record.partition}")
        if self.print_offset:
            fields.append(f"Offset:{record.offset}")
        if self.print_headers:
            shown = [f"{name}:{self._text(value)}" for name, value in record.headers]
            fields.append(self.headers_separator.join(shown) if shown else "NO_HEADERS")
        if self.print_key:
            fields.append(self._text(record.key))
        if self.print_value:
            fields.append(self._text(record.value))
        return self.key_separator.join(fields)

    def _text(self, data: bytes | None) -> str:
        return self.null_literal if data is None else data.decode("utf-8", errors="backslashreplace")
