"""Pairing resists guessing; tokens expire and rotate; the operator holds the keys (point 3)."""

from __future__ import annotations

import logging
import math
import sqlite3

import httpx
import pytest

from marketplace.__main__ import main
from marketplace.pairing import CODE_ALPHABET
from tests.marketplace.conftest import open_shop

SETTINGS = {"pairing_failures_per_address": "4/hour", "pairing_failures_per_shop": "6/hour",
            "device_token_ttl_s": 3600}


def _client(n: int) -> httpx.Client:
    """A client from its own loopback address (127.0.0.n): limits count per address."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}"), timeout=10)


def _pair(http: httpx.Client, url: str, code: str, **extra: str) -> httpx.Response:
    return http.post(f"{url}/v1/pair", json={"pairing_code": code, "device_name": "t", **extra})


def test_codes_carry_at_least_40_bits_and_are_stored_hashed(server):
    shop_id, code = server.create_shop("Épicerie Noé")
    symbols = code.replace("-", "")
    assert set(symbols) <= set(CODE_ALPHABET)
    assert len(symbols) * math.log2(len(CODE_ALPHABET)) >= 40
    with sqlite3.connect(server.db_path) as conn:
        dump = "\n".join(conn.iterdump())
    assert code not in dump and symbols not in dump


def test_codes_expire(server):
    shop_id, code = server.create_shop("Épicerie Lou")
    with sqlite3.connect(server.db_path) as conn:
        conn.execute("UPDATE pairing_secrets SET expires_at = '2020-01-01T00:00:00.000Z'"
                     " WHERE shop_id = ?", (shop_id,))
    with _client(20) as http:
        assert _pair(http, server.url, code).status_code == 404


def test_guessing_from_one_address_is_locked_out_and_logged(server, caplog):
    shop_id, code = server.create_shop("Cave Léon")
    caplog.set_level(logging.WARNING, logger="marketplace.limits")
    with _client(30) as http:
        for n in range(4):
            assert _pair(http, server.url, f"AAAAA-AAAA{CODE_ALPHABET[n]}").status_code == 404
        locked = _pair(http, server.url, code)  # even the right code waits now
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(locked.headers["retry-after"]) <= 3600
    assert any("locked out" in r.getMessage() and "127.0.0.30" in r.getMessage()
               for r in caplog.records)
    with _client(31) as http:  # another address is not punished for it
        assert _pair(http, server.url, code).status_code == 200


def test_guessing_one_shop_from_many_addresses_is_locked_out(server):
    shop_id, code = server.create_shop("Cave Jeanne")
    other_id, other_code = server.create_shop("Cave Marius")
    for n in range(3):
        with _client(40 + n) as http:
            for guess in ("BBBBB-BBBBB", "CCCCC-CCCCC"):
                assert _pair(http, server.url, guess, shop_id=shop_id).status_code == 404
    with _client(50) as http:
        locked = _pair(http, server.url, code, shop_id=shop_id)
        assert locked.status_code == 429 and "retry-after" in locked.headers
        assert _pair(http, server.url, other_code, shop_id=other_id).status_code == 200
        # A code named for the wrong shop is refused like an unknown one.
        third_id, third_code = server.create_shop("Cave Paul")
        assert _pair(http, server.url, third_code, shop_id=other_id).status_code == 404


def test_a_token_rotates_without_losing_the_outbox(server):
    shop = open_shop(server)
    shop.push(("stock.adjust", {"sku": "CROIS", "delta": -1, "reason": "counter_sale"}))
    old = shop.token
    rotated = httpx.post(f"{shop.url}/v1/devices/self/rotate", headers=shop.auth)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["expires_at"]
    shop.token = rotated.json()["device_token"]
    shop.push(("stock.adjust", {"sku": "CROIS", "delta": -1, "reason": "counter_sale"}))
    assert shop.pull()["last_mutation_id"] == 2  # same client_id: the sequence goes on
    in_flight = httpx.get(f"{shop.url}/v1/pull", headers={"Authorization": f"Bearer {old}"})
    assert in_flight.status_code == 200  # the old token's grace period
    with sqlite3.connect(server.db_path) as conn:
        conn.execute("UPDATE devices SET previous_valid_until = '2020-01-01T00:00:00.000Z'")
    stale = httpx.get(f"{shop.url}/v1/pull", headers={"Authorization": f"Bearer {old}"})
    assert stale.status_code == 401
    assert shop.pull()["shop"]["id"] == shop.shop_id


def test_an_expired_token_pairs_again_and_keeps_its_client_id(server):
    shop = open_shop(server)
    shop.push(("stock.adjust", {"sku": "PAC", "delta": -2, "reason": "counter_sale"}))
    with sqlite3.connect(server.db_path) as conn:
        conn.execute("UPDATE devices SET expires_at = '2020-01-01T00:00:00.000Z'"
                     " WHERE shop_id = ?", (shop.shop_id,))
    assert shop.push_raw([]).status_code == 401
    with _client(60) as http:
        answer = _pair(http, server.url, server.new_pairing_code(shop.shop_id)).json()
    shop.token = answer["device_token"]
    assert shop.pull()["last_mutation_id"] == 1  # the server still knows this client's outbox
    shop.push(("stock.adjust", {"sku": "PAC", "delta": -1, "reason": "counter_sale"}))
    assert shop.stock()["PAC"] == 40 - 3


def test_the_operator_lists_and_revokes_devices_and_codes(server, capsys):
    shop = open_shop(server)
    db = str(server.db_path)
    assert main(["devices", "--db", db, "--shop", shop.shop_id]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 1 and "Comptoir test" in listed[0] and "expires" in listed[0]
    device_id = listed[0].split("\t")[0]
    code = server.new_pairing_code(shop.shop_id)
    assert main(["pairing-codes", "--db", db, "--shop", shop.shop_id]) == 0
    pending = capsys.readouterr().out.splitlines()
    assert len(pending) == 1 and code not in pending[0]
    assert main(["revoke-code", "--db", db, "--shop", shop.shop_id]) == 0
    assert "1 code(s) revoked" in capsys.readouterr().out
    with _client(70) as http:
        assert _pair(http, server.url, code).status_code == 404
    assert main(["revoke-device", "--db", db, "--shop", shop.shop_id, "--device", device_id]) == 0
    assert shop.push_raw([]).status_code == 401
    assert main(["revoke-device", "--db", db, "--shop", "shop_nope", "--device", "1"]) == 2


@pytest.mark.parametrize("command", ["devices", "pairing-codes", "revoke-code"])
def test_operator_commands_refuse_an_unknown_shop(server, command):
    assert main([command, "--db", str(server.db_path), "--shop", "shop_nope"]) == 2
