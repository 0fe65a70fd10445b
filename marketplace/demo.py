"""Demo orders: realistic French customers ordering from a shop through the customer API.

``DemoOrderGenerator(url, shop_id, interval=20).start()`` places an order now
and then every ``interval`` seconds from a background thread; an order the
shop cannot take (out of stock, paused, no counter watching) is simply skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import time
import uuid
from typing import Any

import httpx

from marketplace import payments
from sync.protocol import to_iso

__all__ = ["DemoOrderGenerator", "build_demo_order", "place_demo_order"]

log = logging.getLogger(__name__)

FIRST_NAMES = ("Zoé", "Léa", "Chloé", "Inès", "Maël", "Théo", "Jérôme", "Hélène", "François",
               "Noémie", "Amélie", "Gaëlle", "Loïc", "Anaïs", "Benoît", "Cécile", "Raphaël", "Joël")
LAST_NAMES = ("Lefèvre", "Bérard", "Dubœuf", "Müller", "Castaño", "Le Goff", "Laurençon",
              "Giraud", "Marchand", "Rousseau", "Fabré", "Lemaître", "Besnard", "Ménard")
NOTES = (
    "", "", "", "Je passe vers 17 h, merci !", "Sonnez deux fois, l’interphone est cassé.",
    "C’est pour un anniversaire 🎂", "Pouvez-vous l’emballer joliment ?",
    "Bien cuit s’il vous plaît.", "Je serai en retard de 10 minutes.",
    "Laissez au gardien si je ne réponds pas.",
)
ALLERGENS = ("gluten", "fruits à coque", "arachides", "lactose", "œufs", "sésame")
STREETS = ("rue des Tanneurs", "quai des Bateliers", "rue du Vieux-Marché-aux-Poissons",
           "place Kléber", "rue de la Krutenau", "avenue des Vosges")
# Options by product name prefix; anything else gets none.
OPTIONS = {
    "Croissant": ("bien cuit", "peu cuit"),
    "Pain au chocolat": ("bien cuit", "chaud"),
    "Baguette": ("pas trop cuite", "bien cuite", "coupée en deux"),
    "Pain de campagne": ("tranché", "entier"),
    "Éclair": ("bien frais",),
    "Tarte": ("sans carton", "bougies x6"),
    "Bûche": ("inscription « Joyeux Noël »", "sans décoration"),
    "Quiche": ("réchauffée",),
}


def _options_for(name: str, rng: random.Random) -> list[str]:
    for prefix, options in OPTIONS.items():
        if name.startswith(prefix) and rng.random() < 0.4:
            return [rng.choice(options)]
    return []


def build_demo_order(products: list[dict[str, Any]], rng: random.Random,
                     slots: list[str] | None = None) -> dict[str, Any] | None:
    """An order body for POST /v1/customer/shops/{id}/orders, or None when nothing is orderable;
    ``slots``: the catalogue's pickup slots (a shop with opening hours takes only those)."""
    orderable = [p for p in products if p["availability"] != "sold_out"]
    if not orderable:
        return None
    picked = rng.sample(orderable, k=min(len(orderable), rng.choice((1, 1, 2, 2, 3, 4))))
    # The catalogue says "few_left", not how many: a careful customer takes one of those.
    lines = [{"sku": p["sku"],
              "qty": 1 if p["availability"] == "few_left" else rng.choice((1, 1, 1, 2, 2, 3, 6)),
              "options": _options_for(p["name"], rng)} for p in picked]
    delivery = rng.random() < 0.25
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    body: dict[str, Any] = {
        "customer": {
            "name": f"{first} {last}",
            "phone": "+33 6 " + " ".join(f"{rng.randrange(100):02d}" for _ in range(4)),
            "address": f"{rng.randrange(1, 60)} {rng.choice(STREETS)}, 67000 Strasbourg"
            if delivery else None,
        },
        "channel": "delivery" if delivery else "collect",
        "lines": lines,
        "note": rng.choice(NOTES),
        "allergens": rng.choice(ALLERGENS) if rng.random() < 0.2 else "",
        "idempotency_key": str(uuid.UUID(int=rng.getrandbits(128))),
    }
    if slots:
        if rng.random() < 0.5:  # one of the next two hours' slots
            body["pickup_slot"] = rng.choice(slots[:8])
    elif rng.random() < 0.5:  # a pickup slot 30 min to 2 h ahead, on a quarter hour
        slot = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=rng.randrange(30, 120))
        body["pickup_slot"] = to_iso(slot.replace(minute=slot.minute // 15 * 15, second=0,
                                                  microsecond=0))
    return body


def place_demo_order(http: httpx.Client, url: str, shop_id: str,
                     rng: random.Random | None = None,
                     payment_secret: str | None = None) -> dict[str, Any] | None:
    """Place one demo order; the ORDER, or None when skipped (nothing in stock, paused, ...)."""
    rng = rng or random.Random()
    base = f"{url.rstrip('/')}/v1/customer/shops/{shop_id}"
    catalogue = http.get(base)
    catalogue.raise_for_status()
    body = build_demo_order(catalogue.json()["products"], rng,
                            catalogue.json().get("pickup_slots"))
    if body is None:
        return None
    for _ in range(2):  # the idempotency key makes a retry after a lost answer harmless
        try:
            response = http.post(f"{base}/orders", json=body)
            break
        except httpx.TransportError:
            continue
    else:
        return None
    if response.status_code == 409:  # out_of_stock / shop_paused / shop_unattended: give up
        log.info("demo order skipped: %s", response.text)
        return None
    response.raise_for_status()
    order = response.json()
    if payment_secret and rng.random() < 0.8:  # most demo customers pay online
        order = confirm_demo_payment(http, url, payment_secret, order, shop_id) or order
    return order


def confirm_demo_payment(http: httpx.Client, url: str, secret: str, order: dict[str, Any],
                         shop_id: str) -> dict[str, Any] | None:
    """What a payment service does once the customer paid: a signed notification."""
    body = json.dumps({"shop_id": shop_id, "order_id": order["id"],
                       "amount_cents": order["total_cents"],
                       "reference": f"demo_{order['id']}"}).encode()
    stamp = int(time.time())
    response = http.post(f"{url.rstrip('/')}/v1/payments/notify", content=body, headers={
        "Content-Type": "application/json", payments.TIMESTAMP_HEADER: str(stamp),
        payments.SIGNATURE_HEADER: payments.sign(secret, stamp, body)})
    return response.json() if response.status_code == 200 else None


class DemoOrderGenerator:
    """Places ``first_burst`` orders at once, then one every ``interval`` seconds."""

    def __init__(self, url: str, shop_id: str, *, interval: float = 20.0, first_burst: int = 0,
                 seed: int | None = None, max_orders: int | None = None,
                 payment_secret: str | None = None):
        self.url, self.shop_id = url, shop_id
        self.payment_secret = payment_secret
        self.interval, self.first_burst, self.max_orders = interval, first_burst, max_orders
        self.rng = random.Random(seed)
        self.placed: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="demo-orders", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the generator ends (max_orders reached or stopped)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def place_one(self, http: httpx.Client) -> dict[str, Any] | None:
        try:
            order = place_demo_order(http, self.url, self.shop_id, self.rng, self.payment_secret)
        except (httpx.HTTPError, ValueError, KeyError) as exc:  # server away: try next time
            log.warning("demo order failed: %s", exc)
            return None
        if order is not None:
            self.placed.append(order)
        return order

    def _done(self) -> bool:
        return self.max_orders is not None and len(self.placed) >= self.max_orders

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as http:
            for _ in range(self.first_burst):
                if self._stop.is_set() or self._done():
                    return
                self.place_one(http)
            while not self._done() and not self._stop.wait(self.interval):
                self.place_one(http)
