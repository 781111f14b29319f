"""Integration: stored offsets the topic no longer covers stop the load with a named error; `reset` makes it exact.

Real processes against real brokers: the embedded broker restarted on the same port (it keeps
everything in memory, so topics come back empty), a topic deleted and re-created, resets to an
offset and to a time. The oracle compares the warehouse with what the broker holds; a negative
control shows it catches a loss.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from streamduck.broker import EmbeddedBroker
from streamduck.kafka.admin import delete_topic
from streamduck.load.sources import default_group
from tests.conftest import STREAMDUCK_BIN
from tests.load.conftest import check_exactly_once, produce, produce_people, warehouse_rows
from tests.load.test_kill import wait_for_rows_above

PEOPLE = (
    "CREATE STREAM people (id STRING KEY, name STRING, age INT) "
    "WITH (kafka_topic='{topic}', value_format='JSON', partitions=3, replicas=1);\n"
)


def streamduck(
    env: dict[str, str], *args: str, timeout: float = 120
) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([STREAMDUCK_BIN, *args], env=env, capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - started


def ok(env: dict[str, str], *args: str) -> str:
    done, _ = streamduck(env, *args)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def exact(settings, topic: str) -> dict[str, int]:
    """The oracle on the topic as it is now: rows of its earlier incarnations are renamed by reset."""
    return check_exactly_once(settings, "PEOPLE", topic, this_incarnation=True)


def named_error(done: subprocess.CompletedProcess, topic: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: stream PEOPLE, topic {topic}, partition "), line
    assert "the warehouse's next offset is" in line and "the log now covers offsets" in line, line
    assert "`streamduck reset PEOPLE --to-earliest --execute`" in line, line
    return line


@pytest.fixture
def env(own_broker, cli_env, settings) -> dict[str, str]:
    return {**cli_env, "STREAMDUCK_BOOTSTRAP_SERVERS": own_broker.bootstrap_servers}


def restart(broker: EmbeddedBroker) -> None:
    broker.stop()
    broker.start()


def test_broker_restart_under_an_idle_loader_stops_every_guarantee_until_reset(
    env, settings, own_broker, topic_name, tmp_path
):
    settings = settings.model_copy(update={"bootstrap_servers": own_broker.bootstrap_servers})
    (settings.streams_dir / "people.sql").write_text(PEOPLE.format(topic=topic_name))
    ok(env, "ksql", "apply")
    produce_people(settings, topic_name, 3000)
    ok(env, "load", "--until-caught-up")
    assert exact(settings, topic_name)["rows"] == 3000

    restart(own_broker)  # the development broker comes back empty
    ok(env, "ksql", "apply")
    produce_people(settings, topic_name, 600, start=3000)
    for guarantee in ("exactly-once", "at-least-once"):
        done, seconds = streamduck(env, "load", "--until-caught-up", "--guarantee", guarantee)
        line = named_error(done, topic_name)
        assert "the topic was re-created" in line
        assert seconds < 30, seconds
    assert warehouse_rows(settings, "SELECT count(*) FROM raw.PEOPLE") == [(3000,)]  # nothing loaded
    (status,) = json.loads(ok(env, "status", "--format", "json"))
    assert status["problem"].startswith("warehouse offsets beyond the topic's end on partition(s) 0, 1, 2")

    dry = json.loads(ok(env, "reset", "people", "--to-earliest", "--format", "json"))
    assert [m["action"] for m in dry] == ["new incarnation"] * 3
    assert sum(m["current"] for m in dry) == 3000 and all(m["new"] == 0 for m in dry)
    assert warehouse_rows(settings, "SELECT count(*) FROM raw.PEOPLE WHERE __topic = ?", [topic_name]) == [
        (3000,)
    ]
    ok(env, "reset", "people", "--to-earliest", "--execute")
    ok(env, "load", "--until-caught-up")
    assert exact(settings, topic_name) == {"produced": 600, "rows": 600, "dead": 0}
    earlier = warehouse_rows(
        settings,
        "SELECT DISTINCT __topic, count(*) FROM raw.PEOPLE WHERE __topic <> ? GROUP BY 1",
        [topic_name],
    )
    assert len(earlier) == 1 and earlier[0][0].startswith(f"{topic_name}@") and earlier[0][1] == 3000

    produce_people(settings, topic_name, 4200, start=3600)
    ok(env, "load", "--until-caught-up")
    assert exact(settings, topic_name) == {"produced": 4800, "rows": 4800, "dead": 0}
    history = warehouse_rows(
        settings, "SELECT action, detail FROM _streamduck.load_history WHERE action = 'reset'"
    )
    assert len(history) == 1 and "streamduck reset PEOPLE --to-earliest" in history[0][1]


def test_broker_restart_under_a_following_loader_stops_it_with_the_named_error(
    env, settings, own_broker, topic_name
):
    settings = settings.model_copy(update={"bootstrap_servers": own_broker.bootstrap_servers})
    (settings.streams_dir / "people.sql").write_text(PEOPLE.format(topic=topic_name))
    ok(env, "ksql", "apply")
    produce_people(settings, topic_name, 1000)
    follower = subprocess.Popen(
        [STREAMDUCK_BIN, "load", "--follow", "--batch-ms", "200"], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for_rows_above(settings, 999, timeout_s=60)  # the follower loaded the first 1000 records
        restart(own_broker)
        started = time.monotonic()
        try:
            follower.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail("the follower kept running across the broker restart")
        seconds = time.monotonic() - started
        stderr = follower.stderr.read()
    finally:
        if follower.poll() is None:
            follower.send_signal(signal.SIGTERM)
            follower.wait(timeout=30)
    assert follower.returncode == 1 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == (
        f"Error: topic '{topic_name}' (stream PEOPLE) no longer exists: the broker lost it or it was deleted. "
        "Re-create it with `streamduck ksql apply`, then check the load with `streamduck load`"
    )
    print(f"follower stopped {seconds:.1f}s after the broker restarted")
    assert ok(env, "topics", "list").split() == []  # nothing re-created the topic behind our back

    ok(env, "ksql", "apply")
    produce_people(settings, topic_name, 600, start=1000)
    done, _ = streamduck(env, "load", "--follow")
    named_error(done, topic_name)  # a follower started now stops at once, naming the partition
    assert warehouse_rows(settings, "SELECT count(*) FROM raw.PEOPLE") == [(1000,)]
    ok(env, "reset", "people", "--to-earliest", "--execute")
    ok(env, "load", "--until-caught-up")
    assert exact(settings, topic_name) == {"produced": 600, "rows": 600, "dead": 0}


def test_deleted_and_recreated_topic_then_reset_is_exact(cli_env, settings, topic_name):
    (settings.streams_dir / "people.sql").write_text(PEOPLE.format(topic=topic_name))
    ok(cli_env, "ksql", "apply")
    produce_people(settings, topic_name, 3000)
    ok(cli_env, "load", "--until-caught-up")
    delete_topic(settings, topic_name)
    ok(cli_env, "ksql", "apply")
    produce_people(settings, topic_name, 600, start=3000)
    done, _ = streamduck(cli_env, "load", "--until-caught-up")
    named_error(done, topic_name)
    ok(cli_env, "reset", "people", "--to-earliest", "--execute")
    ok(cli_env, "load", "--until-caught-up")
    assert exact(settings, topic_name) == {"produced": 600, "rows": 600, "dead": 0}


def test_on_offset_reset_earliest_loads_the_new_incarnation_and_records_it(cli_env, settings, topic_name):
    (settings.streams_dir / "people.sql").write_text(PEOPLE.format(topic=topic_name))
    ok(cli_env, "ksql", "apply")
    produce_people(settings, topic_name, 900)
    ok(cli_env, "load", "--until-caught-up")
    delete_topic(settings, topic_name)
    ok(cli_env, "ksql", "apply")
    produce_people(settings, topic_name, 300, start=900)
    done, _ = streamduck(cli_env, "load", "--until-caught-up", "--on-offset-reset", "earliest")
    assert done.returncode == 0, done.stderr
    assert "--on-offset-reset earliest, recorded in load history" in done.stderr
    assert exact(settings, topic_name) == {"produced": 300, "rows": 300, "dead": 0}
    (detail,) = warehouse_rows(
        settings, "SELECT detail FROM _streamduck.load_history WHERE action = 'reset'"
    )[0]
    assert "--on-offset-reset earliest: the topic was re-created" in detail


def test_reset_to_an_offset_and_to_a_time_then_load_is_exact(cli_env, settings, topic_name):
    (settings.streams_dir / "people.sql").write_text(
        PEOPLE.format(topic=topic_name).replace("partitions=3", "partitions=1")
    )
    ok(cli_env, "ksql", "apply")
    produce_people(settings, topic_name, 500)
    time.sleep(0.1)  # records carry millisecond timestamps: "middle" lies strictly between the halves
    middle = time.time()
    time.sleep(0.1)
    produce_people(settings, topic_name, 500, start=500)
    ok(cli_env, "load", "--until-caught-up")

    at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(middle)) + f".{int(middle % 1 * 1000):03d}+00:00"
    dry = json.loads(ok(cli_env, "reset", "people", "--to-datetime", at, "--format", "json"))
    assert dry == [{"partition": 0, "current": 1000, "new": 500, "action": "rewind", "rows": 500}]
    ok(cli_env, "reset", "people", "--to-datetime", at, "--execute")
    assert warehouse_rows(settings, "SELECT count(*) FROM raw.PEOPLE") == [(500,)]
    ok(cli_env, "load", "--until-caught-up")
    assert exact(settings, topic_name)["rows"] == 1000

    ok(cli_env, "reset", "people", "--to-offset", "0:200", "--execute")
    ok(cli_env, "reset", "people", "--shift-by", "-50", "--execute")
    assert warehouse_rows(settings, "SELECT count(*), max(ROWOFFSET) FROM raw.PEOPLE") == [(150, 149)]
    ok(cli_env, "load", "--until-caught-up")
    assert exact(settings, topic_name) == {"produced": 1000, "rows": 1000, "dead": 0}

    done, _ = streamduck(cli_env, "reset", "people", "--to-offset", "0:5000")
    assert done.returncode == 1 and "outside partition 0" in done.stderr


def test_negative_control_a_forward_reset_is_recorded_and_the_oracle_catches_the_gap(
    cli_env, settings, topic_name
):
    (settings.streams_dir / "people.sql").write_text(
        PEOPLE.format(topic=topic_name).replace("partitions=3", "partitions=1")
    )
    ok(cli_env, "ksql", "apply")
    produce_people(settings, topic_name, 100)
    ok(cli_env, "load", "--until-caught-up")
    produce_people(settings, topic_name, 40, start=100)
    dry = json.loads(ok(cli_env, "reset", "people", "--to-latest", "--format", "json"))
    assert dry == [{"partition": 0, "current": 100, "new": 140, "action": "forward", "rows": 40}]
    ok(cli_env, "reset", "people", "--to-latest", "--execute")
    ok(cli_env, "load", "--until-caught-up")
    with pytest.raises(AssertionError, match="40 records lost"):
        exact(settings, topic_name)
    (action, ranges) = warehouse_rows(
        settings, "SELECT action, ranges FROM _streamduck.load_history WHERE action = 'skipped'"
    )[0]
    assert json.loads(ranges) == {"0": [100, 140]}


def test_groups_reset_offsets_on_a_loader_group_names_streamduck_reset(cli_env, settings, topic_name):
    (settings.streams_dir / "people.sql").write_text(PEOPLE.format(topic=topic_name))
    ok(cli_env, "ksql", "apply")
    produce_people(settings, topic_name, 30)
    ok(cli_env, "load", "--until-caught-up")
    group = default_group(settings)  # the group the load above used
    done, _ = streamduck(cli_env, "groups", "reset-offsets", group, "--to-earliest", "--execute")
    assert done.returncode == 1
    assert f"group {group} belongs to a streamduck loader" in done.stderr
    assert "Run `streamduck reset PEOPLE --to-earliest|--to-latest" in done.stderr


def test_a_table_shows_the_new_incarnations_rows_over_the_earlier_ones(cli_env, settings, topic_name):
    (settings.streams_dir / "users.sql").write_text(
        f"CREATE TABLE users (id STRING PRIMARY KEY, name STRING) "
        f"WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);\n"
    )
    ok(cli_env, "ksql", "apply")
    produce(settings, topic_name, [(b"u1", b'{"name": "old %d"}' % i) for i in range(50)])
    ok(cli_env, "load", "--until-caught-up")
    delete_topic(settings, topic_name)
    ok(cli_env, "ksql", "apply")
    produce(settings, topic_name, [(b"u1", b'{"name": "new"}')])  # offset 0, below the earlier ones
    ok(cli_env, "reset", "users", "--to-earliest", "--execute")
    ok(cli_env, "load", "--until-caught-up")
    assert warehouse_rows(settings, "SELECT ID, NAME FROM users") == [("u1", "new")]
    assert warehouse_rows(
        settings, "SELECT count(*) FROM raw.USERS WHERE __topic LIKE ?", [f"{topic_name}@%"]
    ) == [(50,)]
