"""Each shard's first test claims its stack: it writes the shard index into Redis and into a
Postgres table. Every later test of the shard checks that both still hold only its own index, so a
shard that reaches another shard's service (a wrong host port) fails instead of passing by luck."""

import os

import psycopg2
import pytest
import redis

# Unset during the central collection, which runs no test.
SHARD = os.environ.get("ORCHESTRATE_SHARD_INDEX", "")


@pytest.fixture(scope="session")
def db():
    connection = psycopg2.connect(
        os.environ["DATABASE_URL"], connect_timeout=5, options="-c statement_timeout=5000"
    )
    connection.autocommit = True
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def cache():
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)
    yield client
    client.close()


@pytest.fixture
def claimed(db, cache):
    """Claims the stack for this shard the first time, then returns what the stack holds."""
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS owner (shard text NOT NULL)")
        cursor.execute("SELECT count(*) FROM owner")
        if cursor.fetchone()[0] == 0:
            cursor.execute("INSERT INTO owner VALUES (%s)", (SHARD,))
        cursor.execute("SELECT shard FROM owner")
        postgres_owners = sorted(row[0] for row in cursor.fetchall())
    cache.setnx("owner", SHARD)
    cache.sadd("owners", SHARD)
    redis_owners = sorted(member.decode() for member in cache.smembers("owners"))
    return postgres_owners, cache.get("owner").decode(), redis_owners
