"""
### Produce fake people

Writes fake records (Faker) into the topic of a declared stream, optionally mixing in malformed
records of every kind the loader must survive (`bad_ratio`). Trigger it with *Trigger DAG w/ config*
to set `stream`, `count`, `rate` (records per second, 0 = as fast as possible), `bad_ratio` and
`generator`. The generator is a file under `producers/`: the one named, else the one named like the
stream, else the one whose `DEFAULT_TOPIC` is the stream's topic (`people` for `fake_people`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, task

from streamduck.airflow import tasks as streamduck_tasks


@dag(
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    tags=["streamduck", "producer"],
    default_args={"retries": 1, "retry_delay": timedelta(seconds=10)},
    params={
        "stream": Param(
            "fake_people", type="string", description="Declared stream whose topic receives the records."
        ),
        "count": Param(1000, type="integer", minimum=1, description="How many records to produce."),
        "rate": Param(0, type="number", minimum=0, description="Records per second; 0 = unthrottled."),
        "bad_ratio": Param(
            0.02, type="number", minimum=0, maximum=1, description="Share of malformed records."
        ),
        "generator": Param(
            "",
            type="string",
            description="Generator under producers/ (empty: the one for the stream, see the DAG's docs).",
        ),
    },
    doc_md=__doc__,
)
def streamduck_fake_data():
    @task(multiple_outputs=False)
    def generate(params: dict | None = None) -> dict:
        params = params or {}
        return streamduck_tasks.generate_fake_data(
            streamduck_tasks.task_settings(__file__),
            stream=params["stream"],
            count=int(params["count"]),
            rate=float(params["rate"]),
            bad_ratio=float(params["bad_ratio"]),
            generator=params.get("generator") or None,
        )

    generate()


dag_object = streamduck_fake_data()

if __name__ == "__main__":
    dag_object.test()
