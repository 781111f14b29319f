"""
### Provision Kafka topics

Creates every topic declared in `sql/streams` (`WITH (kafka_topic=..., partitions=..., replicas=...)`)
that does not exist yet, by the rule `streamduck ksql apply` follows: a missing topic needs
PARTITIONS in some definition of it, else the task fails naming the file. Existing topics are left
alone; when their partition count differs from the declaration the task logs a warning and returns
the drift (see the task's XCom). The load DAG runs the same task before every load, so this DAG is
only for provisioning by hand (after adding a stream file, say) without loading.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import dag, task

from streamduck.airflow import tasks as streamduck_tasks


@dag(
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    tags=["streamduck", "kafka"],
    default_args={"retries": 3, "retry_delay": timedelta(seconds=10)},
    doc_md=__doc__,
)
def streamduck_provision():
    @task(multiple_outputs=False)
    def provision_topics() -> dict:
        return streamduck_tasks.provision_topics(streamduck_tasks.task_settings(__file__))

    provision_topics()


dag_object = streamduck_provision()

if __name__ == "__main__":
    dag_object.test()
