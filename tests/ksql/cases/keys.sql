--@test: INT key read from Kafka's 4-byte serialization
CREATE STREAM input (id INT KEY, v STRING) WITH (kafka_topic='keys_int', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE id > 1;
--@input: INPUT {"key": 1, "value": {"v": "one"}}
--@input: INPUT {"key": 2147483647, "value": {"v": "max"}}
--@input: INPUT {"key": -5, "value": {"v": "negative"}}
--@output: OUTPUT {"ID": 2147483647, "V": "max"}

--@test: BIGINT key filtered and projected
CREATE STREAM input (id BIGINT KEY, v STRING) WITH (kafka_topic='keys_bigint', value_format='JSON');
CREATE STREAM output AS SELECT id, id * 2 AS twice, v FROM input;
--@input: INPUT {"key": 9876543210, "value": {"v": "big"}}
--@input: INPUT {"key": -1, "value": {"v": "minus one"}}
--@output: OUTPUT {"ID": 9876543210, "TWICE": 19753086420, "V": "big"}
--@output: OUTPUT {"ID": -1, "TWICE": -2, "V": "minus one"}

--@test: DOUBLE key
CREATE STREAM input (k DOUBLE KEY, v INT) WITH (kafka_topic='keys_double', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input;
--@input: INPUT {"key": 2.5, "value": {"v": 1}}
--@input: INPUT {"key": -0.125, "value": {"v": 2}}
--@output: OUTPUT {"K": 2.5, "V": 1}
--@output: OUTPUT {"K": -0.125, "V": 2}

--@test: a table keyed by INT keeps the latest row per key
CREATE TABLE input (id INT PRIMARY KEY, v STRING) WITH (kafka_topic='keys_table', value_format='JSON');
CREATE TABLE output AS SELECT * FROM input;
--@input: INPUT {"key": 1, "value": {"v": "first"}}
--@input: INPUT {"key": 2, "value": {"v": "other"}}
--@input: INPUT {"key": 1, "value": {"v": "second"}}
--@output: OUTPUT {"ID": 1, "V": "second"}
--@output: OUTPUT {"ID": 2, "V": "other"}

--@test: stream-table join on binary BIGINT keys
CREATE STREAM orders (id BIGINT KEY, item INT) WITH (kafka_topic='keys_orders', value_format='JSON');
CREATE TABLE items (id INT PRIMARY KEY, name STRING) WITH (kafka_topic='keys_items', value_format='JSON');
CREATE STREAM output AS SELECT o.id, o.item, i.name FROM orders o JOIN items i ON o.item = i.id;
--@input: ITEMS {"key": 7, "value": {"name": "seven"}}
--@input: ORDERS {"key": 100, "value": {"item": 7}}
--@input: ORDERS {"key": 101, "value": {"item": 8}}
--@output: OUTPUT {"O_ID": 100, "O_ITEM": 7, "I_NAME": "seven"}

--@test: two key columns in the JSON key format
CREATE STREAM input (a INT KEY, b STRING KEY, v INT) WITH (kafka_topic='keys_multi', value_format='JSON', key_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE a = 1;
--@input: INPUT {"key": {"A": 1, "B": "x"}, "value": {"v": 10}}
--@input: INPUT {"key": {"A": 2, "B": "y"}, "value": {"v": 20}}
--@output: OUTPUT {"A": 1, "B": "x", "V": 10}

--@test: group by a BIGINT column gives a BIGINT key
CREATE STREAM input (id INT KEY, g BIGINT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT g, COUNT(*) AS n FROM input GROUP BY g;
--@input: INPUT {"key": 1, "value": {"g": 5}}
--@input: INPUT {"key": 2, "value": {"g": 5}}
--@output: OUTPUT {"G": 5, "N": 2}

--@test: INT key in arithmetic and filter
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, id + v AS s FROM input WHERE id = 3;
--@input: INPUT {"key": 3, "value": {"v": 4}}
--@input: INPUT {"key": 4, "value": {"v": 4}}
--@output: OUTPUT {"ID": 3, "S": 7}

--@test: table with DOUBLE key
CREATE TABLE input (k DOUBLE PRIMARY KEY, v STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT * FROM input;
--@input: INPUT {"key": 1.5, "value": {"v": "a"}}
--@input: INPUT {"key": 1.5, "value": {"v": "b"}}
--@output: OUTPUT {"K": 1.5, "V": "b"}

--@test: GROUP BY two columns with a JSON key format
CREATE STREAM input (id INT KEY, a INT, b STRING) WITH (kafka_topic='keys_grp2', value_format='JSON');
CREATE TABLE output WITH (key_format='JSON') AS SELECT a, b, COUNT(*) AS n FROM input GROUP BY a, b;
--@input: INPUT {"key": 1, "value": {"a": 1, "b": "x"}}
--@input: INPUT {"key": 2, "value": {"a": 1, "b": "x"}}
--@input: INPUT {"key": 3, "value": {"a": 2, "b": "x"}}
--@output: OUTPUT {"A": 1, "B": "x", "N": 2}
--@output: OUTPUT {"A": 2, "B": "x", "N": 1}

--@test: a multi-column JSON key is inherited by a GROUP BY on both
CREATE STREAM input (a INT KEY, b STRING KEY, v INT) WITH (kafka_topic='keys_grp3', value_format='JSON', key_format='JSON');
CREATE TABLE output AS SELECT a, b, SUM(v) AS s FROM input GROUP BY a, b;
--@input: INPUT {"key": {"A": 1, "B": "x"}, "value": {"v": 10}}
--@input: INPUT {"key": {"A": 1, "B": "x"}, "value": {"v": 5}}
--@output: OUTPUT {"A": 1, "B": "x", "S": 15}
