"""Integration: a sentinel password never appears in any command's output, at DEBUG, nor in any file.

kafka-python logs its whole client configuration at DEBUG; every command runs here as a real
process with ``--log-level DEBUG`` and the sentinel as SASL and TLS-key password.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from streamduck.redact import MASK, redact, register_secret
from tests.conftest import REPO_ROOT, STREAMDUCK_BIN

SASL_SENTINEL = "Sasl-s3ntinel-7f3a"
KEY_SENTINEL = "Key-s3ntinel-91c2"


def test_every_command_at_debug_keeps_the_passwords_out(cli_env, settings, topic_name, tmp_path):
    env = {
        **cli_env,
        "STREAMDUCK_SASL_PASSWORD": SASL_SENTINEL,
        "STREAMDUCK_SSL_PASSWORD": KEY_SENTINEL,
        "STREAMDUCK_SASL_USERNAME": "alice",
    }
    scratch, people = f"{topic_name}-scratch", f"{topic_name}-people"
    (settings.streams_dir / "people.sql").write_text(
        f"CREATE STREAM people (id STRING KEY, name STRING, email STRING) "
        f"WITH (kafka_topic='{people}', value_format='JSON', partitions=2);\n"
        f"CREATE STREAM named AS SELECT id, name FROM people EMIT CHANGES;\n"
    )
    commands: list[tuple[list[str], str | None]] = [
        (["topics", "create", scratch, "--partitions", "2"], None),
        (["topics", "list"], None),
        (["topics", "describe", scratch], None),
        (["configs", "describe", scratch], None),
        (["configs", "alter", scratch, "--add-config", "retention.ms=86400000"], None),
        (["produce", scratch, "--key-separator", ":"], "k1:v1\nk2:v2\n"),
        (["consume", scratch, "--from-beginning", "--max-messages", "2", "--timeout-ms", "8000"], None),
        (["ksql", "apply"], None),
        (["ksql", "list"], None),
        (["ksql", "describe", "people"], None),
        (["generate", "people", "--topic", people, "--count", "40", "--bad-ratio", "0.2"], None),
        (["load", "--until-caught-up", "--on-offset-reset", "earliest"], None),
        (["reset", "people", "--shift-by", "-5"], None),
        (["reset", "people", "--to-earliest", "--execute"], None),
        (["load", "--until-caught-up"], None),
        (["status"], None),
        (["sql", "SELECT count(*) FROM people"], None),
        (["check", "--no-data-docs"], None),
        (["dead-letters", "list"], None),
        (["dead-letters", "replay"], None),
        (["groups", "list"], None),
        (["transform", "named", "--until-caught-up"], None),
        (["topics", "delete", scratch, "--yes"], None),
    ]
    output = []
    for args, stdin in commands:
        done = subprocess.run(
            [STREAMDUCK_BIN, "--log-level", "DEBUG", *args], env=env, input=stdin, cwd=REPO_ROOT,
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        output.append(done.stdout + done.stderr)
        # `check` exits 1 when an expectation fails: the generator's bad records may make one fail
        assert done.returncode == 0 or (args[0] == "check" and done.returncode == 1), (
            args,
            done.stderr[-2000:],
        )
        assert SASL_SENTINEL not in done.stdout + done.stderr, args
        assert KEY_SENTINEL not in done.stdout + done.stderr, args
    assert any("sasl_plain_password" in text and MASK in text for text in output), (
        "the config was never logged"
    )
    for path in Path(tmp_path).rglob("*"):  # the warehouse, its WAL, Data Docs, anything written
        if path.is_file():
            data = path.read_bytes()
            assert SASL_SENTINEL.encode() not in data and KEY_SENTINEL.encode() not in data, path


def test_masking_covers_text_and_bytes_reprs(caplog):
    secret = register_secret("pa'ss\\wörd-xyz")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("tests.masking").debug("Send: %r %s", secret.encode(), {"password": secret})
    assert "pa'ss" not in caplog.text and "xyz" not in caplog.text
    assert caplog.text.count(MASK) == 2
    assert redact(f"user alice, password {secret}") == f"user alice, password {MASK}"


@pytest.mark.parametrize("short", ["", "x", "ab"])
def test_a_very_short_secret_is_not_registered(short):
    assert register_secret(short) == short
    assert redact("a b x ab") == "a b x ab"
