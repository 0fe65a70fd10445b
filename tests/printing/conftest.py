"""Fixtures for the printing tests: an ORDER as in docs/PROTOCOL.md, a virtual printer."""

from __future__ import annotations

import copy
import dataclasses
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from printing.backends import make_backend
from printing.config import PrinterConfig
from printing.journal import connect, ensure_schema
from printing.queue import PrintQueue
from printing.virtual_printer import VirtualPrinter

from .samples import ORDER, SHOP, Recorder


@pytest.fixture
def order() -> dict[str, Any]:
    return copy.deepcopy(ORDER)


@pytest.fixture
def shop() -> dict[str, Any]:
    return dict(SHOP)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        ensure_schema(conn)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = connect(db_path)
    yield conn
    conn.close()


@pytest.fixture
def printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter() as vp:
        yield vp


@pytest.fixture
def net_config(printer: VirtualPrinter) -> PrinterConfig:
    # A short connection timeout keeps the failure tests fast; the status answer gets
    # 2 s, so a loaded machine never passes for a silent printer (tests about silence
    # set a shorter one themselves).
    return PrinterConfig(
        kind="network",
        address=printer.host,
        port=printer.port,
        paper_width_mm=58,
        timeout_s=0.3,
        status_timeout_s=2.0,
    )


@pytest.fixture
def silent_ok_config(net_config: PrinterConfig) -> PrinterConfig:
    """For tests about a printer that never answers: each check waits 0.2 s only."""
    return dataclasses.replace(net_config, status_timeout_s=0.2)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_queue(db_path: Path, recorder: Recorder) -> Iterator[Callable[..., PrintQueue]]:
    queues: list[PrintQueue] = []

    def factory(config: PrinterConfig, **kwargs: Any) -> PrintQueue:
        backend_factory = kwargs.pop("backend_factory", lambda: make_backend(config))
        queue = PrintQueue(
            db_path,
            backend_factory,
            on_status=recorder.statuses.append,
            on_job=recorder.jobs.append,
            retry_base_s=0.05,
            retry_max_s=0.2,
            idle_poll_s=0.2,
            **kwargs,
        )
        queues.append(queue)
        return queue

    yield factory
    for queue in queues:
        queue.stop()
