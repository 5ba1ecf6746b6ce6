import os

import psycopg2


def query(sql):
    with psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=5) as connection:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()


def test_the_migration_created_the_orders_table():
    assert query("SELECT sku FROM orders ORDER BY id")[:1] == [("seeded",)]


def test_orders_can_be_added():
    query("INSERT INTO orders (sku) VALUES ('shard-%s') RETURNING id" % os.environ["ORCHESTRATE_SHARD_INDEX"])
