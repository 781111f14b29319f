"""The DuckDB warehouse: connections, layout (raw landing tables, typed views, internal tables)."""
