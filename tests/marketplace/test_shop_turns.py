"""ShopTurns: one write per shop at a time in a process, the others waiting as coroutines."""

from __future__ import annotations

import asyncio

import pytest

from marketplace.shop_turns import ShopTurns, TurnNotHad


def test_one_turn_per_shop_at_a_time_and_other_shops_meanwhile():
    async def scenario() -> list[str]:
        turns, log = ShopTurns(), []

        async def write(shop: str, name: str) -> None:
            async with turns.turn(shop, None):
                log.append(f"{name}+")
                await asyncio.sleep(0.05)
                log.append(f"{name}-")

        await asyncio.gather(write("a", "a1"), write("a", "a2"), write("b", "b1"))
        assert len(turns) == 0  # every shop forgotten once its turns are over
        return log

    log = asyncio.run(scenario())
    assert log.index("a1-") < log.index("a2+")  # a2 waited for a1
    assert log.index("b1+") < log.index("a1-")  # b did not wait for a


def test_a_turn_not_had_in_time_is_given_up_and_the_next_one_still_comes():
    async def scenario() -> None:
        turns = ShopTurns()
        release = asyncio.Event()

        async def hold() -> None:
            async with turns.turn("a", 5.0):
                await release.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        with pytest.raises(TurnNotHad):
            async with turns.turn("a", 0.05):
                pytest.fail("had a turn while another held it")
        later = asyncio.create_task(_take(turns, "a", 5.0))
        await asyncio.sleep(0.01)
        release.set()
        await holder
        assert await later == "had"
        assert len(turns) == 0

    asyncio.run(scenario())


def test_a_waiter_cancelled_gives_its_turn_up():
    """A client gone while its order waited: the turn passes to the next one."""
    async def scenario() -> None:
        turns = ShopTurns()
        release = asyncio.Event()

        async def hold() -> None:
            async with turns.turn("a", None):
                await release.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        for timeout_s in (None, 5.0):  # waiting forever, or within a deadline
            gone = asyncio.create_task(_take(turns, "a", timeout_s))
            await asyncio.sleep(0.01)
            gone.cancel()
            with pytest.raises(asyncio.CancelledError):
                await gone
        release.set()
        await holder
        assert await asyncio.wait_for(_take(turns, "a", 1.0), 1.0) == "had"
        assert len(turns) == 0

    asyncio.run(scenario())


def test_a_deadline_holds_when_the_turn_was_just_handed_to_a_waiter():
    """Right after a release the lock says it is free while the woken waiter has yet to
    run; a newcomer must still wait with its deadline, not without one behind it."""
    async def scenario() -> None:
        turns = ShopTurns()

        async def waiter() -> None:
            async with turns.turn("a", 5.0):
                await asyncio.sleep(0.5)  # the shop's next write, a long one

        async with turns.turn("a", None):
            next_one = asyncio.create_task(waiter())
            await asyncio.sleep(0.01)  # queued behind this turn
        # Released: next_one is woken but has not run yet. Without a suspension point:
        with pytest.raises(TurnNotHad):
            async with turns.turn("a", 0.05):
                pytest.fail("had the turn while the next one held it")
        await next_one
        assert len(turns) == 0

    asyncio.run(scenario())


async def _take(turns: ShopTurns, shop: str, timeout_s: float | None) -> str:
    async with turns.turn(shop, timeout_s):
        return "had"
