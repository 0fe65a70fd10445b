"""tests/pg.py: a PostgreSQL test is never silently skipped in CI."""

from __future__ import annotations

import pytest

from tests import pg


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pg.ADMIN_URL_ENV, "postgresql://postgres@127.0.0.1:1/postgres")


def test_an_unreachable_server_fails_the_test_in_ci(nowhere, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI: PostgreSQL unreachable"):
        pg.require_postgresql()


def test_an_unreachable_server_skips_loudly_elsewhere(nowhere, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="POSTGRESQL TESTS NOT RUN"):
        pg.require_postgresql()


def test_a_fresh_database_is_migrated_and_dropped_after():
    import psycopg

    from tests.db import value

    with pg.fresh_database() as url:
        name = url.rsplit("/", 1)[1]
        assert value(url, "SELECT COUNT(*) FROM shops") == 0
    # (The admin database is read with psycopg itself: tests.db would migrate it.)
    with psycopg.connect(pg.admin_url(), autocommit=True) as admin:
        assert admin.execute("SELECT COUNT(*) FROM pg_database WHERE datname = %s",
                             (name,)).fetchone() == (0,)
