"""Server settings: one small frozen dataclass, also accepted as a plain dict."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marketplace.customer_access import OrderCaps
from marketplace.storage import PgTimeouts
from sync.protocol import MAX_WAIT_SECONDS

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    # An order nobody acknowledges is rejected with reason "timeout" (Deliveroo: 10 min).
    auto_reject_after_s: float = 600.0
    # How often the timeout sweeper runs; None = min(1 s, auto_reject_after_s / 4).
    timeout_check_interval_s: float | None = None
    # A shop none of whose counters has long-polled for this long is unattended: the
    # customer API refuses its new orders (409 shop_unattended) until a counter is back.
    unattended_after_s: float = 90.0
    max_wait_s: float = MAX_WAIT_SECONDS
    pairing_code_ttl_s: float = 24 * 3600.0
    max_body_bytes: int = 2 * 1024 * 1024
    # Orders per pull page: a long history comes in pages, never one giant answer.
    pull_page_size: int = 100
    # -- facing the internet (marketplace/security.py, limits.py; docs/DEPLOY.md) --
    # Web origins allowed to call the customer API from a browser (CORS); empty = none.
    cors_origins: tuple[str, ...] = ()
    # An order at every limit of order_limits.py is ~10,000 characters: 20 KB of UTF-8 JSON,
    # ~125 KB if every character is an escaped emoji. 192 KiB lets any valid order through.
    max_order_bytes: int = 192 * 1024
    # Caps that keep one anonymous customer (one phone number) from draining a shop.
    max_units_per_order: int = 50
    max_open_orders_per_customer: int = 5
    max_open_units_per_customer: int = 100
    # Pairing (pairing.py, limits.py): wrong codes allowed per window ("" = no limit), in the
    # `limits` package's notation; device tokens' lifetime (None = until revoked).
    pairing_failures_per_address: str = "10/15 minutes"
    pairing_failures_per_shop: str = "30/hour"
    device_token_ttl_s: float | None = None
    # Operator console (console/): wrong passwords allowed per window, per client address, per
    # account name from one address (the hard lock), and per account name from everywhere (a
    # higher limit: one address alone cannot lock an operator out, and a guesser spread over
    # many addresses is still bounded); the zone its marketplace-wide days and weeks are
    # counted in.
    login_failures_per_address: str = "10/15 minutes"
    login_failures_per_account_and_address: str = "5/15 minutes"
    login_failures_per_account: str = "50/15 minutes"
    console_time_zone: str = "Europe/Paris"
    # Slow and greedy clients (serving.py, limits.py; docs/DEPLOY.md says why these numbers).
    header_timeout_s: float = 10.0      # request line + headers, from connect or last answer
    body_timeout_s: float = 10.0        # a whole request body
    keep_alive_s: int = 5               # idle connection between requests (uvicorn)
    max_connections_per_address: int = 64   # open at once from one address (0 = no cap)
    limit_concurrency: int = 4096       # connections + tasks for the whole server (uvicorn: 503)
    customer_requests_per_address: str = "120/minute"
    customer_orders_per_address: str = "10/minute"
    customer_requests_per_shop: str = "1200/minute"
    # Where the rate-limit windows live: memory:// (this process only) or a storage every
    # server process shares, e.g. redis://127.0.0.1:6379/0 (limits.py, docs/DEPLOY.md).
    limits_storage: str = "memory://"
    # Addresses the customer limits and the connection cap leave alone. Loopback by default
    # for the in-process server (demo, tests); `serve` exempts nothing unless told.
    rate_limit_exempt: tuple[str, ...] = ("127.0.0.1", "::1")
    # Shared with the payment service: signs POST /v1/payments/notify (None = no endpoint).
    payment_secret: str | None = None
    # Database calls one process runs at once for orders, pushes, deliveries to waiting
    # counters, customers' reads and pairing, each on a pooled connection; the others wait
    # their turn on the event loop, which costs them nothing. (The name is from when they
    # were all threads: with 40 threads at once they only took turns on the GIL while each
    # held its connection and its shop's lock, README "Scale-out".) The pulls' first reads
    # (app.POLL_READ_THREADS), the console (app.CONSOLE_THREADS), the shop search
    # (app.SEARCH_THREADS) and the sweeper (app.SWEEP_THREADS) have calls of their own.
    db_threads: int = 4
    # PostgreSQL: those calls (the console's and the search's aside) run on the event loop
    # (storage.Store.run_on_loop), not in worker threads: a thread waits to get the
    # interpreter lock back after each round trip, up to 5 ms while the loop is busy, with
    # its shop's lock and its connection held (bench/bench_loop_calls.py). False:
    # threads, as before (to compare: bench_scale.py's ``:cthreads``). SQLite: threads.
    db_calls_on_loop: bool = True
    # PostgreSQL connections per process (SQLAlchemy pool): kept open, and extra ones under
    # load. At most db_threads + the other kinds (app.py: 11) are in use at once: keep
    # pool + overflow at least that, or a call past the pool waits for a connection (a few
    # ms each) while it holds its turn. Budget: `db_connections` per process
    # (docs/DEPLOY.md, "Connections to PostgreSQL"): 4 processes fit the default
    # max_connections = 100. All kept open, none as overflow: under steady load an overflow
    # connection is closed as soon as it is given back and opened again a moment later, and
    # each new PostgreSQL backend is a process start plus page faults into shared buffers
    # (measured, bench_scale at 10,000 shops: ~5 new sessions a second, PostgreSQL's kernel
    # time 13 % of the machine).
    db_pool_size: int = 20
    db_max_overflow: int = 0
    # PostgreSQL bounds (storage.PgTimeouts; 0 = none): a request waiting longer than this for
    # a shop's row lock, or running one statement longer, or a transaction left idle, is
    # given up and answered 503 database_unavailable (retryable) instead of holding its
    # thread and pooled connection.
    db_lock_timeout_s: float = 5.0
    db_statement_timeout_s: float = 30.0
    db_idle_in_transaction_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        from marketplace.security import check_origin

        object.__setattr__(self, "cors_origins", tuple(check_origin(o) for o in self.cors_origins))
        object.__setattr__(self, "rate_limit_exempt", tuple(self.rate_limit_exempt))
        if self.auto_reject_after_s <= 0:
            raise ValueError("auto_reject_after_s must be positive")
        if self.unattended_after_s <= 0:
            raise ValueError("unattended_after_s must be positive")
        if not 0 < self.max_wait_s <= MAX_WAIT_SECONDS:
            raise ValueError(f"max_wait_s must be in (0, {MAX_WAIT_SECONDS}]")
        if self.db_threads < 1:
            raise ValueError("db_threads must be >= 1")
        if self.db_pool_size < 1 or self.db_max_overflow < 0:
            raise ValueError("db_pool_size must be >= 1 and db_max_overflow >= 0")
        if min(self.db_lock_timeout_s, self.db_statement_timeout_s,
               self.db_idle_in_transaction_timeout_s) < 0:
            raise ValueError("database timeouts must be >= 0 (0 = none)")
        if self.pull_page_size < 1:
            raise ValueError("pull_page_size must be positive")

    @property
    def order_caps(self) -> OrderCaps:
        return OrderCaps(self.max_units_per_order, self.max_open_orders_per_customer,
                         self.max_open_units_per_customer)

    @property
    def db_connections(self) -> int:
        """PostgreSQL connections one server process may open: its pool, the pool's overflow
        and the change listener's own connection."""
        return self.db_pool_size + self.db_max_overflow + 1

    @property
    def db_timeouts(self) -> PgTimeouts:
        return PgTimeouts(self.db_lock_timeout_s, self.db_statement_timeout_s,
                          self.db_idle_in_transaction_timeout_s)

    @property
    def sweep_interval_s(self) -> float:
        if self.timeout_check_interval_s is not None:
            return max(0.05, self.timeout_check_interval_s)
        return max(0.05, min(1.0, self.auto_reject_after_s / 4))

    @property
    def presence_write_interval_s(self) -> float:
        """How stale a device's recorded last-seen time may get while it polls: rewriting it
        at every pull would cost one write per pull; a fraction of the delay is enough."""
        return max(0.05, min(10.0, self.unattended_after_s / 6))

    @classmethod
    def coerce(cls, value: Settings | Mapping[str, Any] | None) -> Settings:
        """Accept a Settings, a dict of its fields (unknown keys are an error) or None."""
        if value is None:
            return cls()
        if isinstance(value, Settings):
            return value
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown marketplace settings: {', '.join(sorted(unknown))}")
        return cls(**dict(value))
