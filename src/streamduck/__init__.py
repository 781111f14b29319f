"""streamduck: Kafka to DuckDB, exactly once; ksqlDB-style SQL, Airflow DAGs, quality checks.

The module map is in docs/architecture.md.
"""

__version__ = "0.1.0"
