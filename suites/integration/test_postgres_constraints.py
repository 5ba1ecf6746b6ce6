"""Postgres: constraints raise the matching psycopg2 errors; cascades and deferred checks."""

import psycopg2.errors
import pytest


@pytest.fixture
def shop_schema(pg):
    """Committed tables customers and orders with every kind of constraint."""
    with pg.cursor() as cur:
        cur.execute(
            "CREATE TABLE customers ("
            "  id int PRIMARY KEY,"
            "  email text NOT NULL UNIQUE,"
            "  age int CHECK (age >= 18))"
        )
        cur.execute(
            "CREATE TABLE orders ("
            "  id int PRIMARY KEY,"
            "  customer_id int NOT NULL REFERENCES customers (id) ON DELETE CASCADE,"
            "  total_cents int NOT NULL CHECK (total_cents > 0))"
        )
        cur.execute("INSERT INTO customers VALUES (1, 'ada@example.com', 36)")
    pg.commit()
    return pg


# (statement, the psycopg2 error it must raise, the diagnostic field naming the culprit, its value)
_VIOLATIONS = {
    "unique": (
        "INSERT INTO customers VALUES (2, 'ada@example.com', 40)",
        psycopg2.errors.UniqueViolation, "constraint_name", "customers_email_key",
    ),
    "primary-key": (
        "INSERT INTO customers VALUES (1, 'other@example.com', 40)",
        psycopg2.errors.UniqueViolation, "constraint_name", "customers_pkey",
    ),
    "foreign-key": (
        "INSERT INTO orders VALUES (1, 999, 100)",
        psycopg2.errors.ForeignKeyViolation, "constraint_name", "orders_customer_id_fkey",
    ),
    "check": (
        "INSERT INTO customers VALUES (2, 'kid@example.com', 12)",
        psycopg2.errors.CheckViolation, "constraint_name", "customers_age_check",
    ),
    "check-on-child": (
        "INSERT INTO orders VALUES (1, 1, 0)",
        psycopg2.errors.CheckViolation, "constraint_name", "orders_total_cents_check",
    ),
    "not-null": (
        "INSERT INTO customers VALUES (2, NULL, 30)",
        psycopg2.errors.NotNullViolation, "column_name", "email",
    ),
}


@pytest.mark.parametrize("violation", list(_VIOLATIONS))
def test_violation_raises_the_matching_error(shop_schema, violation):
    statement, error_type, field, culprit = _VIOLATIONS[violation]
    with shop_schema.cursor() as cur:
        with pytest.raises(error_type) as error:
            cur.execute(statement)
    assert getattr(error.value.diag, field) == culprit
    # The failed statement aborted the transaction, but the committed rows are intact.
    shop_schema.rollback()
    with shop_schema.cursor() as cur:
        cur.execute("SELECT count(*) FROM customers")
        assert cur.fetchone()[0] == 1


def test_delete_cascades_to_orders(shop_schema):
    with shop_schema.cursor() as cur:
        cur.execute("INSERT INTO orders VALUES (1, 1, 500), (2, 1, 700)")
        cur.execute("DELETE FROM customers WHERE id = 1")
        cur.execute("SELECT count(*) FROM orders")
        assert cur.fetchone()[0] == 0


def test_deferred_constraint_is_checked_at_commit(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE parents (id int PRIMARY KEY)")
        cur.execute(
            "CREATE TABLE children (id int PRIMARY KEY, parent_id int "
            "REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    pg.commit()
    with pg.cursor() as cur:
        # Child first, parent later: fine, the check runs at commit.
        cur.execute("INSERT INTO children VALUES (1, 10)")
        cur.execute("INSERT INTO parents VALUES (10)")
    pg.commit()
    with pg.cursor() as cur:
        cur.execute("INSERT INTO children VALUES (2, 20)")
    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
        pg.commit()


def test_unique_expression_index_ignores_case(pg):
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE accounts (email text NOT NULL)")
        cur.execute("CREATE UNIQUE INDEX accounts_email_lower ON accounts (lower(email))")
        cur.execute("INSERT INTO accounts VALUES ('Grace@Example.com')")
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO accounts VALUES ('grace@example.COM')")
