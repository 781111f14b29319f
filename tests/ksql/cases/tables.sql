-- Aggregations over TABLEs: updates and deletes retract; an emptied group keeps its row (ksqlDB's
-- QTT count.json, sum.json, group-by.json).

--@test: count table
CREATE TABLE INPUT (K STRING PRIMARY KEY, name STRING) WITH (kafka_topic='input_topic', value_format='DELIMITED');
CREATE TABLE OUTPUT as SELECT name, count(1) AS c FROM input group by name;
--@input: INPUT {"key": "0", "value": "bob"}
--@input: INPUT {"key": "0", "value": "john"}
--@input: INPUT {"key": "100", "value": "john"}
--@input: INPUT {"key": "100", "value": null}
--@output: OUTPUT {"NAME": "bob", "C": 0}
--@output: OUTPUT {"NAME": "john", "C": 1}

--@test: count back to zero, removed by having
CREATE TABLE INPUT (K STRING PRIMARY KEY, ID BIGINT) WITH (kafka_topic='test_topic', value_format='DELIMITED');
CREATE TABLE OUTPUT as SELECT ID, COUNT() AS C FROM INPUT GROUP BY ID;
CREATE TABLE OUTPUT2 as SELECT ID, COUNT() AS C FROM INPUT GROUP BY ID HAVING COUNT() > 0;
--@input: INPUT {"key": "1", "value": "3"}
--@input: INPUT {"key": "2", "value": "3"}
--@input: INPUT {"key": "1", "value": null}
--@input: INPUT {"key": "2", "value": null}
--@output: OUTPUT {"ID": 3, "C": 0}

--@test: sum, collect_list and avg over a table
CREATE TABLE INPUT (K STRING PRIMARY KEY, g STRING, v INT) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE OUTPUT as SELECT g, SUM(v) AS s, COLLECT_LIST(v) AS l, AVG(v) AS a, COUNT(*) * 2 AS c2 FROM INPUT WHERE v > 0 GROUP BY g;
--@input: INPUT {"key": "1", "value": {"g": "a", "v": 3}}
--@input: INPUT {"key": "2", "value": {"g": "a", "v": 4}}
--@input: INPUT {"key": "1", "value": {"g": "b", "v": 5}}
--@input: INPUT {"key": "2", "value": {"g": "a", "v": -1}}
--@input: INPUT {"key": "3", "value": {"g": "c", "v": -1}}
--@output: OUTPUT {"G": "a", "S": 0, "L": [], "A": 0.0, "C2": 0}
--@output: OUTPUT {"G": "b", "S": 5, "L": [5], "A": 5.0, "C2": 2}

--@test: sum skips nulls and starts at zero
CREATE STREAM INPUT (K STRING KEY, v INT, d DOUBLE) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE OUTPUT as SELECT K, SUM(v) AS s, SUM(d) AS sd FROM INPUT GROUP BY K;
--@input: INPUT {"key": "a", "value": {"v": null}}
--@input: INPUT {"key": "b", "value": {"v": 2, "d": 1.5}}
--@input: INPUT {"key": "b", "value": {"v": null}}
--@output: OUTPUT {"K": "a", "S": 0, "SD": 0.0}
--@output: OUTPUT {"K": "b", "S": 2, "SD": 1.5}

--@test: aggregates without an undo cannot read a table
CREATE TABLE INPUT (ID BIGINT PRIMARY KEY, F0 INT, F1 BIGINT) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ID, LATEST_BY_OFFSET(F0), MIN(F1), MAX(F1) FROM INPUT GROUP BY ID;
--@expected.message: The aggregation functions LATEST_BY_OFFSET, MIN and MAX cannot be applied to a table source, only to a stream source.
