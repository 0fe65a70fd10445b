"""Push: apply a client's mutations in order, once each, scoped to the token's shop.

Each mutation runs in its own transaction together with the client's new
last id and its result row (UNIQUE (shop, client, mutation id)); its effect
runs inside a savepoint, so a refusal keeps the bookkeeping and drops only the
effect. A replay (id <= last id) is answered from the stored result, but only
if it is the same mutation: each result keeps a digest of what was processed
(name, canonical args, time). Another mutation under a processed id (a counter
restored from an older backup numbers its new changes from there) is answered
``mutation_id_reused`` and ends the batch, so the counter re-numbers it and
everything after it above ``last_mutation_id`` instead of losing it as a replay.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marketplace.orders import STATUS_LABELS, change_status, find_order, move_stock
from marketplace.shops import set_paused
from marketplace.storage import Database, Tx, read_tx, write_tx
from sync.protocol import (
    MAX_STOCK_DELTA,
    MUTATIONS,
    MutationError,
    order_transition_allowed,
    parse_iso,
    to_iso,
    validate_mutation,
)

__all__ = ["PushMutation", "PushOutcome", "process_push", "mutation_digest", "MAX_STOCK_DELTA",
           "ID_REUSED"]

ID_REUSED = "mutation_id_reused"


@dataclass(frozen=True)
class PushMutation:
    id: int
    name: str
    args: Any
    at: str | None


# Arguments that are times: one instant has many spellings (Z or +00:00, with or without ms).
_TIME_ARGS = ("ready_by", "paused_until")


def _canonical_time(value: Any) -> Any:
    """The protocol's own spelling of an instant (UTC, milliseconds, Z); other values as is."""
    moment = parse_iso(value)
    return to_iso(moment) if moment is not None else value


def mutation_digest(mutation: PushMutation) -> str:
    """SHA-256 of name, args and time in canonical JSON (sorted keys, no spaces).

    Times (``at`` and the time arguments) are written the protocol's way first, so a
    retry of the same change whose client spells the instant otherwise is still a replay.
    A counter's times are already in that form: digests stored before stay valid.
    """
    args = mutation.args
    if isinstance(args, dict):
        args = {k: _canonical_time(v) if k in _TIME_ARGS else v for k, v in args.items()}
    canonical = json.dumps([mutation.name, args, _canonical_time(mutation.at)], sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class PushOutcome:
    last_mutation_id: int
    results: list[dict[str, Any]]
    changed: bool  # something was processed: wake the shop's long-polls

    def to_wire(self) -> dict[str, Any]:
        return {"last_mutation_id": self.last_mutation_id, "results": self.results}


def process_push(db: Database, shop_id: str, client_id: str,
                 mutations: list[PushMutation]) -> PushOutcome:
    results: list[dict[str, Any]] = []
    changed = False
    if not mutations:
        with read_tx(db) as tx:
            return PushOutcome(_last_id_tx(tx, shop_id, client_id), results, changed)
    for mutation in mutations:
        with write_tx(db) as tx:
            # The shop's writers one at a time from here (storage.py): the replay check
            # below and the result row cannot be raced by a retry of the same push.
            tx.lock_shop(shop_id)
            last = _last_id_tx(tx, shop_id, client_id)
            digest = mutation_digest(mutation)
            if mutation.id <= last:
                results.append(_stored_result(tx, shop_id, client_id, mutation.id, digest))
                if results[-1].get("error", {}).get("code") == ID_REUSED:
                    break  # the rest waits for the counter to re-number it, in order
                continue
            error = _apply_in_savepoint(tx, shop_id, client_id, mutation)
            tx.execute(
                "INSERT INTO mutation_results (shop_id, client_id, mutation_id, name, status,"
                " error_code, error_message, client_at, applied_at, digest)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (shop_id, client_id, mutation.id, _no_nul(mutation.name)[:100],
                 "refused" if error else "applied", error.code if error else None,
                 _no_nul(error.message) if error else None,
                 mutation.at, tx.now, digest),
            )
            tx.execute(
                "INSERT INTO client_state (shop_id, client_id, last_mutation_id, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (shop_id, client_id) DO UPDATE SET"
                " last_mutation_id = excluded.last_mutation_id, updated_at = excluded.updated_at",
                (shop_id, client_id, mutation.id, tx.now),
            )
            tx.touch(shop_id)  # the pull's last_mutation_id moved, even for a refusal
            last = mutation.id
            changed = True
            results.append(_result(mutation.id, error))
    return PushOutcome(last, results, changed)


def _last_id_tx(tx: Tx, shop_id: str, client_id: str) -> int:
    found = tx.row("SELECT last_mutation_id FROM client_state WHERE shop_id = ? AND client_id = ?",
                   (shop_id, client_id))
    return int(found["last_mutation_id"]) if found else 0


def _result(mutation_id: int, error: MutationError | None) -> dict[str, Any]:
    if error is None:
        return {"id": mutation_id, "status": "applied"}
    return {"id": mutation_id, "status": "refused",
            "error": {"code": error.code, "message": error.message}}


def _stored_result(tx: Tx, shop_id: str, client_id: str, mutation_id: int,
                   digest: str) -> dict[str, Any]:
    stored = tx.row("SELECT status, error_code, error_message, digest FROM mutation_results"
                    " WHERE shop_id = ? AND client_id = ? AND mutation_id = ?",
                    (shop_id, client_id, mutation_id))
    if stored is None or stored["digest"] not in (None, digest):
        # Never processed (below the last id), or processed as another mutation: either
        # way this one was not applied; the counter must send it again under a new id.
        return _result(mutation_id, MutationError(
            ID_REUSED, f"mutation id {mutation_id} is already taken by another mutation:"
                       " send it again with an id above last_mutation_id"))
    if stored["status"] == "applied":
        return _result(mutation_id, None)
    return _result(mutation_id, MutationError(stored["error_code"], stored["error_message"]))


def _apply_in_savepoint(tx: Tx, shop_id: str, client_id: str,
                        mutation: PushMutation) -> MutationError | None:
    if _holds_nul([mutation.name, mutation.args]):  # (its `at` is a checked ISO time)
        # PostgreSQL's text cannot hold it (SQLite can): refused alike on both, never a 500.
        return MutationError("bad_args", f"{_no_nul(mutation.name)}: caractère NUL (\\u0000)"
                                         " refusé")
    try:
        with tx.savepoint("mutation"):
            validate_mutation(mutation.name, mutation.args)
            handler = _HANDLERS.get(mutation.name)
            if handler is None:  # a mutation sync/protocol.py knows but this server does not
                raise MutationError("unknown_mutation", f"{mutation.name} is not supported here")
            handler(tx, shop_id, mutation.args, (client_id, mutation.id))
    except (MutationError, ValueError, TypeError, OverflowError) as exc:
        # Odd arguments a check let through are refused like any bad one: a 500 here would
        # be retried forever and block everything queued behind this mutation.
        return exc if isinstance(exc, MutationError) else MutationError(
            "bad_args", f"{mutation.name}: arguments invalides ({type(exc).__name__})")
    return None


def _holds_nul(value: Any) -> bool:
    pending = [value]
    while pending:  # iterative: nested arguments must not overflow the stack
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _no_nul(text: str) -> str:
    """A text the client sent, storable on PostgreSQL (for the record of a refusal)."""
    return text.replace("\x00", "\ufffd")


def _product(tx: Tx, shop_id: str, sku: str) -> dict[str, Any]:
    product = tx.row("SELECT * FROM products WHERE shop_id = ? AND sku = ?", (shop_id, sku))
    if product is None:
        raise MutationError("unknown_sku", f"Produit inconnu : {sku}")
    return product


def _stock_adjust(tx: Tx, shop_id: str, args: dict[str, Any], origin: tuple[str, int]) -> None:
    if abs(args["delta"]) > MAX_STOCK_DELTA:
        raise MutationError("bad_args", f"delta must be within ±{MAX_STOCK_DELTA}")
    _product(tx, shop_id, args["sku"])
    # Never refused for quantity: the counter's reality wins, stock may go below zero.
    move_stock(tx, shop_id, args["sku"], args["delta"], args["reason"], "counter",
               client_id=origin[0], mutation_id=origin[1])


def _set_available(tx: Tx, shop_id: str, args: dict[str, Any], origin: tuple[str, int]) -> None:
    _product(tx, shop_id, args["sku"])
    tx.execute("UPDATE products SET available = ?, version = ? WHERE shop_id = ? AND sku = ?",
               (int(args["available"]), tx.version(shop_id), shop_id, args["sku"]))


def _shop_pause(tx: Tx, shop_id: str, args: dict[str, Any], origin: tuple[str, int]) -> None:
    until = parse_iso(args.get("paused_until")) if args["paused"] else None
    set_paused(tx, shop_id, bool(args["paused"]), to_iso(until) if until else None)


def _order_handler(name: str) -> Callable[[Tx, str, dict[str, Any], tuple[str, int]], None]:
    target = MUTATIONS[name][0]
    assert target is not None

    def handle(tx: Tx, shop_id: str, args: dict[str, Any], origin: tuple[str, int]) -> None:
        order = find_order(tx, shop_id, args["order_id"])
        if order is None:
            raise MutationError("unknown_order", f"Commande inconnue : {args['order_id']}")
        if not order_transition_allowed(order["status"], target, by_shop=True):
            raise MutationError(
                "illegal_transition",
                f"La commande n° {order['number']} est {STATUS_LABELS[order['status']]} :"
                f" impossible de la passer à « {STATUS_LABELS[target]} ».",
            )
        ready_by = parse_iso(args.get("ready_by")) if name == "order.accept" else None
        change_status(tx, order, target, actor="shop",
                      reason=args["reason"] if name == "order.reject" else None,
                      ready_by=to_iso(ready_by) if ready_by else None)

    return handle


_HANDLERS: dict[str, Callable[[Tx, str, dict[str, Any], tuple[str, int]], None]] = {
    "stock.adjust": _stock_adjust,
    "product.set_available": _set_available,
    "shop.pause": _shop_pause,
    **{name: _order_handler(name) for name in MUTATIONS if name.startswith("order.")},
}
