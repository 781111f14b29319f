"""The one settings model: CLI flag > ``STREAMDUCK_*`` environment > defaults.

Every entry point (CLI, DAG tasks, the demo, tests) builds a :class:`Settings` and passes it down;
nothing else reads the environment. Secrets are :class:`~pydantic.SecretStr`, so they print as
``**********`` in reprs, logs and errors; they are unwrapped only when a Kafka client is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from streamduck.warehouse.backend import Warehouse

__all__ = ["Settings", "SecurityProtocol"]

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]

# Airflow's `kafka_default` connection carries librdkafka-style dotted keys (the official Kafka
# provider's shape); these are the ones that map onto our fields.
_AIRFLOW_EXTRA_KEYS = {
    "bootstrap.servers": "bootstrap_servers",
    "security.protocol": "security_protocol",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.mechanisms": "sasl_mechanism",
    "sasl.username": "sasl_username",
    "sasl.password": "sasl_password",
    "ssl.ca.location": "ssl_cafile",
    "ssl.certificate.location": "ssl_certfile",
    "ssl.key.location": "ssl_keyfile",
    "ssl.key.password": "ssl_password",
    "client.id": "client_id",
}


class Settings(BaseSettings):
    """Where the broker, the warehouse and the user's content are, and how to reach them."""

    model_config = SettingsConfigDict(env_prefix="STREAMDUCK_", extra="ignore")

    bootstrap_servers: str = "localhost:9092"
    """Comma-separated ``host:port`` list of Kafka brokers."""
    warehouse: str = "data/warehouse.duckdb"
    """Where rows are loaded: a DuckDB file path (the embedded default), or a DuckLake shared by many
    loaders and readers, ``ducklake:postgres:<libpq params>`` or ``ducklake:<path>.ducklake``."""
    data_path: str | None = None
    """DuckLake only: the folder (or object-store prefix) holding its Parquet data files."""
    sql_dir: Path = Path("sql")
    """Folder of ksqlDB-style statements; source definitions live in ``streams/`` below it."""
    producers_dir: Path = Path("producers")
    """Folder of data generators run by ``streamduck generate``."""
    client_id: str = "streamduck"
    """Kafka client id, shown by brokers and lag tools."""
    connect_timeout_ms: int = Field(default=15_000, ge=100)
    """How long to wait for the first broker to answer before failing."""
    security_protocol: SecurityProtocol = "PLAINTEXT"
    """Kafka ``security.protocol``."""
    sasl_mechanism: str | None = None
    """Kafka ``sasl.mechanism`` (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)."""
    sasl_username: str | None = None
    """SASL user name."""
    sasl_password: SecretStr | None = None
    """SASL password; never printed."""
    ssl_cafile: Path | None = None
    """CA bundle that signed the brokers' certificates."""
    ssl_certfile: Path | None = None
    """Client certificate for mutual TLS."""
    ssl_keyfile: Path | None = None
    """Client private key for mutual TLS."""
    ssl_password: SecretStr | None = None
    """Password of the client private key; never printed."""

    @field_validator("warehouse", mode="before")
    @classmethod
    def _warehouse_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, Path) else value

    @field_validator("warehouse")
    @classmethod
    def _warehouse_masked(cls, value: str) -> str:
        return _Location(value)

    @property
    def backend(self) -> Warehouse:
        """The warehouse backend :attr:`warehouse` names (DuckDB file or DuckLake)."""
        from streamduck.warehouse.backend import warehouse_for

        return warehouse_for(self)

    @property
    def streams_dir(self) -> Path:
        """Folder holding one source or derived stream definition per file."""
        return self.sql_dir / "streams"

    def kafka_config(self) -> dict[str, Any]:
        """Keyword arguments shared by kafka-python's admin, producer and consumer clients."""
        config: dict[str, Any] = {
            "bootstrap_servers": [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()],
            "client_id": self.client_id,
            "bootstrap_timeout_ms": self.connect_timeout_ms,
            "security_protocol": self.security_protocol,
        }
        optional = {
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.sasl_username,
            "sasl_plain_password": _reveal(self.sasl_password),
            "ssl_cafile": _path(self.ssl_cafile),
            "ssl_certfile": _path(self.ssl_certfile),
            "ssl_keyfile": _path(self.ssl_keyfile),
            "ssl_password": _reveal(self.ssl_password),
        }
        config.update({k: v for k, v in optional.items() if v is not None})
        return config

    @classmethod
    def from_connection_extra(cls, extra: dict[str, Any], **overrides: Any) -> Settings:
        """Build settings from an Airflow ``kafka_default`` connection's JSON extra.

        Raises:
            ConfigError: the extra has no ``bootstrap.servers``.
        """
        from streamduck.errors import ConfigError

        if not extra.get("bootstrap.servers"):
            raise ConfigError("Kafka connection extra has no 'bootstrap.servers'")
        values = {field: extra[key] for key, field in _AIRFLOW_EXTRA_KEYS.items() if key in extra}
        return cls(**{**values, **overrides})


class _Location(str):
    """The warehouse location; its repr (settings reprs, dumps, logs) masks a libpq password."""

    __slots__ = ()

    def __repr__(self) -> str:
        from streamduck.warehouse.backend import mask_password

        return repr(mask_password(str(self)))


def _reveal(secret: SecretStr | None) -> str | None:
    """The clear text, for a client's configuration only: it is masked in every log record from now on."""
    from streamduck.redact import register_secret

    return register_secret(secret.get_secret_value()) if secret is not None else None


def _path(path: Path | None) -> str | None:
    return str(path) if path is not None else None
