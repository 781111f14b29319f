--@test: projection, arithmetic and a filter
CREATE STREAM input (id STRING KEY, name STRING, price INT, qty INT) WITH (kafka_topic='basic_proj', value_format='JSON');
CREATE STREAM output AS SELECT id, UCASE(name) AS name, price * qty AS total, price / qty AS ratio FROM input WHERE qty > 0;
--@input: INPUT {"key": "a", "value": {"name": "pen", "price": 7, "qty": 2}}
--@input: INPUT {"key": "b", "value": {"name": "cup", "price": 3, "qty": 0}}
--@output: OUTPUT {"ID": "a", "NAME": "PEN", "TOTAL": 14, "RATIO": 3}

--@test: CASE and CAST
CREATE STREAM input (id STRING KEY, score DOUBLE) WITH (kafka_topic='basic_case', value_format='JSON');
CREATE STREAM output AS SELECT id, CASE WHEN score >= 5 THEN 'high' ELSE 'low' END AS level, CAST(score AS INT) AS whole FROM input;
--@input: INPUT {"key": "a", "value": {"score": 7.9}}
--@input: INPUT {"key": "b", "value": {"score": 1.2}}
--@output: OUTPUT {"ID": "a", "LEVEL": "high", "WHOLE": 7}
--@output: OUTPUT {"ID": "b", "LEVEL": "low", "WHOLE": 1}

--@test: IN lists coerce their literals to the column's type
CREATE STREAM input (id STRING KEY, v INT, s STRING) WITH (kafka_topic='basic_in', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE v IN (1, '2', 3.0) OR s IN (10, true);
--@input: INPUT {"key": "a", "value": {"v": 2, "s": "x"}}
--@input: INPUT {"key": "b", "value": {"v": 5, "s": "true"}}
--@input: INPUT {"key": "c", "value": {"v": 5, "s": "x"}}
--@output: OUTPUT {"ID": "a", "V": 2, "S": "x"}
--@output: OUTPUT {"ID": "b", "V": 5, "S": "true"}

--@test: aggregation per key
CREATE STREAM input (id STRING KEY, region STRING, amount INT) WITH (kafka_topic='basic_agg', value_format='JSON');
CREATE TABLE output AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM input GROUP BY region;
--@input: INPUT {"key": "1", "value": {"region": "east", "amount": 5}}
--@input: INPUT {"key": "2", "value": {"region": "west", "amount": 1}}
--@input: INPUT {"key": "3", "value": {"region": "east", "amount": 2}}
--@output: OUTPUT {"REGION": "east", "N": 2, "TOTAL": 7}
--@output: OUTPUT {"REGION": "west", "N": 1, "TOTAL": 1}

--@test: a windowed count lists its window bounds
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='basic_win', value_format='JSON');
CREATE TABLE output AS SELECT id, COUNT(*) AS n FROM input WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY id;
--@input: INPUT {"key": "a", "value": {"v": 1}, "timestamp": 1000}
--@input: INPUT {"key": "a", "value": {"v": 2}, "timestamp": 9000}
--@input: INPUT {"key": "a", "value": {"v": 3}, "timestamp": 12000}
--@output: OUTPUT {"ID": "a", "WINDOWSTART": 0, "WINDOWEND": 10000, "N": 2}
--@output: OUTPUT {"ID": "a", "WINDOWSTART": 10000, "WINDOWEND": 20000, "N": 1}

--@test: SELECT * with PARTITION BY an expression projects the new key
CREATE STREAM input (k STRING KEY, v0 STRING) WITH (kafka_topic='basic_pby', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input PARTITION BY CAST(v0 AS BIGINT);
--@input: INPUT {"key": "a", "value": {"v0": "10"}}
--@output: OUTPUT {"K": "a", "V0": "10", "KSQL_COL_0": 10}

--@test: PARTITION BY a value column re-keys the stream
CREATE STREAM input (k STRING KEY, id BIGINT) WITH (kafka_topic='basic_pby2', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input PARTITION BY id;
--@input: INPUT {"key": "a", "value": {"id": 10}}
--@output: OUTPUT {"K": "a", "ID": 10}
