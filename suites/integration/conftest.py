"""Fixtures shared by the integration tests.

The services come from the environment the orchestrator exports for the suite's fixtures:
DATABASE_URL (fixtures/postgres.yaml) and REDIS_URL (fixtures/redis.yaml). Tests of one shard run
one after another against the same stack, and shards run in parallel against stacks of their own,
so every test works in a namespace of its own: a Postgres schema and a Redis key prefix derived from
the test's name plus a random suffix, both removed after the test.
"""

import os
import re
import uuid

import psycopg2
import pytest
import redis

# Bounds every statement and lock wait, so a test that goes wrong fails instead of hanging the
# shard until the orchestrator's test timeout.
_SESSION_OPTIONS = "-c statement_timeout=10000 -c lock_timeout=5000"


def _required_env(name, fixture):
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run this suite through orchestrate (it starts the '{fixture}' "
            f"fixture and exports {name}), or export {name} yourself",
            pytrace=False,
        )
    return value


@pytest.fixture(scope="session")
def database_url():
    return _required_env("DATABASE_URL", "postgres")


@pytest.fixture(scope="session")
def redis_url():
    return _required_env("REDIS_URL", "redis")


@pytest.fixture
def namespace(request):
    """A name unique to this test run: lowercase, a valid SQL identifier and Redis key prefix."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    # Postgres truncates identifiers at 63 bytes; leave room for the suffix.
    return f"t_{slug[:48]}_{uuid.uuid4().hex[:8]}"


def _connect(database_url, application_name, search_path=None):
    options = _SESSION_OPTIONS
    if search_path:
        options += f" -c search_path={search_path}"
    return psycopg2.connect(database_url, options=options, application_name=application_name)


@pytest.fixture
def pg_schema(database_url, namespace):
    """Creates a schema for this test and drops it, with everything in it, afterwards."""
    admin = _connect(database_url, "orchestrate-admin")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE SCHEMA {namespace}")
        yield namespace
        with admin.cursor() as cur:
            cur.execute(f"DROP SCHEMA {namespace} CASCADE")
    finally:
        admin.close()


@pytest.fixture
def pg_connect(database_url, pg_schema):
    """A factory of extra connections (autocommit off, search_path = the test's schema).

    Every connection it made is rolled back and closed before the schema is dropped.
    """
    connections = []

    def connect():
        connection = _connect(database_url, pg_schema[:60], search_path=pg_schema)
        connections.append(connection)
        return connection

    yield connect
    for connection in connections:
        if not connection.closed:
            connection.rollback()
            connection.close()


@pytest.fixture
def pg(pg_connect):
    """A psycopg2 connection in a transaction (autocommit off) whose tables live in the test's
    own schema; closed after the test."""
    connection = pg_connect()
    assert connection.autocommit is False
    return connection


@pytest.fixture
def rds(redis_url, namespace):
    """A Redis client that returns str; every key under the test's prefix is deleted afterwards."""
    client = redis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=10)
    yield client
    keys = list(client.scan_iter(match=f"{namespace}:*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def key(namespace):
    """Makes Redis key names under the test's prefix: key("cart") -> "<namespace>:cart"."""
    return lambda suffix: f"{namespace}:{suffix}"
