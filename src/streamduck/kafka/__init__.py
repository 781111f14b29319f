"""Kafka clients (kafka-python 3) built from :class:`~streamduck.settings.Settings`."""
