"""The print crash lab, two quick scenarios; ``bench/soak_print.py`` runs hundreds."""

import json

import pytest

from tests.faults.printlab import run_kill_mid_ticket, run_print_scenario


@pytest.mark.parametrize("seed", [5, 17])
def test_printer_faults_lose_and_silently_double_no_ticket(seed, tmp_path):
    result = run_print_scenario(seed, tmp_path, duration=2.5)
    assert result.orders > 0 and sum(result.faults.values()) > 0
    assert result.connections > result.orders  # faults made the queue try again
    assert result.violations == []
    actions = [json.loads(line) for line in (tmp_path / "actions.jsonl").read_text().splitlines()]
    assert actions[0]["action"] == "start" and actions[-1]["action"] == "checked"
    assert sum(a["action"] == "order" for a in actions) == result.orders


def test_app_killed_mid_ticket_then_the_paper_decides(tmp_path):
    """The queue in its own process, SIGKILLed while a slow printer prints each ticket;
    after each restart the start-up question is answered by looking at the paper."""
    result = run_kill_mid_ticket(tmp_path, orders=3)
    assert result.faults["app_kill"] == 3 and result.uncertain_answered >= 3
    assert result.violations == []
