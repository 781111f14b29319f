--@test: DELIMITED values in declared column order, empty fields NULL
CREATE STREAM input (id STRING KEY, name STRING, qty INT, price DOUBLE) WITH (kafka_topic='fmt_delimited', value_format='DELIMITED');
CREATE STREAM output AS SELECT id, name, qty * 2 AS twice, price FROM input;
--@input: INPUT {"key": "a", "value": "pen,3,1.5"}
--@input: INPUT {"key": "b", "value": "\"cup, blue\",,2"}
--@output: OUTPUT {"ID": "a", "NAME": "pen", "TWICE": 6, "PRICE": 1.5}
--@output: OUTPUT {"ID": "b", "NAME": "cup, blue", "TWICE": null, "PRICE": 2.0}

--@test: KAFKA value format holds one binary column
CREATE STREAM input (id STRING KEY, n BIGINT) WITH (kafka_topic='fmt_kafka', value_format='KAFKA');
CREATE STREAM output AS SELECT id, n + 1 AS next FROM input;
--@input: INPUT {"key": "a", "value": 41}
--@output: OUTPUT {"ID": "a", "NEXT": 42}

--@test: an unwrapped single JSON value
CREATE STREAM input (id STRING KEY, n INT) WITH (kafka_topic='fmt_unwrapped', value_format='JSON', wrap_single_value=false);
CREATE STREAM output AS SELECT * FROM input;
--@input: INPUT {"key": "a", "value": 7}
--@output: OUTPUT {"ID": "a", "N": 7}

--@test: KAFKA value format - one column only
--@expected.message: The 'KAFKA' format only supports a single field. Got: [`A` INTEGER, `B` INTEGER]
CREATE STREAM input (id STRING KEY, a INT, b INT) WITH (kafka_topic='t', value_format='KAFKA');

--@test: DELIMITED - WRAP_SINGLE_VALUE does not apply
--@expected.message: Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'.
CREATE STREAM input (id STRING KEY, a INT) WITH (kafka_topic='t', value_format='DELIMITED', wrap_single_value=true);
