"""Fixtures of the spread suite: one Postgres connection and one Redis client per process, a
schema per test module (shared by its tests, dropped after its last one) and a Redis key prefix
per test (deleted after it). DATABASE_URL and REDIS_URL come from the suite's fixtures.

Every test takes a known time, spent in the services (pg_sleep, BLPOP with a timeout) rather than
in the test process, as a test waiting on a query or a queue would.
"""

import os
import uuid

import psycopg2
import pytest
import redis


def _service_url(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this suite through orchestrate (or export {name})",
                    pytrace=False)
    return value


@pytest.fixture(scope="session")
def database():
    connection = psycopg2.connect(_service_url("DATABASE_URL"), application_name="spread")
    connection.autocommit = True
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def cache():
    client = redis.Redis.from_url(_service_url("REDIS_URL"), decode_responses=True,
                                  socket_timeout=10)
    yield client
    client.close()


@pytest.fixture(scope="module")
def schema(database, request):
    """A schema for the module's tests, with the table `items` (name, quantity)."""
    name = f"spread_{request.module.__name__.rsplit('.', 1)[-1]}_{uuid.uuid4().hex[:8]}"
    with database.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {name}")
        cursor.execute(f"CREATE TABLE {name}.items (name text PRIMARY KEY, quantity int NOT NULL)")
    yield name
    with database.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def prefix(cache):
    """A Redis key prefix of this test's own; its keys are deleted afterwards."""
    value = f"spread:{uuid.uuid4().hex[:12]}"
    yield value
    keys = list(cache.scan_iter(match=f"{value}:*", count=500))
    if keys:
        cache.delete(*keys)


@pytest.fixture
def pg_wait(database):
    """pg_wait(seconds): waits in Postgres."""
    def wait(seconds):
        with database.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", (seconds,))
    return wait


@pytest.fixture
def redis_wait(cache):
    """redis_wait(key, seconds): waits on an empty list (Redis 6+ takes fractional timeouts)."""
    def wait(key, seconds):
        assert cache.blpop([key], timeout=seconds) is None
    return wait
