"""The print crash lab, two quick scenarios; ``bench/soak_print.py`` runs hundreds."""

import json

import pytest

from tests.faults.printlab import run_print_scenario


@pytest.mark.parametrize("seed", [5, 17])
def test_printer_faults_lose_and_silently_double_no_ticket(seed, tmp_path):
    result = run_print_scenario(seed, tmp_path, duration=2.5)
    assert result.orders > 0 and sum(result.faults.values()) > 0
    assert result.connections > result.orders  # faults made the queue try again
    assert result.violations == []
    actions = [json.loads(line) for line in (tmp_path / "actions.jsonl").read_text().splitlines()]
    assert actions[0]["action"] == "start" and actions[-1]["action"] == "checked"
    assert sum(a["action"] == "order" for a in actions) == result.orders
