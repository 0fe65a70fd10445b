"""A marketplace that answers nonsense: the shop keeps its data, says why, and retries."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from posapp.domain.stock import StockService
from posapp.store.db import Store, open_store
from posapp.store.replica import ShopReplica
from sync.engine import SyncEngine
from tests.conftest import wait_until
from tests.factories import pull, wire_product

ANSWERS = {
    "truncated": (200, b'{"cursor": 5, "last_mutation_id": 0, "shop": {"id": "s", "na'),
    "not_json": (200, b"<html>502 Bad Gateway</html>"),
    "wrong_shape": (200, json.dumps({**pull(cursor=9), "orders": [{"id": "x"}]}).encode()),
    "server_error": (503, b'{"error": {"code": "down", "message": "maintenance"}}'),
    # A well-formed pull is still not one under a redirect or another 2xx status ...
    "redirect": (302, json.dumps(pull(cursor=9, products=[wire_product(stock=99)])).encode()),
    "created": (201, json.dumps(pull(cursor=9, products=[wire_product(stock=99)])).encode()),
    # ... nor with a cursor below zero or below the one asked (3) without a reset.
    "negative_cursor": (200, json.dumps(pull(cursor=-1)).encode()),
    "cursor_back": (200, json.dumps(pull(cursor=2, products=[wire_product(stock=99)])).encode()),
}


@pytest.fixture(params=sorted(ANSWERS))
def bad_server(request):
    status, body = ANSWERS[request.param]
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's API
            hits.append(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_bad_answers_change_nothing_and_are_explained(tmp_path, bad_server, recorder):
    url, hits = bad_server
    store = open_store(tmp_path)
    ShopReplica(store).apply_pull(pull(cursor=3, products=[wire_product(stock=10)]))
    StockService(store).adjust("ECL", -1, "counter_sale")
    engine = SyncEngine(url, "token", lambda: ShopReplica(Store(store.path)), recorder,
                        wait=1.0, timeout=2.0, backoff_cap=0.2)
    engine.start()
    try:
        wait_until(lambda: len(hits) >= 3)  # it keeps retrying, with backoff
        wait_until(lambda: recorder.last and recorder.last.last_error)
    finally:
        engine.stop()
    assert not recorder.last.online
    assert "place de marché" in recorder.last.last_error
    replica = ShopReplica(store)
    assert replica.cursor() == 3  # nothing of a bad answer was applied
    assert replica.pending_count() == 1  # the counter's change is still queued
    assert StockService(store).product("ECL")["quantity"] == 9
    store.close()
