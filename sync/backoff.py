"""One retry delay policy for every worker that waits on something outside (network, printer).

Standard library only: the print queue uses it too, and neither side imports Qt.
"""

from __future__ import annotations

import random

__all__ = ["Backoff"]


class Backoff:
    """Exponential backoff with jitter: ``base * 2**failures``, capped, then jittered down.

    ``jitter=1.0`` is "full jitter" (uniform in ``[0, delay]``, the AWS architecture
    blog's advice for many clients hitting one server); ``jitter=0.2`` keeps the delay
    within its last 20 %. ``at_least`` lets a server's ``Retry-After`` win.
    """

    def __init__(self, base: float, cap: float, *, jitter: float = 1.0,
                 floor: float = 0.05, rng: random.Random | None = None) -> None:
        if not 0.0 <= jitter <= 1.0:
            raise ValueError("jitter must be in [0, 1]")
        self.base, self.cap, self.jitter, self.floor = base, cap, jitter, floor
        self.failures = 0
        self.rng = rng or random.Random()

    def next_delay(self, at_least: float = 0.0) -> float:
        delay = min(self.cap, self.base * 2 ** min(self.failures, 30))
        self.failures += 1
        jittered = delay * self.rng.uniform(1.0 - self.jitter, 1.0)
        return max(self.floor, jittered, at_least)

    def reset(self) -> None:
        self.failures = 0
