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
(what was made in 0.1 s: a few milliseconds), the middle one every ``MIDDLE_EVERY_S``
(what survived those in 2 s) and everything every ``FULL_EVERY_S`` (the one long pause,
proportional to the live objects: every waiting counter's). It collects even if
something called ``gc.disable()``: it is the process's collector.
"""

from __future__ import annotations

import gc
import logging
import threading

__all__ = ["THRESHOLDS", "YOUNG_EVERY_S", "MIDDLE_EVERY_S", "FULL_EVERY_S", "GcPacer"]

log = logging.getLogger(__name__)
YOUNG_EVERY_S = 0.1
MIDDLE_EVERY_S = 2.0
FULL_EVERY_S = 300.0
# The automatic collector: young collections only (20,000: CPython's default is 700); its
# middle and full collections never come, the pacer's do.
THRESHOLDS = (20_000, 1_000_000_000, 1_000_000_000)


class GcPacer:
    """Collect the young generation every ``young_every_s``, the middle one every
    ``middle_every_s`` and everything every ``full_every_s``, from a daemon thread, until
    ``stop()``."""

    def __init__(self, young_every_s: float = YOUNG_EVERY_S,
                 middle_every_s: float = MIDDLE_EVERY_S,
                 full_every_s: float = FULL_EVERY_S):
        self.young_every_s = young_every_s
        self.middle_every_s = middle_every_s
        self.full_every_s = full_every_s
        self.young = self.middle = self.full = 0  # collections made
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
        middle_every = max(1, round(self.middle_every_s / self.young_every_s))
        full_every = max(1, round(self.full_every_s / self.young_every_s))
        while not self._stopping.wait(self.young_every_s):
            ticks += 1
            generation = 2 if ticks % full_every == 0 else 1 if ticks % middle_every == 0 else 0
            try:
                gc.collect(generation)
            except Exception:  # never seen (finalizers' errors go elsewhere); keep pacing
                log.exception("garbage collection failed")
            if generation == 2:
                self.full += 1
            elif generation == 1:
                self.middle += 1
            else:
                self.young += 1
