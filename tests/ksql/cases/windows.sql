
--@test: hopping window count
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT id, COUNT(*) AS n FROM input WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY id;
--@input: INPUT {"key": "a", "value": {"v": 1}, "timestamp": 6000}
--@output: OUTPUT {"ID": "a", "WINDOWSTART": 0, "WINDOWEND": 10000, "N": 1}
--@output: OUTPUT {"ID": "a", "WINDOWSTART": 5000, "WINDOWEND": 15000, "N": 1}

--@test: session window
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT id, COUNT(*) AS n FROM input WINDOW SESSION (5 SECONDS) GROUP BY id;
--@input: INPUT {"key": "a", "value": {"v": 1}, "timestamp": 1000}
--@input: INPUT {"key": "a", "value": {"v": 1}, "timestamp": 3000}
--@input: INPUT {"key": "a", "value": {"v": 1}, "timestamp": 20000}
--@output: OUTPUT {"ID": "a", "WINDOWSTART": 1000, "WINDOWEND": 3000, "N": 2}
--@output: OUTPUT {"ID": "a", "WINDOWSTART": 20000, "WINDOWEND": 20000, "N": 1}

--@test: stream-stream join within
CREATE STREAM l (id INT KEY, a STRING) WITH (kafka_topic='l', value_format='JSON');
CREATE STREAM r (id INT KEY, b STRING) WITH (kafka_topic='r', value_format='JSON');
CREATE STREAM output AS SELECT l.id, a, b FROM l JOIN r WITHIN 10 SECONDS ON l.id = r.id;
--@input: L {"key": 1, "value": {"a": "x"}, "timestamp": 1000}
--@input: R {"key": 1, "value": {"b": "y"}, "timestamp": 5000}
--@input: R {"key": 2, "value": {"b": "z"}, "timestamp": 5000}
--@output: OUTPUT {"L_ID": 1, "A": "x", "B": "y"}

--@test: left join stream table
CREATE STREAM s (id INT KEY, t INT) WITH (kafka_topic='s', value_format='JSON');
CREATE TABLE t (id INT PRIMARY KEY, name STRING) WITH (kafka_topic='tt', value_format='JSON');
CREATE STREAM output AS SELECT s.id AS sid, name FROM s LEFT JOIN t ON s.t = t.id;
--@input: T {"key": 1, "value": {"name": "one"}}
--@input: S {"key": 10, "value": {"t": 1}}
--@input: S {"key": 11, "value": {"t": 2}}
--@output: OUTPUT {"SID": 10, "NAME": "one"}
--@output: OUTPUT {"SID": 11, "NAME": null}

--@test: select star over join names columns by alias
CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON');
CREATE TABLE t (id INT PRIMARY KEY, w INT) WITH (kafka_topic='tt', value_format='JSON');
CREATE STREAM output AS SELECT * FROM s JOIN t ON s.id = t.id;
--@input: T {"key": 1, "value": {"w": 2}}
--@input: S {"key": 1, "value": {"v": 3}}
--@output: OUTPUT {"S_ID": 1, "S_V": 3, "T_ID": 1, "T_W": 2}

--@test: lambdas
CREATE STREAM input (id STRING KEY, a ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TRANSFORM(a, x => x * 2) AS d, FILTER(a, x => x > 1) AS f, REDUCE(a, 0, (s, x) => s + x) AS r FROM input;
--@input: INPUT {"key": "1", "value": {"a": [1, 2, 3]}}
--@output: OUTPUT {"ID": "1", "D": [2, 4, 6], "F": [2, 3], "R": 6}

--@test: latest by offset and collect list
CREATE STREAM input (id STRING KEY, g STRING, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT g, LATEST_BY_OFFSET(v) AS last, COLLECT_LIST(v) AS all_v, MAX(v) AS mx FROM input GROUP BY g;
--@input: INPUT {"key": "1", "value": {"g": "a", "v": 3}, "timestamp": 1}
--@input: INPUT {"key": "2", "value": {"g": "a", "v": 1}, "timestamp": 2}
--@output: OUTPUT {"G": "a", "LAST": 1, "ALL_V": [3, 1], "MX": 3}
