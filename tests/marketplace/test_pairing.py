"""Pairing codes, device tokens and the 401 answer."""

from __future__ import annotations

import hashlib
import threading

import httpx
import pytest

from marketplace.schema import metadata
from tests.conftest import wait_until
from tests.db import sql
from tests.marketplace.conftest import ShopSession, open_shop


def _pair(url: str, code: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/pair", json={"pairing_code": code, "device_name": "Caisse 2"})


def test_a_pairing_code_works_once(server):
    shop_id, code = server.create_shop("Fromagerie Étienne")
    first = _pair(server.url, code)
    assert first.status_code == 200
    assert first.json()["shop_id"] == shop_id
    assert first.json()["shop_name"] == "Fromagerie Étienne"
    second = _pair(server.url, code)
    assert second.status_code == 404
    assert second.json()["error"]["code"] == "invalid_pairing_code"


def test_a_code_is_forgiving_about_case_spaces_and_dash(server):
    shop_id, code = server.create_shop("Fleurs de Maëlle")
    typed = " " + code.replace("-", "").lower() + " "
    assert _pair(server.url, typed).json()["shop_id"] == shop_id


@pytest.mark.parametrize("code", ["ZZZZ-9999", "nonsense", "", "ABCD-12345"])
def test_unknown_codes_are_refused(server, code):
    response = _pair(server.url, code)
    assert response.status_code in (404, 422)
    assert response.json()["error"]["code"] in ("invalid_pairing_code", "invalid_request")


def test_a_new_code_pairs_a_second_device(server):
    session = open_shop(server)
    answer = _pair(server.url, server.new_pairing_code(session.shop_id)).json()
    assert answer["shop_id"] == session.shop_id
    assert answer["device_token"] != session.token


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer cpt_forged",
                                   "bearer " + "x" * 600])
def test_missing_or_invalid_tokens_get_401(server, header):
    headers = {"Authorization": header} if header is not None else {}
    for method, path, body in [("GET", "/v1/pull", None),
                               ("POST", "/v1/push", {"client_id": "c", "mutations": []}),
                               ("DELETE", "/v1/devices/self", None)]:
        response = httpx.request(method, f"{server.url}{path}", json=body, headers=headers)
        assert response.status_code == 401, (path, response.text)
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_token_gets_401_and_other_devices_keep_working(server):
    session = open_shop(server)
    other = _pair(server.url, server.new_pairing_code(session.shop_id)).json()["device_token"]
    revoked = httpx.delete(f"{server.url}/v1/devices/self", headers=session.auth)
    assert revoked.status_code == 204
    assert httpx.get(f"{server.url}/v1/pull", headers=session.auth).status_code == 401
    assert httpx.delete(f"{server.url}/v1/devices/self", headers=session.auth).status_code == 401
    still = httpx.get(f"{server.url}/v1/pull", headers={"Authorization": f"Bearer {other}"})
    assert still.status_code == 200


def test_a_long_poll_held_by_a_revoked_counter_gets_no_new_order(server):
    """A stolen tablet revoked while its long-poll is held: the order placed next must not
    reach it (customer's name, phone, address), not even at the end of that hold."""
    session = open_shop(server)
    other = ShopSession(server.url, session.shop_id, _pair(
        server.url, server.new_pairing_code(session.shop_id)).json()["device_token"])
    cursor = session.pull()["cursor"]
    held: dict[str, httpx.Response] = {}

    def hold() -> None:
        held["answer"] = httpx.get(f"{server.url}/v1/pull", headers=session.auth,
                                   params={"cursor": cursor, "wait": 10}, timeout=20)

    thread = threading.Thread(target=hold)
    thread.start()
    wait_until(lambda: server._state.presence.holding(session.shop_id))
    assert httpx.delete(f"{server.url}/v1/devices/self", headers=session.auth).status_code == 204
    other.pull()  # the shop is still attended: the order is taken
    order = session.place([("CROIS", 1)])
    thread.join(15)
    assert held["answer"].status_code == 401, held["answer"].text
    assert order["id"] not in held["answer"].text
    assert [o["id"] for o in other.pull(cursor)["orders"]] == [order["id"]]


def test_only_a_hash_of_the_token_is_stored(server):
    session = open_shop(server)
    dump = repr([sql(server, f"SELECT * FROM {table}") for table in metadata.tables])
    hashes = [r["token_hash"] for r in sql(server, "SELECT token_hash FROM devices"
                                                    " WHERE shop_id = ?", (session.shop_id,))]
    assert session.token not in dump
    assert hashes == [hashlib.sha256(session.token.encode()).hexdigest()]
