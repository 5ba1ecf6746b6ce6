"""Redis: pipelines, MULTI/EXEC transactions, WATCH, Lua scripts, pub/sub and streams."""

import threading
import time

import pytest
import redis


def test_pipeline_batches_commands_and_returns_every_reply(rds, key):
    pipe = rds.pipeline(transaction=False)
    for i in range(100):
        pipe.set(key(f"p:{i}"), i)
    pipe.get(key("p:42"))
    pipe.dbsize()
    replies = pipe.execute()
    assert replies[:100] == [True] * 100
    assert replies[100] == "42"
    assert replies[101] >= 100


def test_multi_exec_applies_all_commands_atomically(rds, key):
    with rds.pipeline(transaction=True) as pipe:
        pipe.incrby(key("balance:a"), -30)
        pipe.incrby(key("balance:b"), 30)
        pipe.get(key("balance:a"))
        assert pipe.execute() == [-30, 30, "-30"]


def test_transaction_replies_contain_command_errors(rds, key):
    rds.set(key("text"), "not a number")
    with rds.pipeline(transaction=True) as pipe:
        pipe.incr(key("text"))
        pipe.set(key("after"), "still applied")
        replies = pipe.execute(raise_on_error=False)
    assert isinstance(replies[0], redis.ResponseError)
    # Redis does not roll back: the command after the failing one ran.
    assert rds.get(key("after")) == "still applied"


def test_watch_aborts_when_the_key_changes(rds, redis_url, key):
    stock = key("stock")
    rds.set(stock, 10)
    other = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        with rds.pipeline() as pipe:
            pipe.watch(stock)
            current = int(pipe.get(stock))
            other.decr(stock)  # a concurrent buyer
            pipe.multi()
            pipe.set(stock, current - 1)
            with pytest.raises(redis.WatchError):
                pipe.execute()
    finally:
        other.close()
    assert rds.get(stock) == "9"


def test_lua_script_compare_and_set_is_atomic(rds, key):
    compare_and_set = rds.register_script(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then "
        "  redis.call('SET', KEYS[1], ARGV[2]) return 1 "
        "end return 0"
    )
    rds.set(key("version"), "v1")
    assert compare_and_set(keys=[key("version")], args=["v1", "v2"]) == 1
    assert compare_and_set(keys=[key("version")], args=["v1", "v3"]) == 0
    assert rds.get(key("version")) == "v2"
    assert rds.script_exists(compare_and_set.sha) == [True]


def test_lua_eval_sums_a_hash(rds, key):
    rds.hset(key("totals"), mapping={"a": 5, "b": 7, "c": 30})
    script = (
        "local sum = 0 "
        "for _, v in ipairs(redis.call('HVALS', KEYS[1])) do sum = sum + tonumber(v) end "
        "return sum"
    )
    assert rds.eval(script, 1, key("totals")) == 42


def _next_message(pubsub, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
        if message is not None:
            return message
    return None


def test_pubsub_delivers_to_subscribers(rds, key):
    pubsub = rds.pubsub()
    try:
        pubsub.subscribe(key("orders"))
        assert pubsub.get_message(timeout=2)["type"] == "subscribe"
        assert rds.publish(key("orders"), "order 42 paid") == 1
        message = _next_message(pubsub)
    finally:
        pubsub.close()
    assert message["channel"] == key("orders")
    assert message["data"] == "order 42 paid"


def test_pattern_subscription_matches_several_channels(rds, key):
    pubsub = rds.pubsub()
    try:
        pubsub.psubscribe(key("shop:*"))
        assert pubsub.get_message(timeout=2)["type"] == "psubscribe"
        rds.publish(key("shop:eu"), "hello eu")
        rds.publish(key("elsewhere"), "not for us")
        rds.publish(key("shop:us"), "hello us")
        received = [_next_message(pubsub), _next_message(pubsub)]
        extra = _next_message(pubsub, timeout=0.3)
    finally:
        pubsub.close()
    assert [(m["channel"], m["data"]) for m in received] == [
        (key("shop:eu"), "hello eu"),
        (key("shop:us"), "hello us"),
    ]
    assert extra is None


def test_stream_append_and_range(rds, key):
    stream = key("events")
    ids = [rds.xadd(stream, {"kind": "view", "n": i}) for i in range(5)]
    assert rds.xlen(stream) == 5
    entries = rds.xrange(stream, min=ids[1], max=ids[3])
    assert [entry_id for entry_id, _ in entries] == ids[1:4]
    assert entries[0][1] == {"kind": "view", "n": "1"}


def test_stream_blocking_read_wakes_on_new_entry(rds, redis_url, key):
    stream = key("feed")
    writer = redis.Redis.from_url(redis_url, decode_responses=True)
    timer = threading.Timer(0.3, lambda: writer.xadd(stream, {"msg": "late"}))
    started = time.monotonic()
    timer.start()
    try:
        result = rds.xread({stream: "$"}, block=5000, count=1)
    finally:
        timer.join()
        writer.close()
    elapsed = time.monotonic() - started
    assert result[0][0] == stream
    assert result[0][1][0][1] == {"msg": "late"}
    assert 0.25 <= elapsed < 4.0


def test_consumer_group_delivers_each_entry_once_and_tracks_acks(rds, key):
    stream, group = key("jobs"), "workers"
    rds.xgroup_create(stream, group, id="0", mkstream=True)
    for i in range(4):
        rds.xadd(stream, {"job": i})
    first = rds.xreadgroup(group, "w1", {stream: ">"}, count=2)[0][1]
    second = rds.xreadgroup(group, "w2", {stream: ">"}, count=10)[0][1]
    assert [f["job"] for _, f in first] == ["0", "1"]
    assert [f["job"] for _, f in second] == ["2", "3"]
    assert rds.xpending(stream, group)["pending"] == 4
    assert rds.xack(stream, group, *[entry_id for entry_id, _ in first]) == 2
    pending = rds.xpending(stream, group)
    assert pending["pending"] == 2
    assert pending["consumers"] == [{"name": "w2", "pending": 2}]


def test_idle_pending_entries_can_be_claimed_by_another_consumer(rds, key):
    stream, group = key("tasks"), "workers"
    rds.xgroup_create(stream, group, id="$", mkstream=True)
    entry_id = rds.xadd(stream, {"task": "resize"})
    rds.xreadgroup(group, "crashed", {stream: ">"})
    assert rds.xautoclaim(stream, group, "rescuer", min_idle_time=200)[1] == []
    time.sleep(0.3)
    claimed = rds.xautoclaim(stream, group, "rescuer", min_idle_time=200)[1]
    assert claimed == [(entry_id, {"task": "resize"})]
