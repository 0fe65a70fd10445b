"""A real server with the hardening settings a test module asks for (``SETTINGS`` in it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from marketplace.embedded import EmbeddedMarketplace
from tests.marketplace.conftest import ShopSession, open_shop

ALLOWED_ORIGIN = "https://commande.example.fr"


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedMarketplace]:
    settings: dict[str, Any] = {"auto_reject_after_s": 600, "cors_origins": [ALLOWED_ORIGIN],
                                **getattr(request.module, "SETTINGS", {})}
    # A module may run on each of uvicorn's HTTP protocols: parametrize("server", ["h11",
    # "httptools"], indirect=True); otherwise the default one.
    market = EmbeddedMarketplace(tmp_path_factory.mktemp("security") / "marketplace.db",
                                 settings=settings, http=getattr(request, "param", "auto"))
    market.start()
    yield market
    market.stop()


@pytest.fixture
def shop(server: EmbeddedMarketplace) -> Iterator[ShopSession]:
    session = open_shop(server)
    yield session
    session.http.close()
