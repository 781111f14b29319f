-- INSERT INTO ... VALUES: ksql apply produces the record to the source's topic, serialized in its
-- formats (ksqlDB's InsertValuesExecutor); the cases land it as the loader would.

--@test: explicitly supply all column values, ROWTIME the record timestamp
CREATE STREAM TEST (K STRING KEY, ID INT) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT K, ID, ROWTIME AS T FROM TEST;
INSERT INTO TEST (ROWTIME, K, ID) VALUES (1234, 'key', 10);
--@output: TEST {"K": "key", "ID": 10}
--@output: OUTPUT {"K": "key", "ID": 10, "T": 1234}

--@test: values for every column in schema order, keys first, when no columns are listed
CREATE STREAM TEST (ID INT, K STRING KEY, NAME STRING) WITH (kafka_topic='test_topic', value_format='JSON');
INSERT INTO TEST VALUES ('k1', 1, 'one');
INSERT INTO TEST (NAME, K) VALUES ('two', 'k2');
--@output: TEST {"ID": 1, "K": "k1", "NAME": "one"}
--@output: TEST {"ID": null, "K": "k2", "NAME": "two"}

--@test: values are expressions, widened to their column's type
CREATE STREAM TEST (K STRING KEY, A BIGINT, D DOUBLE, M DECIMAL(4, 2), S STRING, L ARRAY<INT>) WITH (kafka_topic='test_topic', value_format='JSON');
INSERT INTO TEST (K, A, D, M, S, L) VALUES (CONCAT('a', 'b'), 1 + 2, 3, 1.5, UCASE('x'), ARRAY[1, 2]);
--@output: TEST {"K": "ab", "A": 3, "D": 3.0, "M": 1.5, "S": "X", "L": [1, 2]}

--@test: KAFKA INT key and DELIMITED value
CREATE STREAM TEST (ID INT KEY, NAME STRING, V DOUBLE) WITH (kafka_topic='test_topic', value_format='DELIMITED');
INSERT INTO TEST (ID, NAME, V) VALUES (7, 'a,b', 2.5);
INSERT INTO TEST (ID, V) VALUES (8, 1);
--@output: TEST {"ID": 7, "NAME": "a,b", "V": 2.5}
--@output: TEST {"ID": 8, "NAME": null, "V": 1.0}

--@test: JSON key and an unwrapped single value
CREATE STREAM TEST (ID BIGINT KEY, NAME STRING) WITH (kafka_topic='test_topic', value_format='JSON', key_format='JSON', wrap_single_value=false);
INSERT INTO TEST (ID, NAME) VALUES (5, 'five');
--@output: TEST {"ID": 5, "NAME": "five"}

--@test: a table takes the latest row per key, and its aggregate follows
CREATE TABLE T (ID STRING PRIMARY KEY, REGION STRING) WITH (kafka_topic='test_topic', value_format='JSON');
CREATE TABLE BY_REGION AS SELECT REGION, COUNT(*) AS N FROM T GROUP BY REGION;
INSERT INTO T (ID, REGION) VALUES ('ann', 'east');
INSERT INTO T (ID, REGION) VALUES ('bob', 'east');
INSERT INTO T (ID, REGION) VALUES ('ann', 'west');
--@output: T {"ID": "ann", "REGION": "west"}
--@output: T {"ID": "bob", "REGION": "east"}
--@output: BY_REGION {"REGION": "east", "N": 1}
--@output: BY_REGION {"REGION": "west", "N": 1}

--@test: inserted rows feed a stream aggregate
CREATE STREAM TEST (F1 INT KEY, F2 INT) WITH (kafka_topic='test_topic', format='JSON');
CREATE TABLE OUTPUT AS SELECT F2, F1, F2 + F1 AS S, COUNT(*) AS C FROM TEST GROUP BY F1, F2;
INSERT INTO TEST (F1, F2) VALUES (1, 2);
INSERT INTO TEST (F1, F2) VALUES (2, 4);
INSERT INTO TEST (F1, F2) VALUES (1, 2);
--@output: OUTPUT {"F1": 1, "F2": 2, "S": 3, "C": 2}
--@output: OUTPUT {"F1": 2, "F2": 4, "S": 6, "C": 1}

--@test: a windowed source takes the window bounds
CREATE STREAM TEST (K BIGINT KEY, ID BIGINT) WITH (kafka_topic='test_topic', value_format='JSON', window_type='session');
INSERT INTO TEST (K, ID, WINDOWSTART, WINDOWEND) VALUES (17, 1, 1581323504000, 1581323505001);
--@output: TEST {"K": 17, "WINDOWSTART": 1581323504000, "WINDOWEND": 1581323505001, "ID": 1}

--@test: a table needs its primary key
CREATE TABLE T (ID STRING PRIMARY KEY, V INT) WITH (kafka_topic='test_topic', value_format='JSON');
INSERT INTO T (V) VALUES (1);
--@expected.message: Failed to insert values into 'T'. Value for primary key column(s) ID is required for tables

--@test: a value narrower than its column only
CREATE STREAM TEST (K STRING KEY, ID INT) WITH (kafka_topic='test_topic', value_format='JSON');
INSERT INTO TEST (K, ID) VALUES ('k', 1.5);
--@expected.message: Failed to insert values into 'TEST'. Expected type INTEGER for field ID but got DECIMAL(1.5)

--@test: a string is not a number
CREATE STREAM TEST (K STRING KEY, ID INT) WITH (kafka_topic='test_topic', value_format='JSON');
INSERT INTO TEST (K, ID) VALUES ('k', 'one');
--@expected.message: Failed to insert values into 'TEST'. Expected type INTEGER for field ID but got STRING(one)

--@test: an unknown column
CREATE STREAM TEST (K STRING KEY, ID INT) WITH (kafka_topic='test_topic', value_format='JSON');
INSERT INTO TEST (K, NOPE) VALUES ('k', 1);
--@expected.message: Failed to insert values into 'TEST'. Column name NOPE does not exist.

--@test: a value for each column
CREATE STREAM TEST (K STRING KEY, ID INT) WITH (kafka_topic='test_topic', value_format='JSON');
INSERT INTO TEST VALUES ('k');
--@expected.message: Failed to insert values into 'TEST'. Expected a value for each column. Expected Columns: [K, ID]. Got ['k']

--@test: an unknown target
INSERT INTO NOWHERE (K) VALUES ('k');
--@expected.message: Cannot insert values into an unknown stream/table: NOWHERE
