"""One database write per shop at a time in this process; the others wait on the event loop.

The writes of one shop (orders, the counter's pushes, cancellations, payments) take its
row lock in the database and so run one after the other anyway. Taking turns here first
means a second one waits as a coroutine, which costs nothing, instead of in a worker
thread holding a pooled connection: with few threads per process
(``Settings.db_threads``), a shop whose lock is held elsewhere (an operator's open
``psql`` transaction) would otherwise hold all of them and every other shop's orders
behind it. A turn not had within the lock timeout is given up as the database would
give up the lock (503, retryable; app.MarketState.shop_db). Used on the event loop only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

__all__ = ["ShopTurns", "TurnNotHad"]


class TurnNotHad(Exception):
    """The shop's turn did not come within the timeout."""


class ShopTurns:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}  # shop -> calls holding or awaiting its turn

    @contextlib.asynccontextmanager
    async def turn(self, shop_id: str, timeout_s: float | None) -> AsyncIterator[None]:
        """The shop's turn; TurnNotHad if not had within ``timeout_s`` (None: wait)."""
        lock = self._locks.get(shop_id)
        if lock is None:
            lock = self._locks[shop_id] = asyncio.Lock()
        users = self._users[shop_id] = self._users.get(shop_id, 0) + 1
        try:
            await _acquire(lock, None if users == 1 else timeout_s)
            try:
                yield
            finally:
                lock.release()
        finally:
            self._users[shop_id] -= 1
            if not self._users[shop_id]:  # nobody else: forget the shop
                del self._users[shop_id], self._locks[shop_id]

    def __len__(self) -> int:
        return len(self._locks)


async def _acquire(lock: asyncio.Lock, timeout_s: float | None) -> None:
    """``lock.acquire()`` within ``timeout_s``, else TurnNotHad. Not ``asyncio.timeout``:
    a deadline that fires as the lock is handed over would cancel the caller after it got
    the lock; here only the acquiring task is cancelled, and ``Lock.acquire`` passes the
    lock on. No deadline when the caller is alone with the shop: the lock is free, and
    ``locked()`` would not say so (False also while a woken waiter has yet to run)."""
    if timeout_s is None:
        await lock.acquire()
        return
    acquiring = asyncio.ensure_future(lock.acquire())
    try:
        done, _ = await asyncio.wait({acquiring}, timeout=timeout_s)
    except BaseException:  # the caller was cancelled: give the turn up, had or not
        if acquiring.done() and not acquiring.cancelled() and acquiring.exception() is None:
            lock.release()
        else:
            acquiring.cancel()
        raise
    if not done:
        acquiring.cancel()  # Lock.acquire hands the lock on if it comes meanwhile
        raise TurnNotHad
    acquiring.result()  # True, or what acquiring raised
