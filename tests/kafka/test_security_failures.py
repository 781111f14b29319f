"""Integration: a refused TLS handshake or refused credentials are said as such, in one line.

A real Tansu with ``--authentication``, and a real TLS endpoint: Tansu 0.6's own ``--cert/--key``
cannot be combined on its command line, so TLS is terminated by a proxy in front of a Tansu that
advertises the proxy's address (clients speak TLS for every connection, bootstrap and after).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamduck.broker import EmbeddedBroker, free_port
from tests.conftest import STREAMDUCK_BIN

SENTINEL = "s3ntinel-Pa55word"


class AuthenticatingBroker(EmbeddedBroker):
    def command(self) -> list[str]:
        return [*super().command(), "--authentication"]


class AdvertisingBroker(EmbeddedBroker):
    """A broker that tells clients to connect to ``advertised`` (the TLS proxy in front of it)."""

    def __init__(self, advertised: str, **kwargs):
        super().__init__(**kwargs)
        self.advertised = advertised

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--advertised-listener-url") + 1] = f"tcp://{self.advertised}"
        return command


def run(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([STREAMDUCK_BIN, *args], env=env, capture_output=True, text=True, timeout=120)
    return done, time.monotonic() - started


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def auth_broker(tmp_path_factory) -> Iterator[EmbeddedBroker]:
    with AuthenticatingBroker(log_file=tmp_path_factory.mktemp("auth") / "tansu.log") as broker:
        yield broker


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    """The default connect timeout (15 s): refused TLS or credentials must fail well before it."""
    return dict(cli_env)


def test_refused_credentials_say_authentication_failed(env, auth_broker):
    env = {
        **env,
        "STREAMDUCK_BOOTSTRAP_SERVERS": auth_broker.bootstrap_servers,
        "STREAMDUCK_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "STREAMDUCK_SASL_MECHANISM": "SCRAM-SHA-512",
        "STREAMDUCK_SASL_USERNAME": "alice",
        "STREAMDUCK_SASL_PASSWORD": SENTINEL,
    }
    done, seconds = run(env, "topics", "list")
    line = one_line_error(done)
    assert f"authentication to the broker at {auth_broker.bootstrap_servers} failed for user 'alice'" in line
    assert SENTINEL not in done.stdout + done.stderr
    assert seconds < 8, seconds


def test_no_credentials_for_an_authenticating_broker_says_authentication_required(env, auth_broker):
    done, seconds = run(
        {**env, "STREAMDUCK_BOOTSTRAP_SERVERS": auth_broker.bootstrap_servers}, "topics", "list"
    )
    assert "it requires authentication" in one_line_error(done)
    assert seconds < 8, seconds


def test_nothing_listening_is_still_broker_unavailable(env):
    env = {**env, "STREAMDUCK_CONNECT_TIMEOUT_MS": "3000"}
    done, _ = run({**env, "STREAMDUCK_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}"}, "topics", "list")
    assert "no Kafka broker answered" in one_line_error(done)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the CA file is the certificate itself)."""
    if shutil.which("openssl") is None:
        pytest.fail("the TLS tests need the openssl command to make a certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture(scope="module")
def tls_broker(certificate, tmp_path_factory) -> Iterator[str]:
    """``host:port`` of a TLS endpoint forwarding to a Tansu that advertises that endpoint."""
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    address = f"127.0.0.1:{listener.getsockname()[1]}"

    def serve() -> None:
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            try:
                client = context.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError):
                raw.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", broker.port))
            threading.Thread(target=_pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()

    with AdvertisingBroker(address, log_file=tmp_path_factory.mktemp("tls") / "tansu.log") as broker:
        threading.Thread(target=serve, daemon=True).start()
        try:
            yield address
        finally:
            listener.close()


def test_tls(env, tls_broker, certificate):
    cert, _ = certificate
    env = {**env, "STREAMDUCK_BOOTSTRAP_SERVERS": tls_broker}
    trusted, _ = run(
        {**env, "STREAMDUCK_SECURITY_PROTOCOL": "SSL", "STREAMDUCK_SSL_CAFILE": str(cert)},
        "topics", "create", "tls-works", "--partitions", "1",
    )  # fmt: skip
    assert trusted.returncode == 0, trusted.stderr  # the endpoint is real TLS to a real broker

    untrusted, seconds = run({**env, "STREAMDUCK_SECURITY_PROTOCOL": "SSL"}, "topics", "list")
    line = one_line_error(untrusted)
    assert f"TLS handshake with the broker at {tls_broker} failed: self-signed certificate" in line
    assert "STREAMDUCK_SSL_CAFILE" in line
    assert seconds < 8, seconds

    plaintext, _ = run(env, "topics", "list")
    assert f"the broker at {tls_broker} expects TLS" in one_line_error(plaintext)
