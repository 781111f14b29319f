"""
### Great Expectations quality checks

Validates each source stream's typed view against the expectations in
`sql/streams/<stream>.expectations.yml` plus defaults from its declared columns (key columns not
null, every declared column present). Scheduled on the raw-table Assets the load DAG updates (all of them), so
checks follow every load. A failed expectation fails the task; its log shows the expectation, the
failing count and sample values. Results go to `_streamduck.check_results` in the warehouse and to
GX Data Docs HTML under `data/gx/`. On a DuckDB file it uses the one-slot `streamduck_warehouse`
pool because it appends results to the warehouse; a DuckLake needs no pool.
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
    tags=["streamduck", "quality"],
    default_args={"retries": 1, "retry_delay": timedelta(seconds=15)},
    doc_md=__doc__,
)
def streamduck_checks():
    @task(multiple_outputs=False, pool=writer_pool(SETTINGS))
    def quality_checks() -> dict:
        return streamduck_tasks.check_streams(streamduck_tasks.task_settings(__file__))

    quality_checks()


dag_object = streamduck_checks()

if __name__ == "__main__":
    dag_object.test()
