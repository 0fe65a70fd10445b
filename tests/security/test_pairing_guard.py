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


def test_guessing_one_shop_from_many_addresses_without_naming_it_is_locked_out(server, caplog):
    """The app never sends shop_id: the code's tag routes every guess to its shop's limit."""
    shop_id, code = server.create_shop("Cave Irène")
    other_id, other_code = server.create_shop("Cave Odile")
    tag = code.split("-")[0]
    caplog.set_level(logging.WARNING, logger="marketplace.limits")
    for n in range(3):  # 2 guesses per address: under the per-address limit (4)
        with _client(80 + n) as http:
            for guess in (f"{tag}-BBBBB-BBBBB", f"{tag.lower()} ccccc ccccc"):
                assert _pair(http, server.url, guess).status_code == 404
    with _client(90) as http:
        locked = _pair(http, server.url, code)  # even the right code waits now
        assert locked.status_code == 429 and 1 <= int(locked.headers["retry-after"]) <= 3600
        assert _pair(http, server.url, other_code).status_code == 200
    assert any("locked out for shop" in r.getMessage() and shop_id in r.getMessage()
               for r in caplog.records)


def test_an_unknown_tag_is_refused_like_a_wrong_code_and_counted_per_address(server):
    shop_id, code = server.create_shop("Cave Rémi")
    unknown = next(c * 4 for c in CODE_ALPHABET if not code.startswith(c * 4))
    with _client(100) as http:
        for _ in range(4):
            refused = _pair(http, server.url, f"{unknown}-{code[5:]}")
            assert refused.status_code == 404
            assert refused.json()["error"]["code"] == "invalid_pairing_code"
        assert _pair(http, server.url, code).status_code == 429
    with _client(101) as http:
        assert _pair(http, server.url, code.lower().replace("-", " ")).status_code == 200


def test_shops_from_before_tags_get_one_and_their_untagged_codes_are_revoked(tmp_path):
    from sqlite_utils import Database

    from marketplace.legacy_migrations import MIGRATIONS, migrate

    db = Database(tmp_path / "old.db")
    MIGRATIONS.apply(db, stop_before="0007_shop_pairing_tag")
    for shop_id in ("shop_a", "shop_b"):
        db.execute("INSERT INTO shops (id, name, created_at, version) VALUES (?, 'x', 't', 1)",
                   (shop_id,))
        db.execute("INSERT INTO pairing_secrets (code_hash, shop_id, created_at, expires_at)"
                   " VALUES (?, ?, '2020-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z')",
                   (f"hash-{shop_id}", shop_id))
    db.conn.commit()
    migrate(db)
    tags = [row[0] for row in db.execute("SELECT pairing_tag FROM shops").fetchall()]
    assert len(set(tags)) == 2 and all(len(t) == 4 and set(t) <= set(CODE_ALPHABET)
                                       for t in tags)
    assert db.execute("SELECT COUNT(*) FROM pairing_secrets WHERE revoked_at IS NULL"
                      ).fetchone()[0] == 0
    db.close()


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


def test_a_token_is_rotated_once_and_a_second_rotation_changes_nothing(server):
    shop = open_shop(server)
    first = httpx.post(f"{shop.url}/v1/devices/self/rotate", headers=shop.auth)
    assert first.status_code == 200, first.text
    again = httpx.post(f"{shop.url}/v1/devices/self/rotate", headers=shop.auth)
    assert again.status_code == 409 and again.json()["error"]["code"] == "token_already_rotated"
    assert shop.pull()["shop"]["id"] == shop.shop_id  # the old token, within its grace
    shop.token = first.json()["device_token"]
    assert shop.pull()["shop"]["id"] == shop.shop_id  # the first answer's token is the one
