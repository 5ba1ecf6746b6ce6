"""Redis: plain keys, counters, expiry and the server configuration of the test stack."""

import time


def test_set_then_get_round_trips_text(rds, key):
    assert rds.set(key("greeting"), "héllo wörld") is True
    assert rds.get(key("greeting")) == "héllo wörld"
    assert rds.get(key("missing")) is None


def test_counters_increment_atomically(rds, key):
    counter = key("visits")
    assert rds.incr(counter) == 1
    assert rds.incrby(counter, 41) == 42
    assert rds.decr(counter) == 41
    assert rds.incrbyfloat(counter, 0.5) == 41.5


def test_set_nx_and_xx_respect_existence(rds, key):
    name = key("lock")
    assert rds.set(name, "owner-a", nx=True) is True
    assert rds.set(name, "owner-b", nx=True) is None
    assert rds.set(key("absent"), "x", xx=True) is None
    assert rds.set(name, "owner-c", xx=True) is True
    assert rds.get(name) == "owner-c"


def test_expire_sets_a_bounded_ttl(rds, key):
    name = key("session")
    rds.set(name, "data")
    assert rds.ttl(name) == -1
    rds.expire(name, 30)
    assert 0 < rds.pttl(name) <= 30_000
    assert rds.persist(name) is True
    assert rds.ttl(name) == -1


def test_key_disappears_after_its_ttl(rds, key):
    name = key("short-lived")
    rds.set(name, "soon gone", px=1000)
    assert rds.exists(name) == 1
    time.sleep(1.1)
    assert rds.exists(name) == 0
    assert rds.get(name) is None


def test_mset_and_mget_handle_many_keys(rds, key):
    values = {key(f"item:{i}"): str(i * i) for i in range(20)}
    assert rds.mset(values) is True
    names = list(values) + [key("item:missing")]
    assert rds.mget(names) == list(values.values()) + [None]


def test_getdel_and_getset_return_the_old_value(rds, key):
    name = key("token")
    rds.set(name, "v1")
    assert rds.getset(name, "v2") == "v1"
    assert rds.getdel(name) == "v2"
    assert rds.exists(name) == 0


def test_scan_finds_exactly_the_keys_under_a_prefix(rds, key):
    for i in range(50):
        rds.set(key(f"scan:{i}"), i)
    rds.set(key("other"), 1)
    found = set(rds.scan_iter(match=key("scan:*"), count=100))
    assert found == {key(f"scan:{i}") for i in range(50)}


def test_rename_keeps_the_value_and_type(rds, key):
    rds.rpush(key("old"), "a", "b")
    rds.rename(key("old"), key("new"))
    assert rds.exists(key("old")) == 0
    assert rds.type(key("new")) == "list"
    assert rds.lrange(key("new"), 0, -1) == ["a", "b"]


def test_server_runs_as_a_bounded_cache_without_persistence(rds):
    info = rds.info("server")
    assert info["redis_version"].startswith("7.")
    assert rds.config_get("maxmemory")["maxmemory"] == str(64 * 1024 * 1024)
    assert rds.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    assert rds.config_get("save")["save"] == ""
    assert rds.config_get("appendonly")["appendonly"] == "no"
