"""Postgres: schema setup, inserts, queries and type round trips."""

import datetime
import decimal
import io
import uuid

import psycopg2.extras


def test_server_is_postgres_15(pg):
    with pg.cursor() as cur:
        cur.execute("SHOW server_version_num")
        version = int(cur.fetchone()[0])
    assert 150000 <= version < 160000


def test_test_connection_uses_its_own_schema(pg, pg_schema):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE probe (id int)")
        cur.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe'"
        )
        schemas = [row[0] for row in cur.fetchall()]
    assert pg_schema in schemas


def test_insert_then_select_returns_rows_in_order(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE products (id serial PRIMARY KEY, name text, price_cents int)")
        cur.execute(
            "INSERT INTO products (name, price_cents) VALUES (%s, %s), (%s, %s), (%s, %s)",
            ("mug", 900, "shirt", 2500, "sticker", 150),
        )
        cur.execute("SELECT name, price_cents FROM products ORDER BY price_cents")
        rows = cur.fetchall()
    assert rows == [("sticker", 150), ("mug", 900), ("shirt", 2500)]


def test_executemany_and_aggregates(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE orders (id int PRIMARY KEY, customer text, total int)")
        rows = [(i, f"c{i % 3}", i * 10) for i in range(1, 31)]
        cur.executemany("INSERT INTO orders VALUES (%s, %s, %s)", rows)
        cur.execute(
            "SELECT customer, count(*), sum(total) FROM orders GROUP BY customer ORDER BY customer"
        )
        result = cur.fetchall()
    assert result == [("c0", 10, 1650), ("c1", 10, 1450), ("c2", 10, 1550)]


def test_update_returning_reports_changed_rows(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE stock (sku text PRIMARY KEY, quantity int NOT NULL)")
        cur.execute("INSERT INTO stock VALUES ('a', 5), ('b', 0), ('c', 7)")
        cur.execute(
            "UPDATE stock SET quantity = quantity - 1 WHERE quantity > 0 "
            "RETURNING sku, quantity"
        )
        changed = sorted(cur.fetchall())
        assert cur.rowcount == 2
    assert changed == [("a", 4), ("c", 6)]


def test_delete_using_join(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE customers (id int PRIMARY KEY, banned bool)")
        cur.execute("CREATE TABLE carts (id int PRIMARY KEY, customer_id int)")
        cur.execute("INSERT INTO customers VALUES (1, false), (2, true), (3, true)")
        cur.execute("INSERT INTO carts VALUES (10, 1), (20, 2), (30, 3), (40, 1)")
        cur.execute(
            "DELETE FROM carts USING customers "
            "WHERE carts.customer_id = customers.id AND customers.banned"
        )
        assert cur.rowcount == 2
        cur.execute("SELECT id FROM carts ORDER BY id")
        assert [row[0] for row in cur.fetchall()] == [10, 40]


def test_parameters_are_passed_as_data_not_sql(pg):
    hostile = "'); DROP TABLE notes; --"
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE notes (body text)")
        cur.execute("INSERT INTO notes VALUES (%s)", (hostile,))
        cur.execute("SELECT body FROM notes")
        assert cur.fetchone()[0] == hostile
        cur.execute("SELECT count(*) FROM notes")
        assert cur.fetchone()[0] == 1


def test_types_round_trip(pg):
    values = (
        decimal.Decimal("12345.6789"),
        datetime.date(2024, 2, 29),
        datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        [1, 2, 3],
        b"\x00\xffbinary",
        None,
    )
    psycopg2.extras.register_uuid(conn_or_curs=pg)
    with pg.cursor() as cur:
        cur.execute(
            "CREATE TABLE typed (n numeric(12, 4), d date, ts timestamptz, u uuid, a int[], "
            "b bytea, nothing text)"
        )
        cur.execute("INSERT INTO typed VALUES (%s, %s, %s, %s, %s, %s, %s)", values)
        cur.execute("SELECT * FROM typed")
        row = cur.fetchone()
    assert row[:5] == values[:5]
    assert bytes(row[5]) == values[5]
    assert row[6] is None


def test_copy_bulk_loads_thousands_of_rows(pg):
    data = io.StringIO("".join(f"{i}\titem-{i}\n" for i in range(5000)))
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE items (id int, label text)")
        cur.copy_expert("COPY items FROM STDIN", data)
        cur.execute("SELECT count(*), max(id), min(label) FROM items")
        assert cur.fetchone() == (5000, 4999, "item-0")


def test_server_side_cursor_streams_in_batches(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE numbers AS SELECT g AS n FROM generate_series(1, 2000) g")
    with pg.cursor(name="stream") as named:
        named.itersize = 100
        named.execute("SELECT n FROM numbers ORDER BY n")
        total = sum(row[0] for row in named)
    assert total == 2000 * 2001 // 2


def test_window_functions_rank_within_groups(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE scores (team text, player text, points int)")
        cur.execute(
            "INSERT INTO scores VALUES ('red', 'a', 10), ('red', 'b', 30), ('red', 'c', 20), "
            "('blue', 'd', 5), ('blue', 'e', 50)"
        )
        cur.execute(
            "SELECT player FROM (SELECT player, "
            "rank() OVER (PARTITION BY team ORDER BY points DESC) AS r FROM scores) ranked "
            "WHERE r = 1 ORDER BY player"
        )
        assert [row[0] for row in cur.fetchall()] == ["b", "e"]


def test_recursive_cte_walks_a_category_tree(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE categories (id int PRIMARY KEY, parent int, name text)")
        cur.execute(
            "INSERT INTO categories VALUES (1, NULL, 'all'), (2, 1, 'clothes'), "
            "(3, 2, 'shirts'), (4, 3, 'polo'), (5, 1, 'books')"
        )
        cur.execute(
            "WITH RECURSIVE path(id, parent, name, depth) AS ("
            "  SELECT id, parent, name, 0 FROM categories WHERE id = 4"
            "  UNION ALL"
            "  SELECT c.id, c.parent, c.name, p.depth + 1"
            "  FROM categories c JOIN path p ON c.id = p.parent"
            ") SELECT name FROM path ORDER BY depth DESC"
        )
        assert [row[0] for row in cur.fetchall()] == ["all", "clothes", "shirts", "polo"]


def test_upsert_on_conflict_updates_existing_row(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE counters (name text PRIMARY KEY, hits int NOT NULL)")
        for _ in range(3):
            cur.execute(
                "INSERT INTO counters VALUES ('home', 1) "
                "ON CONFLICT (name) DO UPDATE SET hits = counters.hits + 1"
            )
        cur.execute("SELECT hits FROM counters WHERE name = 'home'")
        assert cur.fetchone()[0] == 3
