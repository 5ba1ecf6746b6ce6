"""Postgres: transactions, rollback, savepoints, isolation and locks between connections."""

import time
import zlib

import psycopg2
import psycopg2.errors
import pytest


def _count(connection, table):
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return cur.fetchone()[0]


@pytest.fixture
def ledger(pg):
    """A committed, empty table `ledger` in the test's schema."""
    with pg.cursor() as cur:
        cur.execute("CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)")
    pg.commit()
    return "ledger"


def test_rollback_discards_inserts(pg, ledger):
    with pg.cursor() as cur:
        cur.execute("INSERT INTO ledger VALUES (1, 100), (2, 200)")
    assert _count(pg, ledger) == 2
    pg.rollback()
    assert _count(pg, ledger) == 0


def test_uncommitted_rows_are_invisible_to_other_connections(pg, pg_connect, ledger):
    other = pg_connect()
    with pg.cursor() as cur:
        cur.execute("INSERT INTO ledger VALUES (1, 100)")
    assert _count(other, ledger) == 0
    pg.commit()
    # Read committed: the other connection's next statement sees the commit.
    assert _count(other, ledger) == 1


def test_savepoint_rollback_keeps_earlier_work(pg, ledger):
    with pg.cursor() as cur:
        cur.execute("INSERT INTO ledger VALUES (1, 100)")
        cur.execute("SAVEPOINT before_second")
        cur.execute("INSERT INTO ledger VALUES (2, 200)")
        cur.execute("ROLLBACK TO SAVEPOINT before_second")
        cur.execute("INSERT INTO ledger VALUES (3, 300)")
    pg.commit()
    with pg.cursor() as cur:
        cur.execute("SELECT id FROM ledger ORDER BY id")
        assert [row[0] for row in cur.fetchall()] == [1, 3]


def test_savepoint_recovers_from_a_failed_statement(pg, ledger):
    with pg.cursor() as cur:
        cur.execute("INSERT INTO ledger VALUES (1, 100)")
        cur.execute("SAVEPOINT attempt")
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO ledger VALUES (1, 999)")
        cur.execute("ROLLBACK TO SAVEPOINT attempt")
        cur.execute("SELECT amount FROM ledger WHERE id = 1")
        assert cur.fetchone()[0] == 100


def test_error_aborts_the_transaction_until_rollback(pg, ledger):
    with pg.cursor() as cur:
        with pytest.raises(psycopg2.errors.DivisionByZero):
            cur.execute("SELECT 1 / 0")
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction):
            cur.execute("SELECT 1")
    pg.rollback()
    with pg.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone()[0] == 1


def test_serializable_write_skew_is_rejected(pg, pg_connect, ledger):
    with pg.cursor() as cur:
        cur.execute("INSERT INTO ledger VALUES (1, 50), (2, 50)")
    pg.commit()
    first, second = pg_connect(), pg_connect()
    for connection in (first, second):
        connection.set_session(isolation_level="SERIALIZABLE")
    # Each transaction reads the sum, then withdraws what it believes is available.
    with first.cursor() as a, second.cursor() as b:
        a.execute("SELECT sum(amount) FROM ledger")
        b.execute("SELECT sum(amount) FROM ledger")
        a.execute("UPDATE ledger SET amount = amount - 100 WHERE id = 1")
        b.execute("UPDATE ledger SET amount = amount - 100 WHERE id = 2")
    first.commit()
    with pytest.raises(psycopg2.errors.SerializationFailure):
        second.commit()


def test_select_for_update_nowait_fails_on_a_locked_row(pg, pg_connect, ledger):
    with pg.cursor() as cur:
        cur.execute("INSERT INTO ledger VALUES (1, 10)")
    pg.commit()
    holder, contender = pg_connect(), pg_connect()
    with holder.cursor() as cur:
        cur.execute("SELECT * FROM ledger WHERE id = 1 FOR UPDATE")
    with contender.cursor() as cur:
        with pytest.raises(psycopg2.errors.LockNotAvailable):
            cur.execute("SELECT * FROM ledger WHERE id = 1 FOR UPDATE NOWAIT")


def test_skip_locked_lets_workers_take_different_jobs(pg, pg_connect, ledger):
    with pg.cursor() as cur:
        cur.execute("INSERT INTO ledger SELECT g, 0 FROM generate_series(1, 3) g")
    pg.commit()
    claimed = []
    workers = [pg_connect() for _ in range(3)]
    for worker in workers:
        with worker.cursor() as cur:
            cur.execute(
                "SELECT id FROM ledger ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            )
            claimed.append(cur.fetchone()[0])
    assert claimed == [1, 2, 3]


def test_advisory_lock_is_exclusive_between_sessions(pg, pg_connect, pg_schema):
    other = pg_connect()
    lock_id = zlib.crc32(pg_schema.encode())
    with pg.cursor() as cur, other.cursor() as cur_other:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s)", (lock_id,))
        assert cur.fetchone()[0] is True
        cur_other.execute("SELECT pg_try_advisory_xact_lock(%s)", (lock_id,))
        assert cur_other.fetchone()[0] is False
        pg.commit()  # ends the transaction, which releases the lock
        cur_other.execute("SELECT pg_try_advisory_xact_lock(%s)", (lock_id,))
        assert cur_other.fetchone()[0] is True


def test_statement_timeout_cancels_a_slow_query(pg):
    with pg.cursor() as cur:
        cur.execute("SET LOCAL statement_timeout = '200ms'")
        started = time.monotonic()
        with pytest.raises(psycopg2.errors.QueryCanceled):
            cur.execute("SELECT pg_sleep(5)")
        elapsed = time.monotonic() - started
    assert 0.15 < elapsed < 2.0


def test_pg_sleep_blocks_for_the_requested_time(pg):
    started = time.monotonic()
    with pg.cursor() as cur:
        cur.execute(
            "SELECT pg_sleep(0.5), clock_timestamp() - statement_timestamp() >= interval '0.5 s'"
        )
        assert cur.fetchone()[1] is True
    assert time.monotonic() - started >= 0.5


def test_now_is_frozen_within_a_transaction(pg):
    with pg.cursor() as cur:
        cur.execute("SELECT now(), clock_timestamp()")
        first_now, first_clock = cur.fetchone()
        cur.execute("SELECT pg_sleep(0.2)")
        cur.execute("SELECT now(), clock_timestamp()")
        second_now, second_clock = cur.fetchone()
    assert second_now == first_now
    assert (second_clock - first_clock).total_seconds() >= 0.2
