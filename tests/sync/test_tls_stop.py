"""Stopping, re-pointing and restoring under the engine over real TLS on loopback.

The marketplace serves HTTPS with a certificate made here (trustme); the client trusts
it through its CA setting only. A long-poll over TLS must be cut as fast as plain HTTP,
and no answer of a stopped run (or asked for an older store) may reach the store.
"""

from __future__ import annotations

import ssl
import threading
import time

import httpx
import pytest
import trustme

from marketplace.embedded import EmbeddedMarketplace
from posapp.store import identity
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from sync.client import MarketplaceClient, TransientError, pair_device
from sync.engine import SyncEngine
from tests.conftest import Customer, free_port, wait_until


@pytest.fixture
def tls(tmp_path):
    """(marketplace over HTTPS, an SSL context trusting only its test CA)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_path, key_path = tmp_path / "server.pem", tmp_path / "server.key"
    cert.cert_chain_pems[0].write_to_path(cert_path)
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(cert_path, append=True)
    cert.private_key_pem.write_to_path(key_path)
    market = EmbeddedMarketplace(tmp_path / "market.db", port=free_port(),
                                 ssl_certfile=cert_path, ssl_keyfile=key_path)
    market.start()
    context = ssl.create_default_context()
    ca.configure_trust(context)
    yield market, context
    market.stop()


class TaggedReplica(ShopReplica):
    """A real replica that logs when it applied a pull, and how often it was asked its cursor."""

    def __init__(self, store, log: list):
        super().__init__(store)
        self.log = log

    def cursor(self) -> int:
        self.log.append(("cursor", time.monotonic()))
        return super().cursor()

    def apply_pull(self, pull):
        summary = super().apply_pull(pull)
        self.log.append(("applied", time.monotonic()))
        self.log.append(("applied_tag", pull.get("test_tag")))
        return summary


def _engine_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name in ("comptoir-pull", "comptoir-push")]


@pytest.fixture
def paired(tls, tmp_path, recorder):
    market, context = tls
    shop_id, code = market.seed_demo_shop()
    answer = pair_device(market.url, code, "tls counter", verify=context)
    store = open_store(tmp_path / "shop")
    log: list = []
    engine = SyncEngine(market.url, answer["device_token"],
                        lambda: TaggedReplica(Store(store.path), log), recorder,
                        wait=25.0, verify=context)
    yield market, shop_id, store, engine, log
    engine.stop()
    store.close()


@pytest.fixture
def long_poll_waiting(tls) -> threading.Event:
    """Set by the marketplace once a long-poll waits there for a change."""
    hub = tls[0]._state.hub
    waiting, original = threading.Event(), hub.wait

    async def wait(event, timeout):
        waiting.set()
        return await original(event, timeout)

    hub.wait = wait
    return waiting


def _in_long_poll(waiting: threading.Event) -> None:
    """The first pull was applied and the long-poll that follows waits at the server."""
    wait_until(waiting.is_set, timeout=10.0)


def test_stop_cuts_a_tls_long_poll_and_leaves_no_thread(paired, long_poll_waiting):
    market, shop_id, store, engine, log = paired
    engine.start()
    _in_long_poll(long_poll_waiting)
    started = time.monotonic()
    engine.stop()
    assert time.monotonic() - started < 2.0
    assert _engine_threads() == []


def test_no_answer_of_a_stopped_run_reaches_the_store(paired, recorder, long_poll_waiting):
    market, shop_id, store, engine, log = paired
    engine.start()
    _in_long_poll(long_poll_waiting)
    engine.stop()
    stopped_at = time.monotonic()
    # A restore happens here: the store goes back to an older cursor.
    ShopReplica(store).set_state("cursor", "1")
    customer = Customer(market.url, shop_id, http=httpx.Client(verify=engine.verify, timeout=10))
    sku = store.query_one("SELECT sku FROM products LIMIT 1")["sku"]
    placed = customer.place([(sku, 1)])
    engine.start()  # the same engine, a new run
    wait_until(lambda: store.query_one("SELECT 1 AS x FROM orders WHERE id = ?", (placed["id"],)))
    engine.stop()
    customer.http.close()
    # Only the new run applied anything after the stop: one apply for the catch-up pull
    # (from cursor 1), none from the old long-poll answering the new order.
    applied_after = [at for kind, at in log if kind == "applied" and at > stopped_at]
    assert len(applied_after) == 1
    assert _engine_threads() == []


def test_store_replaced_cuts_the_long_poll_and_pulls_for_the_new_store(paired, recorder,
                                                                      long_poll_waiting):
    market, shop_id, store, engine, log = paired
    engine.start()
    _in_long_poll(long_poll_waiting)
    before = len(recorder.summaries)
    ShopReplica(store).set_state("cursor", "0")  # e.g. a backup restored under the engine
    replaced_at = time.monotonic()
    engine.store_replaced()
    # The long-poll asked for the old store is cut; a pull from cursor 0 follows at once.
    wait_until(lambda: len(recorder.summaries) > before, timeout=4.0)
    assert time.monotonic() - replaced_at < 2.0
    assert recorder.summaries[-1].products_changed == 14


def test_a_client_that_does_not_trust_the_certificate_refuses_it(tls):
    market, _ = tls
    with pytest.raises(TransientError):
        pair_device(market.url, "ABCD-1234", "counter")  # system CAs only


@pytest.mark.parametrize("change", ["store_replaced", "set_credentials"])
def test_an_answer_that_arrives_after_a_change_is_never_applied(paired, monkeypatch, change):
    market, shop_id, store, engine, log = paired
    real_pull = MarketplaceClient.pull
    changed = threading.Event()

    def pull_then_change(self, cursor, client_id, wait=0.0, **kwargs):
        answer = real_pull(self, cursor, client_id, wait, **kwargs)  # the real server's answer
        if not changed.is_set():
            changed.set()
            answer["test_tag"] = "asked before the change"
            # A restore (or a re-pairing) lands while this answer is on its way in.
            if change == "store_replaced":
                engine.store_replaced()
            else:
                engine.set_credentials(engine.base_url, engine._token)
        return answer

    monkeypatch.setattr(MarketplaceClient, "pull", pull_then_change)
    engine.start()
    wait_until(lambda: any(kind == "applied" for kind, _ in log))
    assert changed.is_set()
    tags = [tag for kind, tag in log if kind == "applied_tag"]
    assert "asked before the change" not in tags  # discarded; the next pull was applied
    assert store.query_one("SELECT count(*) AS n FROM products")["n"] == 14


def test_a_store_replaced_under_a_running_engine_keeps_syncing(paired, recorder,
                                                               long_poll_waiting):
    # The store renews its generation (a restore, a move); its old replicas refuse every
    # answer. store_replaced() makes the engine take fresh ones instead of failing on.
    market, shop_id, store, engine, log = paired
    engine.start()
    _in_long_poll(long_poll_waiting)
    with store.transaction() as conn:
        identity.new_generation(conn)
        conn.execute("UPDATE sync_state SET value = '0' WHERE key = 'cursor'")
    engine.store_replaced()
    customer = Customer(market.url, shop_id, http=httpx.Client(verify=engine.verify, timeout=10))
    sku = store.query_one("SELECT sku FROM products LIMIT 1")["sku"]
    placed = customer.place([(sku, 1)])
    customer.http.close()
    wait_until(lambda: store.query_one("SELECT 1 AS x FROM orders WHERE id = ?", (placed["id"],)))
    assert recorder.last.online and recorder.last.last_error is None
