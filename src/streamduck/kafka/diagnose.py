"""Why the brokers could not be reached: down, TLS refused, or authentication refused.

kafka-python answers every failed bootstrap with the same timeout, whether nothing listens, the TLS
handshake failed or the broker refused our credentials (with some brokers its SCRAM client even
fails on the server's error message). After such a timeout, one direct look at each bootstrap
address tells these apart, so the error says what to fix.
"""

from __future__ import annotations

import socket
import ssl
import struct

from streamduck.errors import AuthenticationFailed
from streamduck.settings import Settings

__all__ = ["diagnose_bootstrap"]

_PROBE_TIMEOUT_S = 3.0
_API_VERSIONS = 18
_METADATA = 3


def diagnose_bootstrap(settings: Settings) -> AuthenticationFailed | None:
    """The security failure behind a bootstrap timeout, or None when no broker answers at all."""
    for host, port in _addresses(settings.bootstrap_servers):
        try:
            sock = socket.create_connection((host, port), timeout=_PROBE_TIMEOUT_S)
        except OSError:
            continue  # nothing listens here: perhaps on the next address
        with sock:
            finding = _diagnose(settings, sock, host, port)
        if finding is not None:
            return finding
    return None


def _diagnose(settings: Settings, sock: socket.socket, host: str, port: int) -> AuthenticationFailed | None:
    address = f"{host}:{port}"
    protocol = settings.security_protocol
    if protocol in ("SSL", "SASL_SSL"):
        try:
            sock = _tls_context(settings).wrap_socket(sock, server_hostname=host)
        except ssl.SSLCertVerificationError as exc:
            return AuthenticationFailed(
                f"TLS handshake with the broker at {address} failed: {exc.verify_message or exc.reason}; "
                "set STREAMDUCK_SSL_CAFILE to the CA that signed the broker's certificate"
            )
        except (ssl.SSLError, OSError) as exc:
            return AuthenticationFailed(
                f"TLS handshake with the broker at {address} failed ({getattr(exc, 'reason', None) or exc}): "
                f"it may not speak TLS on this port (security protocol {protocol})"
            )
    elif not _answers_kafka(sock, _API_VERSIONS):
        if _speaks_tls(host, port):
            return AuthenticationFailed(
                f"the broker at {address} expects TLS: set STREAMDUCK_SECURITY_PROTOCOL=SSL (or SASL_SSL) "
                "and STREAMDUCK_SSL_CAFILE"
            )
        return None
    if protocol.startswith("SASL"):
        return AuthenticationFailed(
            f"authentication to the broker at {address} failed for user {settings.sasl_username!r} "
            f"(SASL {settings.sasl_mechanism}): check STREAMDUCK_SASL_USERNAME, STREAMDUCK_SASL_PASSWORD "
            "and STREAMDUCK_SASL_MECHANISM"
        )
    if protocol == "PLAINTEXT" and not _answers_kafka(sock, _METADATA):
        return AuthenticationFailed(
            f"the broker at {address} refused unauthenticated requests: it requires authentication; set "
            "STREAMDUCK_SECURITY_PROTOCOL=SASL_PLAINTEXT (or SASL_SSL), STREAMDUCK_SASL_MECHANISM, "
            "STREAMDUCK_SASL_USERNAME and STREAMDUCK_SASL_PASSWORD"
        )
    return None


def _addresses(bootstrap_servers: str) -> list[tuple[str, int]]:
    addresses = []
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        if host and port.isdigit():
            addresses.append((host.strip("[]"), int(port)))
    return addresses


def _tls_context(settings: Settings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
    if settings.ssl_certfile:
        password = settings.ssl_password.get_secret_value() if settings.ssl_password else None
        keyfile = str(settings.ssl_keyfile) if settings.ssl_keyfile else None
        context.load_cert_chain(str(settings.ssl_certfile), keyfile, password)
    return context


def _answers_kafka(sock: socket.socket, api_key: int) -> bool:
    """Whether a version-0 request of ``api_key`` (ApiVersions, or Metadata of all topics) is answered."""
    client_id = b"streamduck-diagnose"
    body = struct.pack(">i", 0) if api_key == _METADATA else b""  # Metadata v0: no topics = all
    request = struct.pack(">hhih", api_key, 0, api_key, len(client_id)) + client_id + body
    try:
        sock.settimeout(_PROBE_TIMEOUT_S)
        sock.sendall(struct.pack(">i", len(request)) + request)
        header = _read(sock, 8)
    except OSError:
        return False
    if header is None:
        return False
    _, correlation_id = struct.unpack(">ii", header)
    size = struct.unpack(">i", header[:4])[0]
    return correlation_id == api_key and _read(sock, size - 4) is not None


def _read(sock: socket.socket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _speaks_tls(host: str, port: int) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=_PROBE_TIMEOUT_S) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return True
    except (OSError, ssl.SSLError):
        return False
