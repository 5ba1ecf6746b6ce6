"""The environment the orchestrator hands to a shard."""

import os
import urllib.parse

import pytest


def test_shard_index_is_within_the_shard_count():
    index = os.environ.get("ORCHESTRATE_SHARD_INDEX")
    if index is None:
        pytest.skip("ORCHESTRATE_SHARD_INDEX is not set (not run by orchestrate)")
    count = int(os.environ["ORCHESTRATE_SHARD_COUNT"])
    assert count >= 1
    assert 1 <= int(index) <= count


def test_service_urls_point_at_published_ports(database_url, redis_url):
    database = urllib.parse.urlsplit(database_url)
    cache = urllib.parse.urlsplit(redis_url)
    assert database.scheme == "postgresql"
    assert cache.scheme == "redis"
    assert database.hostname and cache.hostname
    # Each service has its own mapped port.
    assert database.port and cache.port and database.port != cache.port
