"""Reports across both services: an aggregate computed in Postgres (which takes its time) and
cached in Redis, then read back from the cache."""

import pytest

DURATIONS = [0.05, 0.05, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35, 0.45, 0.55, 0.65, 0.8, 0.95, 1.15]


@pytest.mark.parametrize("seconds", DURATIONS,
                         ids=[f"report{i:02d}" for i in range(len(DURATIONS))])
def test_report_is_computed_once_and_served_from_cache(database, schema, cache, prefix, pg_wait,
                                                       seconds, request):
    report = request.node.callspec.id
    with database.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {schema}.items VALUES (%s, %s)",
                           [(f"{report}-{n}", n * 10) for n in range(1, 4)])
    pg_wait(seconds)
    with database.cursor() as cursor:
        cursor.execute(f"SELECT sum(quantity) FROM {schema}.items WHERE name LIKE %s",
                       (f"{report}-%",))
        total = cursor.fetchone()[0]
    cache.set(f"{prefix}:{report}", total, ex=60)
    assert int(cache.get(f"{prefix}:{report}")) == total == 60
