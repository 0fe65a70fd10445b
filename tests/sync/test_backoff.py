"""The one backoff policy (sync engine and print queue)."""

import random

import pytest

from sync.backoff import Backoff


def test_full_jitter_stays_under_a_growing_capped_delay():
    backoff = Backoff(0.5, 3.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(50)]
    assert all(0.05 <= d <= 3.0 for d in delays)
    assert max(delays[:2]) <= 1.0  # 0.5, then 1.0: found quickly at first
    assert len(set(delays)) > 40  # spread: shops do not come back in step


def test_partial_jitter_keeps_most_of_the_delay_and_reset_starts_over():
    backoff = Backoff(1.0, 30.0, jitter=0.2, rng=random.Random(2))
    for _ in range(10):
        backoff.next_delay()
    assert 24.0 <= backoff.next_delay() <= 30.0  # capped, at most 20 % off
    backoff.reset()
    first, second, third = (backoff.next_delay() for _ in range(3))
    assert 0.8 <= first <= 1.0 and 1.6 <= second <= 2.0 and 3.2 <= third <= 4.0


def test_a_server_retry_after_wins():
    backoff = Backoff(0.5, 3.0, rng=random.Random(3))
    assert backoff.next_delay(at_least=20.0) == 20.0


def test_jitter_must_be_a_fraction():
    with pytest.raises(ValueError):
        Backoff(1.0, 2.0, jitter=1.5)
