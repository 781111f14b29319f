"""
### Warehouse maintenance

Micro-batches make many small files and, on a DuckLake, one snapshot per commit. Every hour this
DAG merges adjacent small Parquet files, expires snapshots older than the `older_than_minutes`
param (time travel stops there) and deletes the files no snapshot references any more; the task's
return value holds the warehouse's figures (data files, bytes, snapshots) before and after. It runs
while loaders load: its commits retry on conflicts as theirs do. On a DuckDB file it is a
CHECKPOINT, and takes the one-slot `streamduck_warehouse` pool like every writer of the file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

from streamduck.airflow import dag_project, writer_pool
from streamduck.airflow import tasks as streamduck_tasks

SETTINGS = dag_project(__file__).settings


@dag(
    schedule=timedelta(hours=1),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["streamduck", "maintenance"],
    params={"older_than_minutes": Param(60, type="number", minimum=0)},
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    doc_md=__doc__,
)
def streamduck_maintain():
    @task(multiple_outputs=False, pool=writer_pool(SETTINGS))
    def maintain() -> dict:
        older_than = float(get_current_context()["params"]["older_than_minutes"])
        return streamduck_tasks.maintain_warehouse(streamduck_tasks.task_settings(__file__), older_than)

    maintain()


dag_object = streamduck_maintain()

if __name__ == "__main__":
    dag_object.test()
