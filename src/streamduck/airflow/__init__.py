"""Airflow glue: settings from the ``kafka_default`` connection, assets, and the tasks' bodies.

DAG files in ``dags/`` stay thin: they declare schedules, pools and retries, and every task calls
one function from :mod:`streamduck.airflow.tasks`. Nothing here touches the network or the
warehouse at import time, so DAG files parse fast and offline.
"""

from __future__ import annotations

from streamduck.airflow.project import (
    KAFKA_CONN_ID,
    WAREHOUSE_POOL,
    dag_project,
    project_settings,
    raw_asset,
    raw_assets,
    writer_pool,
)

__all__ = [
    "KAFKA_CONN_ID",
    "WAREHOUSE_POOL",
    "dag_project",
    "project_settings",
    "raw_asset",
    "raw_assets",
    "writer_pool",
]
