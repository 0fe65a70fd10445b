"""docs/openapi.json, the served document and the app's routes all agree."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from marketplace.app import ROUTES
from marketplace.openapi import OPENAPI, render_openapi

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_docs_file_is_what_the_server_serves(server):
    served = httpx.get(f"{server.url}/v1/openapi.json")
    assert served.status_code == 200
    assert json.loads(DOC.read_text(encoding="utf-8")) == served.json()
    # Byte for byte too; regenerate with: python -m marketplace openapi --out docs/openapi.json
    assert DOC.read_text(encoding="utf-8") == render_openapi()


def test_every_route_is_documented_and_nothing_else():
    served = {(route.path, method.lower()) for route in ROUTES for method in route.methods or ()
              if method != "HEAD"}
    documented = {(path, method) for path, item in OPENAPI["paths"].items() for method in item}
    assert served == documented


def test_it_is_openapi_3_1_with_resolvable_references():
    assert OPENAPI["openapi"].startswith("3.1")
    text = json.dumps(OPENAPI)
    schemas = OPENAPI["components"]["schemas"]
    for name in {part.split('"')[0] for part in text.split('#/components/schemas/')[1:]}:
        assert name in schemas, name
    for item in OPENAPI["paths"].values():
        for operation in item.values():
            assert operation["responses"] and operation["operationId"]
