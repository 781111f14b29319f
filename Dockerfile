# The Airflow image of the compose stack, with streamduck installed (instead of
# _PIP_ADDITIONAL_REQUIREMENTS, which the official compose file reserves for quick checks).
FROM apache/airflow:3.3.2-python3.12

# uv, pinned, only to export the lock: exactly the versions (and hashes) of uv.lock are installed,
# never a fresh resolution.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv

WORKDIR /opt/streamduck
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
COPY --chown=airflow:0 src ./src
# The locked runtime dependencies with their hashes (no dev group, not the project itself), then
# streamduck without dependencies; pip installs where the image's Airflow lives (its user site).
# apache-airflow is locked at the image's own version, 3.3.2.
RUN uv export --frozen --no-dev --no-emit-project --format requirements-txt -o /tmp/locked.txt \
    && pip install --no-cache-dir --require-hashes --no-deps -r /tmp/locked.txt \
    && pip install --no-cache-dir --no-deps . \
    && rm /tmp/locked.txt
COPY --chown=airflow:0 dags ./dags
COPY --chown=airflow:0 sql ./sql
COPY --chown=airflow:0 producers ./producers
# Airflow plugins proper (the engine is the installed package, not a plugin).
COPY --chown=airflow:0 plugins /opt/airflow/plugins

ENV STREAMDUCK_SQL_DIR=/opt/streamduck/sql \
    STREAMDUCK_PRODUCERS_DIR=/opt/streamduck/producers \
    STREAMDUCK_WAREHOUSE=/opt/streamduck/data/warehouse.duckdb
