"""Inventory in Postgres: a stock level updated in a transaction that holds its row lock while it
waits, then checked."""

import pytest

DURATIONS = [0.05, 0.06, 0.1, 0.15, 0.15, 0.2, 0.3, 0.3, 0.35, 0.45, 0.5, 0.7, 0.9, 1.1, 1.2]


@pytest.mark.parametrize("seconds", DURATIONS, ids=[f"sku{i:02d}" for i in range(len(DURATIONS))])
def test_stock_is_reserved_in_one_transaction(database, schema, pg_wait, seconds, request):
    sku = request.node.callspec.id
    with database.cursor() as cursor:
        cursor.execute(f"INSERT INTO {schema}.items VALUES (%s, 10)", (sku,))
        cursor.execute("BEGIN")
        cursor.execute(f"SELECT quantity FROM {schema}.items WHERE name = %s FOR UPDATE", (sku,))
        assert cursor.fetchone() == (10,)
        cursor.execute(f"UPDATE {schema}.items SET quantity = quantity - 3 WHERE name = %s", (sku,))
        pg_wait(seconds)
        cursor.execute("COMMIT")
        cursor.execute(f"SELECT quantity FROM {schema}.items WHERE name = %s", (sku,))
        assert cursor.fetchone() == (7,)
