"""ksqlDB-style statements: parsing (sqlglot-based), the object model, and compilation to DuckDB."""
