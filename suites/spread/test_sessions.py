"""Sessions in Redis: a hash with a time to live, then a wait on the session's empty event
queue, then the session is still there."""

import pytest

DURATIONS = [0.05, 0.07, 0.1, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0]


@pytest.mark.parametrize("seconds", DURATIONS,
                         ids=[f"session{i:02d}" for i in range(len(DURATIONS))])
def test_session_outlives_a_wait_on_its_queue(cache, prefix, redis_wait, seconds):
    session = f"{prefix}:session"
    cache.hset(session, mapping={"user": "ada", "cart": "3"})
    cache.expire(session, 60)
    redis_wait(f"{prefix}:events", seconds)
    assert cache.hgetall(session) == {"user": "ada", "cart": "3"}
    assert 0 < cache.ttl(session) <= 60
