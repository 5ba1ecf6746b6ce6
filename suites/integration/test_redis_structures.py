"""Redis: hashes, sorted sets, lists, sets, bitmaps and HyperLogLog."""

import time


def test_hash_fields_and_increments(rds, key):
    cart = key("cart")
    rds.hset(cart, mapping={"mug": 1, "shirt": 2})
    assert rds.hincrby(cart, "mug", 3) == 4
    assert rds.hgetall(cart) == {"mug": "4", "shirt": "2"}
    assert rds.hexists(cart, "shirt") is True
    assert rds.hdel(cart, "shirt", "missing") == 1
    assert rds.hlen(cart) == 1


def test_sorted_set_orders_by_score(rds, key):
    board = key("leaderboard")
    rds.zadd(board, {"ada": 30, "grace": 50, "linus": 10})
    assert rds.zrange(board, 0, -1) == ["linus", "ada", "grace"]
    assert rds.zrevrange(board, 0, 0, withscores=True) == [("grace", 50.0)]
    assert rds.zrank(board, "ada") == 1


def test_sorted_set_increments_and_ranges(rds, key):
    board = key("scores")
    rds.zadd(board, {f"p{i}": i for i in range(10)})
    assert rds.zincrby(board, 100, "p0") == 100.0
    assert rds.zrangebyscore(board, 3, 5) == ["p3", "p4", "p5"]
    assert rds.zremrangebyscore(board, "-inf", 4) == 4  # p1..p4
    assert rds.zcard(board) == 6
    assert rds.zrange(board, -1, -1) == ["p0"]


def test_list_works_as_a_queue(rds, key):
    queue = key("queue")
    rds.lpush(queue, "first", "second", "third")
    assert rds.llen(queue) == 3
    assert rds.rpop(queue) == "first"
    assert rds.lrange(queue, 0, -1) == ["third", "second"]


def test_blocking_pop_times_out_on_an_empty_list(rds, key):
    started = time.monotonic()
    assert rds.blpop([key("empty")], timeout=1) is None
    assert time.monotonic() - started >= 0.9


def test_set_algebra(rds, key):
    rds.sadd(key("likes:ada"), "tea", "chess", "math")
    rds.sadd(key("likes:alan"), "math", "running", "chess")
    assert rds.sinter(key("likes:ada"), key("likes:alan")) == {"chess", "math"}
    assert rds.sunion(key("likes:ada"), key("likes:alan")) == {
        "tea", "chess", "math", "running"
    }
    assert rds.sdiff(key("likes:ada"), key("likes:alan")) == {"tea"}


def test_bitmap_counts_active_days(rds, key):
    days = key("active-days")
    for day in (0, 3, 4, 30, 364):
        rds.setbit(days, day, 1)
    assert rds.bitcount(days) == 5
    assert rds.getbit(days, 4) == 1
    assert rds.getbit(days, 5) == 0
    assert rds.bitpos(days, 0) == 1  # the first day without activity


def test_hyperloglog_estimates_distinct_counts(rds, key):
    visitors = key("visitors")
    rds.pfadd(visitors, *[f"user-{i}" for i in range(5000)])
    rds.pfadd(visitors, *[f"user-{i}" for i in range(2500)])  # repeats do not count
    estimate = rds.pfcount(visitors)
    assert 4800 <= estimate <= 5200
