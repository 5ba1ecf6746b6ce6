"""Postgres: JSONB, indexes, concurrent connections, LISTEN/NOTIFY."""

import select
import threading
import time

import psycopg2.extras


def _plan(connection, query, params=()):
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + query, params)
        return "\n".join(row[0] for row in cur.fetchall())


def test_jsonb_operators_filter_and_extract(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE events (id serial, payload jsonb NOT NULL)")
        payloads = [
            {"kind": "view", "sku": "mug", "meta": {"mobile": True}},
            {"kind": "buy", "sku": "mug", "qty": 2},
            {"kind": "buy", "sku": "shirt", "qty": 1},
        ]
        cur.executemany(
            "INSERT INTO events (payload) VALUES (%s)",
            [(psycopg2.extras.Json(p),) for p in payloads],
        )
        cur.execute(
            "SELECT payload->>'sku', (payload->>'qty')::int FROM events "
            "WHERE payload @> '{\"kind\": \"buy\"}' ORDER BY 1"
        )
        assert cur.fetchall() == [("mug", 2), ("shirt", 1)]
        cur.execute("SELECT payload #>> '{meta,mobile}' FROM events WHERE payload ? 'meta'")
        assert cur.fetchone()[0] == "true"


def test_jsonb_set_updates_a_nested_value(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE carts (id int, doc jsonb)")
        cur.execute(
            "INSERT INTO carts VALUES (1, %s)",
            (psycopg2.extras.Json({"items": [{"sku": "mug", "qty": 1}]}),),
        )
        cur.execute("UPDATE carts SET doc = jsonb_set(doc, '{items,0,qty}', '5') WHERE id = 1")
        cur.execute("SELECT doc FROM carts")
        assert cur.fetchone()[0] == {"items": [{"sku": "mug", "qty": 5}]}


def test_gin_index_serves_jsonb_containment(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE docs (id int, body jsonb)")
        cur.execute(
            "INSERT INTO docs SELECT g, jsonb_build_object('tag', 't' || (g % 50)) "
            "FROM generate_series(1, 5000) g"
        )
        cur.execute("CREATE INDEX docs_body_gin ON docs USING gin (body)")
        cur.execute("ANALYZE docs")
        cur.execute("SELECT count(*) FROM docs WHERE body @> '{\"tag\": \"t7\"}'")
        assert cur.fetchone()[0] == 100
    assert "docs_body_gin" in _plan(pg, "SELECT * FROM docs WHERE body @> '{\"tag\": \"t7\"}'")


def test_btree_index_is_used_for_point_lookups(pg):
    with pg.cursor() as cur:
        cur.execute(
            "CREATE TABLE skus AS SELECT g AS id, md5(g::text) AS code "
            "FROM generate_series(1, 20000) g"
        )
        assert "Seq Scan" in _plan(pg, "SELECT * FROM skus WHERE code = %s", ("abc",))
        cur.execute("CREATE INDEX skus_code ON skus (code)")
        cur.execute("ANALYZE skus")
    assert "skus_code" in _plan(pg, "SELECT * FROM skus WHERE code = %s", ("abc",))


def test_partial_index_covers_only_matching_rows(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE jobs (id int, state text)")
        cur.execute(
            "INSERT INTO jobs SELECT g, CASE WHEN g % 100 = 0 THEN 'queued' ELSE 'done' END "
            "FROM generate_series(1, 10000) g"
        )
        cur.execute("CREATE INDEX jobs_queued ON jobs (id) WHERE state = 'queued'")
        cur.execute("ANALYZE jobs")
        cur.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass('jobs_queued')"
        )
        assert cur.fetchone()[0] == 100
    assert "jobs_queued" in _plan(pg, "SELECT id FROM jobs WHERE state = 'queued' AND id > 5")


def test_concurrent_connections_insert_without_losing_rows(pg, pg_connect):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE hits (worker int, n int)")
    pg.commit()
    workers = 6
    connections = [pg_connect() for _ in range(workers)]
    errors = []

    def work(index, connection):
        try:
            with connection.cursor() as cur:
                cur.executemany(
                    "INSERT INTO hits VALUES (%s, %s)", [(index, n) for n in range(100)]
                )
            connection.commit()
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=(i, c)) for i, c in enumerate(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    with pg.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT worker) FROM hits")
        assert cur.fetchone() == (workers * 100, workers)


def test_slow_queries_run_in_parallel_on_separate_backends(pg_connect):
    connections = [pg_connect() for _ in range(4)]
    pids = []

    def sleep(connection):
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid(), pg_sleep(2)")
            pids.append(cur.fetchone()[0])

    started = time.monotonic()
    threads = [threading.Thread(target=sleep, args=(c,)) for c in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    elapsed = time.monotonic() - started
    assert len(set(pids)) == 4
    # Four 2 s sleeps one after another would take 8 s.
    assert 2.0 <= elapsed < 5.0


def test_listen_notify_delivers_payload(pg, pg_connect, pg_schema):
    listener = pg_connect()
    listener.autocommit = True
    # Channel names are limited to 63 bytes: keep the schema's random suffix only.
    channel = f"events_{pg_schema[-8:]}"
    with listener.cursor() as cur:
        cur.execute(f"LISTEN {channel}")
    with pg.cursor() as cur:
        cur.execute("SELECT pg_notify(%s, %s)", (channel, "order:42"))
    pg.commit()
    deadline = time.monotonic() + 5
    while not listener.notifies and time.monotonic() < deadline:
        if select.select([listener], [], [], 0.5)[0]:
            listener.poll()
    assert [(n.channel, n.payload) for n in listener.notifies] == [(channel, "order:42")]
