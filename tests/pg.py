"""Throwaway PostgreSQL databases for the tests (issue 13: the same tests on both backends).

The server is the one this machine runs (``COMPTOIR_TEST_PG``, an admin URL; default
``postgresql://postgres@127.0.0.1:5432/postgres``). Each test (or module) gets a fresh
database, copied from a template migrated once per session (``CREATE DATABASE …
TEMPLATE``: much faster than migrating each), and dropped afterwards.

No PostgreSQL reachable: the test FAILS when ``CI`` is set (a PostgreSQL test is never
silently skipped there) and is skipped with a loud reason otherwise.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["ADMIN_URL_ENV", "DEFAULT_ADMIN_URL", "admin_url", "fresh_database",
           "require_postgresql", "database_for", "BACKENDS"]

ADMIN_URL_ENV = "COMPTOIR_TEST_PG"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "comptoir_test_"

# The ids are what `-k postgresql` / `-k sqlite` select.
BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")]

_template: str | None = None
_template_lock = threading.Lock()


def admin_url() -> str:
    return os.environ.get(ADMIN_URL_ENV) or DEFAULT_ADMIN_URL


def _with_database(url: str, name: str) -> str:
    base = url.rsplit("/", 1)[0] if url.count("/") >= 3 else url.rstrip("/")
    return f"{base}/{name}"


def _admin() -> object:
    import psycopg

    return psycopg.connect(admin_url(), autocommit=True, connect_timeout=5)


def require_postgresql() -> None:
    """Fail (CI) or skip loudly (elsewhere) when the test server cannot be reached."""
    try:
        with _admin():
            return
    except Exception as exc:  # psycopg.OperationalError, missing driver…
        reason = (f"PostgreSQL unreachable at {admin_url()} ({type(exc).__name__}: {exc}); "
                  f"start it or set {ADMIN_URL_ENV}")
    if os.environ.get("CI"):
        pytest.fail(f"CI: {reason}", pytrace=False)
    pytest.skip(f"!!! POSTGRESQL TESTS NOT RUN: {reason}")


def _create(name: str, template: str | None = None) -> None:
    with _admin() as conn:  # type: ignore[attr-defined]
        clause = f" TEMPLATE {template}" if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{clause}')


def _drop(name: str) -> None:
    with _admin() as conn:  # type: ignore[attr-defined]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrated_template() -> str:
    """A database at the current schema, made once per session, copied for each test."""
    global _template
    with _template_lock:
        if _template is None:
            from marketplace.schema import migrate

            name = f"{PREFIX}template_{uuid.uuid4().hex[:10]}"
            _create(name)
            try:
                migrate(_with_database(admin_url(), name))
            except BaseException:
                _drop(name)
                raise
            import atexit

            atexit.register(_drop, name)
            _template = name
        return _template


@contextlib.contextmanager
def fresh_database(migrated: bool = True) -> Iterator[str]:
    """A new, empty (``migrated``: at the current schema) database; its URL. Dropped after."""
    require_postgresql()
    name = f"{PREFIX}{uuid.uuid4().hex[:16]}"
    _create(name, _migrated_template() if migrated else None)
    try:
        yield _with_database(admin_url(), name)
    finally:
        _drop(name)


@contextlib.contextmanager
def database_for(backend: str, directory: Path) -> Iterator[str]:
    """A fresh marketplace database on ``backend`` ("sqlite": a file in ``directory``)."""
    if backend == "sqlite":
        yield str(directory / "marketplace.db")
        return
    assert backend == "postgresql", backend
    with fresh_database() as url:
        yield url
