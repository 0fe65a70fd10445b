"""Command line of the reference marketplace: ``comptoir-marketplace`` / ``python -m marketplace``."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marketplace.gc_pacing import GcPacer

__all__ = ["main", "build_parser"]

# Answering 1,600 waiting long-polls and closing their connections took 1.5-1.9 s here (2
# cores, loaded): 2 s left no margin, and past it uvicorn cancels requests with a traceback.
GRACEFUL_SHUTDOWN_S = 5
SWITCH_INTERVAL_MS = 5.0  # sys.setswitchinterval for serve: Python's own (_tune_switching)

EPILOG = """\
Typical session (two terminals):

  # 1. create a shop; note its pairing code (single use)
  comptoir-marketplace create-shop --db market.db --name "Chocolaterie Léa" \\
      --address "3 rue des Orfèvres, 67000 Strasbourg"
  # 2. serve it
  comptoir-marketplace serve --db market.db --port 8765
  # 3. in Comptoir's settings: URL http://127.0.0.1:8765 and the pairing code.
  #    Need another code later (new counter, token revoked)?
  comptoir-marketplace pairing-code --db market.db --shop shop_…

PostgreSQL instead of a SQLite file: --database-url postgresql://user@host/market
in place of --db FILE (`migrate` creates or upgrades the schema; `serve` does too).

Operator console (web, same server): create an account (its password is
printed once), then open http://127.0.0.1:8765/console/
  comptoir-marketplace operator add claire.martin --db market.db

Demo: `seed-demo` creates "Boulangerie Zoé" with a French catalogue, then
`demo-orders --url http://127.0.0.1:8765 --shop shop_demo_zoe` sends it orders.
The same commands run as `python -m marketplace ...`.
"""


def build_parser() -> argparse.ArgumentParser:
    from marketplace.settings import Settings

    parser = argparse.ArgumentParser(
        prog="comptoir-marketplace",
        description="Comptoir's reference marketplace: the server end of the sync protocol "
                    "(docs/PROTOCOL.md), with customer endpoints and demo orders.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, db: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if db:
            where = p.add_mutually_exclusive_group(required=True)
            where.add_argument("--db", type=Path, metavar="FILE", help="SQLite database file")
            where.add_argument("--database-url", metavar="URL",
                               help="PostgreSQL database, e.g. postgresql://user@host/market"
                                    " (docs/DEPLOY.md)")
        return p

    serve = command("serve", "serve the HTTP API (Ctrl+C to stop)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8765, help="0 = any free port (printed)")
    serve.add_argument("--auto-reject-after", type=float, default=600.0, metavar="S",
                       help="reject orders left new this many seconds (default 600)")
    serve.add_argument("--unattended-after", type=float, default=90.0, metavar="S",
                       help="refuse a shop's new orders (409 shop_unattended) when none of its"
                            " counters has been connected for this many seconds (default 90)")
    serve.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                       help="web origin allowed to call the customer API from a browser, e.g. "
                            "https://commande.example.fr (repeatable; default: none)")
    serve.add_argument("--payment-secret-file", type=Path, metavar="FILE",
                       help="file holding the secret shared with the payment service, which "
                            "signs POST /v1/payments/notify (default: $COMPTOIR_PAYMENT_SECRET; "
                            "neither: orders are never marked paid)")
    serve.add_argument("--forwarded-allow-ips", metavar="IPS",
                       help="behind a TLS reverse proxy: its address(es), comma-separated; the "
                            "client address (rate limits) is then read from X-Forwarded-For "
                            "(uvicorn --proxy-headers; docs/DEPLOY.md)")
    serve.add_argument("--header-timeout", type=float, default=10.0, metavar="S",
                       help="cut a connection whose request headers take longer (default 10)")
    serve.add_argument("--body-timeout", type=float, default=10.0, metavar="S",
                       help="answer 408 and close when a body takes longer (default 10)")
    serve.add_argument("--max-connections-per-address", type=int, default=64, metavar="N",
                       help="open connections from one address (default 64; 0 = no cap)")
    serve.add_argument("--limit-concurrency", type=int, default=4096, metavar="N",
                       help="connections + requests for the whole server, 503 past it")
    serve.add_argument("--rate-limit-exempt", action="append", default=[], metavar="ADDR",
                       help="client address left out of the customer rate limits and the "
                            "connection cap (repeatable; default: none)")
    serve.add_argument("--limits-storage", default="memory://", metavar="URL",
                       help="where rate-limit windows live: memory:// (each process its own;"
                            " default) or one all processes share, e.g."
                            " redis://127.0.0.1:6379/0")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="server processes sharing the port, each with its own connections"
                            " (PostgreSQL only; default 1; docs/DEPLOY.md)")
    defaults = Settings()
    serve.add_argument("--db-threads", type=int, default=defaults.db_threads, metavar="N",
                       help="database calls for orders, pushes, deliveries, customers' reads"
                            " and pairing this process runs at once; the others wait their"
                            f" turn (default {defaults.db_threads}; keep --db-pool-size at"
                            " least this + 11)")
    serve.add_argument("--db-calls", choices=("loop", "threads"), default="loop",
                       help="PostgreSQL: run those calls on the event loop (default) or in"
                            " worker threads (the way before; to compare)")
    serve.add_argument("--db-pool-size", type=int, default=defaults.db_pool_size, metavar="N",
                       help="PostgreSQL connections kept open by this process (default "
                            f"{defaults.db_pool_size})")
    serve.add_argument("--db-max-overflow", type=int, default=defaults.db_max_overflow,
                       metavar="N", help="extra PostgreSQL connections under load (default "
                                         f"{defaults.db_max_overflow}); a process uses at most "
                                         "pool + overflow + 1 (docs/DEPLOY.md)")
    serve.add_argument("--db-lock-timeout", type=float, default=defaults.db_lock_timeout_s,
                       metavar="S", help="a request waiting longer for a shop's lock gets a "
                                         f"503 to retry (default {defaults.db_lock_timeout_s:g};"
                                         " 0 = wait forever)")
    serve.add_argument("--http", default="auto", choices=["auto", "httptools", "h11"],
                       help="HTTP/1.1 parser: httptools (C, the default when installed) or h11"
                            " (pure Python); same limits either way")
    serve.add_argument("--loop", default="auto", choices=["auto", "uvloop", "asyncio"],
                       help="event loop: uvloop (the default when installed) or asyncio's")
    serve.add_argument("--switch-interval-ms", type=float, default=SWITCH_INTERVAL_MS,
                       metavar="MS", help="after how long a thread holding Python's"
                       " interpreter lock is asked to let a waiting one have it (default"
                       f" {SWITCH_INTERVAL_MS:g}, Python's own)")
    serve.add_argument("--log-level", default="info",
                       choices=["debug", "info", "warning", "error"])

    command("migrate", "create or upgrade the database schema, then exit (serve does it too;"
                       " several processes may run it at once: one migrates, under a lock)")

    shop = command("create-shop", "create a shop; prints its id and a pairing code")
    shop.add_argument("--name", required=True)
    shop.add_argument("--address", default="")
    shop.add_argument("--time-zone", default="", metavar="ZONE",
                      help='IANA time zone suggested to the counters, e.g. "Europe/Paris"')
    shop.add_argument("--demo-products", action="store_true",
                      help="give it the demo catalogue")
    shop.add_argument("--json", action="store_true", help="print JSON")

    code = command("pairing-code", "print a fresh single-use pairing code for a shop")
    code.add_argument("--shop", required=True, metavar="SHOP_ID")

    seed = command("seed-demo", 'create (once) the demo shop "Boulangerie Zoé"; prints a code')
    seed.add_argument("--json", action="store_true", help="print JSON")

    product = command("add-product", "add or update a product of a shop")
    product.add_argument("--shop", required=True, metavar="SHOP_ID")
    product.add_argument("--sku", required=True)
    product.add_argument("--name", required=True)
    product.add_argument("--price-cents", required=True, type=int)
    product.add_argument("--stock", type=int, default=0, help="initial stock (new products)")
    product.add_argument("--barcode")
    product.add_argument("--category")
    product.add_argument("--low-stock", type=int, default=0, help="low-stock threshold")

    command("list-shops", "list the shops")

    edit = command("edit-shop", "change a shop's name, address or time zone")
    edit.add_argument("--shop", required=True, metavar="SHOP_ID")
    edit.add_argument("--name")
    edit.add_argument("--address")
    edit.add_argument("--time-zone", metavar="ZONE")
    pause = command("pause-shop", "pause a shop (no new orders) until reopened or for a while")
    pause.add_argument("--shop", required=True, metavar="SHOP_ID")
    pause.add_argument("--minutes", type=int, metavar="N", help="reopen by itself after N min")
    resume = command("resume-shop", "reopen a paused shop")
    resume.add_argument("--shop", required=True, metavar="SHOP_ID")

    operator = command("operator", "operator accounts of the web console (/console/)")
    operator.add_argument("action", choices=["add", "list", "reset-password", "disable"])
    operator.add_argument("name", nargs="?", help="account name, e.g. claire.martin")

    devices = command("devices", "list a shop's devices (paired counters) and their state")
    devices.add_argument("--shop", required=True, metavar="SHOP_ID")
    revoke = command("revoke-device", "revoke a device's token (it must pair again)")
    revoke.add_argument("--shop", required=True, metavar="SHOP_ID")
    revoke.add_argument("--device", required=True, type=int, metavar="ID", help="from `devices`")
    codes = command("pairing-codes", "list a shop's pending pairing codes (when, until when)")
    codes.add_argument("--shop", required=True, metavar="SHOP_ID")
    drop = command("revoke-code", "revoke a pending pairing code, or all of a shop's")
    drop.add_argument("--shop", required=True, metavar="SHOP_ID")
    drop.add_argument("--code", type=int, metavar="ID", help="from `pairing-codes` (default: all)")

    demo = command("demo-orders", "send demo orders to a running server", db=False)
    demo.add_argument("--url", default="http://127.0.0.1:8765")
    demo.add_argument("--shop", default="shop_demo_zoe", metavar="SHOP_ID")
    demo.add_argument("--interval", type=float, default=20.0, metavar="S")
    demo.add_argument("--count", type=int, default=0, help="stop after N orders (0 = never)")
    demo.add_argument("--seed", type=int, help="random seed (repeatable orders)")

    spec = command("openapi", "print the OpenAPI document (or write it with --out)", db=False)
    spec.add_argument("--out", type=Path)
    return parser


WORKERS_NEED_POSTGRESQL = (
    "--workers {n} demande PostgreSQL (--database-url) : avec un fichier SQLite, une commande"
    " reçue par un processus ne réveillerait pas les comptoirs en attente sur les autres."
    " / --workers {n} needs PostgreSQL (--database-url): over one SQLite file an order taken"
    " by one process would not wake the counters waiting on the others.")


def _serve(args: argparse.Namespace) -> int:
    from marketplace.embedded import bind_socket

    if args.workers < 1:
        print("comptoir-marketplace: --workers doit valoir au moins 1 / --workers must be at"
              " least 1", file=sys.stderr)
        return 2
    from marketplace.storage import is_postgresql_url

    if args.workers > 1 and not is_postgresql_url(_database(args)):
        print(f"comptoir-marketplace: {WORKERS_NEED_POSTGRESQL.format(n=args.workers)}",
              file=sys.stderr)
        return 2
    try:
        from marketplace.limits import Limiter

        Limiter(args.limits_storage)
    except Exception as exc:  # ConfigurationError: unknown scheme, client library missing
        print(f"comptoir-marketplace: --limits-storage {args.limits_storage} : stockage"
              f" inutilisable / unusable storage ({exc})", file=sys.stderr)
        return 2
    _raise_fd_limit()
    _setup_logging(args.log_level)
    sock = bind_socket(args.host, args.port)
    port = sock.getsockname()[1]
    # One line a supervising script (or a crash test) can wait for.
    listening = (f"Comptoir marketplace listening on http://{args.host}:{port}\n"
                 f"Storefront (customers order here): http://{args.host}:{port}/boutique/")
    if args.workers == 1:
        print(listening, flush=True)
        return _serve_on(args, sock)
    from marketplace.schema import migrate
    from marketplace.workers import Supervisor

    migrate(_database(args))  # once, before the workers (each would wait for the lock)
    print(listening, flush=True)
    return Supervisor(args.workers, "marketplace.__main__:_worker", args, sock,
                      stop_timeout_s=GRACEFUL_SHUTDOWN_S + 5).run()


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(),
                        format="%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # start-up noise


def _worker(args: argparse.Namespace, sock: Any) -> int:
    """One worker process of ``serve --workers N`` (marketplace/workers.py)."""
    _raise_fd_limit()
    _setup_logging(args.log_level)
    return _serve_on(args, sock)


def _serve_on(args: argparse.Namespace, sock: Any) -> int:
    """Serve on a listening socket in this process until SIGTERM/SIGINT."""
    import uvicorn

    from marketplace.app import create_app
    from marketplace.serving import uvicorn_config

    app = create_app(_database(args), settings={"auto_reject_after_s": args.auto_reject_after,
                                                "unattended_after_s": args.unattended_after,
                                                **_hardening_settings(args)})
    config = uvicorn_config(app, app.state.market.settings,
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
                            forwarded_allow_ips=args.forwarded_allow_ips,
                            http=args.http, loop=args.loop)  # this process's own loop
    server = uvicorn.Server(config)
    original_exit = server.handle_exit

    def handle_exit(sig: int, frame: object) -> None:  # answer long-polls now, not in 30 s
        app.state.market.close_waiters_threadsafe()
        original_exit(sig, frame)  # type: ignore[arg-type]

    server.handle_exit = handle_exit  # type: ignore[method-assign]
    _tune_gc()
    _tune_switching(args.switch_interval_ms)
    server.run(sockets=[sock])
    return 0


def _tune_switching(interval_ms: float) -> None:
    """A database thread back from PostgreSQL waits for the interpreter lock until the
    event loop lets it go, or is asked to after the switch interval: at each of an
    order's round trips, while it holds a pooled connection and the shop's row lock.
    Python's 5 ms stays the default: 1 ms cut the p99 at 300 orders/s in one series of
    three runs and not in another of five, where it used a little more CPU (bench_scale,
    README "Scale-out")."""
    sys.setswitchinterval(max(interval_ms, 0.05) / 1000)


def _database(args: argparse.Namespace) -> str:
    """The database named on the command line, as a URL."""
    from marketplace.storage import database_url

    return database_url(args.database_url or args.db)


def _tune_gc() -> GcPacer:
    """Fewer, shorter pauses: measured, a full collection over thousands of waiting
    connections paused every request for 70-630 ms (bench_sync.py --trace), and young
    collections left to CPython's count reached 100-200 ms (gc_pacing.py).

    Objects of the start-up (modules, app) move out of the collector's sight; then the
    collector is paced by the clock (gc_pacing.GcPacer)."""
    from marketplace.gc_pacing import GcPacer

    gc.collect()
    gc.freeze()
    return GcPacer().start()


def _hardening_settings(args: argparse.Namespace) -> dict[str, object]:
    """The serve options of docs/DEPLOY.md, as marketplace settings."""
    secret = (args.payment_secret_file.read_text(encoding="utf-8").strip()
              if args.payment_secret_file else os.environ.get("COMPTOIR_PAYMENT_SECRET"))
    return {"cors_origins": tuple(args.cors_origin), "payment_secret": secret or None,
            "header_timeout_s": args.header_timeout, "body_timeout_s": args.body_timeout,
            "max_connections_per_address": args.max_connections_per_address,
            "limit_concurrency": args.limit_concurrency,
            "rate_limit_exempt": tuple(args.rate_limit_exempt),
            "limits_storage": args.limits_storage,
            "db_threads": args.db_threads, "db_calls_on_loop": args.db_calls == "loop",
            "db_pool_size": args.db_pool_size,
            "db_max_overflow": args.db_max_overflow,
            "db_lock_timeout_s": args.db_lock_timeout}


def _raise_fd_limit() -> None:
    """Each waiting long-poll is a socket: allow as many as the system lets us."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = hard if hard != resource.RLIM_INFINITY else 65536
        if soft != resource.RLIM_INFINITY and soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _print_shop(shop_id: str, code: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"shop_id": shop_id, "pairing_code": code}))
    else:
        print(f"shop_id: {shop_id}\npairing_code: {code}")


def _demo_orders(args: argparse.Namespace) -> int:
    from marketplace.demo import DemoOrderGenerator

    logging.basicConfig(level="INFO", format="%(message)s")
    generator = DemoOrderGenerator(args.url, args.shop, interval=args.interval, first_burst=1,
                                   seed=args.seed, max_orders=args.count or None)
    generator.start()
    try:
        while generator.alive:
            count = len(generator.placed)
            generator.wait(0.5)
            for order in generator.placed[count:]:
                print(f"order n° {order['number']} {order['id']} for {order['customer']['name']}"
                      f" ({order['total_cents'] / 100:.2f} €)", flush=True)
    except KeyboardInterrupt:
        pass
    generator.stop()
    return 0


def _devices(db: Any, args: argparse.Namespace) -> None:
    from marketplace import pairing

    for device in pairing.list_devices(db, args.shop):
        state = ("revoked " + device["revoked_at"] if device["revoked_at"]
                 else "expires " + device["expires_at"] if device["expires_at"] else "live")
        print(f"{device['id']}\t{device['name']}\tpaired {device['created_at']}\t{state}")


def _pairing_codes(db: Any, args: argparse.Namespace) -> None:
    from marketplace import pairing

    for code in pairing.list_pending_codes(db, args.shop):
        print(f"{code['id']}\tissued {code['created_at']}\texpires {code['expires_at']}")


def _revoke_device(db: Any, args: argparse.Namespace) -> None:
    from marketplace import audit, pairing

    pairing.revoke_device_by_id(db, args.shop, args.device, actor=audit.cli_actor())
    print(f"device {args.device}: revoked")


def _revoke_code(db: Any, args: argparse.Namespace) -> None:
    from marketplace import audit, pairing

    print(f"{pairing.revoke_code(db, args.shop, args.code, actor=audit.cli_actor())}"
          " code(s) revoked")


def _edit_shop(db: Any, args: argparse.Namespace) -> None:
    from marketplace import admin, audit

    changed = admin.update_shop(db, args.shop, name=args.name, address=args.address,
                                time_zone=args.time_zone, actor=audit.cli_actor())
    print(", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changed.items())
          or "unchanged")


def _pause_shop(db: Any, args: argparse.Namespace) -> None:
    import datetime as dt

    from marketplace import admin, audit
    from sync.protocol import to_iso

    if args.command == "resume-shop":
        admin.pause_shop(db, args.shop, False, actor=audit.cli_actor())
        print(f"{args.shop}: open")
        return
    if args.minutes is not None and args.minutes <= 0:
        raise ValueError("--minutes must be positive")
    until = (to_iso(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=args.minutes))
             if args.minutes else None)
    admin.pause_shop(db, args.shop, True, until, actor=audit.cli_actor())
    print(f"{args.shop}: paused" + (f" until {until}" if until else ""))


def _operator(db: Any, args: argparse.Namespace) -> None:
    from marketplace import audit
    from marketplace.console import auth

    if args.action == "list":
        for row in auth.list_operators(db):
            state = f"disabled {row['disabled_at']}" if row["disabled_at"] else "active"
            print(f"{row['name']}\tcreated {row['created_at']}\t{state}")
        return
    if not args.name:
        raise ValueError(f"operator {args.action}: give the account's NAME")
    actor = audit.cli_actor()
    if args.action == "disable":
        auth.disable_operator(db, args.name, actor=actor)
        print(f"{args.name}: disabled (sessions ended)")
        return
    password = (auth.add_operator(db, args.name, actor=actor) if args.action == "add"
                else auth.reset_password(db, args.name, actor=actor))
    # Shown once: only its scrypt hash is kept.
    print(f"operator: {args.name.strip().lower()}\npassword: {password}\n"
          "(shown once; log in at http://HOST:PORT/console/)")


_DEVICE_COMMANDS = {"devices": _devices, "pairing-codes": _pairing_codes,
                    "revoke-device": _revoke_device, "revoke-code": _revoke_code,
                    "edit-shop": _edit_shop, "pause-shop": _pause_shop,
                    "resume-shop": _pause_shop, "operator": _operator}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "db", None) is None and getattr(args, "database_url", None) is None:
        return _run(args)  # no database involved
    try:
        return _run(args)
    except Exception as exc:
        message = _database_problem(exc)
        if message is None:
            raise
        print(f"comptoir-marketplace: {message}", file=sys.stderr)
        return 2


def _database_problem(exc: Exception) -> str | None:
    """A French sentence for a database that cannot be used (None: another problem)."""
    import sqlite3

    from sqlalchemy.exc import OperationalError as SAOperationalError

    try:
        from psycopg import OperationalError as PgOperationalError
    except ImportError:  # pragma: no cover - psycopg is a dependency
        PgOperationalError = SAOperationalError  # noqa: N806
    if isinstance(exc, ValueError) and "base de données" in str(exc):
        return str(exc)
    if isinstance(exc, (SAOperationalError, PgOperationalError, sqlite3.OperationalError)):
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"base de données inaccessible ({detail})"
    if isinstance(exc, RuntimeError) and "place de marché" in str(exc):
        return str(exc)
    return None


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "demo-orders":
        return _demo_orders(args)
    if args.command == "openapi":
        from marketplace.openapi import render_openapi

        if args.out:
            args.out.write_text(render_openapi(), encoding="utf-8")
        else:
            sys.stdout.write(render_openapi())
        return 0

    from marketplace import admin, audit
    from marketplace.catalogue import DEMO_PRODUCTS
    from marketplace.storage import open_database

    if args.command == "migrate":
        from marketplace.schema import migrate

        print(f"schema at revision {migrate(_database(args))}")
        return 0
    with contextlib.closing(open_database(_database(args))) as db:
        try:
            if args.command == "create-shop":
                products = DEMO_PRODUCTS if args.demo_products else ()
                _print_shop(*admin.create_shop(db, args.name, args.address, products,
                                               time_zone=args.time_zone,
                                               actor=audit.cli_actor()), args.json)
            elif args.command == "pairing-code":
                print(admin.new_pairing_code(db, args.shop, actor=audit.cli_actor()))
            elif args.command == "seed-demo":
                _print_shop(*admin.seed_demo(db), args.json)
            elif args.command == "add-product":
                admin.add_products(db, args.shop, [{
                    "sku": args.sku, "name": args.name, "price_cents": args.price_cents,
                    "stock": args.stock, "barcode": args.barcode, "category": args.category,
                    "low_stock_threshold": args.low_stock}])
                print(f"{args.sku}: ok")
            elif args.command in _DEVICE_COMMANDS:
                _DEVICE_COMMANDS[args.command](db, args)
            elif args.command == "list-shops":
                for shop in admin.list_shops(db):
                    paused = " (paused)" if shop["paused"] else ""
                    print(f"{shop['id']}\t{shop['name']}{paused}\t{shop['address']}")
        except (KeyError, ValueError) as exc:
            print(f"comptoir-marketplace: {exc.args[0] if exc.args else exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
