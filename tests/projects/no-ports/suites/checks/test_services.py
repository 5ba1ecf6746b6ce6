import os

import psycopg2
import redis


def test_postgres_answers():
    with psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=5) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 41 + 1")
            assert cursor.fetchone()[0] == 42


def test_redis_answers():
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)
    assert client.ping()
    client.set("shard", os.environ["ORCHESTRATE_SHARD_INDEX"])
    assert client.get("shard").decode() == os.environ["ORCHESTRATE_SHARD_INDEX"]
