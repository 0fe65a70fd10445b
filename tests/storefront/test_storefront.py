"""A customer orders in the storefront (Chromium) and follows the order as a real counter
(the real sync engine and shop store) accepts, prepares and hands it over."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from playwright.sync_api import expect

from marketplace.opening_hours import shop_zone
from marketplace.storefront import storefront_url
from marketplace.storefront.qr import qr_svg
from posapp.domain.orders import OrdersService
from sync.protocol import parse_iso
from tests.conftest import wait_until, watch_shop
from tests.storefront.conftest import ORDER_BUTTON, fetch_order, order_secret


def _local_clock(iso: str) -> str:
    """HH:MM in the demo shop's zone, as the page writes times."""
    return parse_iso(iso).astimezone(shop_zone("Europe/Paris")).strftime("%H:%M")


def _order_from_form(page, name: str = "Zoé Lefèvre", phone: str = "06 12 34 56 78") -> str:
    page.get_by_label("Votre nom", exact=True).fill(name)
    page.get_by_label("Téléphone", exact=True).fill(phone)
    page.get_by_role("button", name=ORDER_BUTTON).click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "new")
    return page.url.rsplit("/", 1)[1]


def test_an_order_is_followed_live_from_new_to_accepted_ready_and_collected(
        page, market, demo_shop, live_counter, shop_url):
    store, engine, _ = live_counter
    orders = OrdersService(store)
    page.goto(shop_url)
    page.get_by_role("button", name="Ajouter Croissant").click()
    page.get_by_role("button", name="Ajouter Pain au chocolat").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    first_slot = page.get_by_label("Créneau de retrait").input_value()
    order_id = _order_from_form(page)
    status = page.locator("[data-status]")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Commande n° \d+$"))

    # The real counter receives it through its sync engine, and accepts it for 20 min.
    wait_until(lambda: orders.get(order_id), timeout=5)
    order = fetch_order(market, demo_shop[0], order_id, order_secret(page, order_id))
    assert order["customer"] == {"name": "Zoé Lefèvre", "phone": "06 12 34 56 78",
                                 "address": None}
    assert order["pickup_slot"] == first_slot and order["channel"] == "collect"
    assert [(line["sku"], line["qty"]) for line in order["lines"]] == [("CROIS", 1), ("PAC", 1)]
    orders.accept(order_id, ready_in_minutes=20)
    engine.push_soon()
    # The page holds a 25 s long-poll: seeing the change within 5 s means it was woken.
    expect(status).to_have_attribute("data-status", "accepted", timeout=5000)
    ready_by = fetch_order(market, demo_shop[0], order_id,
                           order_secret(page, order_id))["ready_by"]
    expect(page.locator(".status")).to_contain_text(f"Prête vers {_local_clock(ready_by)}")
    expect(page.locator(".steps li[aria-current=step]")).to_have_text("Acceptée")

    # The pickup code: the ticket's order number in large, the ticket's QR code (its id).
    number = order["number"]
    expect(page.locator(".code .number")).to_have_text(str(number))
    expect(page.locator(".code .id")).to_have_text(order_id)
    qr = page.locator(".code img")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert qr.get_attribute("src").startswith("blob:")  # fetched with the secret, not by URL
    served = httpx.get(f"{market.url}/v1/customer/shops/{demo_shop[0]}/orders/{order_id}/qr.svg",
                       headers={"X-Order-Secret": order_secret(page, order_id)}, timeout=10)
    assert served.text == qr_svg(order_id)

    orders.mark_ready(order_id)
    engine.push_soon()
    expect(status).to_have_attribute("data-status", "ready", timeout=5000)
    expect(page.locator(".status")).to_contain_text("Venez la retirer")
    orders.mark_collected(order_id)
    engine.push_soon()
    expect(status).to_have_attribute("data-status", "completed", timeout=5000)
    expect(status).to_have_text("Retirée")


def test_a_refused_order_says_why(page, market, demo_shop, live_counter, shop_url):
    store, engine, _ = live_counter
    page.goto(shop_url)
    page.get_by_role("button", name="Ajouter Kougelhopf").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    order_id = _order_from_form(page)
    wait_until(lambda: OrdersService(store).get(order_id), timeout=5)
    OrdersService(store).reject(order_id, "too_busy")
    engine.push_soon()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "rejected",
                                                            timeout=5000)
    expect(page.locator(".status")).to_contain_text("Refusée : la boutique est débordée")


def test_remembered_details_make_an_order_three_taps_from_a_product_page(
        page, market, demo_shop, shop_url):
    watch_shop(market, demo_shop[0])
    # A first order, by hand, with "Retenir mes coordonnées" ticked (opt-in: unticked at
    # first) ...
    page.goto(shop_url)
    page.get_by_role("button", name="Ajouter Baguette tradition").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    remember = page.get_by_label("Retenir mes coordonnées sur ce téléphone")
    expect(remember).not_to_be_checked()
    remember.check()
    _order_from_form(page, "Jérôme Müller", "+33 6 01 02 03 04")

    # ... then, from a product page, every click the customer makes is counted.
    page.goto(f"{shop_url}/p/ECL")
    expect(page.get_by_role("heading", level=1)).to_have_text("Éclair café")
    page.evaluate("""() => { window.taps = 0;
        document.addEventListener('click', e => { if (e.isTrusted) window.taps++; }, true); }""")
    page.get_by_role("button", name="Ajouter au panier Éclair café").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    page.get_by_role("button", name=ORDER_BUTTON).click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "new")
    assert page.evaluate("window.taps") == 3
    order_id = page.url.rsplit("/", 1)[1]
    order = fetch_order(market, demo_shop[0], order_id, order_secret(page, order_id))
    assert order["customer"]["name"] == "Jérôme Müller"
    assert order["customer"]["phone"] == "+33 6 01 02 03 04"
    assert [(line["sku"], line["qty"]) for line in order["lines"]] == [("ECL", 1)]
    assert order["pickup_slot"]  # the first slot offered, chosen for them


def test_details_are_kept_only_when_the_customer_asks(page, market, demo_shop, shop_url):
    watch_shop(market, demo_shop[0])
    page.goto(shop_url)
    page.get_by_role("button", name="Ajouter Baguette tradition").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    expect(page.get_by_label("Retenir mes coordonnées sur ce téléphone")).not_to_be_checked()
    _order_from_form(page, "Jérôme Müller", "+33 6 01 02 03 04")
    assert page.evaluate("localStorage.getItem('comptoir.customer')") is None
    page.goto(shop_url)
    page.get_by_role("button", name="Ajouter Baguette tradition").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    expect(page.get_by_label("Votre nom", exact=True)).to_have_value("")
    expect(page.get_by_label("Retenir mes coordonnées sur ce téléphone")).not_to_be_checked()


def _with_catalogue(page, shop_id: str, **shop_fields) -> None:
    """The catalogue as the page receives it, with some fields changed (what a server, an
    old row or a browser's older zone database might give)."""
    slots = shop_fields.pop("pickup_slots", None)

    def handle(route) -> None:
        body = route.fetch().json()
        body["shop"].update(shop_fields)
        if slots is not None:
            body["pickup_slots"] = slots
        route.fulfill(json=body)

    page.route(re.compile(rf".*/v1/customer/shops/{shop_id}$"), handle)


def test_a_zone_the_browser_does_not_know_falls_back_to_paris(page, market, demo_shop,
                                                               shop_url):
    watch_shop(market, demo_shop[0])
    _with_catalogue(page, demo_shop[0], time_zone="posixrules",
                    pickup_slots=["2030-01-15T09:00:00Z"])
    page.goto(shop_url)
    page.get_by_role("button", name="Ajouter Baguette tradition").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    # Intl refuses "posixrules" (RangeError): the page shows the slot in Paris time instead.
    expect(page.get_by_label("Créneau de retrait").locator("option")).to_have_text(
        ["mardi 15 janvier à 10:00"])


def test_tomorrow_is_the_next_calendar_day_even_on_a_23_hour_day(page, market, demo_shop,
                                                                   shop_url):
    # Saturday 28 March 2026, 23:30 in Paris; Sunday has 23 hours (summer time begins), so
    # "now + 24 h" is already Monday: Sunday's slot must still read "demain".
    watch_shop(market, demo_shop[0])
    page.clock.set_fixed_time(dt.datetime(2026, 3, 28, 22, 30, tzinfo=dt.UTC))
    _with_catalogue(page, demo_shop[0], pickup_slots=["2026-03-29T08:00:00Z"])
    page.goto(shop_url)
    page.get_by_role("button", name="Ajouter Baguette tradition").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    expect(page.get_by_label("Créneau de retrait").locator("option")).to_have_text(
        ["demain à 10:00"])


def test_a_sold_out_product_is_shown_so_and_cannot_be_ordered(page, market, demo_shop,
                                                             shop_url):
    shop_id = demo_shop[0]
    watch_shop(market, shop_id)
    market.add_products(shop_id, [{"sku": "VIDE", "name": "Tarte du jour", "price_cents": 500,
                                   "category": "Pâtisserie", "stock": 0}])
    page.goto(shop_url)
    expect(page.locator("main")).not_to_contain_text("null")  # nothing missing is printed
    sold_out = page.get_by_role("button", name="Épuisé Tarte du jour")
    expect(sold_out).to_be_disabled()
    page.goto(f"{shop_url}/p/VIDE")
    expect(page.get_by_text("Épuisé : ce produit ne peut pas être commandé")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Ajouter au panier"))).to_have_count(0)

    # A product that sells out while in the basket is marked and stops the order.
    page.goto(f"{shop_url}/p/BUCHE")
    page.get_by_role("button", name="Ajouter au panier Bûche pâtissière").click()
    buyer = httpx.post(f"{market.url}/v1/customer/shops/{shop_id}/orders", timeout=10, json={
        "customer": {"name": "Autre client", "phone": "07 00 00 00 01"}, "channel": "collect",
        "lines": [{"sku": "BUCHE", "qty": 4}]})
    assert buyer.status_code == 201, buyer.text
    page.get_by_role("link", name=ORDER_BUTTON).click()
    expect(page.locator(".lines")).to_contain_text("Épuisé")
    page.get_by_label("Votre nom", exact=True).fill("Zoé")
    page.get_by_label("Téléphone", exact=True).fill("06 00 00 00 02")
    page.get_by_role("button", name=ORDER_BUTTON).click()
    expect(page.get_by_role("alert")).to_contain_text("Retirez les produits épuisés du panier")
    assert "#/suivi/" not in page.url


def test_a_paused_shop_and_an_unwatched_shop_are_shown_before_any_basket(page, market,
                                                                        demo_shop, shop_url):
    shop_id, code = demo_shop
    token = httpx.post(f"{market.url}/v1/pair", timeout=10, json={
        "pairing_code": code, "device_name": "Comptoir"}).json()["device_token"]
    paused = httpx.post(f"{market.url}/v1/push", timeout=10,
                        headers={"Authorization": f"Bearer {token}"},
                        json={"client_id": "c1", "mutations": [
                            {"id": 1, "name": "shop.pause", "args": {"paused": True}}]})
    assert paused.status_code == 200, paused.text
    lonely, _ = market.create_shop("Fromagerie Müller", "3 rue des Orfèvres",
                                   products=[{"sku": "COMTE", "name": "Comté 18 mois",
                                              "price_cents": 990, "stock": 10}])
    page.goto(storefront_url(market.url))
    zoe = page.get_by_role("listitem").filter(has_text="Boulangerie Zoé")
    expect(zoe).to_contain_text("En pause")
    expect(page.get_by_role("listitem").filter(has_text="Fromagerie Müller")).to_contain_text(
        "Indisponible")
    zoe.get_by_role("link").click()
    expect(page.get_by_role("alert")).to_contain_text("Cette boutique est en pause")
    for button in page.get_by_role("button", name=re.compile("^Ajouter ")).all():
        expect(button).to_be_disabled()
    page.goto(f"{storefront_url(market.url)}#/b/{lonely}")
    expect(page.get_by_role("alert")).to_contain_text("Personne n’est au comptoir")
    expect(page.get_by_role("button", name="Ajouter Comté 18 mois")).to_be_disabled()


def _tab_to(page, wanted: str, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible text starts with ``wanted``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            const label = e.labels && e.labels[0] ? e.labels[0].textContent : '';
            return (label || e.textContent || '').trim(); }""")
        if focused.startswith(wanted):
            return
    raise AssertionError(f"{wanted!r} not reached with the keyboard")


def test_an_order_can_be_placed_with_the_keyboard_only(page, market, demo_shop, shop_url):
    watch_shop(market, demo_shop[0])
    page.goto(shop_url)
    expect(page.get_by_role("button", name="Ajouter Croissant")).to_be_visible()
    _tab_to(page, "Ajouter Croissant")
    page.keyboard.press("Enter")
    _tab_to(page, "Commander · ")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre commande")
    _tab_to(page, "Votre nom")
    page.keyboard.type("Loïc Besnard")
    _tab_to(page, "Téléphone")
    page.keyboard.type("06 98 76 54 32")
    _tab_to(page, "Commander · ")
    page.keyboard.press("Enter")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "new")
    order_id = page.url.rsplit("/", 1)[1]
    order = fetch_order(market, demo_shop[0], order_id, order_secret(page, order_id))
    assert order["customer"]["name"] == "Loïc Besnard"


def test_the_page_weighs_under_100_kb_and_loads_nothing_from_elsewhere(page, market, demo_shop,
                                                                      shop_url):
    watch_shop(market, demo_shop[0])
    finished: list = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(shop_url, wait_until="networkidle")
    expect(page.get_by_role("button", name="Ajouter Croissant")).to_be_visible()
    transferred = 0
    for request in finished:
        assert request.url.startswith(market.url), request.url
        sizes = request.sizes()
        transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    assert {r.url.rsplit("/", 1)[-1].split("?")[0] for r in finished} >= {
        "", "app.js", "app.css", "icon.svg", demo_shop[0]}
    print(f"storefront shop page: {transferred} bytes in {len(finished)} requests")
    assert transferred < 100_000


def test_every_page_fits_a_360_px_phone_without_sideways_scrolling(page, market, demo_shop,
                                                                  shop_url):
    watch_shop(market, demo_shop[0])
    wide = "<b>Pâtisserie</b> " + "Supercalifragilistique" * 3
    market.add_products(demo_shop[0], [{"sku": "LONG", "name": wide, "price_cents": 123456,
                                        "category": "Pâtisserie", "stock": 3}])
    pages = [storefront_url(market.url), shop_url, f"{shop_url}/p/LONG"]
    for url in pages:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        # A one-word label stays whole ("Cherc / her" was seen on the shops' search).
        tall = page.evaluate("[...document.querySelectorAll('button')]"
                             ".filter(b => !/\\s/.test(b.textContent.trim()))"
                             ".map(b => [b.textContent.trim(), b.getBoundingClientRect().height])"
                             ".filter(([, height]) => height > 52)")
        assert tall == [], (url, tall)
    page.get_by_role("button", name=re.compile("^Ajouter au panier")).click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre commande")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    order_id = _order_from_form(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Markup in names is shown as text, never run or parsed.
    expect(page.locator(".lines")).to_contain_text("<b>Pâtisserie</b>")
    assert page.locator("main b").count() == 0
    assert order_id.startswith("ord_")
    small = page.evaluate("""() => [...document.querySelectorAll('button, a.button, input, select')]
        .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44).length""")
    assert small == 0  # every control is a comfortable tap target


_AUDIT = """() => {
    const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = (e) => { for (; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
    const low = [];
    for (const e of document.querySelectorAll('body *')) {
        if (!e.getClientRects().length) continue;
        if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
        const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(background(e))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) low.push(e.tagName + ' ' + e.textContent.trim().slice(0, 30) + ' '
                                  + ratio.toFixed(2));
    }
    const unlabelled = [...document.querySelectorAll('input, select, textarea')]
        .filter((e) => !e.labels || !e.labels.length).map((e) => e.outerHTML);
    const nameless = [...document.querySelectorAll('button, a')]
        .filter((e) => !e.textContent.trim() && !e.getAttribute('aria-label'))
        .map((e) => e.outerHTML);
    return {low, unlabelled, nameless};
}"""


def test_text_contrast_labels_and_names_on_every_page(page, market, demo_shop, shop_url):
    """WCAG AA contrast (4.5:1) for every piece of text, a label for every field, a name
    for every button and link, on each page of an order."""
    watch_shop(market, demo_shop[0])
    market.add_products(demo_shop[0], [
        {"sku": "VIDE", "name": "Tarte du jour", "price_cents": 500, "category": "Pâtisserie",
         "stock": 0},
        {"sku": "PEU", "name": "Brioche", "price_cents": 450, "category": "Viennoiserie",
         "stock": 1, "low_stock_threshold": 3}])
    audits = {}
    page.goto(storefront_url(market.url))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audits["shops"] = page.evaluate(_AUDIT)
    page.goto(shop_url)
    expect(page.get_by_text("Plus que quelques-uns")).to_be_visible()
    page.get_by_role("button", name="Ajouter Brioche").click()
    audits["shop"] = page.evaluate(_AUDIT)
    page.goto(f"{shop_url}/p/VIDE")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tarte du jour")
    audits["product"] = page.evaluate(_AUDIT)
    page.get_by_role("link", name=ORDER_BUTTON).click()
    page.get_by_role("button", name=ORDER_BUTTON).click()  # empty fields: their errors
    expect(page.locator(".error:not([hidden])").first).to_be_visible()
    audits["checkout"] = page.evaluate(_AUDIT)
    _order_from_form(page)
    audits["status"] = page.evaluate(_AUDIT)
    assert {name: audit for name, audit in audits.items()
            if any(audit.values())} == {}
    # The audit itself catches pale text and an unlabelled field.
    page.evaluate("""() => { const p = document.createElement('p'); p.textContent = 'pâle';
        p.style.color = '#aaa'; document.querySelector('main').append(p, document.createElement('input')); }""")
    caught = page.evaluate(_AUDIT)
    assert caught["low"] == ["P pâle 2.13"]  # #aaa on the page grey and len(caught["unlabelled"]) == 1


def test_a_delivery_asks_for_the_address_in_french_and_carries_it(page, market, demo_shop,
                                                                 shop_url):
    watch_shop(market, demo_shop[0])
    page.goto(f"{shop_url}/p/QUICHE")
    page.get_by_label("Quantité").fill("2")
    page.get_by_role("button", name="Ajouter au panier Quiche lorraine").click()
    page.get_by_role("link", name=ORDER_BUTTON).click()
    page.get_by_role("radio", name="Livraison").check()
    expect(page.get_by_label("Créneau de retrait")).to_be_hidden()
    page.get_by_label("Votre nom", exact=True).fill("Anaïs Ménard")
    page.get_by_label("Téléphone", exact=True).fill("06 11 22 33 44")
    page.get_by_role("button", name=ORDER_BUTTON).click()
    address = page.get_by_label("Adresse de livraison")
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#address-error")).to_have_text("Indiquez l’adresse de livraison.")
    expect(address).to_be_focused()
    address.fill("12 rue des Tanneurs\n67000 Strasbourg")
    page.get_by_role("button", name=ORDER_BUTTON).click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "new")
    order_id = page.url.rsplit("/", 1)[1]
    order = fetch_order(market, demo_shop[0], order_id, order_secret(page, order_id))
    assert order["channel"] == "delivery" and order["pickup_slot"] is None
    assert order["customer"]["address"] == "12 rue des Tanneurs\n67000 Strasbourg"
    assert [(line["sku"], line["qty"]) for line in order["lines"]] == [("QUICHE", 2)]
    expect(page.locator(".card").last).to_contain_text("À payer à la livraison.")
