"""Kill the shop and the marketplace at random, tear connections, then check the invariants.

A few short scenarios here; ``bench/soak_crash.py`` runs hundreds.
"""

import pytest

from tests.faults.crashlab import run_scenario


@pytest.mark.parametrize("seed", [11, 23])
def test_random_kills_lose_and_double_nothing(seed, tmp_path):
    result = run_scenario(seed, duration=4.0, workdir=tmp_path)
    assert result.shop_kills >= 2
    assert result.counter_changes > 0 and result.online_orders > 0
    assert result.violations == []
