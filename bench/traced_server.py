"""The marketplace server with probes, for ``bench_sync.py --trace`` (never in production).

    python bench/traced_server.py TRACE_FILE serve --db ... (same arguments as marketplace)

Writes one JSON line per event to TRACE_FILE (time = perf_counter, CLOCK_MONOTONIC, so
comparable with the bench's clocks): GC collections of generation 1-2 and any over 5 ms,
write transactions over 20 ms (a WAL auto-checkpoint happens inside a commit), pull answers,
and every 100 ms the thread pool's busy and queued counts.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("COMPTOIR_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))

import anyio.to_thread  # noqa: E402

from marketplace import __main__ as cli  # noqa: E402
from marketplace import app as app_module  # noqa: E402
from marketplace import storage  # noqa: E402

TRACE = open(sys.argv.pop(1), "a", buffering=1)  # noqa: SIM115 - lives as long as the process


def emit(kind: str, **fields: object) -> None:
    TRACE.write(json.dumps({"t": time.perf_counter(), "k": kind, **fields}) + "\n")


_gc_start = [0.0]


def on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_start[0] = time.perf_counter()
        return
    ms = (time.perf_counter() - _gc_start[0]) * 1000
    if info["generation"] > 0 or ms > 5:
        emit("gc", gen=info["generation"], ms=round(ms, 2), collected=info["collected"])


gc.callbacks.append(on_gc)

_write_tx = storage.write_tx


def traced_write_tx(db):  # noqa: ANN001, ANN201
    class Timed:
        def __enter__(self):  # noqa: ANN204
            self.t0 = time.perf_counter()
            self.cm = _write_tx(db)
            return self.cm.__enter__()

        def __exit__(self, *exc):  # noqa: ANN002, ANN204
            out = self.cm.__exit__(*exc)
            ms = (time.perf_counter() - self.t0) * 1000
            if ms > 20:
                emit("slow_write", ms=round(ms, 1))
            return out

    return Timed()


for module in list(sys.modules.values()):  # every `from storage import write_tx`
    if getattr(module, "write_tx", None) is _write_tx and module is not storage:
        module.write_tx = traced_write_tx

_pull = app_module.pull


async def traced_pull(request):  # noqa: ANN001, ANN201
    t0 = time.perf_counter()
    response = await _pull(request)
    emit("pull", held=round(time.perf_counter() - t0, 3), size=len(response.body))
    return response


app_module.pull = traced_pull  # what app.LongPollShortcut calls (GET)
for route in app_module.ROUTES:  # the router's (HEAD)
    if route.path == "/v1/pull":
        route.endpoint = traced_pull
        route.app = __import__("starlette.routing", fromlist=["request_response"]) \
            .request_response(traced_pull)

_sweep = app_module.MarketState.sweep_forever


async def sweep_and_sample(self) -> None:  # noqa: ANN001
    async def sample() -> None:
        limiter = anyio.to_thread.current_default_thread_limiter()
        while True:
            stats = limiter.statistics()
            emit("pool", busy=stats.borrowed_tokens, queued=stats.tasks_waiting,
                 total=limiter.total_tokens)
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    try:
        await _sweep(self)
    finally:
        sampler.cancel()


app_module.MarketState.sweep_forever = sweep_and_sample

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
