"""Tickets when they are useful: on acceptance by default (with the ready-by time, never for
a refused order), on arrival if chosen; a cancellation slip for a withdrawn order whose
ticket is out. Real store, real replica hook, real journal and ESC/POS bytes."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from posapp.printing_setup import PrintingSetup
from posapp.store.db import open_store
from posapp.store.replica import ShopReplica
from posapp.store.shop_time import set_shop_zone
from printing import PrinterConfig, PrintMoment
from tests.factories import pull, wire_order, wire_product

READY_BY = "2026-11-23T10:25:00.000Z"  # 11:25 in Paris


class Counter:
    def __init__(self, data_dir: Path, print_on: PrintMoment | None = None,
                 paired_with: tuple[dict[str, Any], ...] = ()):
        self.store = open_store(data_dir)
        set_shop_zone(self.store.conn, "Europe/Paris")  # the times below are Paris times
        self.printing_done = threading.Event()
        bridge = SimpleNamespace(on_printer_status=lambda status: None,
                                 on_print_job=lambda event: None)
        self.printing = PrintingSetup(data_dir, self.store, bridge)
        if print_on is not None:
            self.printing.save_config(self.printing.config().with_changes(print_on=print_on))
        self.replica = ShopReplica(self.store, on_order_changes=self.printing.on_order_changes)
        self.cursor = 1
        # The pairing pull (the store has no cursor yet), with the orders already there.
        self.replica.apply_pull(pull(cursor=self.cursor, products=[wire_product()],
                                     orders=paired_with))

    def receive(self, order: dict[str, Any]) -> None:
        self.cursor += 1
        self.replica.apply_pull(pull(cursor=self.cursor, orders=[order]))

    def jobs(self) -> list[tuple[str, str]]:
        return [(j.kind, j.document) for j in self.printing.queue.jobs()]

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.jobs()]


@pytest.fixture
def counter(tmp_path: Path):
    made: list[Counter] = []

    def make(print_on: PrintMoment | None = None,
             paired_with: tuple[dict[str, Any], ...] = ()) -> Counter:
        made.append(Counter(tmp_path / f"data{len(made)}", print_on, paired_with))
        return made[-1]

    yield make
    for c in made:
        c.printing.stop()
        c.store.close()


def accepted(**over: Any) -> dict[str, Any]:
    return wire_order(**{"status": "accepted", "ready_by": READY_BY, **over})


def test_config_defaults_to_acceptance_and_keeps_old_settings_loading():
    assert PrinterConfig().print_on is PrintMoment.ACCEPTANCE
    old = PrinterConfig().to_dict()
    del old["print_on"]  # a settings document saved before the setting existed
    assert PrinterConfig.from_dict(old).print_on is PrintMoment.ACCEPTANCE
    arrival = PrinterConfig(print_on="arrival")
    assert PrinterConfig.from_dict(arrival.to_dict()).print_on is PrintMoment.ARRIVAL


def test_by_default_the_ticket_prints_on_acceptance_with_the_ready_by_time(counter):
    shop = counter()
    shop.receive(wire_order())
    assert shop.jobs() == []  # arrived: nothing on paper yet
    shop.receive(accepted())
    [(kind, document)] = shop.jobs()
    assert kind == "order" and "Prête pour" in document and "11:25" in document
    shop.receive(wire_order(status="ready", ready_by=READY_BY))
    assert shop.kinds() == ["order"]  # once


def test_a_refused_order_is_never_printed_on_acceptance(counter):
    shop = counter()
    shop.receive(wire_order())
    shop.receive(wire_order(status="rejected", reject_reason="timeout"))
    shop.receive(wire_order("ord_2", 2))
    shop.receive(wire_order("ord_2", 2, status="rejected", reject_reason="too_busy"))
    assert shop.jobs() == []  # no ticket, so no slip either


def test_orders_first_seen_on_the_pairing_pull_do_not_print(counter):
    # A counter paired in the afternoon pulls the morning's orders.
    morning = (accepted(), wire_order("ord_2", 2, "ready", ready_by=READY_BY),
               wire_order("ord_3", 3, "completed"))
    assert counter(paired_with=morning).jobs() == []
    assert counter(PrintMoment.ARRIVAL, paired_with=morning).jobs() == []


def test_an_order_accepted_elsewhere_while_offline_prints_when_first_seen(counter):
    for moment in PrintMoment:
        shop = counter(moment)  # paired earlier; another counter accepted it meanwhile
        shop.receive(accepted())
        [(kind, document)] = shop.jobs()
        assert kind == "order" and "11:25" in document
        shop.receive(wire_order(status="ready", ready_by=READY_BY))
        assert shop.kinds() == ["order"]


def test_an_order_seen_new_then_already_collected_prints(counter):
    shop = counter()  # accepted, ready and collected between two pulls
    shop.receive(wire_order())
    shop.receive(accepted(status="completed"))
    assert shop.kinds() == ["order"]


def test_switching_to_arrival_prints_an_order_that_waited_once_accepted(counter):
    shop = counter()  # on acceptance: order 1 arrives, no ticket yet
    shop.receive(wire_order())
    shop.printing.save_config(shop.printing.config().with_changes(print_on=PrintMoment.ARRIVAL))
    shop.receive(accepted())
    assert shop.kinds() == ["order"]
    shop.receive(wire_order("ord_2", 2))  # arrives under the new setting: printed at once
    shop.receive(accepted(order_id="ord_2", number=2))
    assert shop.kinds() == ["order", "order"]  # and not again when accepted


def test_on_arrival_prints_at_once_and_a_cancellation_prints_a_slip(counter):
    shop = counter(PrintMoment.ARRIVAL)
    shop.receive(wire_order())
    assert shop.kinds() == ["order"]
    _print_all(shop)
    shop.receive(wire_order(status="rejected", reject_reason="timeout"))
    assert shop.kinds() == ["order", "cancellation"]
    slip = shop.jobs()[1][1]
    assert "NE PAS PRÉPARER" in slip and "DÉLAI DÉPASSÉ" in slip
    shop.receive(wire_order(status="rejected", reject_reason="timeout"))  # pulled again
    assert shop.kinds() == ["order", "cancellation"]


def _print_all(shop: Counter) -> bytes:
    """Through the real queue to the file printer; the ESC/POS bytes on paper."""
    shop.printing.start()
    out = shop.printing.printer_file
    assert out is not None
    deadline = time.monotonic() + 10
    while shop.printing.queue.jobs("queued", "printing") and time.monotonic() < deadline:
        shop.printing.wake()
        time.sleep(0.05)
    assert not shop.printing.queue.jobs("queued", "printing")
    return out.read_bytes() if out.exists() else b""


def test_customer_cancellation_after_the_ticket_printed_prints_a_slip(counter):
    shop = counter()
    shop.receive(wire_order())
    shop.receive(accepted())
    assert "N° 1".encode("cp858") in _print_all(shop)
    shop.receive(accepted(status="cancelled"))
    assert shop.kinds() == ["order", "cancellation"]
    data = _print_all(shop)  # the slip's ESC/POS bytes follow the ticket
    ticket_at = data.find("N° 1".encode("cp858"))
    slip_at = data.find("ANNULÉE PAR LE CLIENT".encode("cp858"))
    assert 0 <= ticket_at < slip_at


def test_a_ticket_still_queued_when_the_order_is_cancelled_is_withdrawn(counter):
    shop = counter(PrintMoment.ARRIVAL)
    shop.printing.save_config(shop.printing.config().with_changes(kitchen_copy=True))
    shop.receive(wire_order())
    assert shop.kinds() == ["order", "kitchen"]  # printer off: both wait in the queue
    shop.receive(wire_order(status="cancelled"))
    jobs = shop.printing.queue.jobs()
    assert [(j.kind, j.state) for j in jobs] == [("order", "withdrawn"), ("kitchen", "withdrawn")]
    out = shop.printing.printer_file
    assert out is not None and not out.exists()
    assert _print_all(shop) == b""  # the printer is back: neither ticket nor slip comes out


def test_print_button_prints_an_order_not_printed_yet_then_duplicates(counter):
    shop = counter()
    shop.receive(wire_order())  # new, on acceptance: no ticket yet
    shop.printing.reprint("ord_1")
    assert shop.kinds() == ["order"]
    shop.printing.reprint("ord_1")
    assert shop.kinds() == ["order", "reprint"]
    assert "DUPLICATA" in shop.jobs()[1][1]


def test_print_pressed_on_a_new_order_leaves_the_acceptance_ticket_to_print(counter):
    shop = counter()
    shop.receive(wire_order())
    shop.printing.reprint("ord_1")  # printed early, by hand: no ready-by time yet
    shop.receive(accepted())
    assert shop.kinds() == ["order", "order"]
    early, on_acceptance = (document for _, document in shop.jobs())
    assert "Prête pour" not in early and "Prête pour" in on_acceptance and "11:25" in on_acceptance
    shop.receive(wire_order(status="ready", ready_by=READY_BY))
    assert shop.kinds() == ["order", "order"]
