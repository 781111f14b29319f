"""Airflow plugin: the quality checks' HTML reports, served by the API server and linked from the task.

- ``/streamduck/quality/`` serves the warehouse's report folder (``<warehouse>.quality/report``): an
  index of runs and one self-contained page per run, readable with no network.
- The ``Quality report`` extra link on a checks task opens the page of the run that task made (the
  task stores its URL in the XCom ``streamduck_quality_report``).

Loaded by Airflow's plugin manager from ``plugins/`` (``AIRFLOW__CORE__PLUGINS_FOLDER``); the link is
resolved in the API server, so workers need nothing from here.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin
from airflow.sdk import BaseOperatorLink

from streamduck.airflow.tasks import QUALITY_REPORT_URL, QUALITY_REPORT_XCOM


def _reports_app() -> Any:
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    from streamduck.airflow.project import project_settings
    from streamduck.quality.runner import quality_dir_for

    folder = quality_dir_for(project_settings(__file__)) / "report"
    app = FastAPI(title="streamduck quality reports")
    # check_dir=False: the folder appears with the first checks run.
    app.mount("/", StaticFiles(directory=folder, html=True, check_dir=False), name="reports")
    return app


class QualityReportLink(BaseOperatorLink):
    """The report page of the checks run a task made; empty (hidden) for every other task."""

    name = "Quality report"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        import json

        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        with create_session() as session:
            value = session.execute(
                XComModel.get_many(
                    key=QUALITY_REPORT_XCOM,
                    run_id=ti_key.run_id,
                    dag_ids=ti_key.dag_id,
                    task_ids=ti_key.task_id,
                    map_indexes=ti_key.map_index,
                ).with_only_columns(XComModel.value)
            ).scalar()
        if value is None:
            return ""
        try:
            return str(json.loads(value))
        except (TypeError, ValueError):
            return str(value)


class StreamduckQualityPlugin(AirflowPlugin):
    name = "streamduck_quality"
    fastapi_apps = [
        {"app": _reports_app(), "url_prefix": QUALITY_REPORT_URL, "name": "streamduck quality reports"}
    ]
    global_operator_extra_links = [QualityReportLink()]
