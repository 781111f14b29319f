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

--@test: string functions
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, LCASE(s) AS l, LEN(s) AS n, SUBSTRING(s, 2, 3) AS sub, REPLACE(s, 'l', 'L') AS r, CONCAT(s, '!') AS c, TRIM('  x ') AS t FROM input;
--@input: INPUT {"key": "1", "value": {"s": "Hello"}}
--@output: OUTPUT {"ID": "1", "L": "hello", "N": 5, "SUB": "ell", "R": "HeLLo", "C": "Hello!", "T": "x"}

--@test: math functions
CREATE STREAM input (id STRING KEY, x DOUBLE, i INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ABS(x) AS a, CEIL(x) AS c, FLOOR(x) AS f, ROUND(x) AS r, ROUND(x, 1) AS r1, SIGN(x) AS s, i % 3 AS m FROM input;
--@input: INPUT {"key": "1", "value": {"x": -2.46, "i": 10}}
--@output: OUTPUT {"ID": "1", "A": 2.46, "C": -2.0, "F": -3.0, "R": -2, "R1": -2.5, "S": -1, "M": 1}

--@test: struct and array access
CREATE STREAM input (id STRING KEY, s STRUCT<a INT, b STRING>, arr ARRAY<STRING>, m MAP<STRING, INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, s->a AS a, arr[1] AS first, arr[-1] AS last, m['k'] AS k, ARRAY_LENGTH(arr) AS n FROM input;
--@input: INPUT {"key": "1", "value": {"s": {"a": 1, "b": "x"}, "arr": ["p", "q"], "m": {"k": 5}}}
--@output: OUTPUT {"ID": "1", "A": 1, "FIRST": "p", "LAST": "q", "K": 5, "N": 2}

--@test: between and like and null checks
CREATE STREAM input (id STRING KEY, v INT, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id FROM input WHERE v BETWEEN 1 AND 5 AND s LIKE 'a%' AND s IS NOT NULL;
--@input: INPUT {"key": "1", "value": {"v": 3, "s": "abc"}}
--@input: INPUT {"key": "2", "value": {"v": 9, "s": "abc"}}
--@input: INPUT {"key": "3", "value": {"v": 2, "s": null}}
--@output: OUTPUT {"ID": "1"}

--@test: table from table with filter
CREATE TABLE input (id STRING PRIMARY KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT id, v * 10 AS v10 FROM input WHERE v > 0;
--@input: INPUT {"key": "a", "value": {"v": 1}}
--@input: INPUT {"key": "b", "value": {"v": -1}}
--@input: INPUT {"key": "a", "value": {"v": 2}}
--@output: OUTPUT {"ID": "a", "V10": 20}

--@test: a tombstone removes a table row
CREATE TABLE input (id STRING PRIMARY KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT * FROM input;
--@input: INPUT {"key": "a", "value": {"v": 1}}
--@input: INPUT {"key": "b", "value": {"v": 2}}
--@input: INPUT {"key": "a", "value": null}
--@output: OUTPUT {"ID": "b", "V": 2}

--@test: decimal arithmetic keeps scale
CREATE STREAM input (id STRING KEY, p DECIMAL(6, 2), q DECIMAL(6, 2)) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, p + q AS s FROM input;
--@input: INPUT {"key": "1", "value": {"p": 1.10, "q": 2.25}}
--@output: OUTPUT {"ID": "1", "S": 3.35}

--@test: GROUP BY a parenthesised list groups by each of its expressions
CREATE STREAM input (id STRING KEY, region STRING, shop STRING) WITH (kafka_topic='basic_group_set', value_format='JSON');
CREATE TABLE output WITH (key_format='JSON') AS SELECT region, shop, COUNT(*) AS n FROM input GROUP BY (region, shop);
--@input: INPUT {"key": "1", "value": {"region": "east", "shop": "a"}}
--@input: INPUT {"key": "2", "value": {"region": "east", "shop": "a"}}
--@input: INPUT {"key": "3", "value": {"region": "east", "shop": "b"}}
--@output: OUTPUT {"REGION": "east", "SHOP": "a", "N": 2}
--@output: OUTPUT {"REGION": "east", "SHOP": "b", "N": 1}

--@test: identifiers may start with a digit, as ksqlDB's lexer allows; 1e2 stays a number
CREATE STREAM input (id STRING KEY, 1v INT) WITH (kafka_topic='basic_digit_ids', value_format='JSON');
CREATE STREAM output AS SELECT id, 1v AS 2r, 1v * 1e2 AS scaled FROM input;
--@input: INPUT {"key": "a", "value": {"1V": 3}}
--@output: OUTPUT {"ID": "a", "2R": 3, "SCALED": 300.0}

--@test: CREATE TYPE aliases nest and serve column declarations
CREATE TYPE point AS STRUCT<x INT, y INT>;
CREATE TYPE segment AS STRUCT<name STRING, ends ARRAY<POINT>>;
CREATE STREAM input (id STRING KEY, seg SEGMENT, by_name MAP<STRING, POINT>) WITH (kafka_topic='basic_types', value_format='JSON');
CREATE STREAM output AS SELECT id, seg->ends[1]->x AS x0, seg, by_name['a']->y AS ay FROM input;
--@input: INPUT {"key": "k", "value": {"seg": {"name": "s", "ends": [{"X": 1, "Y": 2}, {"X": 3, "Y": 4}]}, "by_name": {"a": {"X": 5, "Y": 6}}}}
--@output: OUTPUT {"ID": "k", "X0": 1, "SEG": {"NAME": "s", "ENDS": [{"X": 1, "Y": 2}, {"X": 3, "Y": 4}]}, "AY": 6}

--@test: a join on expressions is keyed by ROWKEY, its join value
CREATE STREAM a (id INT KEY, v INT) WITH (kafka_topic='basic_rowkey_a', value_format='JSON');
CREATE STREAM b (id INT KEY, w INT) WITH (kafka_topic='basic_rowkey_b', value_format='JSON');
CREATE STREAM both AS SELECT ROWKEY AS k, a.v, b.w FROM a JOIN b WITHIN 1 MINUTE ON ABS(a.id) = ABS(b.id);
--@input: A {"key": -3, "value": {"v": 1}, "timestamp": 0}
--@input: B {"key": 3, "value": {"w": 2}, "timestamp": 10}
--@output: BOTH {"K": 3, "A_V": 1, "B_W": 2}

--@test: concat fields using the '+' operator (QTT concat.json)
CREATE STREAM TEST (ID STRING KEY, source VARCHAR) WITH (kafka_topic='basic_plus_concat', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT ID, 'prefix-' + source + '-postfix' AS THING FROM TEST;
--@input: TEST {"value": {"source": "s1"}}
--@input: TEST {"value": {"source": "s2"}}
--@output: OUTPUT {"ID": null, "THING": "prefix-s1-postfix"}
--@output: OUTPUT {"ID": null, "THING": "prefix-s2-postfix"}

--@test: group by a struct field whose JSON name differs in case (QTT group-by.json "struct field (stream->table)")
CREATE STREAM TEST (ID INT KEY, ADDRESS STRUCT<STREET STRING, TOWN STRING>) WITH (kafka_topic='basic_struct_case', value_format='JSON');
CREATE TABLE OUTPUT AS SELECT ADDRESS->TOWN, COUNT(*) AS COUNT FROM TEST GROUP BY ADDRESS->TOWN;
--@input: TEST {"key": 0, "value": {"ADDRESS": {"STREET": "1st Steet", "Town": "Oxford"}}}
--@input: TEST {"key": 1, "value": {"ADDRESS": {"STREET": "1st Steet", "Town": "London"}}}
--@input: TEST {"key": 2, "value": {"ADDRESS": {"STREET": "1st Steet", "Town": "Oxford"}}}
--@output: OUTPUT {"TOWN": "Oxford", "COUNT": 2}
--@output: OUTPUT {"TOWN": "London", "COUNT": 1}

--@test: NaN and infinities print as ksqlDB's JSON strings (QTT math.json "ln", "sqrt")
CREATE STREAM INPUT (K STRING KEY, i INT, l BIGINT, d DOUBLE) WITH (kafka_topic='basic_nan', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT K, ln(i) i, sqrt(l) l, ln(d) d FROM INPUT;
--@input: INPUT {"value": {"i": -1, "l": -2, "d": 0.0}}
--@input: INPUT {"value": {"i": 1, "l": 4, "d": 3.0}}
--@output: OUTPUT {"K": null, "I": "NaN", "L": "NaN", "D": "-Infinity"}
--@output: OUTPUT {"K": null, "I": 0.0, "L": 2.0, "D": 1.0986122886681098}

--@test: a comparison with a NULL operand is false, not NULL (QTT null.json "null equals")
CREATE STREAM INPUT (ID INT KEY, COL0 BIGINT) WITH (kafka_topic='basic_null_equals', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT ID, ID = COL0, NOT (COL0 > 5) AS SMALL, NULL IS NULL FROM INPUT;
--@input: INPUT {"key": null, "value": {"COL0": 12344}}
--@input: INPUT {"key": 0, "value": {}}
--@input: INPUT {"key": 1, "value": {"COL0": 1}}
--@output: OUTPUT {"ID": null, "KSQL_COL_0": false, "SMALL": false, "KSQL_COL_1": true}
--@output: OUTPUT {"ID": 0, "KSQL_COL_0": false, "SMALL": true, "KSQL_COL_1": true}
--@output: OUTPUT {"ID": 1, "KSQL_COL_0": true, "SMALL": true, "KSQL_COL_1": true}

--@test: struct access inside a function's arguments (QTT null.json "if null with nested structs")
CREATE STREAM INPUT (COL0 INT KEY, COL1 STRUCT<Person STRUCT<Name STRING>>, COL2 ARRAY<INT>) WITH (kafka_topic='basic_ifnull_struct', value_format='JSON');
CREATE STREAM OUTPUT AS SELECT COL0, IFNULL(COL0, 10) AS A, IFNULL(COL1->Person->Name, 'x') AS B, IFNULL(COL2, ARRAY[10, 20]) AS C FROM INPUT;
--@input: INPUT {"key": 1, "value": {"COL1": {"Person":  {"Name": "George"}}, "COL2": [1, 2, 3]}}
--@input: INPUT {"key": null, "value": {}}
--@input: INPUT {"key": 2, "value": {"COL1": {"Person":  null}, "COL2": [4, 5, 6]}}
--@output: OUTPUT {"COL0": 1, "A": 1, "B": "George", "C": [1, 2, 3]}
--@output: OUTPUT {"COL0": null, "A": 10, "B": "x", "C": [10, 20]}
--@output: OUTPUT {"COL0": 2, "A": 2, "B": "x", "C": [4, 5, 6]}

--@test: GROUP BY a parenthesised expression matches it unparenthesised in the projection (QTT null.json "stream GROUP BY IS NULL")
CREATE STREAM INPUT (NAME STRING) WITH (kafka_topic='basic_group_paren', format='JSON');
CREATE TABLE OUTPUT AS SELECT NAME IS NULL, COUNT() AS COUNT FROM INPUT GROUP BY (NAME IS NULL);
--@input: INPUT {"value": {"NAME": null}, "timestamp": 2}
--@input: INPUT {"value": {"NAME": "n"}, "timestamp": 3}
--@output: OUTPUT {"KSQL_COL_0": true, "COUNT": 1}
--@output: OUTPUT {"KSQL_COL_0": false, "COUNT": 1}

--@test: a foreign-key table-table join is keyed by the left table's primary key
CREATE TABLE orders (id BIGINT PRIMARY KEY, customer BIGINT, amount INT) WITH (kafka_topic='basic_fk_orders', value_format='JSON');
CREATE TABLE customers (id BIGINT PRIMARY KEY, name STRING) WITH (kafka_topic='basic_fk_customers', value_format='JSON');
CREATE TABLE named AS SELECT orders.id, customers.name, amount FROM orders JOIN customers ON orders.customer = customers.id;
--@input: CUSTOMERS {"key": 7, "value": {"name": "ann"}}
--@input: ORDERS {"key": 1, "value": {"customer": 7, "amount": 5}}
--@input: ORDERS {"key": 2, "value": {"customer": 8, "amount": 6}}
--@output: NAMED {"ORDERS_ID": 1, "CUSTOMERS_NAME": "ann", "AMOUNT": 5}
