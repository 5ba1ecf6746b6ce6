import pytest

from conftest import SHARD


# Twelve tests, spread over the shards by the orchestrator: each shard's first one claims its stack.
@pytest.mark.parametrize("order", range(12))
def test_reaches_only_its_own_stack(claimed, order):
    postgres_owners, redis_owner, redis_owners = claimed
    assert postgres_owners == [SHARD]
    assert redis_owner == SHARD
    assert redis_owners == [SHARD]
