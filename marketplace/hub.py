"""Wake-ups for long-polls: one asyncio.Event per shop, replaced at each change.

A waiter takes the shop's current event *before* reading the database, so a
change committed after its read always sets the event it waits on; nothing is
missed and no thread is held while waiting. Used on the event loop only.

Two sources of wake-ups: ``notify`` (this process committed a change of the shop)
and ``wake`` (the database said a change was committed, by any process:
``listener.py`` on PostgreSQL). While the database feed is up (``fed``),
``notify`` does nothing: the feed brings this process's own commits back too,
and waking twice would make every waiter read the database twice.

The hub is also the clock of what this process may remember of a shop (repoll.py):
``stamp()`` taken before a read, ``unchanged_since(shop, stamp)`` after it is true while
no wake of that shop (nor a ``wake_all``) came since and the database feed is up.
"""

from __future__ import annotations

import asyncio
import random

__all__ = ["ChangeHub", "hold_time"]

# Long-polls that start together (every shop reconnecting after a restart, or a bench) would
# otherwise all expire together every `wait` seconds and re-pull in one burst: the thread
# pool's queue then delays real answers by seconds. Holding each for a random 80-100 % of
# `wait` spreads the expiries out within a few cycles.
HOLD_SPREAD = 0.2
SPREAD_FROM_S = 5.0  # shorter waits are held in full (tests, a client that asks for 1 s)


def hold_time(wait: float, rng: random.Random | None = None) -> float:
    """How long to hold a long-poll asked to wait ``wait`` seconds when nothing changes."""
    if wait < SPREAD_FROM_S:
        return wait
    return wait * (1 - HOLD_SPREAD * (rng or random).random())


class ChangeHub:
    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self.closing = False
        # True while a database feed (PostgreSQL LISTEN) delivers every committed change.
        self.fed = False
        self._wakes = 0  # wakes so far: the clock of stamp() / unchanged_since()
        self._woken_at: dict[str, int] = {}  # shop -> the clock at its last wake
        self._all_woken_at = 0  # the clock at the last wake_all

    def stamp(self) -> int:
        """Take before reading a shop: ``unchanged_since(shop, stamp)`` then says whether
        what was read may still be trusted."""
        return self._wakes

    def unchanged_since(self, shop_id: str, stamp: int) -> bool:
        """No change of the shop committed after a read stamped ``stamp`` started (as far
        as the database feed says: never while it is down)."""
        return (self.fed and self._all_woken_at <= stamp
                and self._woken_at.get(shop_id, 0) <= stamp)

    def woken_for(self, shop_id: str, stamp: int) -> bool:
        """The shop itself was woken after ``stamp``: a change of its own, not a wake of
        every waiter (``wake_all``)."""
        return self._woken_at.get(shop_id, 0) > stamp

    def watch(self, shop_id: str) -> asyncio.Event:
        event = self._events.get(shop_id)
        if event is None:
            event = self._events[shop_id] = asyncio.Event()
            if self.closing:
                event.set()
        return event

    def notify(self, shop_id: str) -> None:
        """This process committed a change of the shop (called after COMMIT)."""
        if not self.fed:
            self.wake(shop_id)

    def wake(self, shop_id: str) -> None:
        """Wake the shop's waiters now: they read the database again."""
        self._wakes += 1
        self._woken_at[shop_id] = self._wakes
        event = self._events.pop(shop_id, None)
        if event is not None:
            event.set()

    def wake_all(self) -> None:
        """Wake every waiter once (changes may have been missed: the feed was down)."""
        self._wakes += 1
        self._all_woken_at = self._wakes
        self._woken_at.clear()  # older than _all_woken_at: no longer needed
        events, self._events = self._events, {}
        for event in events.values():
            event.set()

    def close(self) -> None:
        """Server shutting down: release every waiter now instead of at its timeout."""
        self.closing = True
        for event in self._events.values():
            event.set()

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float) -> bool:
        """True when woken, False when ``timeout`` passed first."""
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True
