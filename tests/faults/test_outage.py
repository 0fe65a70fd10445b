"""Back fast after an outage, at production timings (``bench/soak_crash.py --outage`` runs
longer ones): the shop is whole again and a new order is in within 5 s of the return."""

from tests.faults.outage import RETURN_TARGET_S, run_outage


def test_back_within_seconds_after_an_outage_without_hammering(tmp_path):
    result = run_outage(8, outage_s=12.0, workdir=tmp_path, after_s=10.0)
    assert result.violations == []
    assert result.order_after_s is not None and result.order_after_s < RETURN_TARGET_S
    assert result.synced_after_s is not None and result.synced_after_s < RETURN_TARGET_S
    assert result.counter_changes > 5 and result.attempts_while_down > 0
