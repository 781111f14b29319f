--@test: URL functions split a URL as java.net.URI does
CREATE STREAM input (id STRING KEY, u STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, URL_EXTRACT_PROTOCOL(u) AS p, URL_EXTRACT_HOST(u) AS h, URL_EXTRACT_PORT(u) AS port, URL_EXTRACT_PATH(u) AS path, URL_EXTRACT_QUERY(u) AS q, URL_EXTRACT_FRAGMENT(u) AS f, URL_EXTRACT_PARAMETER(u, 'b') AS b FROM input;
--@input: INPUT {"key": "1", "value": {"u": "http://me@example.org:8080/a/b.html?a=1&b=x+y#top"}}
--@input: INPUT {"key": "2", "value": {"u": "https://example.org"}}
--@output: OUTPUT {"ID": "1", "P": "http", "H": "example.org", "PORT": 8080, "PATH": "/a/b.html", "Q": "a=1&b=x+y", "F": "top", "B": "x y"}
--@output: OUTPUT {"ID": "2", "P": "https", "H": "example.org", "PORT": null, "PATH": "", "Q": null, "F": null, "B": null}

--@test: URL parameters encode as Java's URLEncoder does
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, URL_ENCODE_PARAM(s) AS e, URL_DECODE_PARAM(URL_ENCODE_PARAM(s)) AS d FROM input;
--@input: INPUT {"key": "1", "value": {"s": "a b&c=d"}}
--@output: OUTPUT {"ID": "1", "E": "a+b%26c%3Dd", "D": "a b&c=d"}

--@test: trigonometry
CREATE STREAM input (id STRING KEY, x DOUBLE) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ROUND(ASIN(x), 4) AS asn, ROUND(ACOS(x), 4) AS acs, ROUND(ATAN(x), 4) AS atn, ROUND(ATAN2(x, 1.0), 4) AS atn2, ROUND(SINH(x), 4) AS sh, ROUND(COSH(x), 4) AS ch, ROUND(TANH(x), 4) AS th FROM input;
--@input: INPUT {"key": "1", "value": {"x": 0.5}}
--@output: OUTPUT {"ID": "1", "ASN": 0.5236, "ACS": 1.0472, "ATN": 0.4636, "ATN2": 0.4636, "SH": 0.5211, "CH": 1.1276, "TH": 0.4621}

--@test: bytes and encodings
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, FROM_BYTES(TO_BYTES(s, 'utf8'), 'hex') AS hx, ENCODE(s, 'utf8', 'base64') AS b64, ENCODE('616263', 'hex', 'ascii') AS abc, MD5(s) AS m FROM input;
--@input: INPUT {"key": "1", "value": {"s": "abc"}}
--@output: OUTPUT {"ID": "1", "HX": "616263", "B64": "YWJj", "ABC": "abc", "M": "900150983cd24fb0d6963f7d28e17f72"}

--@test: JSON functions over strings holding JSON
CREATE STREAM input (id STRING KEY, j STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, JSON_ITEMS(j) AS items, JSON_ARRAY_CONTAINS(j, 2) AS has2, JSON_ARRAY_CONTAINS(j, 'x') AS hasx FROM input;
--@input: INPUT {"key": "1", "value": {"j": "[1, 2, {\"a\": 3}]"}}
--@input: INPUT {"key": "2", "value": {"j": "not json"}}
--@output: OUTPUT {"ID": "1", "ITEMS": ["1", "2", "{\"a\":3}"], "HAS2": true, "HASX": false}
--@output: OUTPUT {"ID": "2", "ITEMS": null, "HAS2": false, "HASX": false}

--@test: JSON_RECORDS and MAP_UNION
CREATE STREAM input (id STRING KEY, j STRING, m MAP<STRING, INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, JSON_RECORDS(j) AS r, MAP_UNION(m, MAP('z' := 26)) AS u FROM input;
--@input: INPUT {"key": "1", "value": {"j": "{\"a\": 1, \"b\": \"x\"}", "m": {"a": 1}}}
--@output: OUTPUT {"ID": "1", "R": {"a": "1", "b": "\"x\""}, "U": {"a": 1, "z": 26}}

--@test: GEO_DISTANCE in kilometres and miles
CREATE STREAM input (id STRING KEY, lat1 DOUBLE, lon1 DOUBLE, lat2 DOUBLE, lon2 DOUBLE) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, ROUND(GEO_DISTANCE(lat1, lon1, lat2, lon2), 1) AS km, ROUND(GEO_DISTANCE(lat1, lon1, lat2, lon2, 'MI'), 1) AS mi FROM input;
--@input: INPUT {"key": "1", "value": {"lat1": 37.4439, "lon1": -122.1663, "lat2": 51.5257, "lon2": -0.1122}}
--@output: OUTPUT {"ID": "1", "KM": 8634.7, "MI": 5365.7}

--@test: CUBE_EXPLODE yields every combination with NULLs
CREATE STREAM input (id STRING KEY, a ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, CUBE_EXPLODE(a) AS c FROM input;
--@input: INPUT {"key": "1", "value": {"a": [1, 2]}}
--@output: OUTPUT {"ID": "1", "C": [null, null]}
--@output: OUTPUT {"ID": "1", "C": [null, 2]}
--@output: OUTPUT {"ID": "1", "C": [1, null]}
--@output: OUTPUT {"ID": "1", "C": [1, 2]}

--@test: AS_VALUE and TO_JSON_STRING of NULL
CREATE STREAM input (id STRING KEY, n STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, AS_VALUE(id) AS v, TO_JSON_STRING(n) AS j FROM input;
--@input: INPUT {"key": "1", "value": {"n": null}}
--@output: OUTPUT {"ID": "1", "V": "1", "J": "null"}

--@test: STRINGTODATE and DATETOSTRING count days since the epoch
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, STRINGTODATE(s, 'yyyy-MM-dd') AS d, DATETOSTRING(STRINGTODATE(s, 'yyyy-MM-dd'), 'dd/MM/yyyy') AS back FROM input;
--@input: INPUT {"key": "1", "value": {"s": "2021-03-04"}}
--@output: OUTPUT {"ID": "1", "D": 18690, "BACK": "04/03/2021"}

--@test: ATTR is the value every row of the group holds
CREATE STREAM input (id STRING KEY, g STRING, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT g, ATTR(v) AS a FROM input GROUP BY g;
--@input: INPUT {"key": "1", "value": {"g": "same", "v": 7}}
--@input: INPUT {"key": "2", "value": {"g": "same", "v": 7}}
--@input: INPUT {"key": "3", "value": {"g": "mixed", "v": 7}}
--@input: INPUT {"key": "4", "value": {"g": "mixed", "v": 8}}
--@output: OUTPUT {"G": "mixed", "A": null}
--@output: OUTPUT {"G": "same", "A": 7}

--@test: timestamps formatted and parsed in a time zone
CREATE STREAM input (id STRING KEY, ms BIGINT, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, TIMESTAMPTOSTRING(ms, 'yyyy-MM-dd HH:mm', 'America/Los_Angeles') AS la, STRINGTOTIMESTAMP(s, 'yyyy-MM-dd HH:mm', 'Asia/Kolkata') AS parsed, FORMAT_TIMESTAMP(CONVERT_TZ(FROM_UNIXTIME(ms), 'UTC', 'Europe/Paris'), 'HH:mm') AS paris FROM input;
--@input: INPUT {"key": "1", "value": {"ms": 1609502400000, "s": "2021-01-01 17:30"}}
--@output: OUTPUT {"ID": "1", "LA": "2021-01-01 04:00", "PARSED": 1609502400000, "PARIS": "13:00"}

--@test: instr with position and occurrence
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, INSTR(s, 'or') AS a, INSTR(s, 'or', 1, 2) AS b, INSTR(s, 'x') AS c FROM input;
--@input: INPUT {"key": "1", "value": {"s": "CORPORATE FLOOR"}}
--@output: OUTPUT {"ID": "1", "A": 0, "B": 0, "C": 0}

--@test: lpad rpad
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, LPAD(s, 5, 'ab') AS l, RPAD(s, 2, 'x') AS r, LPAD(s, 4, NULL) AS n FROM input;
--@input: INPUT {"key": "1", "value": {"s": "abc"}}
--@output: OUTPUT {"ID": "1", "L": "ababc", "R": "ab", "N": null}

--@test: split and array join
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, SPLIT(s, ',') AS parts, ARRAY_JOIN(SPLIT(s, ','), '|') AS j FROM input;
--@input: INPUT {"key": "1", "value": {"s": "a,b,,c"}}
--@output: OUTPUT {"ID": "1", "PARTS": ["a", "b", "", "c"], "J": "a|b||c"}

--@test: regexp
CREATE STREAM input (id STRING KEY, s STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, REGEXP_EXTRACT('([0-9]+)', s) AS n, REGEXP_REPLACE(s, '[0-9]', '#') AS r FROM input;
--@input: INPUT {"key": "1", "value": {"s": "ab12c3"}}
--@output: OUTPUT {"ID": "1", "N": "12", "R": "ab##c#"}

--@test: extractjsonfield
CREATE STREAM input (id STRING KEY, j STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, EXTRACTJSONFIELD(j, '$.a.b') AS b FROM input;
--@input: INPUT {"key": "1", "value": {"j": "{\"a\": {\"b\": \"x\"}}"}}
--@output: OUTPUT {"ID": "1", "B": "x"}

--@test: date functions
CREATE STREAM input (id STRING KEY, d DATE, ts TIMESTAMP) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, UNIX_DATE(d) AS ud, UNIX_TIMESTAMP(ts) AS ut, FORMAT_DATE(d, 'yyyy/MM/dd') AS fd, PARSE_DATE('2021-02-03', 'yyyy-MM-dd') AS pd FROM input;
--@input: INPUT {"key": "1", "value": {"d": 18690, "ts": 1609502400000}}
--@output: OUTPUT {"ID": "1", "UD": 18690, "UT": 1609502400000, "FD": "2021/03/04", "PD": "2021-02-03"}

--@test: explode
CREATE STREAM input (id STRING KEY, a ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, EXPLODE(a) AS v FROM input;
--@input: INPUT {"key": "1", "value": {"a": [1, 2]}}
--@output: OUTPUT {"ID": "1", "V": 1}
--@output: OUTPUT {"ID": "1", "V": 2}

--@test: count of column skips nulls
CREATE STREAM input (id STRING KEY, g STRING, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT g, COUNT(v) AS n, COUNT(*) AS all_n FROM input GROUP BY g;
--@input: INPUT {"key": "1", "value": {"g": "a", "v": null}}
--@input: INPUT {"key": "2", "value": {"g": "a", "v": 1}}
--@output: OUTPUT {"G": "a", "N": 1, "ALL_N": 2}

--@test: having
CREATE STREAM input (id STRING KEY, g STRING) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT g, COUNT(*) AS n FROM input GROUP BY g HAVING COUNT(*) > 1;
--@input: INPUT {"key": "1", "value": {"g": "a"}}
--@input: INPUT {"key": "2", "value": {"g": "a"}}
--@input: INPUT {"key": "3", "value": {"g": "b"}}
--@output: OUTPUT {"G": "a", "N": 2}

--@test: struct star
CREATE STREAM input (id STRING KEY, s STRUCT<a INT, b STRING>) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, s->* FROM input;
--@input: INPUT {"key": "1", "value": {"s": {"a": 1, "b": "x"}}}
--@output: OUTPUT {"ID": "1", "A": 1, "B": "x"}

--@test: timestamp column as rowtime
CREATE STREAM input (id STRING KEY, ts BIGINT) WITH (kafka_topic='t', value_format='JSON', timestamp='ts');
CREATE STREAM output AS SELECT id, ROWTIME AS rt FROM input;
--@input: INPUT {"key": "1", "value": {"ts": 42}, "timestamp": 7}
--@output: OUTPUT {"ID": "1", "RT": 42}

--@test: emit final tumbling
CREATE STREAM input (id STRING KEY, v INT) WITH (kafka_topic='t', value_format='JSON');
CREATE TABLE output AS SELECT id, COUNT(*) AS n FROM input WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY id EMIT FINAL;
--@input: INPUT {"key": "a", "value": {"v": 1}, "timestamp": 1000}
--@input: INPUT {"key": "a", "value": {"v": 1}, "timestamp": 12000}
--@output: OUTPUT {"ID": "a", "WINDOWSTART": 0, "WINDOWEND": 10000, "N": 1}

--@test: coalesce and ifnull
CREATE STREAM input (id STRING KEY, a INT, b INT) WITH (kafka_topic='t', value_format='JSON');
CREATE STREAM output AS SELECT id, COALESCE(a, b, 0) AS c, IFNULL(a, -1) AS i FROM input;
--@input: INPUT {"key": "1", "value": {"a": null, "b": 5}}
--@output: OUTPUT {"ID": "1", "C": 5, "I": -1}

--@test: three-way join
CREATE STREAM a (id INT KEY, x INT) WITH (kafka_topic='a', value_format='JSON');
CREATE TABLE b (id INT PRIMARY KEY, y INT) WITH (kafka_topic='b', value_format='JSON');
CREATE TABLE c (id INT PRIMARY KEY, z INT) WITH (kafka_topic='c', value_format='JSON');
CREATE STREAM output AS SELECT a.id, x, y, z FROM a JOIN b ON a.id = b.id JOIN c ON a.id = c.id;
--@input: B {"key": 1, "value": {"y": 2}}
--@input: C {"key": 1, "value": {"z": 3}}
--@input: A {"key": 1, "value": {"x": 1}}
--@output: OUTPUT {"A_ID": 1, "X": 1, "Y": 2, "Z": 3}
