--@test: IN list - a string literal must parse as the column's type
--@expected.message: Invalid Predicate: invalid input syntax for type INTEGER: "ten".
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE v IN (10, 'ten');

--@test: IN list - a boolean among integers
--@expected.message: Invalid Predicate: operator does not exist: INTEGER = BOOLEAN (true)
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE v IN (10, true);

--@test: IN list - a string column among numbers
--@expected.message: Invalid Predicate: operator does not exist: BIGINT = STRING (S)
CREATE STREAM input (id INT KEY, v BIGINT, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE v IN (10, s);

--@test: IN list - a number among booleans
--@expected.message: Invalid Predicate: operator does not exist: BOOLEAN = INTEGER (10)
CREATE STREAM input (id INT KEY, b BOOLEAN) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE b IN (true, 10);

--@test: IN list - a string that is no boolean
--@expected.message: Invalid Predicate: invalid input syntax for type BOOLEAN: "maybe".
CREATE STREAM input (id INT KEY, b BOOLEAN) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE b IN (true, 'maybe');

--@test: IN list - a double column among strings
--@expected.message: Invalid Predicate: operator does not exist: STRING = DOUBLE (D)
CREATE STREAM input (id INT KEY, s STRING, d DOUBLE) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE s IN ('a', d);

--@test: array constructor - an element that is no number
--@expected.message: invalid input syntax for type INTEGER: "not a number"
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ARRAY[1, 'not a number'] AS l FROM input;

--@test: array constructor - all NULL
--@expected.message: Cannot construct an array with all NULL elements
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ARRAY[NULL, NULL] AS l FROM input;

--@test: CASE - every branch NULL
--@expected.message: Invalid Case expression. All case branches have NULL type
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, CASE WHEN v > 1 THEN NULL ELSE NULL END AS c FROM input;

--@test: CASE - ELSE of another type than THEN
--@expected.message: Invalid Case expression. Type for the default clause should be the same as for 'THEN' clauses.
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, CASE WHEN v > 1 THEN 'big' ELSE 0 END AS c FROM input;

--@test: CAST - an array to a scalar
--@expected.message: Cast of ARRAY<INTEGER> to INTEGER is not supported
CREATE STREAM input (id INT KEY, a ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, CAST(a AS INT) AS c FROM input;

--@test: types - STRING takes no length
--@expected.message: Unexpected parameters for type STRING
CREATE STREAM input (id INT KEY, s STRING(10)) WITH (kafka_topic='t', value_format='JSON');

--@test: serde - WRAP_SINGLE_VALUE needs a single value column
--@expected.message: 'WRAP_SINGLE_VALUE' is only valid for single-field value schemas
CREATE STREAM input (id INT KEY, a INT, b INT) WITH (kafka_topic='t', value_format='JSON', wrap_single_value=false);

--@test: keys - a map key
--@expected.message: Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: `K`. Column type: MAP<STRING, INTEGER>.
CREATE STREAM input (k MAP<STRING, INT> KEY, v INT) WITH (kafka_topic='t', value_format='JSON', key_format='JSON');

--@test: keys - two KAFKA-format key columns
--@expected.message: The 'KAFKA' format only supports a single field. Got: [`A` INTEGER KEY, `B` STRING KEY]
CREATE STREAM input (a INT KEY, b STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');

--@test: keys - a boolean KAFKA key
--@expected.message: The 'KAFKA' format does not support type 'BOOLEAN'
CREATE STREAM input (k BOOLEAN KEY, v INT) WITH (kafka_topic='t', value_format='JSON');

--@test: pseudo-columns - ROWTIME as a declared column
--@expected.message: 'ROWTIME' is a reserved column name
CREATE STREAM input (k STRING KEY, rowtime BIGINT) WITH (kafka_topic='t', value_format='JSON');

--@test: pseudo-columns - ROWOFFSET as a declared column
--@expected.message: 'ROWOFFSET' is a reserved column name
CREATE STREAM input (k STRING KEY, rowoffset BIGINT) WITH (kafka_topic='t', value_format='JSON');

--@test: joins - a table joined on a value column
--@expected.message: Invalid join condition: stream-table joins require to join on the table's primary key. Got S.V = T.NAME.
CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON');
CREATE TABLE t (id INT PRIMARY KEY, name STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT s.id, name FROM s JOIN t ON s.v = t.name;

--@test: joins - table-stream order
--@expected.message: Invalid join order: table-stream joins are not supported; only stream-table joins. Got T [INNER] JOIN S.
CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON');
CREATE TABLE t (id INT PRIMARY KEY, name STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT t.id, name FROM t JOIN s ON t.id = s.id;

--@test: joins - stream-table full outer
--@expected.message: Invalid join type: full-outer join not supported for stream-table join. Got S [FULL] OUTER JOIN T.
CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON');
CREATE TABLE t (id INT PRIMARY KEY, name STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT s.id, name FROM s FULL OUTER JOIN t ON s.id = t.id;

--@test: joins - stream-stream without WITHIN
--@expected.message: Stream-Stream joins must have a WITHIN clause specified
CREATE STREAM a (id INT KEY, v STRING) WITH (kafka_topic='a', value_format='JSON');
CREATE STREAM b (id INT KEY, w STRING) WITH (kafka_topic='b', value_format='JSON');
CREATE STREAM output AS SELECT a.id, v, w FROM a JOIN b ON a.id = b.id;

--@test: partition by - the key must be projected
--@expected.message: The query used to build `OUTPUT` must include the partitioning expression INPUT.V in its projection (eg, SELECT INPUT.V...).
CREATE STREAM input (id INT KEY, v STRING, w INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, w FROM input PARTITION BY v;

--@test: partition by - an expression must be projected
--@expected.message: The query used to build `OUTPUT` must include the partitioning expression ABS(INPUT.ID) in its projection (eg, SELECT ABS(INPUT.ID)...).
CREATE STREAM input (id INT KEY, v STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT v, id FROM input PARTITION BY ABS(id);

--@test: partition by - the key projected twice
--@expected.message: The projection contains a key column (`V`) more than once, aliased as: V and V2.
CREATE STREAM input (id INT KEY, v STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT v, v AS v2, id FROM input PARTITION BY v;

--@test: partition by - a map
--@expected.message: Map keys, including types that contain maps, are not supported
CREATE STREAM input (id INT KEY, m MAP<STRING, INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input PARTITION BY m;

--@test: group by - the key must be projected
--@expected.message: The query used to build `OUTPUT` must include the grouping expression V in its projection (eg, SELECT V...).
CREATE STREAM input (id INT KEY, v STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT COUNT(*) AS n FROM input GROUP BY v;

--@test: group by - a column neither grouped nor aggregated
--@expected.message: Non-aggregate SELECT expression(s) not part of GROUP BY: W
CREATE STREAM input (id INT KEY, v STRING, w INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT v, w, COUNT(*) AS n FROM input GROUP BY v;

--@test: projection - the source key twice
--@expected.message: The projection contains a key column (`ID`) more than once, aliased as: ID and ID2.
CREATE STREAM input (id INT KEY, v STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, id AS id2, v FROM input;

--@test: functions - wrong argument types
--@expected.message: does not accept parameters (INTEGER, INTEGER).
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, SUBSTRING(v, 1) AS s FROM input;

--@test: functions - unknown
--@expected.message: Can't find any functions with the name 'NO_SUCH_FN'
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, NO_SUCH_FN(v) AS s FROM input;

--@test: projection - an unknown column
--@expected.message: SELECT column 'NOPE' cannot be resolved
CREATE STREAM input (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, nope FROM input;

--@test: tables need a primary key
--@expected.message: Tables require a PRIMARY KEY. Please define the PRIMARY KEY.
CREATE TABLE input (id INT, v INT) WITH (kafka_topic='t', value_format='JSON');

--@test: a topic is required
--@expected.message: Missing required property "KAFKA_TOPIC" which has no default value.
CREATE STREAM input (id INT KEY, v INT) WITH (value_format='JSON');

--@test: pseudo-columns - ROWTIME as an alias
--@expected.message: `ROWTIME` is a reserved column name. You cannot use it as an alias for a column.
CREATE STREAM input (k STRING KEY, x INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT k, x AS rowtime FROM input;

--@test: pseudo-columns - WINDOWEND as an alias
--@expected.message: `WINDOWEND` is a reserved column name. You cannot use it as an alias for a column.
CREATE STREAM input (k STRING KEY, x INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT k, x AS windowend FROM input;

--@test: unknown source
--@expected.message: Source `NOPE` does not exist.
CREATE STREAM output AS SELECT * FROM nope;

--@test: stream with PRIMARY KEY
--@expected.message: Column `ID` is a 'PRIMARY KEY' column: please use 'KEY' for streams. Tables have PRIMARY KEYs, which are unique and NON NULL.
CREATE STREAM input (id STRING PRIMARY KEY, v INT) WITH (kafka_topic='t', value_format='JSON');

--@test: CSAS over aggregate
--@expected.message: Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, COUNT(*) FROM input GROUP BY id;

--@test: WHERE not boolean
--@expected.message: Type error in WHERE expression: Should evaluate to boolean but is
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE v;

--@test: map constructor mismatching values
--@expected.message: invalid input syntax for type INTEGER: "hello"
CREATE STREAM input (id STRING KEY, k1 STRING, v1 INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, MAP(k1 := v1, 'x' := 'hello') AS m FROM input;

--@test: empty array constructor
--@expected.message: Array constructor cannot be empty
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ARRAY[] AS a FROM input;

--@test: comparing string to number
--@expected.message: Cannot compare
CREATE STREAM input (id STRING KEY, v INT, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT * FROM input WHERE v = s;

--@test: table-table join on non key from left
--@expected.message: Invalid join condition
CREATE TABLE a (id INT PRIMARY KEY, x INT) WITH (kafka_topic='a', value_format='JSON');
CREATE STREAM b (id INT KEY, y INT) WITH (kafka_topic='b', value_format='JSON');
CREATE STREAM output AS SELECT b.id, x FROM b JOIN a ON b.y = a.x;

--@test: keys - GROUP BY two columns over a KAFKA-keyed source
--@expected.message: The 'KAFKA' format only supports a single field. Got: [`A` INTEGER KEY, `B` STRING KEY]
CREATE STREAM input (id INT KEY, a INT, b STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT a, b, COUNT(*) AS n FROM input GROUP BY a, b;

--@test: keys - PARTITION BY two columns over a KAFKA-keyed source
--@expected.message: Key format does not support schema. format: KAFKA
CREATE STREAM input (id INT KEY, a INT, b STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT a, b, id FROM input PARTITION BY a, b;

--@test: partition by - a nested struct field must be projected
--@expected.message: The query used to build `OUTPUT` must include the partitioning expression INPUT.S->A->B in its projection (eg, SELECT INPUT.S->A->B...).
CREATE STREAM input (id STRING KEY, s STRUCT<a STRUCT<b INT>>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id FROM input PARTITION BY s->a->b;

--@test: aggregation - an aggregate inside GROUP BY
--@expected.message: GROUP BY does not support aggregate functions: MAX is an aggregate function.
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT COUNT(*) AS n FROM orders GROUP BY LCASE(shop), MAX(amount);

--@test: aggregation - the same expression grouped twice
--@expected.message: Duplicate GROUP BY expression: ORDERS.SHOP
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop, COUNT(*) AS n FROM orders GROUP BY shop, orders.shop;

--@test: aggregation - nested aggregates
--@expected.message: Aggregate functions can not be nested: MAX(SUM(AMOUNT))
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop, MAX(SUM(amount)) AS top FROM orders GROUP BY shop;

--@test: aggregation - an expression of grouped columns in another order
--@expected.message: Non-aggregate SELECT expression(s) not part of GROUP BY: (AMOUNT * ID) Either add the column(s) to the GROUP BY or remove them from the SELECT.
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT id * amount AS k, amount * id AS k2, COUNT(*) AS n FROM orders GROUP BY id * amount;

--@test: aggregation - a column beside an aggregate in one expression
--@expected.message: Non-aggregate SELECT expression(s) not part of GROUP BY: (AMOUNT + COUNT(*))
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop, amount + COUNT(*) AS x FROM orders GROUP BY shop;

--@test: aggregation - HAVING on a column not grouped
--@expected.message: Non-aggregate HAVING expression not part of GROUP BY: AMOUNT
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop, COUNT(*) AS n FROM orders GROUP BY shop HAVING amount > 10;

--@test: aggregation - GROUP BY without any aggregate
--@expected.message: GROUP BY requires aggregate functions in either the SELECT or HAVING clause.
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop FROM orders GROUP BY shop;

--@test: aggregation - an aggregate without GROUP BY
--@expected.message: CREATE TABLE AS SELECT statement does not support aggregate function [SUM(AMOUNT), COUNT(ROWTIME)] without a GROUP BY clause.
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE totals AS SELECT SUM(amount) AS total, COUNT(*) AS n FROM orders;

--@test: aggregation - MIN over a table
--@expected.message: The aggregation function MIN cannot be applied to a table source, only to a stream source.
CREATE TABLE shops (id INT PRIMARY KEY, region STRING, size INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_region AS SELECT region, MIN(size) AS smallest FROM shops GROUP BY region;

--@test: aggregation - an unknown function comes first
--@expected.message: Can't find any functions with the name 'NO_SUCH_FN'
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop, NO_SUCH_FN(amount) AS x FROM orders GROUP BY shop;

--@test: aggregation - grouping keys missing from the projection are listed together
--@expected.message: The query used to build `BY_SHOP` must include the grouping expressions SHOP and ID in its projection (eg, SELECT SHOP, ID...).
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop WITH (key_format='JSON') AS SELECT COUNT(*) AS n FROM orders GROUP BY shop, id;

--@test: aggregation - a grouping key projected twice
--@expected.message: The projection contains a key column more than once: `SHOP` and `S2`.
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop, shop AS s2, COUNT(*) AS n FROM orders GROUP BY shop;

--@test: aggregation - a parenthesised list among other GROUP BY items
--@expected.message: Syntax Error
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop, amount, id, COUNT(*) AS n FROM orders GROUP BY id, (shop, amount);

--@test: aggregation - an alias shared by the key and a value column
--@expected.message: Duplicate value columns found in schema: `N` BIGINT
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_shop AS SELECT shop AS n, COUNT(*) AS n FROM orders GROUP BY shop;

--@test: aggregation - only key columns projected
--@expected.message: The projection contains no value columns.
CREATE STREAM orders (id INT KEY, shop STRING, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE shops AS SELECT shop FROM orders GROUP BY shop HAVING SUM(amount) > 10;

--@test: aggregation - GROUP BY over a KAFKA-format value
--@expected.message: Source(s) READINGS are using the 'KAFKA' value format. This format does not yet support GROUP BY.
CREATE STREAM readings (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='KAFKA');
CREATE TABLE by_v WITH (value_format='JSON') AS SELECT v, COUNT(*) AS n FROM readings GROUP BY v;

--@test: keys - a DECIMAL grouping key in the KAFKA key format
--@expected.message: Key format does not support schema. format: KAFKA schema: Persistence{columns=[`PRICE` DECIMAL(4, 2) KEY], features=[]} reason: The 'KAFKA' format does not support type 'DECIMAL'
CREATE STREAM orders (id INT KEY, price DECIMAL(4, 2)) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_price AS SELECT price, COUNT(*) AS n FROM orders GROUP BY price;

--@test: keys - repartitioned by an ARRAY in the KAFKA key format
--@expected.message: The 'KAFKA' format does not support type 'ARRAY'
CREATE STREAM orders (id INT KEY, tags ARRAY<STRING>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM by_tags AS SELECT * FROM orders PARTITION BY tags;

--@test: keys - a STRUCT key in the DELIMITED key format
--@expected.message: The 'DELIMITED' format does not support type 'STRUCT', column: `PAIR`
CREATE STREAM orders (id INT KEY, a INT, b INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE by_pair WITH (key_format='DELIMITED') AS SELECT STRUCT(x := a, y := b) AS pair, COUNT(*) AS n FROM orders GROUP BY STRUCT(x := a, y := b);

--@test: keys - several grouping keys named by their aliases in the KAFKA message
--@expected.message: The 'KAFKA' format only supports a single field. Got: [`A1` INTEGER KEY, `B1` INTEGER KEY]
CREATE STREAM orders (id INT KEY, a INT, b INT) WITH (kafka_topic='t', key_format='JSON', value_format='JSON');
CREATE TABLE by_ab WITH (key_format='KAFKA') AS SELECT a AS a1, b AS b1, COUNT(*) AS n FROM orders GROUP BY a, b;

--@test: keys - a key format for a stream PARTITION BY NULL leaves without a key
--@expected.message: Key format specified for stream without key columns.
CREATE STREAM orders (id INT KEY, a INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM unkeyed WITH (key_format='JSON') AS SELECT id, a FROM orders PARTITION BY NULL;

--@test: serde - WRAP_SINGLE_VALUE on a query result of several value columns
--@expected.message: 'WRAP_SINGLE_VALUE' is only valid for single-field value schemas
CREATE STREAM orders (id INT KEY, a INT, b INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM copy WITH (wrap_single_value=false) AS SELECT * FROM orders;

--@test: serde - a nested value in the DELIMITED format
--@expected.message: The 'DELIMITED' format does not support type 'ARRAY', column: `TAGS`
CREATE STREAM orders (id INT KEY, tags ARRAY<STRING>) WITH (kafka_topic='t', value_format='DELIMITED');

--@test: insert - into a table
--@expected.message: INSERT INTO can only be used to insert into a stream. TOTALS is a table.
CREATE STREAM orders (id INT KEY, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE totals AS SELECT id, SUM(amount) AS total FROM orders GROUP BY id;
INSERT INTO totals SELECT id, amount AS total FROM orders;

--@test: insert - into nothing
--@expected.message: Source `NOWHERE` does not exist.
CREATE STREAM orders (id INT KEY, amount INT) WITH (kafka_topic='t', value_format='JSON');
INSERT INTO nowhere SELECT * FROM orders;

--@test: insert - a column of another type
--@expected.message: Incompatible schema between results and sink. Result schema is `ID` INTEGER KEY, `AMOUNT` STRING Sink schema is `ID` INTEGER KEY, `AMOUNT` INTEGER
CREATE STREAM orders (id INT KEY, amount INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM refunds (id INT KEY, amount STRING) WITH (kafka_topic='r', value_format='JSON');
CREATE STREAM all_orders AS SELECT * FROM orders;
INSERT INTO all_orders SELECT * FROM refunds;

--@test: types - an alias registered again with another type
--@expected.message: Cannot register custom type 'POINT' since it is already registered with type: STRUCT<X INT, Y INT>
CREATE TYPE point AS STRUCT<x INT, y INT>;
CREATE TYPE point AS STRUCT<x DOUBLE, y DOUBLE>;

--@test: types - an alias is no type after DROP TYPE
--@expected.message: type POINT is not a ksqlDB type
CREATE TYPE point AS STRUCT<x INT, y INT>;
DROP TYPE point;
CREATE STREAM input (id STRING KEY, p POINT) WITH (kafka_topic='t', value_format='JSON');

--@test: CAST - a string to a struct, named with the clause and the struct's fields
--@expected.message: Invalid Select: Cast of STRING to STRUCT<`X` INTEGER, `y` STRING> is not supported
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, CAST(s AS STRUCT<x INT, `y` STRING>) AS p FROM input;

--@test: CAST - a number to a map in WHERE
--@expected.message: Invalid Predicate: Cast of INTEGER to MAP<STRING, INTEGER> is not supported
CREATE STREAM input (id STRING KEY, n INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id FROM input WHERE CAST(n AS MAP<STRING, INT>) IS NULL;

--@test: CAST - to NULL
--@expected.message: Syntax error at or near 'NULL'
CREATE STREAM input (id STRING KEY, n INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, CAST(n AS NULL) AS x FROM input;

--@test: joins - the join column missing from the projection
--@expected.message: The query used to build `ENRICHED` must include the join expressions O.SHOP or S.ID in its projection (eg, SELECT O.SHOP...).
CREATE STREAM orders (id INT KEY, shop INT, amount INT) WITH (kafka_topic='o', value_format='JSON');
CREATE TABLE shops (id INT PRIMARY KEY, name STRING) WITH (kafka_topic='s', value_format='JSON');
CREATE STREAM enriched AS SELECT o.id, o.amount, s.name FROM orders o JOIN shops s ON o.shop = s.id;

--@test: joins - on an expression, the other side's column is the key
--@expected.message: The query used to build `BOTH` must include the join expression B.ID in its projection (eg, SELECT B.ID...).
CREATE STREAM a (id INT KEY, v INT) WITH (kafka_topic='a', value_format='JSON');
CREATE STREAM b (id INT KEY, w INT) WITH (kafka_topic='b', value_format='JSON');
CREATE STREAM both AS SELECT a.id, a.v, b.w FROM a JOIN b WITHIN 1 MINUTE ON ABS(a.id) = b.id;

--@test: joins - a FULL OUTER join is keyed by ROWKEY
--@expected.message: The query used to build `BOTH` must include the join expression ROWKEY in its projection (eg, SELECT ROWKEY...).
CREATE STREAM a (id INT KEY, v INT) WITH (kafka_topic='a', value_format='JSON');
CREATE STREAM b (id INT KEY, w INT) WITH (kafka_topic='b', value_format='JSON');
CREATE STREAM both AS SELECT a.id, a.v, b.w FROM a FULL OUTER JOIN b WITHIN 1 MINUTE ON a.id = b.id;

--@test: joins - the join column projected twice
--@expected.message: The projection contains a key column (`A_ID`) more than once, aliased as: AGAIN and A_ID.
CREATE STREAM a (id INT KEY, v INT) WITH (kafka_topic='a', value_format='JSON');
CREATE STREAM b (id INT KEY, w INT) WITH (kafka_topic='b', value_format='JSON');
CREATE STREAM both AS SELECT a.id, a.id AS again, b.w FROM a JOIN b WITHIN 1 MINUTE ON a.id = b.id;

--@test: joins - over KAFKA-format values
--@expected.message: Source(s) A, B are using the 'KAFKA' value format. This format does not yet support JOIN.
CREATE STREAM a (id INT KEY, v INT) WITH (kafka_topic='a', value_format='KAFKA');
CREATE STREAM b (id INT KEY, w INT) WITH (kafka_topic='b', value_format='KAFKA');
CREATE STREAM both WITH (value_format='JSON') AS SELECT a.id, a.v, b.w FROM a JOIN b WITHIN 1 MINUTE ON a.id = b.id;

--@test: joins - a WITHIN clause on a table-table join
--@expected.message: A window definition was provided for a Table-Table join. These joins are not windowed.
CREATE TABLE a (id INT PRIMARY KEY, v INT) WITH (kafka_topic='a', value_format='JSON');
CREATE TABLE b (id INT PRIMARY KEY, w INT) WITH (kafka_topic='b', value_format='JSON');
CREATE TABLE both AS SELECT a.id, v, w FROM a JOIN b WITHIN 1 SECOND ON a.id = b.id;

--@test: properties - an unknown WITH property
--@expected.message: Invalid config variable(s) in the WITH clause: COLOUR
CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON', colour='red');

--@test: formats - a format ksqlDB does not know
--@expected.message: Unknown format: XML
CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='t', value_format='XML');

--@test: keys - KEY on a table
--@expected.message: Column `ID` is a 'KEY' column: please use 'PRIMARY KEY' for tables.
CREATE TABLE t (id INT KEY, v INT) WITH (kafka_topic='t', value_format='JSON');

--@test: joins - a foreign-key table join needs the left table's primary key projected
--@expected.message: Primary key column missing in projection. For foreign-key table-table joins, the projection must include all primary key columns from the left input table (`ORDERS`). Missing column: `ID`.
CREATE TABLE orders (id BIGINT PRIMARY KEY, customer BIGINT, amount INT) WITH (kafka_topic='o', value_format='JSON');
CREATE TABLE customers (id BIGINT PRIMARY KEY, name STRING) WITH (kafka_topic='c', value_format='JSON');
CREATE TABLE named AS SELECT orders.customer, customers.name, amount FROM orders JOIN customers ON orders.customer = customers.id;

--@test: joins - no RIGHT JOIN on a foreign key
--@expected.message: RIGHT OUTER JOIN on a foreign key is not supported
CREATE TABLE orders (id BIGINT PRIMARY KEY, customer BIGINT, amount INT) WITH (kafka_topic='o', value_format='JSON');
CREATE TABLE customers (id BIGINT PRIMARY KEY, name STRING) WITH (kafka_topic='c', value_format='JSON');
CREATE TABLE named AS SELECT orders.id, customers.name FROM orders RIGHT JOIN customers ON orders.customer = customers.id;

--@test: joins - the two sides of a join condition of different types
--@expected.message: Invalid join condition: types don't match. Got O.SHOP{STRING} = S.ID{BIGINT}.
CREATE STREAM orders (id INT KEY, shop STRING) WITH (kafka_topic='o', value_format='JSON');
CREATE TABLE shops (id BIGINT PRIMARY KEY, name STRING) WITH (kafka_topic='s', value_format='JSON');
CREATE STREAM named AS SELECT o.shop, s.name FROM orders o JOIN shops s ON o.shop = s.id;

--@test: sources - no columns and no Schema Registry format
--@expected.message: No columns supplied.
CREATE STREAM s WITH (kafka_topic='t', value_format='DELIMITED');

--@test: sources - a value schema id with a format that infers nothing
--@expected.message: VALUE_FORMAT should support schema inference when VALUE_SCHEMA_ID is provided. Current format is JSON.
CREATE STREAM s WITH (kafka_topic='t', value_format='JSON', value_schema_id=3);

--@test: sources - a key schema id beside declared key columns
--@expected.message: Table elements and KEY_SCHEMA_ID cannot both exist for create statement.
CREATE STREAM s (k INT KEY) WITH (kafka_topic='t', format='AVRO', key_schema_id=3);
