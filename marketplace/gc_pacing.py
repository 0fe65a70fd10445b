"""The served process's garbage collector, paced by the clock rather than by allocations.

A long-poll server frees old objects as fast as it makes new ones: each counter's 25 s
request ends as its next one starts. CPython 3.11 counts a freed object against the
allocations that trigger a young collection, so the count hardly moves while the young
generation grows unseen. Measured (bench_scale.py, PostgreSQL / 2, 10,000 counters, 300
orders/s, gc callbacks in the workers): young generations of 200,000-310,000 objects
where the threshold said 20,000, whose collection held the process for 100-200 ms of
CPU, and middle-generation collections of 200-300 ms; each such pause was a burst of
orders delivered 300-500 ms late, and the run's p99.

Here the collector only runs its young collection by itself (a backstop for a burst of
allocations); a thread of its own collects the young generation every ``YOUNG_EVERY_S``
(what was made in 0.1 s: at most ~10 ms) and everything every ``FULL_EVERY_S``. What
survives a young collection is, here, the waiting long-polls' objects, freed by their
reference counts when each request ends: the same run found no cyclic garbage at all in
~720 collections per worker, while collecting the middle generation every 2 s cost
50-130 ms a time and a full collection 470-600 ms (5,000 waiting counters a process). So
the older generations are left to the full collection, every 10 minutes: one such pause
per process, proportional to its waiting counters, where CPython's own schedule made one
every half-minute or so. It collects even if something called ``gc.disable()``: it is
the process's collector.
"""

from __future__ import annotations

import gc
import logging
import threading

__all__ = ["THRESHOLDS", "YOUNG_EVERY_S", "FULL_EVERY_S", "GcPacer"]

log = logging.getLogger(__name__)
YOUNG_EVERY_S = 0.1
FULL_EVERY_S = 600.0
# The automatic collector: young collections only (20,000: CPython's default is 700); its
# middle and full collections never come, the pacer's do.
THRESHOLDS = (20_000, 1_000_000_000, 1_000_000_000)


class GcPacer:
    """Collect the young generation every ``young_every_s`` and everything every
    ``full_every_s``, from a daemon thread, until ``stop()``."""

    def __init__(self, young_every_s: float = YOUNG_EVERY_S,
                 full_every_s: float = FULL_EVERY_S):
        self.young_every_s = young_every_s
        self.full_every_s = full_every_s
        self.young = self.full = 0  # collections made
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gc-pacer", daemon=True)

    def start(self) -> GcPacer:
        gc.set_threshold(*THRESHOLDS)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        ticks = 0
        full_every = max(1, round(self.full_every_s / self.young_every_s))
        while not self._stopping.wait(self.young_every_s):
            ticks += 1
            full = ticks % full_every == 0
            try:
                gc.collect(2 if full else 0)
            except Exception:  # never seen (finalizers' errors go elsewhere); keep pacing
                log.exception("garbage collection failed")
            if full:
                self.full += 1
            else:
                self.young += 1
