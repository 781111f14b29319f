
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
CREATE STREAM output AS SELECT s.id AS sid, s.t, name FROM s LEFT JOIN t ON s.t = t.id;
--@input: T {"key": 1, "value": {"name": "one"}}
--@input: S {"key": 10, "value": {"t": 1}}
--@input: S {"key": 11, "value": {"t": 2}}
--@output: OUTPUT {"SID": 10, "S_T": 1, "NAME": "one"}
--@output: OUTPUT {"SID": 11, "S_T": 2, "NAME": null}

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

--@test: windowed stream source keeps its windows through a derived stream
CREATE STREAM input (k STRING KEY, x INT) WITH (kafka_topic='win_src', value_format='JSON', WINDOW_TYPE='Tumbling', WINDOW_SIZE='10 SECONDS');
CREATE STREAM output AS SELECT * FROM input WHERE x > 0;
--@input: INPUT {"key": "a", "value": {"x": 1}, "timestamp": 12000, "window": {"start": 10000, "end": 20000}}
--@input: INPUT {"key": "a", "value": {"x": 0}, "timestamp": 13000, "window": {"start": 10000, "end": 20000}}
--@input: INPUT {"key": "b", "value": {"x": 2}, "timestamp": 25000, "window": {"start": 20000, "end": 30000}}
--@output: OUTPUT {"K": "a", "WINDOWSTART": 10000, "WINDOWEND": 20000, "X": 1}
--@output: OUTPUT {"K": "b", "WINDOWSTART": 20000, "WINDOWEND": 30000, "X": 2}

--@test: windowed stream source with a KAFKA INT key and a projection
CREATE STREAM input (id INT KEY, x INT) WITH (kafka_topic='win_int', value_format='JSON', WINDOW_TYPE='HOPPING', WINDOW_SIZE='30 SECONDS');
CREATE STREAM output AS SELECT id, x * 2 AS x2 FROM input;
--@input: INPUT {"key": 7, "value": {"x": 4}, "timestamp": 1000, "window": {"start": 0, "end": 30000}}
--@output: OUTPUT {"ID": 7, "WINDOWSTART": 0, "WINDOWEND": 30000, "X2": 8}

--@test: session windowed table source: one row per key and window
CREATE TABLE input (k STRING PRIMARY KEY, n BIGINT) WITH (kafka_topic='win_sess', value_format='JSON', WINDOW_TYPE='SESSION');
--@input: INPUT {"key": "a", "value": {"n": 1}, "timestamp": 0, "window": {"start": 0, "end": 0}}
--@input: INPUT {"key": "a", "value": {"n": 2}, "timestamp": 10000, "window": {"start": 0, "end": 10000}}
--@input: INPUT {"key": "a", "value": {"n": 1}, "timestamp": 90000, "window": {"start": 90000, "end": 90000}}
--@input: INPUT {"key": "b", "value": {"n": 5}, "timestamp": 0, "window": {"start": 0, "end": 0}}
--@input: INPUT {"key": "b", "value": null, "timestamp": 1, "window": {"start": 0, "end": 0}}
--@output: INPUT {"K": "a", "WINDOWSTART": 0, "WINDOWEND": 0, "N": 1}
--@output: INPUT {"K": "a", "WINDOWSTART": 0, "WINDOWEND": 10000, "N": 2}
--@output: INPUT {"K": "a", "WINDOWSTART": 90000, "WINDOWEND": 90000, "N": 1}

--@test: a persistent query cannot read a windowed table
CREATE TABLE input (k STRING PRIMARY KEY, x INT) WITH (kafka_topic='test', value_format='JSON', WINDOW_TYPE='Session');
CREATE TABLE output AS SELECT * FROM input;
--@expected.message: KSQL does not support persistent queries on windowed tables.

--@test: a TUMBLING source needs WINDOW_SIZE
CREATE STREAM input (k STRING KEY, x INT) WITH (kafka_topic='test', value_format='JSON', WINDOW_TYPE='tumbling');
--@expected.message: TUMBLING windows require 'WINDOW_SIZE' to be provided in the WITH clause. For example: 'WINDOW_SIZE'='10 SECONDS'

--@test: a SESSION source has no WINDOW_SIZE
CREATE STREAM input (k STRING KEY, x INT) WITH (kafka_topic='test', value_format='JSON', WINDOW_TYPE='SESSION', WINDOW_SIZE='10 SECONDS');
--@expected.message: 'WINDOW_SIZE' should not be set for SESSION windows.

--@test: a window clause needs a group by
CREATE STREAM input (id BIGINT KEY, name STRING, value BIGINT) WITH (kafka_topic='test_topic', value_format='DELIMITED');
CREATE STREAM output AS SELECT * FROM input WINDOW TUMBLING (SIZE 30 SECONDS);
--@expected.message: WINDOW clause requires a GROUP BY clause.

-- EMIT FINAL and late rows, from ksqlDB's QTT suppress.json

--@test: EMIT FINAL without a grace period closes a window at its end (QTT suppress)
CREATE STREAM INPUT (ID STRING KEY, COL1 STRING) WITH (kafka_topic='input_topic', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ID, COUNT(*) as COUNT FROM INPUT WINDOW TUMBLING (SIZE 2 MILLISECONDS) GROUP BY ID EMIT FINAL;
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 1}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 2}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 0, "WINDOWEND": 2, "COUNT": 2}

--@test: EMIT FINAL emits no window before its end
CREATE STREAM INPUT (ID STRING KEY, COL1 STRING) WITH (kafka_topic='input_topic', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ID, COUNT(*) as COUNT FROM INPUT WINDOW TUMBLING (SIZE 2 MILLISECONDS) GROUP BY ID EMIT FINAL;
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 1}
--@output: OUTPUT

--@test: a window drops a row arriving after its end plus the grace period
CREATE STREAM INPUT (ID STRING KEY, COL1 STRING) WITH (kafka_topic='input_topic', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ID, COUNT(*) as COUNT FROM INPUT WINDOW TUMBLING (SIZE 2 MILLISECONDS, GRACE PERIOD 1 MILLISECONDS) GROUP BY ID EMIT FINAL;
CREATE TABLE CHANGES AS SELECT ID, COUNT(*) as COUNT FROM INPUT WINDOW TUMBLING (SIZE 2 MILLISECONDS, GRACE PERIOD 1 MILLISECONDS) GROUP BY ID;
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 1}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 2}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 1}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 5}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 0, "WINDOWEND": 2, "COUNT": 4}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 2, "WINDOWEND": 4, "COUNT": 1}
--@output: CHANGES {"ID": "k1", "WINDOWSTART": 0, "WINDOWEND": 2, "COUNT": 4}
--@output: CHANGES {"ID": "k1", "WINDOWSTART": 2, "WINDOWEND": 4, "COUNT": 1}
--@output: CHANGES {"ID": "k1", "WINDOWSTART": 4, "WINDOWEND": 6, "COUNT": 1}

--@test: EMIT FINAL over hopping windows
CREATE STREAM INPUT (ID STRING KEY, COL1 STRING) WITH (kafka_topic='input_topic', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ID, COUNT(*) as COUNT FROM INPUT WINDOW HOPPING (SIZE 5 MILLISECONDS, ADVANCE BY 2 MILLISECONDS, GRACE PERIOD 1 MILLISECONDS) GROUP BY ID EMIT FINAL;
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 1}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 2}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 1}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 6}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 5}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 10}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 0, "WINDOWEND": 5, "COUNT": 4}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 2, "WINDOWEND": 7, "COUNT": 3}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 4, "WINDOWEND": 9, "COUNT": 2}

--@test: EMIT FINAL over session windows drops rows for a closed session
CREATE STREAM INPUT (ID STRING KEY, COL1 STRING) WITH (kafka_topic='input_topic', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ID, COUNT(*) as COUNT FROM INPUT WINDOW SESSION (5 MILLISECONDS, GRACE PERIOD 0 MILLISECONDS) GROUP BY ID EMIT FINAL;
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 5}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 1}
--@input: INPUT {"key": "k2", "value": {"COL1": "v1"}, "timestamp": 6}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 5}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 30}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 0, "WINDOWEND": 5, "COUNT": 3}
--@output: OUTPUT {"ID": "k2", "WINDOWSTART": 6, "WINDOWEND": 6, "COUNT": 1}

--@test: EMIT FINAL only for windowed aggregations
CREATE STREAM INPUT (ID STRING KEY, COL1 STRING) WITH (kafka_topic='input_topic', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ID, COUNT(*) as COUNT FROM INPUT GROUP BY ID EMIT FINAL;
--@expected.message: EMIT FINAL is only supported for windowed aggregations.

--@test: EMIT FINAL after a large jump in stream time
CREATE STREAM INPUT (ID STRING KEY, COL1 STRING) WITH (kafka_topic='input_topic', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ID, COUNT(*) as COUNT FROM INPUT WINDOW TUMBLING (SIZE 2 MILLISECONDS, GRACE PERIOD 2 MILLISECONDS) GROUP BY ID EMIT FINAL;
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 1}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 2}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 3}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 4}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 0}
--@input: INPUT {"key": "k1", "value": {"COL1": "v1"}, "timestamp": 30}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 0, "WINDOWEND": 2, "COUNT": 4}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 2, "WINDOWEND": 4, "COUNT": 2}
--@output: OUTPUT {"ID": "k1", "WINDOWSTART": 4, "WINDOWEND": 6, "COUNT": 1}

--@test: a stream over a windowed source selects its window bounds (QTT import tumbling stream)
CREATE STREAM TEST (K INT KEY, ID bigint) WITH (kafka_topic='test_topic', value_format='DELIMITED', WINDOW_TYPE='Tumbling', WINDOW_SIZE='30 seconds');
CREATE STREAM S2 as SELECT *, WINDOWSTART as WSTART, WINDOWEND as WEND FROM test;
--@input: TEST {"key": 0, "value": "1", "timestamp": 0, "window": {"start": 0, "end": 30000}}
--@input: TEST {"key": 0, "value": "4", "timestamp": 30000, "window": {"start": 30000, "end": 60000}}
--@output: S2 {"K": 0, "WINDOWSTART": 0, "WINDOWEND": 30000, "ID": 1, "WSTART": 0, "WEND": 30000}
--@output: S2 {"K": 0, "WINDOWSTART": 30000, "WINDOWEND": 60000, "ID": 4, "WSTART": 30000, "WEND": 60000}

-- WINDOWSTART/WINDOWEND in windowed aggregations (QTT window-bounds.json)

--@test: window bounds projected under aliases in a session window (QTT window-bounds)
CREATE STREAM TEST (ID BIGINT KEY, IGNORED bigint) WITH (kafka_topic='test_topic', value_format='DELIMITED');
CREATE TABLE S2 as SELECT id, WindowStart as wstart, WindowEnd as wend, COUNT(1) AS Count FROM test WINDOW SESSION (30 SECONDS) group by id;
--@input: TEST {"key": 0, "value": "0", "timestamp": 0}
--@input: TEST {"key": 0, "value": "0", "timestamp": 10000}
--@input: TEST {"key": 1, "value": "1", "timestamp": 10000}
--@input: TEST {"key": 1, "value": "1", "timestamp": 40000}
--@output: S2 {"ID": 0, "WINDOWSTART": 0, "WINDOWEND": 10000, "WSTART": 0, "WEND": 10000, "COUNT": 2}
--@output: S2 {"ID": 1, "WINDOWSTART": 10000, "WINDOWEND": 40000, "WSTART": 10000, "WEND": 40000, "COUNT": 2}

--@test: window bounds in expressions, qualified or not
CREATE STREAM TEST (ID BIGINT KEY, IGNORED bigint) WITH (kafka_topic='test_topic', value_format='DELIMITED');
CREATE TABLE S2 as SELECT id, Test.WindowStart / 2, WindowEnd / id, COUNT(1) AS Count FROM test WINDOW TUMBLING (SIZE 30 SECONDS) group by id;
--@input: TEST {"key": 2, "value": "2", "timestamp": 0}
--@input: TEST {"key": 100, "value": "100", "timestamp": 2000}
--@input: TEST {"key": 2, "value": "2", "timestamp": 4999}
--@output: S2 {"ID": 2, "WINDOWSTART": 0, "WINDOWEND": 30000, "KSQL_COL_0": 0, "KSQL_COL_1": 15000, "COUNT": 2}
--@output: S2 {"ID": 100, "WINDOWSTART": 0, "WINDOWEND": 30000, "KSQL_COL_0": 0, "KSQL_COL_1": 300, "COUNT": 1}

--@test: window bounds inside an aggregate are refused
CREATE STREAM TEST (ROWKEY INT KEY, IGNORED INT) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE S2 as SELECT ROWKEY, count(1), min(windowstart), min(windowend) FROM test WINDOW TUMBLING (SIZE 1 SECOND) group by ROWKEY;
--@expected.message: Window bounds column WINDOWSTART can only be used in the SELECT clause of windowed aggregations

--@test: window bounds in WHERE of a windowed aggregation are unknown
CREATE STREAM TEST (ROWKEY INT KEY, IGNORED INT) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE S2 as SELECT ROWKEY, count(1) as count FROM test WINDOW TUMBLING (SIZE 1 SECOND) WHERE min(windowEnd) < 15000 group by ROWKEY;
--@expected.message: Error in WHERE expression: Unknown column WINDOWEND.

--@test: window bounds in GROUP BY are refused
CREATE STREAM TEST (ROWKEY INT KEY, IGNORED INT) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE S2 as SELECT ROWKEY, count(1) as count FROM test WINDOW TUMBLING (SIZE 1 SECOND) group by ROWKEY, WINDOWSTART, WINDOWEND;
--@expected.message: Window bounds column WINDOWSTART can only be used in the SELECT clause of windowed aggregations

--@test: window bounds in HAVING are refused
CREATE STREAM TEST (ROWKEY INT KEY, IGNORED INT) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE S2 as SELECT ROWKEY, count(1) as count FROM test WINDOW TUMBLING (SIZE 1 SECOND) group by ROWKEY HAVING windowStart > 11000 AND min(windowEnd) < 15000;
--@expected.message: Window bounds column WINDOWSTART can only be used in the SELECT clause of windowed aggregations

--@test: an aggregate times WINDOWEND
CREATE STREAM TEST (ROWKEY INT KEY, IGNORED INT) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE S2 as SELECT ROWKEY, count(1) * windowend FROM test WINDOW TUMBLING (SIZE 1 SECOND) group by ROWKEY;
--@input: TEST {"key": 0, "value": {}, "timestamp": 10345}
--@input: TEST {"key": 0, "value": {}, "timestamp": 10445}
--@input: TEST {"key": 0, "value": {}, "timestamp": 13251}
--@output: S2 {"ROWKEY": 0, "WINDOWSTART": 10000, "WINDOWEND": 11000, "KSQL_COL_0": 22000}
--@output: S2 {"ROWKEY": 0, "WINDOWSTART": 13000, "WINDOWEND": 14000, "KSQL_COL_0": 14000}

-- Stream-stream outer joins without GRACE PERIOD emit eagerly (Kafka Streams' JoinWindows.of)

--@test: a stream-stream left join emits the unmatched left row, then the match (QTT joins.json)
CREATE STREAM L (ID INT KEY, V0 INT, V1 INT) WITH (kafka_topic='left_topic', value_format='JSON');
CREATE STREAM R (ID INT KEY, V0 INT, V1 INT) WITH (kafka_topic='right_topic', value_format='JSON');
CREATE STREAM OUTPUT as SELECT L.ID, R.ID, L.V0, R.V1 FROM L LEFT JOIN R WITHIN 1 SECOND ON L.id = R.id;
--@input: L {"key": 1, "value": {"V0": 2, "V1": 3}, "timestamp": 0}
--@input: R {"key": 1, "value": {"V0": 4, "V1": 5}, "timestamp": 100}
--@output: OUTPUT {"L_ID": 1, "R_ID": null, "L_V0": 2, "R_V1": null}
--@output: OUTPUT {"L_ID": 1, "R_ID": 1, "L_V0": 2, "R_V1": 5}

--@test: left join when the right row came first
CREATE STREAM L (A INT KEY, B INT, C INT) WITH (kafka_topic='LEFT', value_format='JSON');
CREATE STREAM R (A INT KEY, B INT, C INT) WITH (kafka_topic='RIGHT', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT * FROM L LEFT JOIN R WITHIN 10 SECONDS ON L.A = R.A;
--@input: R {"key": 0, "value": {"B": -1, "C": -2}, "timestamp": 10}
--@input: L {"key": 0, "value": {"B": 1, "C": 2}, "timestamp": 10}
--@input: L {"key": 5, "value": {"B": 7, "C": 8}, "timestamp": 20}
--@output: OUTPUT {"L_A": 0, "L_B": 1, "L_C": 2, "R_A": 0, "R_B": -1, "R_C": -2}
--@output: OUTPUT {"L_A": 5, "L_B": 7, "L_C": 8, "R_A": null, "R_B": null, "R_C": null}

--@test: full outer join emits each side unmatched, then the match
CREATE STREAM L (ID INT KEY, X INT) WITH (kafka_topic='l', value_format='JSON');
CREATE STREAM R (ID INT KEY, Y INT) WITH (kafka_topic='r', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT ROWKEY, L.ID, R.ID, L.X, R.Y FROM L FULL OUTER JOIN R WITHIN 1 SECOND ON L.ID = R.ID;
--@input: R {"key": 2, "value": {"Y": 20}, "timestamp": 0}
--@input: L {"key": 1, "value": {"X": 10}, "timestamp": 5}
--@input: L {"key": 2, "value": {"X": 11}, "timestamp": 6}
--@output: OUTPUT {"ROWKEY": 2, "L_ID": null, "R_ID": 2, "L_X": null, "R_Y": 20}
--@output: OUTPUT {"ROWKEY": 1, "L_ID": 1, "R_ID": null, "L_X": 10, "R_Y": null}
--@output: OUTPUT {"ROWKEY": 2, "L_ID": 2, "R_ID": 2, "L_X": 11, "R_Y": 20}

--@test: a stream-stream left join with a grace period emits the unmatched row once its window closed
CREATE STREAM L (ID INT KEY, X INT) WITH (kafka_topic='l', value_format='JSON');
CREATE STREAM R (ID INT KEY, Y INT) WITH (kafka_topic='r', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT L.ID, X, Y FROM L LEFT JOIN R WITHIN 10 SECONDS GRACE PERIOD 5 SECONDS ON L.ID = R.ID;
--@input: L {"key": 1, "value": {"X": 10}, "timestamp": 0}
--@input: L {"key": 2, "value": {"X": 20}, "timestamp": 1000}
--@input: R {"key": 2, "value": {"Y": 21}, "timestamp": 3000}
--@input: L {"key": 3, "value": {"X": 30}, "timestamp": 15001}
--@output: OUTPUT {"L_ID": 2, "X": 20, "Y": 21}
--@output: OUTPUT {"L_ID": 1, "X": 10, "Y": null}

--@test: a stream-stream left join with a grace period holds back the unmatched row until its window closes
CREATE STREAM L (ID INT KEY, X INT) WITH (kafka_topic='l', value_format='JSON');
CREATE STREAM R (ID INT KEY, Y INT) WITH (kafka_topic='r', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT L.ID, X, Y FROM L LEFT JOIN R WITHIN 10 SECONDS GRACE PERIOD 5 SECONDS ON L.ID = R.ID;
--@input: L {"key": 1, "value": {"X": 10}, "timestamp": 0}
--@input: L {"key": 2, "value": {"X": 20}, "timestamp": 1000}
--@input: R {"key": 2, "value": {"Y": 21}, "timestamp": 3000}
--@input: L {"key": 3, "value": {"X": 30}, "timestamp": 14000}
--@output: OUTPUT {"L_ID": 2, "X": 20, "Y": 21}
