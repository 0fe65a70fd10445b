"""The operator console over real HTTP: accounts, sessions, CSRF, rate limits, actions and
their audit rows, presence, and KPIs computed on a known set of orders."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import ssl
import threading
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from marketplace.__main__ import main
from marketplace.console import auth, kpis, web
from marketplace.console.web import CSP
from marketplace.embedded import EmbeddedMarketplace
from marketplace.storage import open_database, read_tx, write_tx
from sync.protocol import to_iso
from tests.conftest import free_port, wait_until
from tests.marketplace.console_support import (
    Console,
    add_order,
    logged_in,
    new_operator,
)

PARIS = ZoneInfo("Europe/Paris")


def _rows(db_path: str | Path, sql: str, params: tuple = ()) -> list[dict]:
    with contextlib.closing(open_database(db_path)) as db, read_tx(db) as tx:
        return tx.rows(sql, params)


def _audit(db_path: str | Path, actor: str) -> list[dict]:
    return _rows(db_path, "SELECT action, shop_id, detail FROM audit_log WHERE actor = ?"
                          " ORDER BY at, id", (actor,))


def _new_shop(console: Console, name: str = "Fromagerie Anne") -> tuple[str, str]:
    """Create a shop through the console: (shop id, the code shown once)."""
    page = console.post("/console/shops", name=name, address="2 rue Haute",
                        time_zone="Europe/Paris")
    assert page.status_code == 200, page.text
    code = re.search(r'id="pairing-code">([A-Z0-9-]+)<', page.text).group(1)
    shop_id = re.search(r'/console/shops/(shop_[0-9a-f]+)"', page.text).group(1)
    return shop_id, code


def _pair(url: str, code: str, name: str = "Comptoir caisse 1") -> str:
    response = httpx.post(f"{url}/v1/pair", json={"pairing_code": code, "device_name": name},
                          timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["device_token"]


# -- accounts and sessions ------------------------------------------------------------------------

def test_pages_need_a_session_and_every_answer_carries_the_security_headers(server):
    anonymous = Console(server.url)
    page = anonymous.get("/console/shops")
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?suite=/console/shops"
    for path in ("/console/login", "/console/shops", "/console/static/console.css"):
        headers = anonymous.get(path).headers
        assert headers["content-security-policy"] == CSP
        assert "script-src" not in CSP and "unsafe" not in CSP  # no script runs at all
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"
        assert headers["x-content-type-options"] == "nosniff"
    login = anonymous.get("/console/login")
    assert '<html lang="fr">' in login.text and "Mot de passe" in login.text
    # An action without a session changes nothing and says why.
    refused = anonymous.http.post("/console/shops", data={"csrf": "x", "name": "Intrus"})
    assert refused.status_code == 403 and "Session expirée" in refused.text
    assert not _rows(server.database_url, "SELECT id FROM shops WHERE name = 'Intrus'")


def test_login_opens_a_server_side_session_in_a_strict_cookie(server):
    name, password = new_operator(server.database_url)
    stored = _rows(server.database_url, "SELECT password_hash FROM operators WHERE name = ?",
                   (name,))[0]["password_hash"]
    assert stored.startswith("scrypt$16384$8$1$") and password not in stored
    console = Console(server.url)
    response = console.login(name, password)
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    cookie = next(c for c in response.headers.get_list("set-cookie")
                  if c.startswith("comptoir_console="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "samesite"} <= attributes and "secure" not in attributes
    assert "SameSite=strict" in cookie and "Path=/console" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    session = _rows(server.database_url, "SELECT s.* FROM operator_sessions s JOIN operators o"
                                    " ON o.id = s.operator_id WHERE o.name = ?", (name,))
    assert len(session) == 1
    assert session[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(session[0])  # only the hash is kept
    expires = dt.datetime.fromisoformat(session[0]["expires_at"].replace("Z", "+00:00"))
    assert dt.timedelta(minutes=55) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)
    assert console.get("/console/shops").status_code == 200
    assert f">{name}<" in console.last.text


def test_an_expired_or_closed_session_no_longer_opens_the_console(server):
    console, name = logged_in(server.url, server.database_url)
    with contextlib.closing(open_database(server.database_url)) as db, write_tx(db) as tx:
        tx.execute("UPDATE operator_sessions SET expires_at = ? WHERE operator_id ="
                   " (SELECT id FROM operators WHERE name = ?)",
                   (to_iso(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)), name))
    assert console.get("/console/").status_code == 303  # back to the login page
    console, name = logged_in(server.url, server.database_url)
    old_cookie = console.http.cookies.get("comptoir_console")
    assert console.post("/console/logout").status_code == 303
    thief = Console(server.url)
    thief.http.cookies.set("comptoir_console", old_cookie, path="/console")
    assert thief.get("/console/shops").status_code == 303
    assert not _rows(server.database_url, "SELECT 1 AS x FROM operator_sessions s JOIN operators o"
                                     " ON o.id = s.operator_id WHERE o.name = ?", (name,))
    assert [r["action"] for r in _audit(server.database_url, f"console:{name}")] == [
        "operator.login", "operator.logout"]


def test_secure_cookie_when_served_over_https(tmp_path):
    import trustme  # a test dependency (pyproject.toml)

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(cert_file)
    cert.private_key_pem.write_to_path(key_file)
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port(), ssl_certfile=cert_file,
                             ssl_keyfile=key_file) as market:
        name, password = new_operator(market.database_url)
        context = ssl.create_default_context()
        ca.configure_trust(context)
        console = Console(market.url, verify=context)
        response = console.login(name, password)
        cookie = next(c for c in response.headers.get_list("set-cookie")
                      if c.startswith("comptoir_console="))
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert console.get("/console/shops").status_code == 200
        console.close()


def test_wrong_passwords_are_rate_limited_per_account(server):
    name, password = new_operator(server.database_url)
    console = Console(server.url)
    for _ in range(5):  # settings.login_failures_per_account: 5 per 15 minutes
        wrong = console.login(name, "not-the-password")
        assert wrong.status_code == 401 and "Nom ou mot de passe incorrect" in wrong.text
    locked = console.login(name, password)  # even the right password waits now
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Trop de tentatives de connexion" in locked.text
    assert "comptoir_console=" not in "".join(locked.headers.get_list("set-cookie"))
    # Another account from the same address is not locked by these five.
    other, other_password = new_operator(server.database_url)
    assert Console(server.url).login(other, other_password).status_code == 303


def test_wrong_passwords_are_rate_limited_per_address(tmp_path):
    settings = {"login_failures_per_address": "3/15 minutes", "rate_limit_exempt": ()}
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port(), settings=settings) as market:
        console = Console(market.url)
        for attempt in range(3):  # three different names: the address is what counts
            assert console.login(f"nobody{attempt}", "guess").status_code == 401
        name, password = new_operator(market.database_url)
        assert console.login(name, password).status_code == 429


def _client_at(address: str) -> dict:
    """Console keyword arguments for a browser at another loopback address."""
    return {"transport": httpx.HTTPTransport(local_address=address)}


@contextlib.contextmanager
def _held_password_checks(monkeypatch, check: bool = True):
    """Password checks held until released, counting how many run at once: what ran scrypt
    and in how many threads, observed instead of timed (``check=False``: no scrypt after the
    hold, every password wrong)."""
    release, lock = threading.Event(), threading.Lock()
    seen = {"now": 0, "max": 0, "total": 0}
    real = auth.verify_password

    def held(password: str, stored: str) -> bool:
        with lock:
            seen["now"] += 1
            seen["total"] += 1
            seen["max"] = max(seen["max"], seen["now"])
        try:
            release.wait(30)
            return real(password, stored) if check else False
        finally:
            with lock:
                seen["now"] -= 1

    monkeypatch.setattr(auth, "verify_password", held)
    try:
        yield release, seen
    finally:
        release.set()


def _parallel_logins(url: str, attempts: list[tuple[str, str]]
                     ) -> tuple[list[threading.Thread], list[int]]:
    """Each attempt from its own browser (its own login form), all posted at once."""
    browsers = [Console(url, timeout=60) for _ in attempts]
    tokens = [browser.csrf("/console/login") for browser in browsers]
    start, statuses = threading.Barrier(len(attempts)), []

    def post(browser: Console, token: str, name: str, password: str) -> None:
        start.wait(10)
        statuses.append(browser.http.post("/console/login", data={
            "csrf": token, "name": name, "password": password}).status_code)
        browser.close()

    threads = [threading.Thread(target=post, args=(b, t, *a), daemon=True)
               for b, t, a in zip(browsers, tokens, attempts, strict=True)]
    for thread in threads:
        thread.start()
    return threads, statuses


def test_parallel_wrong_passwords_run_no_more_checks_than_the_limit(tmp_path, monkeypatch):
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port()) as market:
        name, password = new_operator(market.database_url)
        with _held_password_checks(monkeypatch) as (release, seen):
            threads, statuses = _parallel_logins(market.url, [(name, "guess")] * 20)
            # 5 per account and address: those 5 are counted from their start, so the 15
            # others are refused while the 5 are still being checked.
            wait_until(lambda: len(statuses) >= 15, timeout=15)
            assert statuses == [429] * 15
            release.set()
            for thread in threads:
                thread.join(30)
        assert sorted(statuses) == [401] * 5 + [429] * 15
        assert seen["total"] == 5  # scrypt ran for five attempts only
        assert Console(market.url).login(name, password).status_code == 429


def test_a_burst_of_logins_does_not_starve_the_customers(tmp_path, monkeypatch):
    settings = {"login_failures_per_address": "1000/minute",
                "login_failures_per_account": "1000/minute"}
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port(), settings=settings) as market:
        shop_id, _ = market.create_shop("Boulangerie du coin")
        with _held_password_checks(monkeypatch, check=False) as (release, seen):
            # More logins than the database has worker threads (anyio's 40), all stuck in
            # their password check: the customers' requests must still be answered.
            threads, statuses = _parallel_logins(
                market.url, [(f"nobody{i}", "guess") for i in range(45)])
            wait_until(lambda: seen["now"] >= web.PASSWORD_CHECKS, timeout=15)
            with httpx.Client(base_url=market.url, timeout=5) as customer:
                for _ in range(5):
                    assert customer.get(f"/v1/customer/shops/{shop_id}").status_code == 200
                    assert customer.get("/v1/customer/shops").status_code == 200
            assert seen["now"] == web.PASSWORD_CHECKS  # the others wait their turn
            release.set()
            for thread in threads:
                thread.join(60)
        assert statuses == [401] * 45 and seen["total"] == 45
        assert seen["max"] == web.PASSWORD_CHECKS


def test_wrong_passwords_from_one_address_do_not_lock_the_operator_out(tmp_path):
    settings = {"login_failures_per_account": "8/15 minutes", "rate_limit_exempt": ()}
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port(), settings=settings) as market:
        name, password = new_operator(market.database_url)
        stranger = Console(market.url, **_client_at("127.0.0.5"))
        assert [stranger.login(name, "guess").status_code for _ in range(6)] == [401] * 5 + [429]
        # The operator, elsewhere, still gets in with the right password.
        assert Console(market.url, **_client_at("127.0.0.6")).login(
            name, password).status_code == 303
        # Spread over addresses, guesses are still bounded per account (8 here: 5 + 3).
        guesser = Console(market.url, **_client_at("127.0.0.7"))
        assert [guesser.login(name, "guess").status_code for _ in range(3)] == [401] * 3
        assert Console(market.url, **_client_at("127.0.0.9")).login(
            name, password).status_code == 429


def test_a_new_login_ends_the_browsers_old_session(server):
    console, name = logged_in(server.url, server.database_url)
    old = console.http.cookies.get("comptoir_console")
    other_name, other_password = new_operator(server.database_url)
    # A login form posted from this browser while its session lives (a form left open in
    # another tab): the login page itself would redirect to the console.
    form_token = "t" * 32
    console.http.cookies.set("comptoir_console_login", form_token, path="/console")
    assert console.http.post("/console/login", data={
        "csrf": form_token, "name": other_name, "password": other_password}).status_code == 303
    new = console.http.cookies.get("comptoir_console")
    assert new != old
    thief = Console(server.url)
    thief.http.cookies.set("comptoir_console", old, path="/console")
    assert thief.get("/console/shops").status_code == 303  # the old session id is gone
    assert not _rows(server.database_url, "SELECT 1 AS x FROM operator_sessions s JOIN operators o"
                                     " ON o.id = s.operator_id WHERE o.name = ?", (name,))
    assert console.get("/console/shops").status_code == 200
    assert f">{other_name}<" in console.last.text


def test_a_second_login_tab_keeps_the_first_tabs_form_valid(server):
    name, password = new_operator(server.database_url)
    browser = Console(server.url)
    first_tab = browser.csrf("/console/login")
    assert browser.csrf("/console/login") == first_tab  # the second tab: same form token
    response = browser.http.post("/console/login", data={"csrf": first_tab, "name": name,
                                                        "password": password})
    assert response.status_code == 303


def test_a_failed_login_does_not_log_the_typed_name(tmp_path, caplog):
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port()) as market:
        typed = "s3cret-typed-in-the-name-field"
        assert Console(market.url).login(typed, "x").status_code == 401
        for _ in range(5):
            Console(market.url).login(typed, "x")
    assert "failed login for #" in caplog.text and "locked out for account+address #" in caplog.text
    assert typed not in caplog.text


def test_a_login_form_from_elsewhere_is_refused(server):
    name, password = new_operator(server.database_url)
    console = Console(server.url)
    # No login cookie (a page on another site posting the form): refused.
    bare = console.http.post("/console/login", data={"csrf": "forged", "name": name,
                                                     "password": password})
    assert bare.status_code == 403 and "comptoir_console=" not in str(bare.headers)
    token = console.csrf("/console/login")
    cross = console.http.post("/console/login", headers={"Origin": "https://evil.example"},
                              data={"csrf": token, "name": name, "password": password})
    assert cross.status_code == 403


def test_every_post_needs_the_sessions_csrf_token(server):
    console, name = logged_in(server.url, server.database_url)
    shop_id, _ = _new_shop(console, "Cave Marcel")
    for data in ({}, {"csrf": ""}, {"csrf": "0" * 64}):
        refused = console.http.post(f"/console/shops/{shop_id}/pause",
                                    data={"action": "pause", "minutes": "", **data})
        assert refused.status_code == 403 and "Jeton de sécurité invalide" in refused.text
    # The right token from another site's page (Origin) is refused too.
    token = console.csrf()
    cross = console.http.post(f"/console/shops/{shop_id}/pause",
                              headers={"Origin": "http://evil.example"},
                              data={"csrf": token, "action": "pause", "minutes": ""})
    assert cross.status_code == 403
    # Another operator's token does not fit this session.
    other, _ = logged_in(server.url, server.database_url)
    foreign = console.http.post(f"/console/shops/{shop_id}/pause",
                                data={"csrf": other.csrf(), "action": "pause", "minutes": ""})
    assert foreign.status_code == 403
    assert _rows(server.database_url, "SELECT paused FROM shops WHERE id = ?",
                 (shop_id,))[0]["paused"] == 0
    assert "shop.pause" not in [r["action"] for r in _audit(server.database_url, f"console:{name}")]


# -- shops, codes, devices, and their audit rows ----------------------------------------------------

def test_operator_actions_work_and_each_writes_its_audit_row(server):
    console, name = logged_in(server.url, server.database_url)
    shop_id, code = _new_shop(console, "Épicerie Paul")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    shop_page = console.get(f"/console/shops/{shop_id}")
    assert code not in shop_page.text  # shown once, never again (only its hash is kept)
    assert code.replace("-", "") not in str(_rows(server.database_url, "SELECT * FROM"
                                                  " pairing_secrets WHERE shop_id = ?",
                                                  (shop_id,)))
    edited = console.post(f"/console/shops/{shop_id}/edit", name="Épicerie Paul & fils",
                          address="4 place du Marché", time_zone="Europe/Brussels")
    assert edited.status_code == 303
    assert "Boutique enregistrée" in console.get(edited.headers["location"]).text
    bad = console.post(f"/console/shops/{shop_id}/edit", name="Épicerie Paul & fils",
                       address="", time_zone="Mars/Olympus")
    assert bad.status_code == 422 and "Fuseau horaire inconnu" in bad.text
    assert console.post(f"/console/shops/{shop_id}/pause", action="pause",
                        minutes="30").status_code == 303
    shop = _rows(server.database_url, "SELECT * FROM shops WHERE id = ?", (shop_id,))[0]
    assert shop["name"] == "Épicerie Paul & fils" and shop["time_zone"] == "Europe/Brussels"
    assert shop["paused"] == 1 and shop["paused_until"] is not None
    assert console.post(f"/console/shops/{shop_id}/pause", action="resume").status_code == 303
    second = console.post(f"/console/shops/{shop_id}/codes")
    assert second.status_code == 200 and "Affiché une seule fois" in second.text
    pending = _rows(server.database_url, "SELECT id FROM pairing_secrets WHERE shop_id = ?"
                                    " AND used_at IS NULL AND revoked_at IS NULL ORDER BY id",
                    (shop_id,))
    assert len(pending) == 2
    assert console.post(f"/console/shops/{shop_id}/codes/{pending[0]['id']}/revoke"
                        ).status_code == 303
    token = _pair(server.url, re.search(r'id="pairing-code">([A-Z0-9-]+)<',
                                        second.text).group(1))
    device = _rows(server.database_url, "SELECT id FROM devices WHERE shop_id = ?", (shop_id,))[0]
    page = console.get(f"/console/shops/{shop_id}")
    assert "Comptoir caisse 1" in page.text and "Connecté" in page.text
    assert console.post(f"/console/shops/{shop_id}/devices/{device['id']}/revoke"
                        ).status_code == 303
    refused = httpx.get(f"{server.url}/v1/pull", params={"cursor": 0, "wait": 0},
                        headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    # Unknown ids are a clear 404, not a 500.
    assert console.post(f"/console/shops/{shop_id}/devices/99999/revoke").status_code == 404
    assert console.post("/console/shops/shop_nope/codes").status_code == 404

    rows = _audit(server.database_url, f"console:{name}")
    assert [(r["action"], r["shop_id"]) for r in rows] == [
        ("operator.login", None), ("shop.create", shop_id), ("code.issue", shop_id),
        ("shop.update", shop_id), ("shop.pause", shop_id), ("shop.resume", shop_id),
        ("code.issue", shop_id), ("code.revoke", shop_id), ("device.revoke", shop_id)]
    assert '"time_zone": ["Europe/Paris", "Europe/Brussels"]' in rows[3]["detail"]
    journal = console.get("/console/audit").text
    for label in ("Boutique créée", "Boutique mise en pause", "Appareil révoqué",
                  "Code d’appairage révoqué", f"console:{name}"):
        assert label in journal


def test_only_a_places_zone_is_accepted(server):
    console, _ = logged_in(server.url, server.database_url)
    shop_id, _ = _new_shop(console, "Crémerie Lou")
    # Files of the zone database a browser refuses (Intl RangeError) or that name no place.
    for zone in ("localtime", "posixrules", "Factory", "right/Europe/Paris",
                 "posix/Europe/Paris", "Europe/../Europe/Paris"):
        refused = console.post(f"/console/shops/{shop_id}/edit", name="Crémerie Lou",
                               address="", time_zone=zone)
        assert refused.status_code == 422 and "Fuseau horaire inconnu" in refused.text, zone
    assert console.post(f"/console/shops/{shop_id}/edit", name="Crémerie Lou", address="",
                        time_zone="America/Guadeloupe").status_code == 303
    # A zone stored before this check reaches the storefront as the marketplace's own.
    with contextlib.closing(open_database(server.database_url)) as db, write_tx(db) as tx:
        tx.execute("UPDATE shops SET time_zone = 'posixrules' WHERE id = ?", (shop_id,))
    catalogue = httpx.get(f"{server.url}/v1/customer/shops/{shop_id}", timeout=10).json()
    assert catalogue["shop"]["time_zone"] == "Europe/Paris"


def test_control_and_direction_characters_are_refused_in_names_and_addresses(server, tmp_path,
                                                                            capsys):
    console, _ = logged_in(server.url, server.database_url)
    shop_id, _ = _new_shop(console, "Crèmerie Jo")
    for name, address in (("Crèmerie\x00Jo", ""), ("Crèmerie \x1b[2JJo", ""),
                          ("Crèmerie Jo", "3 rue \u202eesuor"), ("Crèmerie Jo", "3 rue\tHaute"),
                          ("Crèmerie\u2066 Jo", ""), ("Crèmerie\u200bJo", "")):
        created = console.post("/console/shops", name=name, address=address,
                               time_zone="Europe/Paris")
        assert created.status_code == 422 and "caractère invisible ou de contrôle" in created.text
        edited = console.post(f"/console/shops/{shop_id}/edit", name=name, address=address,
                              time_zone="Europe/Paris")
        assert edited.status_code == 422 and "caractère invisible ou de contrôle" in edited.text
    assert _rows(server.database_url, "SELECT name, address FROM shops WHERE id = ?",
                 (shop_id,)) == [{"name": "Crèmerie Jo", "address": "2 rue Haute"}]
    # Accents and emoji (with their joiner) are text, not control characters.
    assert console.post(f"/console/shops/{shop_id}/edit", name="👩‍🍳 Crèmerie Jo",
                        address="2 rue Haute", time_zone="Europe/Paris").status_code == 303
    db = str(tmp_path / "cli.db")
    assert main(["create-shop", "--db", db, "--name", "Cave\x1b[31m Marcel"]) == 2
    assert "caractère invisible ou de contrôle" in capsys.readouterr().err
    assert main(["create-shop", "--db", db, "--name", "Cave", "--json"]) == 0
    cli_shop = re.search(r'"shop_id": "([^"]+)"', capsys.readouterr().out).group(1)
    assert main(["edit-shop", "--db", db, "--shop", cli_shop, "--address", "1 rue\u202e"]) == 2
    assert "L’adresse contient" in capsys.readouterr().err


def test_the_shop_search_takes_wildcards_as_text(server):
    console, _ = logged_in(server.url, server.database_url)
    percent, _ = _new_shop(console, "Soldes 100% bio")
    under, _ = _new_shop(console, "Cave_a_vins")
    slash, _ = _new_shop(console, "Épicerie A\\B")
    ours = {percent, under, slash}

    def found(query: str) -> set[str]:
        page = console.get(f"/console/shops?q={quote(query)}").text
        return set(re.findall(r'/console/shops/(shop_[0-9a-f]+)"', page)) & ours

    assert found("100%") == {percent} and found("0%b") == set()  # "%" is no wildcard
    assert found("_") == {under} and found("e_a") == {under} and found("s_1") == set()
    assert found("a\\b") == {slash} and found("\\") == {slash}


def test_a_pause_from_the_console_reaches_the_counters_long_poll(server):
    console, _ = logged_in(server.url, server.database_url)
    shop_id, code = _new_shop(console, "Boucherie Léon")
    token = _pair(server.url, code)
    auth = {"Authorization": f"Bearer {token}"}
    first = httpx.get(f"{server.url}/v1/pull", params={"cursor": 0, "wait": 0}, headers=auth)
    cursor = first.json()["cursor"]
    answer: dict = {}

    def hold() -> None:
        answer["pull"] = httpx.get(f"{server.url}/v1/pull", headers=auth, timeout=30,
                                   params={"cursor": cursor, "wait": 20}).json()

    waiter = threading.Thread(target=hold)
    waiter.start()
    wait_until(lambda: shop_id in console.get("/console/shops").text
               and server._state.presence.holding(shop_id))
    assert console.post(f"/console/shops/{shop_id}/pause", action="pause",
                        minutes="").status_code == 303
    waiter.join(5)
    assert not waiter.is_alive()  # woken at once, not at the end of its 20 s
    assert answer["pull"]["shop"]["paused"] is True


def test_values_are_escaped_everywhere(server):
    console, _ = logged_in(server.url, server.database_url)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    shop_id, _ = _new_shop(console, hostile)
    for path in ("/console/shops", f"/console/shops/{shop_id}", "/console/audit"):
        text = console.get(path).text
        assert "<script>" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text


def test_presence_says_which_counters_are_connected_now(tmp_path):
    settings = {"unattended_after_s": 0.5}
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port(), settings=settings) as market:
        console, _ = logged_in(market.url, market.database_url)
        shop_id, code = _new_shop(console, "Primeur Jo")
        token = _pair(market.url, code, "Tablette comptoir")

        def shown() -> str:
            page = console.get(f"/console/shops/{shop_id}").text
            row = re.search(r'<tr data-device="\d+">(.*?)</tr>', page, re.S).group(1)
            return "connected" if "Connecté" in row else "offline" if "Hors ligne" in row else ""

        wait_until(lambda: shown() == "offline")  # paired, then silent past the delay
        stop = threading.Event()
        auth = {"Authorization": f"Bearer {token}"}
        cursor = httpx.get(f"{market.url}/v1/pull", params={"cursor": 0, "wait": 0},
                           headers=auth).json()["cursor"]
        wait_until(lambda: shown() == "offline")  # that pull was a sign of life too

        def poll() -> None:  # a counter holding its long-poll, as the app does
            with httpx.Client(timeout=30) as http:
                while not stop.is_set():
                    http.get(f"{market.url}/v1/pull", params={"cursor": cursor, "wait": 1},
                             headers=auth)

        counter = threading.Thread(target=poll)
        counter.start()
        try:
            wait_until(lambda: shown() == "connected")
            wait_until(lambda: re.search(r"Primeur Jo.*?Connecté",
                                         console.get("/console/shops").text, re.S))
        finally:
            stop.set()
            counter.join(10)
        wait_until(lambda: shown() == "offline")


# -- the KPIs ---------------------------------------------------------------------------------------

def test_nearest_rank_percentiles():
    delays = [float(s) for s in range(10, 101, 10)]
    assert kpis.nearest_rank(delays, 0.5) == 50 and kpis.nearest_rank(delays, 0.9) == 90
    assert kpis.nearest_rank([7.0], 0.9) == 7 and kpis.nearest_rank([], 0.5) is None


def test_days_and_weeks_follow_the_zones_calendar_across_a_dst_change():
    # Paris went to summer time on Sunday 29 March 2026: that day lasted 23 hours.
    now = dt.datetime(2026, 3, 30, 10, tzinfo=dt.UTC)
    days = kpis.periods("day", 3, PARIS, now)
    assert [d.label for d in days] == ["28/03", "29/03", "30/03"]
    assert days[1].start == dt.datetime(2026, 3, 28, 23, tzinfo=dt.UTC)
    assert days[1].end - days[1].start == dt.timedelta(hours=23)
    weeks = kpis.periods("week", 2, PARIS, now)
    assert [w.label for w in weeks] == ["S13", "S14"]
    assert weeks[1].start == dt.datetime(2026, 3, 29, 22, tzinfo=dt.UTC)  # Monday 00:00 CEST


def test_kpis_of_a_known_set_of_orders(server):
    console, _ = logged_in(server.url, server.database_url)
    shop_id, _ = _new_shop(console, "Pâtisserie Nina")
    other_id, _ = _new_shop(console, "Pâtisserie voisine")
    day = dt.datetime(2026, 3, 29, 9, tzinfo=PARIS)  # the 23-hour day
    # Ten orders accepted after 10, 20, … 100 s: p50 = 50 s, p90 = 90 s (nearest rank).
    for i, delay in enumerate(range(10, 101, 10)):
        ready_by = 600.0
        ready_after = 700.0 if i < 2 else 500.0  # two ready after their ready-by time
        add_order(server.database_url, shop_id, day + dt.timedelta(minutes=i), "completed",
                  1000 + i, accepted_after_s=delay, ready_after_s=ready_after,
                  ready_by_after_s=ready_by)
    add_order(server.database_url, shop_id, day, "accepted", 500, accepted_after_s=30,
              ready_by_after_s=900)  # still not ready at 20:00, due at 09:15: late
    add_order(server.database_url, shop_id, day, "accepted", 600, accepted_after_s=30,
              ready_by_after_s=12 * 3600)  # due at 21:00, not ready yet at 20:00: not late
    add_order(server.database_url, shop_id, day, "cancelled", 100, accepted_after_s=30,
              ready_by_after_s=900)  # never to be ready: not late
    add_order(server.database_url, shop_id, day, "rejected", 700, reason="timeout")
    add_order(server.database_url, shop_id, day, "rejected", 800, reason="out_of_stock")
    add_order(server.database_url, shop_id, day, "cancelled", 900)
    # The evening before (Saturday, 23:30 in Paris = 22:30 UTC): Saturday's bucket.
    add_order(server.database_url, shop_id, dt.datetime(2026, 3, 28, 23, 30, tzinfo=PARIS),
              "completed", 2000, accepted_after_s=300)
    # Another shop's orders count overall, never in this shop.
    add_order(server.database_url, other_id, day, "completed", 4000, accepted_after_s=1000)

    now = dt.datetime(2026, 3, 29, 18, tzinfo=dt.UTC)  # 20:00 in Paris
    spans = kpis.periods("day", 2, PARIS, now)
    with contextlib.closing(open_database(server.database_url)) as db:
        (saturday, sunday), total = kpis.compute(db, spans, shop_id, now=now)
        per_shop: dict[str, kpis.Bucket] = {}
        _, overall = kpis.compute(db, spans, None, per_shop, now=now)
    assert sunday.to_dict() == {
        "label": "29/03", "orders": 16, "revenue_cents": sum(range(1000, 1010)) + 500 + 600,
        "accept_p50_s": 40.0, "accept_p90_s": 90.0, "refused_timeout": 1, "refused_shop": 1,
        "late": 3, "cancelled": 2}
    assert (saturday.orders, saturday.revenue_cents, saturday.accept_p50_s) == (1, 2000, 300.0)
    assert total.orders == 17 and total.accept_p90_s == 100.0  # 14 delays: the 13th
    assert overall.orders == 18 and overall.revenue_cents == total.revenue_cents + 4000
    assert overall.accept_p90_s == 300.0
    assert per_shop[shop_id].to_dict() == {**total.to_dict()}
    assert (per_shop[other_id].orders, per_shop[other_id].accept_p50_s) == (1, 1000.0)


def test_the_console_shows_the_kpis_of_today(server):
    console, _ = logged_in(server.url, server.database_url)
    shop_id, _ = _new_shop(console, "Traiteur Sam")
    now = dt.datetime.now(dt.UTC)
    start = max(now - dt.timedelta(hours=1),
                dt.datetime.combine(now.astimezone(PARIS).date(), dt.time(), PARIS))
    for i, delay in enumerate((20, 40, 60, 80)):
        add_order(server.database_url, shop_id, start + dt.timedelta(seconds=i), "ready", 1250,
                  accepted_after_s=delay, ready_after_s=delay + 60, ready_by_after_s=120)
    add_order(server.database_url, shop_id, start, "rejected", 990, reason="timeout")
    page = console.get(f"/console/shops/{shop_id}").text

    def card(kpi: str) -> str:
        return re.search(rf'data-kpi="{kpi}">([^<]*)<', page).group(1)

    assert card("orders") == "5" and card("timeout") == "1"
    assert card("revenue") == "50,00\xa0€"
    assert card("p50") == "40 s" and card("p90") == "1 min 20 s"
    assert card("late") == "1"  # accepted after 80 s, ready at 140 s, due at 120 s
    assert page.count('<rect class="bar') >= 3 and "<svg" in page
    week = console.get(f"/console/shops/{shop_id}?par=semaine").text
    assert re.search(r'data-kpi="orders">5<', week)
    assert console.get("/console/").status_code == 200


# -- the command line -------------------------------------------------------------------------------

def test_cli_creates_operators_whose_password_is_printed_once(tmp_path, capsys):
    db = tmp_path / "m.db"
    assert main(["operator", "add", "Claire.Martin", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    password = re.search(r"password: (\S+)", out).group(1)
    assert "operator: claire.martin" in out and len(password) >= 20
    assert password not in str(_rows(db, "SELECT * FROM operators"))
    assert main(["operator", "add", "claire.martin", "--db", str(db)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["operator", "add", "x", "--db", str(db)]) == 2  # too short a name
    capsys.readouterr()
    with EmbeddedMarketplace(db, port=free_port()) as market:
        console = Console(market.url)
        assert console.login("claire.martin", password).status_code == 303
        assert main(["operator", "reset-password", "claire.martin", "--db", str(db)]) == 0
        new_password = re.search(r"password: (\S+)", capsys.readouterr().out).group(1)
        assert console.get("/console/shops").status_code == 303  # its sessions ended
        assert Console(market.url).login("claire.martin", password).status_code == 401
        assert Console(market.url).login("claire.martin", new_password).status_code == 303
        assert main(["operator", "disable", "claire.martin", "--db", str(db)]) == 0
        assert Console(market.url).login("claire.martin", new_password).status_code == 401
    assert main(["operator", "list", "--db", str(db)]) == 0
    assert "claire.martin" in capsys.readouterr().out


def test_cli_shop_commands_share_the_consoles_functions_and_audit(tmp_path, capsys):
    db = str(tmp_path / "m.db")
    assert main(["create-shop", "--db", db, "--name", "Chocolaterie Léa", "--json"]) == 0
    shop_id = re.search(r'"shop_id": "([^"]+)"', capsys.readouterr().out).group(1)
    assert main(["edit-shop", "--db", db, "--shop", shop_id, "--time-zone", "Europe/Rome"]) == 0
    assert "Europe/Rome" in capsys.readouterr().out
    assert main(["edit-shop", "--db", db, "--shop", shop_id, "--time-zone", "Nowhere/X"]) == 2
    assert "Fuseau horaire inconnu" in capsys.readouterr().err
    assert main(["pause-shop", "--db", db, "--shop", shop_id, "--minutes", "15"]) == 0
    assert main(["resume-shop", "--db", db, "--shop", shop_id]) == 0
    assert main(["pause-shop", "--db", db, "--shop", "shop_nope"]) == 2
    rows = _rows(Path(db), "SELECT actor, action, shop_id FROM audit_log ORDER BY at, id")
    assert [r["action"] for r in rows] == ["shop.create", "code.issue", "shop.update",
                                           "shop.pause", "shop.resume"]
    assert all(r["actor"].startswith("cli:") and r["shop_id"] == shop_id for r in rows)


def test_opening_hours_are_edited_with_the_storefronts_definition(server):
    console, name = logged_in(server.url, server.database_url)
    shop_id, _ = _new_shop(console, "Boulangerie du Pont")
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    form = {f"hours_{d}": "06:30-13:00, 15:00-19:30" for d in days[:5]}
    form |= {"hours_sat": "7h-12h30", "hours_sun": ""}
    assert console.post(f"/console/shops/{shop_id}/hours", **form).status_code == 303
    stored = _rows(server.database_url, "SELECT opening_hours FROM shops WHERE id = ?",
                   (shop_id,))[0]["opening_hours"]
    assert json.loads(stored) == {**{d: [["06:30", "13:00"], ["15:00", "19:30"]]
                                     for d in days[:5]}, "sat": [["07:00", "12:30"]], "sun": []}
    page = console.get(f"/console/shops/{shop_id}").text
    assert 'value="07:00-12:30"' in page and "Horaires enregistrés" not in page
    bad = console.post(f"/console/shops/{shop_id}/hours", hours_mon="13:00-07:00")
    assert bad.status_code == 422 and "Lundi : les plages se suivent" in bad.text
    assert 'value="13:00-07:00"' in bad.text  # what was typed stays in the form
    # The messages speak of French days and of the form's own notation, not of JSON.
    for typed, said in (("25h-26h", "Mardi : une plage s’écrit comme 07:00-13:00"),
                        ("9h", "Mardi : une plage s’écrit comme 07:00-13:00"),
                        ("24:00-24:30", "Mardi : une plage s’écrit comme 07:00-13:00")):
        bad = console.post(f"/console/shops/{shop_id}/hours", hours_tue=typed)
        assert bad.status_code == 422 and said in bad.text, typed
        assert "tue :" not in bad.text and "HH:MM" not in bad.text
    # Open until midnight: "24:00" closes the day.
    assert console.post(f"/console/shops/{shop_id}/hours", hours_fri="18:00-24h").status_code \
        == 303
    assert json.loads(_rows(server.database_url, "SELECT opening_hours FROM shops WHERE id = ?",
                            (shop_id,))[0]["opening_hours"])["fri"] == [["18:00", "24:00"]]
    cleared = console.post(f"/console/shops/{shop_id}/hours")  # every day empty: no hours
    assert cleared.status_code == 303
    assert _rows(server.database_url, "SELECT opening_hours FROM shops WHERE id = ?",
                 (shop_id,))[0]["opening_hours"] == ""
    actions = [r["action"] for r in _audit(server.database_url, f"console:{name}")]
    assert actions.count("shop.hours") == 3


def test_the_dashboard_counts_shops_and_ranks_the_busiest(tmp_path):
    with EmbeddedMarketplace(tmp_path / "m.db", port=free_port()) as market:
        console, _ = logged_in(market.url, market.database_url)
        quiet, _ = _new_shop(console, "Mercerie calme")
        busy, code = _new_shop(console, "Fromagerie pleine")
        _pair(market.url, code)  # pairing is a sign of life: this shop is attended
        assert console.post(f"/console/shops/{quiet}/pause", action="pause",
                            minutes="").status_code == 303
        now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        for _ in range(3):
            add_order(market.database_url, busy, now, "completed", 2000, accepted_after_s=30)
        add_order(market.database_url, quiet, now, "cancelled", 900)
        page = console.get("/console/").text
        summary = re.sub(r"\s+", " ", re.search(r'<p class="summary">(.*?)</p>', page,
                                                re.S).group(1))
        assert summary.startswith("2 boutique(s) · <strong>1</strong> avec un comptoir"
                                  " connecté · 1 en pause")
        ranking = re.search(r'<table class="ranking">(.*?)</table>', page, re.S).group(1)
        assert ranking.index("Fromagerie pleine") < ranking.index("Mercerie calme")
        assert re.search(r'data-kpi="orders">4<', page)
