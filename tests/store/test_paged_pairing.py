"""A pairing pull that comes in pages: every page is the day's history, not news."""

from __future__ import annotations

from types import SimpleNamespace

from posapp.printing_setup import PrintingSetup
from posapp.store.db import open_store
from posapp.store.replica import ShopReplica
from tests.factories import pull, wire_order, wire_product

HISTORY = dict(status="accepted", ready_by="2026-11-23T10:25:00.000Z")


def _page(cursor, orders, more, **extra):
    return {**pull(cursor=cursor, orders=orders, **extra), "more": more}


def test_every_page_of_the_first_pull_is_history(tmp_path):
    store = open_store(tmp_path)
    bridge = SimpleNamespace(on_printer_status=lambda s: None, on_print_job=lambda e: None)
    printing = PrintingSetup(tmp_path, store, bridge)
    replica = ShopReplica(store, on_order_changes=printing.on_order_changes)
    try:
        pages = [
            _page(5, [wire_order("ord_a", 1, **HISTORY)], True, products=[wire_product()]),
            _page(9, [wire_order("ord_b", 2, **HISTORY),
                      wire_order("ord_c", 3, status="rejected", reject_reason="timeout")], True),
            _page(12, [wire_order("ord_d", 4, status="cancelled"),
                       wire_order("ord_e", 5, **HISTORY)], False),
        ]
        summaries = [replica.apply_pull(p) for p in pages]
        assert printing.queue.jobs() == []
        assert store.conn.execute("SELECT count(*) FROM lost_orders").fetchone()[0] == 0
        assert all(not s.timed_out_orders and not s.cancelled_orders for s in summaries)

        # After the last page, news is news again.
        news = replica.apply_pull(_page(13, [
            wire_order("ord_f", 6, **HISTORY),
            wire_order("ord_g", 7, status="rejected", reject_reason="timeout")], False))
        assert [o["id"] for o in news.timed_out_orders] == ["ord_g"]
        assert ("order", "ord_f") in [(j.kind, j.order_id) for j in printing.queue.jobs()]
    finally:
        printing.stop()
        store.close()


def test_the_flag_survives_a_restart_between_pages(tmp_path):
    store = open_store(tmp_path)
    ShopReplica(store).apply_pull(_page(5, [wire_order("ord_a", 1, **HISTORY)], True))
    store.close()
    store = open_store(tmp_path)
    try:
        summary = ShopReplica(store).apply_pull(_page(9, [
            wire_order("ord_c", 3, status="rejected", reject_reason="timeout")], False))
        assert summary.timed_out_orders == []
        later = ShopReplica(store).apply_pull(_page(10, [
            wire_order("ord_d", 4, status="rejected", reject_reason="timeout")], False))
        assert [o["id"] for o in later.timed_out_orders] == ["ord_d"]
    finally:
        store.close()
