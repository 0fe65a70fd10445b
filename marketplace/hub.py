"""Wake-ups for long-polls: one asyncio.Event per shop, replaced at each change.

A waiter takes the shop's current event *before* reading the database, so a
change committed after its read always sets the event it waits on; nothing is
missed and no thread is held while waiting. Used on the event loop only.
"""

from __future__ import annotations

import asyncio

__all__ = ["ChangeHub"]


class ChangeHub:
    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self.closing = False

    def watch(self, shop_id: str) -> asyncio.Event:
        event = self._events.get(shop_id)
        if event is None:
            event = self._events[shop_id] = asyncio.Event()
            if self.closing:
                event.set()
        return event

    def notify(self, shop_id: str) -> None:
        event = self._events.pop(shop_id, None)
        if event is not None:
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
