"""A retry of the same mutation whose times are spelled another way is still a replay."""

from __future__ import annotations

from marketplace.mutations import PushMutation, mutation_digest


def test_a_retry_spelling_the_same_instant_otherwise_is_a_replay_not_applied_twice(shop):
    before = shop.stock()["CROIS"]
    m = {"id": 1, "name": "stock.adjust",
         "args": {"sku": "CROIS", "delta": -2, "reason": "counter_sale"},
         "at": "2026-11-23T12:00:00.000Z"}
    assert shop.push_raw([m]).json()["results"][0]["status"] == "applied"
    # The same instant as Java's Instant.toString, Python's isoformat, or another zone write it.
    for at in ("2026-11-23T12:00:00Z", "2026-11-23T12:00:00+00:00",
               "2026-11-23T13:00:00.000+01:00"):
        again = shop.push_raw([{**m, "at": at}]).json()
        assert again["results"][0]["status"] == "applied", (at, again)
    assert shop.stock()["CROIS"] == before - 2  # applied once


def test_time_arguments_are_canonical_in_the_digest_and_other_values_are_not():
    def digest(ready_by, at="2026-11-23T12:00:00.000Z"):
        return mutation_digest(PushMutation(3, "order.accept",
                                            {"order_id": "o_1", "ready_by": ready_by}, at))

    assert digest("2026-11-23T12:20:00.000Z") == digest("2026-11-23T12:20:00Z") \
        == digest("2026-11-23T13:20:00+01:00") == digest("2026-11-23T12:20:00.000+00:00")
    assert digest("2026-11-23T12:20:00.000Z") != digest("2026-11-23T12:21:00.000Z")
    assert digest("soon") != digest("later")  # not a time: hashed as sent
