"""
### Apply ksqlDB-style views

Applies every statement under `sql/streams` to the warehouse: source streams become typed views over
their raw tables, `CREATE STREAM ... AS SELECT` and `CREATE TABLE ... AS SELECT ... GROUP BY` become
views. Idempotent (views are replaced). Runs after a load has updated the raw-table Assets, and
can be triggered by hand after editing a file. Uses the one-slot `streamduck_warehouse` pool on a
DuckDB file (none on a DuckLake).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import AssetAll, dag, task

from streamduck.airflow import dag_project, raw_assets, writer_pool
from streamduck.airflow import tasks as streamduck_tasks

PROJECT = dag_project(__file__)
SETTINGS = PROJECT.settings
RAW_ASSETS = raw_assets(PROJECT)


@dag(
    schedule=AssetAll(*RAW_ASSETS) if RAW_ASSETS else None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["streamduck", "views"],
    default_args={"retries": 2, "retry_delay": timedelta(seconds=15)},
    doc_md=__doc__,
)
def streamduck_views():
    @task(multiple_outputs=False, pool=writer_pool(SETTINGS))
    def apply_views() -> dict:
        return streamduck_tasks.apply_views(streamduck_tasks.task_settings(__file__))

    apply_views()


dag_object = streamduck_views()

if __name__ == "__main__":
    dag_object.test()
