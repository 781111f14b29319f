# The Airflow image of the compose stack, with streamduck installed (instead of
# _PIP_ADDITIONAL_REQUIREMENTS, which the official compose file reserves for quick checks).
FROM apache/airflow:3.3.2-python3.12

WORKDIR /opt/streamduck
COPY --chown=airflow:0 pyproject.toml README.md ./
COPY --chown=airflow:0 src ./src
# Pin the image's own Airflow so installing streamduck never up- or downgrades it.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" .
COPY --chown=airflow:0 dags ./dags
COPY --chown=airflow:0 sql ./sql
COPY --chown=airflow:0 producers ./producers
# Airflow plugins proper (the engine is the installed package, not a plugin).
COPY --chown=airflow:0 plugins /opt/airflow/plugins

ENV STREAMDUCK_SQL_DIR=/opt/streamduck/sql \
    STREAMDUCK_PRODUCERS_DIR=/opt/streamduck/producers \
    STREAMDUCK_WAREHOUSE=/opt/streamduck/data/warehouse.duckdb
