-- ksqlDB's built-in scalar functions; expected values as ksqlDB's docs and UDF sources state them.

--@test: MASK and its left/right variants mask upper, lower, digits and the rest
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, MASK(s) AS m, MASK(s, '*', NULL, '1', NULL) AS custom, MASK_KEEP_LEFT(s, 4) AS kl, MASK_KEEP_RIGHT(s, 4) AS kr, MASK_LEFT(s, 4) AS ml, MASK_RIGHT(s, 4) AS mr FROM input;
--@input: INPUT {"key": "1", "value": {"s": "My Test $123"}}
--@input: INPUT {"key": "2", "value": {"s": null}}
--@output: OUTPUT {"ID": "1", "M": "Xx-Xxxx--nnn", "CUSTOM": "*y *est $111", "KL": "My Txxx--nnn", "KR": "Xx-Xxxx-$123", "ML": "Xx-Xest $123", "MR": "My Test -nnn"}
--@output: OUTPUT {"ID": "2", "M": null, "CUSTOM": null, "KL": null, "KR": null, "ML": null, "MR": null}

--@test: a mask character must be one character
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, MASK(s, 'XX') AS m FROM input;
--@expected.message: Invalid mask character. Must be only single character, but was 'XX'

--@test: INSTR from a position, the n-th occurrence, and from the end
CREATE STREAM input (id STRING KEY, s STRING, sub STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, INSTR(s, sub) AS a, INSTR(s, sub, 3) AS b, INSTR(s, sub, 3, 2) AS c, INSTR(s, sub, -3) AS d, INSTR(s, sub, -3, 2) AS e, INSTR(s, 'MISSING') AS f FROM input;
--@input: INPUT {"key": "1", "value": {"s": "CORPORATE FLOOR", "sub": "OR"}}
--@input: INPUT {"key": "2", "value": {"s": null, "sub": "OR"}}
--@output: OUTPUT {"ID": "1", "A": 2, "B": 5, "C": 14, "D": 5, "E": 2, "F": 0}
--@output: OUTPUT {"ID": "2", "A": 0, "B": 0, "C": 0, "D": 0, "E": 0, "F": 0}

--@test: CHR of a code point or a \u escape
CREATE STREAM input (id STRING KEY, n INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, CHR(n) AS a, CHR('\u004b') AS b, CHR('\u597d') AS c FROM input;
--@input: INPUT {"key": "1", "value": {"n": 75}}
--@input: INPUT {"key": "2", "value": {"n": 22909}}
--@input: INPUT {"key": "3", "value": {"n": null}}
--@output: OUTPUT {"ID": "1", "A": "K", "B": "K", "C": "好"}
--@output: OUTPUT {"ID": "2", "A": "好", "B": "K", "C": "好"}
--@output: OUTPUT {"ID": "3", "A": null, "B": "K", "C": "好"}

--@test: ROUND rounds ties up and keeps ksqlDB's result types
CREATE STREAM input (id STRING KEY, d DOUBLE, i INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ROUND(d) AS r0, ROUND(d, 1) AS r1, ROUND(i) AS ri FROM input;
--@input: INPUT {"key": "1", "value": {"d": 1.5, "i": 7}}
--@input: INPUT {"key": "2", "value": {"d": -1.5, "i": -7}}
--@input: INPUT {"key": "3", "value": {"d": -1.25, "i": 0}}
--@input: INPUT {"key": "4", "value": {"d": 1.25, "i": 0}}
--@output: OUTPUT {"ID": "1", "R0": 2, "R1": 1.5, "RI": 7}
--@output: OUTPUT {"ID": "2", "R0": -1, "R1": -1.5, "RI": -7}
--@output: OUTPUT {"ID": "3", "R0": -1, "R1": -1.2, "RI": 0}
--@output: OUTPUT {"ID": "4", "R0": 1, "R1": 1.3, "RI": 0}

--@test: ROUND and division of DECIMAL stay DECIMAL
CREATE STREAM input (id STRING KEY, d DECIMAL(4, 2)) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ROUND(d) AS r0, ROUND(d, 1) AS r1, d / 3 AS q, d * 2 AS p FROM input;
--@input: INPUT {"key": "1", "value": {"d": 1.25}}
--@input: INPUT {"key": "2", "value": {"d": -2.50}}
--@output: OUTPUT {"ID": "1", "R0": 1, "R1": 1.30, "Q": 0.4166666666667, "P": 2.50}
--@output: OUTPUT {"ID": "2", "R0": -2, "R1": -2.50, "Q": -0.8333333333333, "P": -5.00}

--@test: bytes to INT, BIGINT and DOUBLE in either byte order
CREATE STREAM input (id STRING KEY, i STRING, b STRING, d STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, INT_FROM_BYTES(TO_BYTES(i, 'base64')) AS i, INT_FROM_BYTES(TO_BYTES('5QcAAA==', 'base64'), 'LITTLE_ENDIAN') AS il, BIGINT_FROM_BYTES(TO_BYTES(b, 'base64'), 'BIG_ENDIAN') AS b, DOUBLE_FROM_BYTES(TO_BYTES(d, 'base64')) AS d, INT_FROM_BYTES(TO_BYTES(b, 'base64')) AS wrong_size FROM input;
--@input: INPUT {"key": "1", "value": {"i": "AAAH5Q==", "b": "AAAAASoF8gA=", "d": "QICm/ZvJ9YI="}}
--@output: OUTPUT {"ID": "1", "I": 2021, "IL": 2021, "B": 5000000000, "D": 532.8738323, "WRONG_SIZE": null}

--@test: REGEXP_REPLACE takes Java's $n group references
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, REGEXP_REPLACE(s, '(\w+) (\w+)', '$2 $1') AS swapped, REGEXP_REPLACE(s, 'o', '\$') AS dollar FROM input;
--@input: INPUT {"key": "1", "value": {"s": "hello world"}}
--@output: OUTPUT {"ID": "1", "SWAPPED": "world hello", "DOLLAR": "hell$ w$rld"}

--@test: struct fields keep ksqlDB's upper-case names, in ENTRIES and TO_JSON_STRING too
CREATE STREAM input (id STRING KEY, m MAP<STRING, INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, STRUCT(a := 1, b := 'x') AS s, ENTRIES(m, true) AS e, TO_JSON_STRING(STRUCT(id := 1, name := 'A')) AS j FROM input;
--@input: INPUT {"key": "1", "value": {"m": {"b": 2, "a": 1}}}
--@output: OUTPUT {"ID": "1", "S": {"A": 1, "B": "x"}, "E": [{"K": "a", "V": 1}, {"K": "b", "V": 2}], "J": "{\"ID\":1,\"NAME\":\"A\"}"}

--@test: FORMAT_TIMESTAMP and PARSE_TIMESTAMP in a time zone
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, FORMAT_TIMESTAMP(PARSE_TIMESTAMP(s, 'yyyy-MM-dd HH:mm:ss.SSS'), 'yyyy-MM-dd''T''HH:mm:ss.SSSX') AS utc, FORMAT_TIMESTAMP(PARSE_TIMESTAMP(s, 'yyyy-MM-dd HH:mm:ss.SSS'), 'yyyy-MM-dd HH:mm:ss XXX', 'America/Los_Angeles') AS la, UNIX_TIMESTAMP(PARSE_TIMESTAMP(s, 'yyyy-MM-dd HH:mm:ss.SSS', 'America/Los_Angeles')) AS from_la FROM input;
--@input: INPUT {"key": "1", "value": {"s": "2021-06-30 12:18:39.446"}}
--@output: OUTPUT {"ID": "1", "UTC": "2021-06-30T12:18:39.446Z", "LA": "2021-06-30 05:18:39 -07:00", "FROM_LA": 1625080719446}

--@test: TIMESTAMPTOSTRING and STRINGTOTIMESTAMP with a zone; zone offsets in the text
CREATE STREAM input (id STRING KEY, ms BIGINT, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TIMESTAMPTOSTRING(ms, 'yyyy-MM-dd HH:mm:ss Z', 'Europe/London') AS london, STRINGTOTIMESTAMP(s, 'yyyy-MM-dd''T''HH:mm:ssXXX') AS parsed FROM input;
--@input: INPUT {"key": "1", "value": {"ms": 1624978719446, "s": "2021-06-29T16:58:39+02:00"}}
--@input: INPUT {"key": "2", "value": {"ms": 0, "s": "1970-01-01T00:00:00Z"}}
--@output: OUTPUT {"ID": "1", "LONDON": "2021-06-29 15:58:39 +0100", "PARSED": 1624978719000}
--@output: OUTPUT {"ID": "2", "LONDON": "1970-01-01 01:00:00 +0100", "PARSED": 0}

--@test: an unknown time zone is rejected
CREATE STREAM input (id STRING KEY, ms BIGINT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TIMESTAMPTOSTRING(ms, 'yyyy', 'Nowhere/Zone') AS s FROM input;
--@expected.message: Unknown time-zone ID: Nowhere/Zone

--@test: CONVERT_TZ, TIMEADD and TIMESUB
CREATE STREAM input (id STRING KEY, ms BIGINT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, CONVERT_TZ(FROM_UNIXTIME(ms), 'UTC', 'America/Los_Angeles') AS la, FORMAT_TIME(TIMEADD(HOURS, 13, PARSE_TIME('12:00', 'HH:mm')), 'HH:mm') AS later, FORMAT_TIME(TIMESUB(MINUTES, 30, PARSE_TIME('00:10', 'HH:mm')), 'HH:mm') AS earlier FROM input;
--@input: INPUT {"key": "1", "value": {"ms": 1625055519446}}
--@output: OUTPUT {"ID": "1", "LA": "2021-06-30T05:18:39.446", "LATER": "01:00", "EARLIER": "23:40"}

--@test: Java date patterns: quoted text, names of months and days, 12-hour clock
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, FORMAT_DATE(PARSE_DATE(s, 'dd/MM/yyyy'), 'EEE, MMM d, yyyy') AS d, FORMAT_DATE(PARSE_DATE(s, 'dd/MM/yyyy'), 'yyyy-MM-dd''T''') AS quoted, FORMAT_TIME(PARSE_TIME('13:25', 'HH:mm'), 'hh:mm a') AS t FROM input;
--@input: INPUT {"key": "1", "value": {"s": "11/10/2021"}}
--@output: OUTPUT {"ID": "1", "D": "Mon, Oct 11, 2021", "QUOTED": "2021-10-11T", "T": "01:25 PM"}

--@test: REGEXP_EXTRACT and REGEXP_EXTRACT_ALL take the pattern first
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, REGEXP_EXTRACT('(.*) (.*)', s, 2) AS second, REGEXP_EXTRACT('l+', s) AS ls, REGEXP_EXTRACT('z', s) AS none, REGEXP_EXTRACT_ALL('(\w+) (\w+)', s, 2) AS pairs FROM input;
--@input: INPUT {"key": "1", "value": {"s": "hello there nice day"}}
--@input: INPUT {"key": "2", "value": {"s": null}}
--@output: OUTPUT {"ID": "1", "SECOND": "day", "LS": "ll", "NONE": null, "PAIRS": ["there", "day"]}
--@output: OUTPUT {"ID": "2", "SECOND": null, "LS": null, "NONE": null, "PAIRS": null}

--@test: SUBSTRING clamps positions as ksqlDB's Java indices do
CREATE STREAM input (id STRING KEY, s STRING, p INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, SUBSTRING(s, 1, 4) AS a, SUBSTRING(s, -3) AS b, SUBSTRING(s, 0, 2) AS c, SUBSTRING(s, 10) AS d, SUBSTRING(s, -10, 2) AS e, SUBSTRING(s, p) AS f FROM input;
--@input: INPUT {"key": "1", "value": {"s": "stream", "p": null}}
--@output: OUTPUT {"ID": "1", "A": "stre", "B": "eam", "C": "st", "D": "", "E": "st", "F": null}

--@test: LPAD and RPAD: truncation, empty or NULL padding, negative length
CREATE STREAM input (id STRING KEY, s STRING, n INT, pad STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, LPAD(s, n, pad) AS l, RPAD(s, n, pad) AS r FROM input;
--@input: INPUT {"key": "1", "value": {"s": "Foo", "n": 7, "pad": "Bar"}}
--@input: INPUT {"key": "2", "value": {"s": "Foo", "n": 2, "pad": "Bar"}}
--@input: INPUT {"key": "3", "value": {"s": "", "n": 2, "pad": "Bar"}}
--@input: INPUT {"key": "4", "value": {"s": "Foo", "n": -1, "pad": "Bar"}}
--@input: INPUT {"key": "5", "value": {"s": "Foo", "n": 5, "pad": ""}}
--@input: INPUT {"key": "6", "value": {"s": "Foo", "n": 5, "pad": null}}
--@output: OUTPUT {"ID": "1", "L": "BarBFoo", "R": "FooBarB"}
--@output: OUTPUT {"ID": "2", "L": "Fo", "R": "Fo"}
--@output: OUTPUT {"ID": "3", "L": "Ba", "R": "Ba"}
--@output: OUTPUT {"ID": "4", "L": null, "R": null}
--@output: OUTPUT {"ID": "5", "L": null, "R": null}
--@output: OUTPUT {"ID": "6", "L": null, "R": null}

--@test: ARRAY_JOIN writes a NULL element as null
CREATE STREAM input (id STRING KEY, a ARRAY<STRING>, n ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ARRAY_JOIN(a) AS s, ARRAY_JOIN(n, '|') AS i FROM input;
--@input: INPUT {"key": "1", "value": {"a": ["x", null, "y"], "n": [1, 2]}}
--@input: INPUT {"key": "2", "value": {"a": null, "n": []}}
--@output: OUTPUT {"ID": "1", "S": "x,null,y", "I": "1|2"}
--@output: OUTPUT {"ID": "2", "S": null, "I": ""}

--@test: SPLIT_TO_MAP keeps a repeated key's last value and skips entries without a key delimiter
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, SPLIT_TO_MAP(s, '/', ':=') AS m, SPLIT_TO_MAP(s, '', ':=') AS empty_delimiter FROM input;
--@input: INPUT {"key": "1", "value": {"s": "apple:=green/cherry:=red//plum/apple:=red"}}
--@output: OUTPUT {"ID": "1", "M": {"apple": "red", "cherry": "red"}, "EMPTY_DELIMITER": null}

--@test: TO_JSON_STRING writes dates, times and timestamps as ksqlDB does
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TO_JSON_STRING(PARSE_DATE('2021-10-11', 'yyyy-MM-dd')) AS d, TO_JSON_STRING(PARSE_TIME('13:25', 'HH:mm')) AS t, TO_JSON_STRING(PARSE_TIMESTAMP(s, 'yyyy-MM-dd HH:mm:ss.SSS')) AS ts, TO_JSON_STRING(ARRAY[1, 2, 3]) AS a, TO_JSON_STRING(MAP('c' := 2, 'd' := 4)) AS m, TO_JSON_STRING('abc') AS str FROM input;
--@input: INPUT {"key": "1", "value": {"s": "2021-06-30 12:18:39.446"}}
--@output: OUTPUT {"ID": "1", "D": "\"2021-10-11\"", "T": "\"13:25\"", "TS": "\"2021-06-30T12:18:39.446\"", "A": "[1,2,3]", "M": "{\"c\":2,\"d\":4}", "STR": "\"abc\""}

--@test: JSON_CONCAT merges objects, concatenates arrays, wraps other values
CREATE STREAM input (id STRING KEY, a STRING, b STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, JSON_CONCAT(a, b) AS j FROM input;
--@input: INPUT {"key": "1", "value": {"a": "{\"a\": 1}", "b": "{\"b\": 2}"}}
--@input: INPUT {"key": "2", "value": {"a": "{\"a\": {\"5\": 6}}", "b": "{\"a\": {\"3\": 4}}"}}
--@input: INPUT {"key": "3", "value": {"a": "[1, 2]", "b": "3"}}
--@input: INPUT {"key": "4", "value": {"a": "null", "b": "null"}}
--@input: INPUT {"key": "5", "value": {"a": "[1, 2]", "b": "{\"a\": 1}"}}
--@input: INPUT {"key": "6", "value": {"a": "abc", "b": "[1]"}}
--@input: INPUT {"key": "7", "value": {"a": null, "b": "[1]"}}
--@output: OUTPUT {"ID": "1", "J": "{\"a\":1,\"b\":2}"}
--@output: OUTPUT {"ID": "2", "J": "{\"a\":{\"3\":4}}"}
--@output: OUTPUT {"ID": "3", "J": "[1,2,3]"}
--@output: OUTPUT {"ID": "4", "J": "[null,null]"}
--@output: OUTPUT {"ID": "5", "J": "[1,2,{\"a\":1}]"}
--@output: OUTPUT {"ID": "6", "J": null}
--@output: OUTPUT {"ID": "7", "J": null}

--@test: JSON_KEYS is NULL for what is not an object
CREATE STREAM input (id STRING KEY, j STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, JSON_KEYS(j) AS k FROM input;
--@input: INPUT {"key": "1", "value": {"j": "{\"a\": \"abc\", \"b\": { \"c\": \"a\" }, \"d\": 1}"}}
--@input: INPUT {"key": "2", "value": {"j": "{}"}}
--@input: INPUT {"key": "3", "value": {"j": "[]"}}
--@input: INPUT {"key": "4", "value": {"j": "123"}}
--@input: INPUT {"key": "5", "value": {"j": ""}}
--@output: OUTPUT {"ID": "1", "K": ["a", "b", "d"]}
--@output: OUTPUT {"ID": "2", "K": []}
--@output: OUTPUT {"ID": "3", "K": null}
--@output: OUTPUT {"ID": "4", "K": null}
--@output: OUTPUT {"ID": "5", "K": null}

--@test: URL parts are decoded as java.net.URI decodes them
CREATE STREAM input (id STRING KEY, u STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, URL_EXTRACT_FRAGMENT(u) AS f, URL_EXTRACT_QUERY(u) AS q, URL_EXTRACT_PARAMETER(u, 'a b') AS p, URL_EXTRACT_PATH(u) AS path FROM input;
--@input: INPUT {"key": "1", "value": {"u": "http://test.com/path/to?a%20b=c%20d&x=foo%20bar#frag%20space"}}
--@output: OUTPUT {"ID": "1", "F": "frag space", "Q": "a b=c d&x=foo bar", "P": "c d", "PATH": "/path/to"}

--@test: logarithms and roots follow Java's Math at the edges
CREATE STREAM input (id STRING KEY, x DOUBLE) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, LN(x) AS ln, LOG(x) AS log, LOG(2, 8) AS log2, SQRT(x) AS sq, CBRT(27) AS cb FROM input;
--@input: INPUT {"key": "1", "value": {"x": 0}}
--@input: INPUT {"key": "2", "value": {"x": 1}}
--@output: OUTPUT {"ID": "1", "LN": "-Infinity", "LOG": "-Infinity", "LOG2": 3.0, "SQ": 0.0, "CB": 3.0}
--@output: OUTPUT {"ID": "2", "LN": 0.0, "LOG": 0.0, "LOG2": 3.0, "SQ": 1.0, "CB": 3.0}

--@test: SUBSTRING of a number is rejected as ksqlDB rejects it
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, SUBSTRING(v, 1, 2) AS s FROM input;
--@expected.message: Function 'SUBSTRING' does not accept parameters (INTEGER, INTEGER, INTEGER).

--@test: collecting aggregates keep NULLs in offset order; SUM_LIST and COLLECT_MAP aggregate rows
CREATE STREAM input (id STRING KEY, g STRING, v INT, a ARRAY<INT>, m MAP<STRING, INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT g, COLLECT_LIST(v) AS l, COLLECT_SET(v) AS s, SUM_LIST(a) AS sl, COLLECT_MAP(m) AS cm, TOPK(v, 2) AS tk, TOPKDISTINCT(v, 2) AS tkd FROM input GROUP BY g;
--@input: INPUT {"key": "1", "value": {"g": "x", "v": 3, "a": [1, 2], "m": {"a": 1}}, "timestamp": 1}
--@input: INPUT {"key": "2", "value": {"g": "x", "v": null, "a": null, "m": null}, "timestamp": 2}
--@input: INPUT {"key": "3", "value": {"g": "x", "v": 1, "a": [null, 4], "m": {"a": 2, "b": 3}}, "timestamp": 3}
--@input: INPUT {"key": "4", "value": {"g": "x", "v": 3, "a": [], "m": {"c": 1}}, "timestamp": 4}
--@output: OUTPUT {"G": "x", "L": [3, null, 1, 3], "S": [3, null, 1], "SL": 7, "CM": {"a": 2, "b": 3, "c": 1}, "TK": [3, 3], "TKD": [3, 1]}

--@test: lambda parameters never bind to a column of the same name
CREATE STREAM input (id STRING KEY, x DOUBLE, a ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TRANSFORM(a, x => STRUCT(v := x)) AS s, FILTER(a, x => x > 1) AS f, TRANSFORM(a, x => TRANSFORM(ARRAY[x], y => y + x)) AS nested FROM input;
--@input: INPUT {"key": "1", "value": {"x": 0.5, "a": [1, 2, 3]}}
--@output: OUTPUT {"ID": "1", "S": [{"V": 1}, {"V": 2}, {"V": 3}], "F": [2, 3], "NESTED": [[2], [4], [6]]}

--@test: ARRAY_CONTAINS, SLICE and AS_MAP as ksqlDB's List and Map code answers
CREATE STREAM input (id STRING KEY, a ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ARRAY_CONTAINS(a, 3) AS has3, ARRAY_CONTAINS(a, NULL) AS hasnull, SLICE(a, 2, 3) AS mid, SLICE(a, 2, 9) AS past_end, AS_MAP(ARRAY['a', 'b', 'a'], ARRAY[1, 2, 3]) AS m FROM input;
--@input: INPUT {"key": "1", "value": {"a": [1, null, 3]}}
--@input: INPUT {"key": "2", "value": {"a": null}}
--@output: OUTPUT {"ID": "1", "HAS3": true, "HASNULL": true, "MID": [null, 3], "PAST_END": null, "M": {"a": 3, "b": 2}}
--@output: OUTPUT {"ID": "2", "HAS3": false, "HASNULL": false, "MID": null, "PAST_END": null, "M": {"a": 3, "b": 2}}

--@test: TRIM removes what Java's String.trim removes
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TRIM(s) AS t FROM input;
--@input: INPUT {"key": "1", "value": {"s": "\t hi there \n"}}
--@output: OUTPUT {"ID": "1", "T": "hi there"}

--@test: AVG, STDDEV_SAMP and CORRELATION map as ksqlDB's UDAFs do (0.0 for no values, NaN when undefined)
CREATE STREAM input (id STRING KEY, g STRING, v INT, w DOUBLE) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT g, AVG(v) AS a, STDDEV_SAMP(v) AS sd, CORRELATION(v, w) AS c FROM input GROUP BY g;
--@input: INPUT {"key": "1", "value": {"g": "x", "v": 1, "w": 1.0}}
--@input: INPUT {"key": "2", "value": {"g": "x", "v": 2, "w": 2.0}}
--@input: INPUT {"key": "3", "value": {"g": "x", "v": 4, "w": 4.0}}
--@input: INPUT {"key": "4", "value": {"g": "y", "v": null, "w": 1.0}}
--@output: OUTPUT {"G": "x", "A": 2.3333333333333335, "SD": 2.333333333333333, "C": 1.0}
--@output: OUTPUT {"G": "y", "A": 0.0, "SD": 0.0, "C": "NaN"}

--@test: URL_ENCODE_PARAM escapes as Guava's form parameter escaper
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, URL_ENCODE_PARAM(s) AS e FROM input;
--@input: INPUT {"key": "1", "value": {"s": "a b*~-_.!/&="}}
--@output: OUTPUT {"ID": "1", "E": "a+b*%7E-_.%21%2F%26%3D"}

--@test: a wrong number of arguments is rejected with ksqlDB's wording
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, LPAD(s, 2) AS p FROM input;
--@expected.message: Function 'LPAD' does not accept parameters (STRING, INTEGER).

--@test: a string function given a number names ksqlDB's function
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, UCASE(v) AS u FROM input;
--@expected.message: Function 'UCASE' does not accept parameters (INTEGER).

--@test: functions whose SQL depends on their arguments' types nest
CREATE STREAM input (id STRING KEY, x DOUBLE, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TO_JSON_STRING(ROUND(x)) AS j, ROUND(ROUND(x, 1)) AS r, TO_JSON_STRING(SUBSTRING(s, 0, 2)) AS sub FROM input;
--@input: INPUT {"key": "1", "value": {"x": -2.5, "s": "hello"}}
--@output: OUTPUT {"ID": "1", "J": "-2", "R": -2, "SUB": "\"he\""}

--@test: TO_JSON_STRING writes BYTES as base64
CREATE STREAM input (id STRING KEY, b BYTES) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TO_JSON_STRING(b) AS j, TO_JSON_STRING(TO_BYTES('abc', 'utf8')) AS k FROM input;
--@input: INPUT {"key": "1", "value": {"b": "YWJj"}}
--@output: OUTPUT {"ID": "1", "J": "\"YWJj\"", "K": "\"YWJj\""}

--@test: GENERATE_SERIES counts down without a step when end is below start
CREATE STREAM input (id STRING KEY, a INT, b INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, GENERATE_SERIES(a, b) AS s, GENERATE_SERIES(a, b, 2) AS stepped FROM input;
--@input: INPUT {"key": "1", "value": {"a": 5, "b": 1}}
--@input: INPUT {"key": "2", "value": {"a": 1, "b": 5}}
--@output: OUTPUT {"ID": "1", "S": [5, 4, 3, 2, 1], "STEPPED": null}
--@output: OUTPUT {"ID": "2", "S": [1, 2, 3, 4, 5], "STEPPED": [1, 3, 5]}

--@test: INITCAP splits words on any whitespace and drops leading blanks, as ksqlDB's InitCap
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, INITCAP(s) AS c FROM input;
--@input: INPUT {"key": "1", "value": {"s": "  hello  wORLD\tfoo "}}
--@input: INPUT {"key": "2", "value": {"s": null}}
--@output: OUTPUT {"ID": "1", "C": "Hello  World\tFoo "}
--@output: OUTPUT {"ID": "2", "C": null}

--@test: LEN counts the bytes of BYTES; text that is not valid in its encoding is NULL, not a failed query
CREATE STREAM input (id STRING KEY, b BYTES, h STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, LEN(b) AS n, ENCODE(h, 'hex', 'utf8') AS decoded FROM input;
--@input: INPUT {"key": "1", "value": {"b": "YWJj", "h": "616263"}}
--@input: INPUT {"key": "2", "value": {"b": "", "h": "zz"}}
--@output: OUTPUT {"ID": "1", "N": 3, "DECODED": "abc"}
--@output: OUTPUT {"ID": "2", "N": 0, "DECODED": null}

--@test: one bad row never fails the query: JSON that is not JSON, ASIN/ACOS outside [-1, 1], COT at 0
CREATE STREAM input (id STRING KEY, j STRING, x DOUBLE) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, EXTRACTJSONFIELD(j, '$.a') AS a, ASIN(x) AS asn, ACOS(x) AS acs, COT(x - x) AS ct FROM input;
--@input: INPUT {"key": "1", "value": {"j": "{\"a\": \"v\"}", "x": 1.0}}
--@input: INPUT {"key": "2", "value": {"j": "not json", "x": 2.0}}
--@output: OUTPUT {"ID": "1", "A": "v", "ASN": 1.5707963267948966, "ACS": 0.0, "CT": "Infinity"}
--@output: OUTPUT {"ID": "2", "A": null, "ASN": "NaN", "ACS": "NaN", "CT": "Infinity"}

--@test: TO_JSON_STRING writes timestamps, times, dates and bytes inside structs and arrays as ksqlDB's JSON mapper does
CREATE STREAM input (id STRING KEY, ts TIMESTAMP, s STRUCT<AT TIMESTAMP, RAW BYTES, ON DATE, T TIME, N INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TO_JSON_STRING(ts) AS j1, TO_JSON_STRING(s) AS j2, TO_JSON_STRING(ARRAY[ts, NULL]) AS j3 FROM input;
--@input: INPUT {"key": "k", "value": {"ts": 60220000000, "s": {"AT": 60220000001, "RAW": "IQ==", "ON": 1000, "T": 60220000, "N": 7}}}
--@input: INPUT {"key": "n", "value": {"ts": null, "s": null}}
--@output: OUTPUT {"ID": "k", "J1": "\"1971-11-28T23:46:40.000\"", "J2": "{\"AT\":\"1971-11-28T23:46:40.001\",\"RAW\":\"IQ==\",\"ON\":\"1972-09-27\",\"T\":\"16:43:40\",\"N\":7}", "J3": "[\"1971-11-28T23:46:40.000\",null]"}
--@output: OUTPUT {"ID": "n", "J1": "null", "J2": "null", "J3": "[null,null]"}
