"""Orders in Postgres: each test writes its own rows into the module's table, waits in the
database for its share of the suite's time, and checks what it wrote."""

import pytest

DURATIONS = [0.05, 0.05, 0.08, 0.1, 0.12, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2]


@pytest.mark.parametrize("seconds", DURATIONS, ids=[f"order{i:02d}" for i in range(len(DURATIONS))])
def test_order_rows_are_written_and_counted(database, schema, pg_wait, seconds, request):
    name = request.node.callspec.id
    with database.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {schema}.items VALUES (%s, %s)",
                           [(f"{name}-{line}", line) for line in range(1, 6)])
    pg_wait(seconds)
    with database.cursor() as cursor:
        cursor.execute(f"SELECT count(*), sum(quantity) FROM {schema}.items WHERE name LIKE %s",
                       (f"{name}-%",))
        assert cursor.fetchone() == (5, 15)
