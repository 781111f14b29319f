-- The compose stack's DuckLake catalog: a `lake` database beside Airflow's, owned by its own role.
-- Run by the postgres image on its first start (an empty data volume) only.
CREATE ROLE streamduck LOGIN PASSWORD 'streamduck';
CREATE DATABASE lake OWNER streamduck;
