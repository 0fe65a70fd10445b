"""A shop nobody watches takes no orders (409 shop_unattended), and a timed pause ends by itself."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import struct
import threading

import httpx
import pytest

from marketplace import shops
from marketplace.catalogue import DEMO_PRODUCTS
from marketplace.embedded import EmbeddedMarketplace
from marketplace.storage import open_database
from sync.protocol import to_iso
from tests.conftest import wait_until
from tests.db import sql, value
from tests.marketplace.conftest import ShopSession, open_shop
from tests.pg import BACKENDS, database_for


def _backdate(market: EmbeddedMarketplace, shop_id: str, seconds: float) -> None:
    """As if the shop's counters had last been connected ``seconds`` ago."""
    seen = to_iso(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))
    sql(market, "UPDATE devices SET last_seen_at = ? WHERE shop_id = ?", (seen, shop_id))


def _error_code(response: httpx.Response) -> str:
    return response.json()["error"]["code"]


def test_a_shop_that_never_paired_a_counter_takes_no_order(server):
    shop_id, _code = server.create_shop("Fromagerie sans comptoir", products=DEMO_PRODUCTS)
    customer = ShopSession(server.url, shop_id, token="none")
    response = customer.order([("CROIS", 1)])
    assert response.status_code == 409
    assert _error_code(response) == "shop_unattended"
    assert "comptoir" in response.json()["error"]["message"]
    # Nothing was taken: no order, no stock moved.
    # (The customer catalogue shows no quantity: read the stock where the market keeps it.)
    assert value(server, "SELECT COUNT(*) FROM orders WHERE shop_id = ?", (shop_id,)) == 0
    stock = value(server, "SELECT stock FROM products WHERE shop_id = ? AND sku = 'CROIS'",
                  (shop_id,))
    assert stock == DEMO_PRODUCTS[0]["stock"]
    # An unknown shop is still "unknown", not "unattended".
    assert _error_code(customer.order([("CROIS", 1)], shop_id="shop_nope")) == "unknown_shop"


def test_unattended_after_the_delay_and_open_again_when_a_counter_polls(server, shop):
    assert shop.order([("CROIS", 1)]).status_code == 201  # just paired: watched
    _backdate(server, shop.shop_id, 91)  # default delay: 90 s
    refused = shop.order([("CROIS", 1)])
    assert refused.status_code == 409 and _error_code(refused) == "shop_unattended"
    shop.pull()  # the counter is back (a short pull is enough)
    wait_until(lambda: shop.order([("CROIS", 1)]).status_code == 201)


def test_just_under_the_delay_the_shop_is_still_attended(server, shop):
    _backdate(server, shop.shop_id, 80)
    assert shop.order([("CROIS", 1)]).status_code == 201


def test_a_held_long_poll_keeps_the_shop_open_and_receives_the_order(server, shop):
    cursor = shop.pull()["cursor"]
    state = server._state
    assert state is not None
    answers: list[dict] = []
    poll = threading.Thread(target=lambda: answers.append(shop.pull(cursor, wait=10)))
    poll.start()
    wait_until(lambda: state.presence.holding(shop.shop_id))
    # An hour later, as far as the records go: only the poll held right now says someone watches.
    _backdate(server, shop.shop_id, 3600)
    real_clock = state.presence.clock
    state.presence.clock = lambda: real_clock() + 3600
    try:
        order = shop.place([("CROIS", 1)])
    finally:
        state.presence.clock = real_clock
    poll.join(10)
    assert [o["id"] for o in answers[0]["orders"]] == [order["id"]]


def _last_seen(market: EmbeddedMarketplace, shop_id: str) -> str | None:
    return value(market, "SELECT MAX(last_seen_at) FROM devices WHERE shop_id = ?", (shop_id,))


def test_presence_is_written_down_and_survives_a_restart(database):
    market = EmbeddedMarketplace(database, settings={"unattended_after_s": 30})
    with market:
        shop = open_shop(market)
        paired_at = _last_seen(market, shop.shop_id)
        _backdate(market, shop.shop_id, 20)
        shop.pull()
        # Written by the sweeper (≤ 1 s later), in one transaction for all counters seen.
        wait_until(lambda: _last_seen(market, shop.shop_id) >= paired_at, timeout=5)
    with market:  # a restarted server knows nothing in memory: the database says "watched"
        assert shop.order([("CROIS", 1)]).status_code == 201
        _backdate(market, shop.shop_id, 31)
        assert _error_code(shop.order([("CROIS", 1)])) == "shop_unattended"


def test_a_revoked_counter_does_not_count(server, shop):
    assert shop.http.delete(f"{shop.url}/v1/devices/self", headers=shop.auth).status_code == 204
    assert _error_code(shop.order([("CROIS", 1)])) == "shop_unattended"


def test_a_revoked_counter_stops_counting_at_once(server, shop):
    shop.pull()  # seen just now, in this process's memory too
    assert shop.order([("CROIS", 1)]).status_code == 201
    assert shop.http.delete(f"{shop.url}/v1/devices/self", headers=shop.auth).status_code == 204
    assert _error_code(shop.order([("CROIS", 1)])) == "shop_unattended"


def _held_pull_then_reset(market: EmbeddedMarketplace, shop: ShopSession, cursor: int) -> None:
    """A counter whose connection drops mid-poll: a held pull, then a TCP reset."""
    host, port = market.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall((f"GET /v1/pull?cursor={cursor}&wait=20&client_id=c HTTP/1.1\r\n"
                  f"Host: {host}\r\nAuthorization: Bearer {shop.token}\r\n\r\n").encode())
    state = market._state
    assert state is not None
    wait_until(lambda: state.presence.holding(shop.shop_id))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # RST, not FIN: as when the cable is pulled and the kernel gives up


def test_a_dropped_connection_stops_counting_at_once(tmp_path, caplog):
    with EmbeddedMarketplace(tmp_path / "m.db", settings={"unattended_after_s": 1}) as market:
        shop = open_shop(market)
        cursor = shop.pull()["cursor"]
        _held_pull_then_reset(market, shop, cursor)
        state = market._state
        assert state is not None
        wait_until(lambda: not state.presence.holding(shop.shop_id), timeout=3)
        # Not noted as seen when its hold would have ended: unattended after the delay
        # (watched without placing orders: customers' attempts are rate-limited).
        def unattended() -> bool:
            with contextlib.closing(open_database(market.database_url)) as db:
                gate = shops.order_gate(db, shop.shop_id)
            return not state.presence.attended(shop.shop_id, gate, dt.datetime.now(dt.UTC))

        wait_until(unattended, timeout=4)
        assert _error_code(shop.order([("CROIS", 1)])) == "shop_unattended"
        shop.pull()  # back
        assert shop.order([("CROIS", 1)]).status_code == 201
    assert "unhandled error" not in caplog.text  # the abandoned pull ended quietly


def test_a_retried_order_gets_its_answer_even_when_unattended(server, shop):
    first = shop.place([("CROIS", 1)], idempotency_key="k-presence-1")
    _backdate(server, shop.shop_id, 3600)
    again = shop.order([("CROIS", 1)], idempotency_key="k-presence-1")
    assert again.status_code == 201
    assert again.json()["id"] == first["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _error_code(shop.order([("CROIS", 1)], idempotency_key="k-presence-2")) \
        == "shop_unattended"


def test_a_paused_shop_says_paused_rather_than_unattended(server, shop):
    shop.push(("shop.pause", {"paused": True}))
    _backdate(server, shop.shop_id, 3600)
    assert _error_code(shop.order([("CROIS", 1)])) == "shop_paused"


def test_the_delay_is_a_server_setting(tmp_path):
    with EmbeddedMarketplace(tmp_path / "m.db", settings={"unattended_after_s": 1}) as market:
        shop = open_shop(market)
        _backdate(market, shop.shop_id, 2)
        assert _error_code(shop.order([("CROIS", 1)])) == "shop_unattended"
        shop.pull()
        assert shop.order([("CROIS", 1)]).status_code == 201
    with pytest.raises(ValueError):
        EmbeddedMarketplace(tmp_path / "m.db", settings={"unattended_after_s": 0})


def test_serve_has_an_unattended_after_option():
    from marketplace.__main__ import build_parser

    args = build_parser().parse_args(["serve", "--db", "m.db", "--unattended-after", "30"])
    assert args.unattended_after == 30.0
    assert build_parser().parse_args(["serve", "--db", "m.db"]).unattended_after == 90.0


# -- timed pause --------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def quick(request, tmp_path_factory):
    with database_for(request.param, tmp_path_factory.mktemp("quick")) as database:
        market = EmbeddedMarketplace(database, settings={"timeout_check_interval_s": 0.05})
        market.start()
        yield market
        market.stop()


def test_a_timed_pause_reopens_the_shop_by_itself(quick):
    shop = open_shop(quick)
    cursor = shop.pull()["cursor"]
    until = to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.6))
    answer = shop.push(("shop.pause", {"paused": True, "paused_until": until}))
    assert answer["results"][0]["status"] == "applied"
    pulled = shop.pull(cursor)
    assert pulled["shop"]["paused"] is True and pulled["shop"]["paused_until"] == until
    assert _error_code(shop.order([("CROIS", 1)])) == "shop_paused"
    # The sweeper reopens it, and a waiting counter hears it at once.
    cursor = pulled["cursor"]
    reopened = wait_until(lambda: shop.pull(cursor, wait=5)["shop"]["paused"] is False or None,
                          timeout=10)
    assert reopened
    shop_now = shop.pull()["shop"]
    assert shop_now["paused"] is False and shop_now["paused_until"] is None
    assert shop.order([("CROIS", 1)]).status_code == 201


def test_an_order_reopens_a_pause_that_is_over_before_the_sweeper(server, shop):
    # The module's server sweeps every second at most; an order arriving first reopens it.
    past = to_iso(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    shop.push(("shop.pause", {"paused": True, "paused_until": past}))
    assert shop.order([("CROIS", 1)]).status_code == 201
    assert shop.pull()["shop"]["paused"] is False


@pytest.mark.parametrize("args", [
    {"paused": False, "paused_until": "2026-11-23T12:00:00.000Z"},
    {"paused": True, "paused_until": "tomorrow"},
    {"paused": True, "paused_until": 1700000000},
])
def test_a_bad_paused_until_is_refused(shop, args):
    result = shop.push(("shop.pause", args))["results"][0]
    assert result["status"] == "refused" and result["error"]["code"] == "bad_args"
    assert shop.pull()["shop"]["paused"] is False


def test_resuming_clears_the_timed_pause(shop):
    later = to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    shop.push(("shop.pause", {"paused": True, "paused_until": later}),
              ("shop.pause", {"paused": False}))
    now = shop.pull()["shop"]
    assert (now["paused"], now["paused_until"]) == (False, None)


def test_a_shop_s_time_zone_is_suggested_to_its_counters(tmp_path, capsys):
    from marketplace.__main__ import main

    db = str(tmp_path / "m.db")
    assert main(["create-shop", "--db", db, "--name", "Chocolaterie Léa",
                 "--time-zone", "Europe/Paris", "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert main(["create-shop", "--db", db, "--name", "Ailleurs",
                 "--time-zone", "Mars/Olympus"]) == 2
    assert "Mars/Olympus" in capsys.readouterr().err
    with EmbeddedMarketplace(db) as market:
        response = httpx.post(f"{market.url}/v1/pair", json={
            "pairing_code": created["pairing_code"], "device_name": "Comptoir"})
        shop = ShopSession(market.url, created["shop_id"], response.json()["device_token"])
        assert shop.pull()["shop"]["time_zone"] == "Europe/Paris"


def test_a_database_from_before_presence_upgrades_and_its_counters_count_once_back(tmp_path):
    """Devices paired before the migration have no last-seen time: their shop is unattended
    until its counter polls again (which a running counter does within seconds)."""
    from sqlite_utils import Database

    from marketplace.legacy_migrations import MIGRATIONS

    path = tmp_path / "old.db"
    with contextlib.closing(Database(path)) as old:
        MIGRATIONS.apply(old, stop_before="0003_device_presence_and_timed_pause")
    with EmbeddedMarketplace(path) as market:  # migrates to the current schema
        shop = open_shop(market)
        sql(path, "UPDATE devices SET last_seen_at = NULL")  # as if paired by the old server
        assert _error_code(shop.order([("CROIS", 1)])) == "shop_unattended"
        shop.pull()
        assert shop.order([("CROIS", 1)]).status_code == 201
        pulled = shop.pull()["shop"]
        assert pulled["paused_until"] is None and pulled["time_zone"] is None
    with contextlib.closing(Database(path)) as db:
        assert {"last_seen_at"} <= set(db["devices"].columns_dict)
        assert {"paused_until", "time_zone"} <= set(db["shops"].columns_dict)
