"""What the customer API gives the storefront: ordering state, hours and slots, the shop
list, the order long-poll and QR code, and the storefront's files with their headers."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import time

import httpx
import pytest

from marketplace import admin
from marketplace.embedded import EmbeddedMarketplace
from marketplace.opening_hours import (
    DEMO_HOURS,
    load_hours,
    open_at,
    parse_hours,
    pickup_slots,
    shop_zone,
    slot_allowed,
)
from marketplace.storage import open_database
from marketplace.storefront import CSP, STATIC_DIR, storefront_url
from marketplace.storefront.qr import qr_matrix, qr_svg
from sync.protocol import parse_iso, to_iso
from tests.conftest import free_port
from tests.marketplace.conftest import open_shop

PARIS = shop_zone("Europe/Paris")
EVERY_DAY = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                    "sun")}


def _set_hours(server, shop_id, hours):
    with contextlib.closing(open_database(server.database_url)) as db:
        admin.set_opening_hours(db, shop_id, hours)


def _catalogue(server, shop_id):
    response = httpx.get(f"{server.url}/v1/customer/shops/{shop_id}")
    assert response.status_code == 200, response.text
    return response.json()


# -- opening hours and slots ---------------------------------------------------------------------

def test_slots_are_quarter_hours_of_the_opening_hours_from_a_lead_on():
    hours = parse_hours({"mon": [["07:00", "08:00"]], "tue": [["09:00", "09:30"]]})
    now = dt.datetime(2026, 11, 23, 6, 10, tzinfo=dt.UTC)  # Monday 07:10 in Paris
    slots = [parse_iso(s).astimezone(PARIS).strftime("%a %H:%M")
             for s in pickup_slots(hours, PARIS, now)]
    # 15 min to prepare: 07:30 first; closing time itself is no slot; then Tuesday.
    assert slots == ["Mon 07:30", "Mon 07:45", "Tue 09:00", "Tue 09:15"]


def test_slots_skip_closed_days_and_stop_after_two_opening_days():
    hours = parse_hours({"sat": [["10:00", "10:30"]], "mon": [["10:00", "10:30"]],
                         "wed": [["10:00", "10:30"]]})
    friday = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    days = {parse_iso(s).astimezone(PARIS).strftime("%a") for s in
            pickup_slots(hours, PARIS, friday)}
    assert days == {"Sat", "Mon"}


def test_slots_follow_the_wall_clock_across_a_daylight_saving_change():
    hours = parse_hours({"sun": [["01:00", "04:00"]]})
    night = dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC)  # Sunday 29 March 00:00 in Paris
    local = [parse_iso(s).astimezone(PARIS).strftime("%H:%M") for s in
             pickup_slots(hours, PARIS, night)][:8]
    assert local[:4] == ["01:00", "01:15", "01:30", "01:45"]
    assert "03:00" in local and "02:30" not in local  # 02:00-03:00 does not exist that night


def test_the_hour_lived_twice_when_clocks_go_back_is_offered_once():
    hours = parse_hours({"sun": [["01:00", "04:00"]]})
    night = dt.datetime(2026, 10, 24, 22, 0, tzinfo=dt.UTC)  # Sunday 25 October 00:00 CEST
    slots = [parse_iso(s) for s in pickup_slots(hours, PARIS, night)]
    labels = [s.astimezone(PARIS).strftime("%H:%M") for s in slots[:12]]
    assert labels == ["01:00", "01:15", "01:30", "01:45", "02:00", "02:15", "02:30", "02:45",
                      "03:00", "03:15", "03:30", "03:45"]  # each label once: no two 02:15
    assert slots == sorted(slots)


def test_a_shop_open_until_midnight_offers_its_last_quarter_hour():
    hours = parse_hours({"mon": [["22:00", "24:00"]]})
    now = dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC)  # Monday 21:00 in Paris
    local = [parse_iso(s).astimezone(PARIS).strftime("%a %H:%M")
             for s in pickup_slots(hours, PARIS, now)]
    assert local[:8] == ["Mon 22:00", "Mon 22:15", "Mon 22:30", "Mon 22:45", "Mon 23:00",
                         "Mon 23:15", "Mon 23:30", "Mon 23:45"]
    assert open_at(hours, PARIS, dt.datetime(2026, 11, 23, 22, 59, tzinfo=dt.UTC))
    assert not open_at(hours, PARIS, dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="^Lundi : une plage s’écrit comme 07:00-13:00"):
        parse_hours({"mon": [["24:00", "24:00"]]})
    with pytest.raises(ValueError, match="^Dimanche : au plus 4 plages"):
        parse_hours({"sun": [["07:00", "08:00"]] * 5})


@pytest.mark.parametrize("bad", [
    [], {"lundi": []}, {"mon": [["7:00", "8:00"]]}, {"mon": [["08:00", "07:00"]]},
    {"mon": [["07:00", "09:00"], ["08:00", "10:00"]]}, {"mon": "07:00-19:00"},
    {"mon": [["07:00", "08:00"]] * 5},
])
def test_hours_that_do_not_parse_are_refused_in_french(bad):
    with pytest.raises(ValueError, match=r"[ée]|plage|horaires"):
        parse_hours(bad)


def test_stored_hours_that_no_longer_parse_mean_no_hours_not_a_crash():
    assert load_hours("{not json") is None
    assert load_hours('{"mon": [["25:00", "26:00"]]}') is None
    assert load_hours("") is None


def test_a_slot_must_be_inside_the_hours_not_past_and_not_too_far():
    hours = parse_hours(DEMO_HOURS)
    now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday 10:00 in Paris
    assert slot_allowed(hours, PARIS, now + dt.timedelta(hours=1), now)
    assert not slot_allowed(hours, PARIS, now + dt.timedelta(hours=12), now)  # 22:00, closed
    assert not slot_allowed(hours, PARIS, now - dt.timedelta(hours=1), now)
    assert not slot_allowed(hours, PARIS, now + dt.timedelta(days=30), now)
    assert open_at(hours, PARIS, now)


# -- the catalogue and the order POST ------------------------------------------------------------

def test_the_catalogue_says_whether_the_shop_takes_orders(server, shop):
    assert _catalogue(server, shop.shop_id)["shop"]["ordering"] == "open"  # just paired
    shop.push(("shop.pause", {"paused": True}))
    assert _catalogue(server, shop.shop_id)["shop"]["ordering"] == "paused"
    shop.push(("shop.pause", {"paused": False}))
    assert _catalogue(server, shop.shop_id)["shop"]["ordering"] == "open"
    lonely, _ = server.create_shop("Fromagerie sans comptoir")
    assert _catalogue(server, lonely)["shop"]["ordering"] == "unattended"
    # ... which is exactly what an order meets.
    refused = httpx.post(f"{server.url}/v1/customer/shops/{lonely}/orders", json={
        "customer": {"name": "A", "phone": "1"}, "channel": "collect",
        "lines": [{"sku": "X", "qty": 1}]})
    assert refused.json()["error"]["code"] == "shop_unattended"


def test_a_shop_without_hours_offers_no_slots_and_takes_any_slot_as_before(server, shop):
    body = _catalogue(server, shop.shop_id)
    assert body["pickup_slots"] == [] and body["shop"]["opening_hours"] is None
    assert body["shop"]["open_now"] is None
    shop.place([("CROIS", 1)], pickup_slot="2026-11-23T03:00:00Z")


def test_slots_offered_are_taken_and_a_slot_outside_the_hours_is_refused(server, shop):
    _set_hours(server, shop.shop_id, DEMO_HOURS)
    body = _catalogue(server, shop.shop_id)
    assert body["shop"]["opening_hours"]["sun"] == [["07:00", "13:00"]]
    assert body["shop"]["time_zone"] == "Europe/Paris"
    slots = body["pickup_slots"]
    assert slots and all(parse_iso(s) > dt.datetime.now(dt.UTC) for s in slots)
    placed = shop.place([("CROIS", 1)], pickup_slot=slots[-1])
    assert placed["pickup_slot"] == slots[-1]
    night = dt.datetime.now(dt.UTC).astimezone(PARIS).replace(hour=23, minute=0) \
        + dt.timedelta(days=1)
    refused = shop.order([("CROIS", 1)], pickup_slot=to_iso(night.astimezone(dt.UTC)))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "pickup_slot_unavailable"
    assert "heures d’ouverture" in refused.json()["error"]["message"]


def test_a_retry_of_an_order_taken_is_answered_even_once_its_slot_passed(server, shop):
    _set_hours(server, shop.shop_id, EVERY_DAY)
    slot = _catalogue(server, shop.shop_id)["pickup_slots"][0]
    first = shop.order([("CROIS", 1)], pickup_slot=slot, idempotency_key="k-slot")
    assert first.status_code == 201
    _set_hours(server, shop.shop_id, {"mon": []})  # and the shop closed for good
    again = shop.order([("CROIS", 1)], pickup_slot=slot, idempotency_key="k-slot")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]


def test_the_shop_list_finds_shops_by_name_with_their_state(server, shop):
    named = open_shop(server, "Pâtisserie Étoile 100% « maison »")
    try:
        found = httpx.get(f"{server.url}/v1/customer/shops", params={"q": "étoile 100%"}).json()
        assert [s["id"] for s in found["shops"]] == [named.shop_id]
        assert found["shops"][0]["ordering"] == "open"
        none = httpx.get(f"{server.url}/v1/customer/shops", params={"q": "_%"}).json()
        assert none["shops"] == []  # LIKE wildcards are text here
        for long in ("x" * 101, "x" + " " * 100):  # counted as sent, as the schema does
            too_long = httpx.get(f"{server.url}/v1/customer/shops", params={"q": long})
            assert too_long.status_code == 422
    finally:
        named.http.close()


# -- rate limits ------------------------------------------------------------------------------------

def _from(n: int) -> httpx.Client:
    """A customer at another loopback address (the limits count addresses)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}"), timeout=10)


def test_the_shop_list_has_no_shop_budget_that_anyone_could_spend(tmp_path):
    settings = {"rate_limit_exempt": (), "customer_requests_per_shop": "5/minute"}
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port(), settings=settings) as market:
        answers = []
        for n in range(2, 12):  # ten customers, twice the per-shop budget
            with _from(n) as http:
                answers.append(http.get(f"{market.url}/v1/customer/shops").status_code)
        assert answers == [200] * 10


def test_following_an_order_spends_no_shop_budget_only_catalogues_and_orders_do(tmp_path):
    settings = {"rate_limit_exempt": (), "customer_requests_per_shop": "5/minute"}
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port(), settings=settings) as market:
        shop = open_shop(market)
        placed = shop.place([("CROIS", 1)])  # 1 of the shop's 5
        order_url = f"{market.url}/v1/customer/shops/{shop.shop_id}/orders/{placed['id']}"
        for n in range(2, 10):  # status polls and QR codes, more than the budget
            with _from(n) as http:
                assert http.get(order_url, headers=shop._secret(placed["id"]),
                                params={"wait": 0}).status_code == 200
                assert http.get(f"{order_url}/qr.svg",
                                headers=shop._secret(placed["id"])).status_code == 200
        catalogue = []
        for n in range(10, 15):
            with _from(n) as http:
                catalogue.append(http.get(
                    f"{market.url}/v1/customer/shops/{shop.shop_id}").status_code)
        assert catalogue == [200] * 4 + [429]  # the order and four catalogues: five
        shop.http.close()


# -- following an order ---------------------------------------------------------------------------

def test_the_order_long_poll_answers_at_once_when_the_counter_accepts(server, shop):
    placed = shop.place([("CROIS", 1)])
    got: dict = {}

    def wait() -> None:
        started = time.monotonic()
        response = shop.http.get(
            f"{server.url}/v1/customer/shops/{shop.shop_id}/orders/{placed['id']}",
            params={"since": placed["updated_at"], "wait": 20},
            headers=shop._secret(placed["id"]))
        got.update(response=response, took=time.monotonic() - started)

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.3)  # the wait is held: nothing changed yet
    assert not got
    ready_by = to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20))
    shop.push(("order.accept", {"order_id": placed["id"], "ready_by": ready_by}))
    waiter.join(10)
    assert got["response"].status_code == 200
    assert got["response"].json()["status"] == "accepted"
    assert got["response"].json()["ready_by"] == ready_by
    assert got["took"] < 5  # woken by the push, not by the 20 s timeout


def test_the_order_long_poll_ends_after_wait_when_nothing_changes(server, shop):
    placed = shop.place([("CROIS", 1)])
    started = time.monotonic()
    response = shop.http.get(
        f"{server.url}/v1/customer/shops/{shop.shop_id}/orders/{placed['id']}",
        params={"since": placed["updated_at"], "wait": 0.5}, headers=shop._secret(placed["id"]))
    assert response.status_code == 200 and response.json()["status"] == "new"
    assert 0.45 < time.monotonic() - started < 5
    bad = shop.http.get(
        f"{server.url}/v1/customer/shops/{shop.shop_id}/orders/{placed['id']}",
        params={"wait": "soon"}, headers=shop._secret(placed["id"]))
    assert bad.status_code == 422


def test_the_qr_code_is_the_ticket_payload_and_needs_the_order_secret(server, shop):
    placed = shop.place([("CROIS", 1)])
    url = f"{server.url}/v1/customer/shops/{shop.shop_id}/orders/{placed['id']}/qr.svg"
    assert httpx.get(url).status_code == 404
    assert httpx.get(url, headers={"X-Order-Secret": "guess"}).status_code == 404
    answer = httpx.get(url, headers=shop._secret(placed["id"]))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text == qr_svg(placed["id"])  # the id: what printing/order_ticket.py prints
    assert len(qr_matrix(placed["id"])) <= 29  # version 3 at most, level M: coarse modules


# -- the storefront's files ---------------------------------------------------------------------

def test_the_storefront_is_served_with_a_strict_policy(server):
    page = httpx.get(storefront_url(server.url))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    assert "script-src 'self';" in CSP and "unsafe" not in CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    for name in ("app.js", "app.css", "icon.svg"):
        asset = httpx.get(storefront_url(server.url) + name)
        assert asset.status_code == 200 and asset.headers["content-security-policy"] == CSP
    assert httpx.get(storefront_url(server.url) + "../app.py").status_code == 404
    assert httpx.get(f"{server.url}/boutique", follow_redirects=True).status_code == 200


def test_the_storefront_files_have_no_inline_script_no_markup_injection_and_no_cdn():
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    assert "<script>" not in html and not re.search(r"<[^>]*\son[a-z]+=", html)  # no handlers
    for dangerous in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert dangerous not in script
    for text in (html, script, (STATIC_DIR / "app.css").read_text(encoding="utf-8")):
        assert "http://" not in text and "https://" not in text and "@import" not in text
    total = sum(p.stat().st_size for p in STATIC_DIR.iterdir())
    assert total < 60_000, total  # the page's own files; the page weight is measured in a browser
