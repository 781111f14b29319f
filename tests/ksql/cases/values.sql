--@test: GROUP BY drops records whose key is NULL
CREATE STREAM input (id STRING KEY, g STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT g, COUNT(*) AS n FROM input GROUP BY g;
--@input: INPUT {"key": "1", "value": {"g": "a"}}
--@input: INPUT {"key": "2", "value": {"g": null}}
--@input: INPUT {"key": "3", "value": {"g": "a"}}
--@output: OUTPUT {"G": "a", "N": 2}

--@test: array set functions are NULL when an array is NULL and keep NULL elements
CREATE STREAM input (id STRING KEY, a ARRAY<INT>, b ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ARRAY_EXCEPT(a, b) AS e, ARRAY_INTERSECT(a, b) AS i, ARRAY_UNION(a, b) AS u FROM input;
--@input: INPUT {"key": "1", "value": {"a": [1, null, 2, 2], "b": [2, 3]}}
--@input: INPUT {"key": "2", "value": {"a": [1, null], "b": [null]}}
--@input: INPUT {"key": "3", "value": {"a": [1], "b": null}}
--@output: OUTPUT {"ID": "1", "E": [1, null], "I": [2], "U": [1, null, 2, 3]}
--@output: OUTPUT {"ID": "2", "E": [1], "I": [null], "U": [1, null]}
--@output: OUTPUT {"ID": "3", "E": null, "I": null, "U": null}

--@test: map with a NULL key skips that entry
CREATE STREAM input (id STRING KEY, k1 STRING, k2 STRING, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, MAP(k1 := v, k2 := v + 1) AS m FROM input;
--@input: INPUT {"key": "1", "value": {"k1": "a", "k2": null, "v": 1}}
--@input: INPUT {"key": "2", "value": {"k1": "a", "k2": "b", "v": 1}}
--@output: OUTPUT {"ID": "1", "M": {"a": 1}}
--@output: OUTPUT {"ID": "2", "M": {"a": 1, "b": 2}}

--@test: an aggregate over a table follows rows that change group (the emptied one counts 0, QTT count.json)
CREATE TABLE users (id STRING PRIMARY KEY, region STRING) WITH (kafka_topic='u', value_format='JSON');
CREATE TABLE output AS SELECT region, COUNT(*) AS n FROM users GROUP BY region;
--@input: USERS {"key": "ann", "value": {"region": "east"}}
--@input: USERS {"key": "bob", "value": {"region": "east"}}
--@input: USERS {"key": "ann", "value": {"region": "west"}}
--@input: USERS {"key": "bob", "value": null}
--@output: OUTPUT {"REGION": "east", "N": 0}
--@output: OUTPUT {"REGION": "west", "N": 1}

--@test: CAST to a STRUCT keeps its field names as declared; any value casts to STRING
CREATE STREAM input (id STRING KEY, s STRUCT<A BIGINT, B STRING>, l ARRAY<INT>) WITH (kafka_topic='values_cast_struct', value_format='JSON');
CREATE STREAM output AS SELECT id, CAST(s AS STRUCT<A STRING, `c` INT>) AS t, CAST(l AS STRING) AS ls FROM input;
--@input: INPUT {"key": "k", "value": {"s": {"A": 1, "B": "x"}, "l": [1, 3]}}
--@output: OUTPUT {"ID": "k", "T": {"A": "1", "c": null}, "LS": "[1, 3]"}
