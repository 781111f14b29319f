-- The fake people that `streamduck generate people` produces (see producers/people.py), keyed by id.
CREATE STREAM fake_people (
  id STRING KEY,
  title STRING,
  name STRING,
  first_name STRING,
  last_name STRING,
  email STRING,
  phone STRING,
  address STRUCT<street STRING, city STRING, postcode STRING, country STRING>,
  job STRING,
  company STRING,
  birthdate DATE,
  created_at TIMESTAMP
) WITH (kafka_topic='fake_people', value_format='JSON', partitions=3, replicas=1);
