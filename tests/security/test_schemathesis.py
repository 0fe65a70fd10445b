"""The OpenAPI schema and the running server agree (issue 12, point 7).

schemathesis (its CLI, as CI would run it) against a real server on loopback:
every check (`-c all`), valid and invalid data (`--mode all`), all phases
(examples, coverage, fuzzing, stateful), a fixed seed, a few hundred cases per
operation, bounded in time. Any finding fails the test, its report printed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from marketplace.embedded import EmbeddedMarketplace
from sync.protocol import MAX_WAIT_SECONDS

pytestmark = pytest.mark.slow

CASES_PER_OPERATION = 200
TIME_BUDGET_S = 200  # measured: ~9,000 cases over 12 operations fit in it on a shared 2-core box
# These two change the very token the run authenticates with: tested apart, with their own.
TOKEN_KILLERS = ("revokeSelf", "rotateSelf")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedMarketplace]:
    market = EmbeddedMarketplace(tmp_path_factory.mktemp("schemathesis") / "m.db",
                                 settings={"payment_secret": "secret-de-test"})
    market.start()
    # Both tokens now: the run's wrong pairing codes lock this address out of pairing.
    market.tokens = [_token(market), _token(market)]  # type: ignore[attr-defined]
    yield market
    market.stop()


def _token(market: EmbeddedMarketplace) -> str:
    shop_id, code = market.seed_demo_shop()  # "shop_demo_zoe", the schema's example
    answer = httpx.post(f"{market.url}/v1/pair", json={"pairing_code": code})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["device_token"])


def _schemathesis(market: EmbeddedMarketplace, token: str, *selection: str,
                  cases: int = CASES_PER_OPERATION,
                  budget_s: int = TIME_BUDGET_S) -> subprocess.CompletedProcess[str]:
    """The CLI in the database's folder (it keeps a .schemathesis/ folder where it runs)."""
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) \
        or shutil.which("schemathesis")
    assert exe, "schemathesis is a test dependency (pyproject.toml)"
    return subprocess.run(
        [exe, "run", f"{market.url}/v1/openapi.json", "--checks", "all", "--mode", "all",
         "--seed", "42", "--max-examples", str(cases), "--max-time", str(budget_s),
         "--generation-database", "none", "--request-timeout", "35",
         # A long-poll holds up to MAX_WAIT_SECONDS (30 s) by design: that is its time limit.
         "--max-response-time", str(MAX_WAIT_SECONDS + 5),
         "--header", f"Authorization: Bearer {token}", "--no-color", *selection],
        capture_output=True, text=True, timeout=budget_s + 120, check=False,
        cwd=market.db_path.parent)


def _assert_clean(run: subprocess.CompletedProcess[str]) -> None:
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-20000:]
    assert "No issues found" in report or " passed" in report, report[-5000:]


def test_every_operation_agrees_with_the_schema(live):
    excluded = [arg for op in TOKEN_KILLERS for arg in ("--exclude-operation-id", op)]
    _assert_clean(_schemathesis(live, live.tokens[0], *excluded))


def test_token_operations_agree_with_the_schema(live):
    included = [arg for op in TOKEN_KILLERS for arg in ("--include-operation-id", op)]
    _assert_clean(_schemathesis(live, live.tokens[1], *included, cases=50, budget_s=60))
