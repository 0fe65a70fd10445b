"""Wiring of the shop app: store, sync engine, print queue, demo marketplace.

Start-up phases (``ShopApp.start``):
1. open the store in the data directory (migrations; a bad file → ``StoreError``);
2. demo mode only: start the embedded marketplace, seed the demo shop, pair;
3. load the device token from the vault; start the sync engine (its threads);
4. start the print queue (its thread);
5. demo mode only: start the demo order generator.
Everything the widgets need arrives through this object's Qt signals.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from posapp.bridge import CoreBridge
from posapp.domain.orders import OrdersService
from posapp.domain.stock import StockService
from posapp.printing_setup import PrintingSetup
from posapp.store import pairing
from posapp.store.backup import RestoreResult, backup, restore
from posapp.store.db import Store, open_store
from posapp.store.pairing import PairingChange
from posapp.store.replica import PullSummary, ShopReplica
from sync.client import pair_device
from sync.credentials import KeyringVault, MemoryVault, TokenVault, VaultError, account_name
from sync.engine import SyncEngine

__all__ = ["AppConfig", "ShopApp"]

log = logging.getLogger(__name__)


@dataclass
class AppConfig:
    data_dir: Path
    demo: bool = False
    demo_order_interval: float = 20.0
    demo_first_orders: int = 3
    sync_wait: float = 25.0
    vault: TokenVault | None = None
    marketplace_settings: dict[str, Any] = field(default_factory=dict)


class ShopApp(CoreBridge):
    """Owns the core objects; lives on the GUI thread. Its signals (``CoreBridge``'s) are
    emitted once, from whichever thread the core event happened on; Qt queues them."""

    def __init__(self, config: AppConfig):
        super().__init__()
        self.config = config
        self.store: Store | None = None
        self.orders: OrdersService | None = None
        self.stock: StockService | None = None
        self.engine: SyncEngine | None = None
        self.printing: PrintingSetup | None = None
        self.marketplace: Any = None  # EmbeddedMarketplace in demo mode
        self.demo_generator: Any = None
        self.vault: TokenVault = config.vault or (MemoryVault() if config.demo else KeyringVault())
        self.startup_messages: list[str] = []  # shown by the window once it exists

    # -- paths -----------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.config.data_dir / "demo" if self.config.demo else self.config.data_dir

    @property
    def shop(self) -> dict[str, Any]:
        if self.store is None:
            return {}
        row = self.store.query_one("SELECT value FROM sync_state WHERE key = 'shop'")
        return json.loads(row["value"]) if row and row["value"] else {}

    def setting(self, key: str, default: str | None = None) -> str | None:
        assert self.store is not None
        row = self.store.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_setting(self, key: str, value: str | None) -> None:
        assert self.store is not None
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- life cycle --------------------------------------------------------------
    def start(self) -> None:
        if self.config.demo:
            # The demo starts from a clean slate every time: its marketplace is new too.
            shutil.rmtree(self.data_dir, ignore_errors=True)
        self.store = open_store(self.data_dir)  # StoreError → caller shows it
        self.orders = OrdersService(self.store)
        self.stock = StockService(self.store)
        self.printing = PrintingSetup(self.data_dir, self.store, self, demo=self.config.demo)
        if self.config.demo:
            self._start_demo_marketplace()
        url = self.setting("marketplace_url")
        shop_id = self.setting("shop_id")
        token = None
        if url and shop_id:
            try:
                token = self.vault.load(account_name(url, shop_id))
            except VaultError as exc:  # no keyring: keep working offline, say why
                self.startup_messages.append(str(exc))
        self.engine = SyncEngine(
            url or "",
            token,
            self._open_replica,
            self,
            wait=self.config.sync_wait,
        )
        self.engine.start()
        self.printing.start()
        if self.demo_generator is not None:
            self.demo_generator.start()

    def _open_replica(self) -> ShopReplica:
        assert self.printing is not None
        return ShopReplica(Store(self.store.path),  # type: ignore[union-attr]
                           on_order_changes=self.printing.on_order_changes)

    def stop(self) -> None:
        if self.demo_generator is not None:
            self.demo_generator.stop()
        if self.engine is not None:
            self.engine.stop()
        if self.printing is not None:
            self.printing.stop()
        if self.marketplace is not None:
            self.marketplace.stop()
        if self.store is not None:
            self.store.close()

    # -- pairing -------------------------------------------------------------------
    def pair(self, url: str, pairing_code: str) -> dict[str, str]:
        """Pair this counter (network call, then ``complete_pairing``).

        Raises sync.client.SyncError with a message to show. The UI runs the
        network half (``sync.client.pair_device``) in a worker and calls
        ``complete_pairing`` on the GUI thread; this one-call form serves start-up.
        """
        answer = pair_device(url, pairing_code, device_name=socket.gethostname())
        self.complete_pairing(url, answer)
        return answer

    def complete_pairing(self, url: str, answer: dict[str, str]) -> PairingChange:
        """Keep the token in the vault, the rest in settings (one transaction); restart sync.

        Sync is stopped around it: a long-poll still asked with the old credentials is
        cut, and an answer about the old shop is refused by the store anyway. Moving to
        another shop or marketplace first saves the database aside, then starts the
        shop's data afresh; changes left for the old shop are exported to a CSV and the
        shopkeeper is told. Raises VaultError or BackupError (then nothing changed).
        """
        assert self.store is not None
        url = url.rstrip("/")
        self.vault.save(account_name(url, answer["shop_id"]), answer["device_token"])
        change: PairingChange | None = None
        aside: Path | None = None
        if self.engine is not None:
            self.engine.stop()
        try:
            if pairing.is_move(self.store.conn, url, answer["shop_id"]):
                aside = self._save_aside("avant-changement-de-boutique")
            change = pairing.adopt(self.store.conn, url, answer["shop_id"], answer["shop_name"])
        finally:
            if self.engine is not None:
                if change is not None:
                    self.engine.set_credentials(url, answer["device_token"])
                self.engine.start()
        if change.moved:
            self._tell_moved(change, aside)
            self.orders_changed.emit()
            self.stock_changed.emit()
        return change

    def _save_aside(self, why: str) -> Path:
        assert self.store is not None
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return backup(self.store.path, self.data_dir / "sauvegardes" / f"{why}-{stamp}.db").path

    def _tell_moved(self, change: PairingChange, aside: Path | None) -> None:
        assert self.store is not None
        text = f"Ancienne boutique sauvegardée dans {aside}." if aside else ""
        if change.left_behind:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            csv_path = self.data_dir / "sauvegardes" / f"changements-non-envoyes-{stamp}.csv"
            try:
                pairing.export_left_behind(self.store.conn, csv_path)
                where = f"exportés dans {csv_path}"
            except OSError as exc:
                log.warning("left-behind changes not exported: %s", exc)
                where = "gardés dans la base (export impossible)"
            text = (f"{change.left_behind} changement(s) pas encore envoyé(s) à l'ancienne"
                    f" boutique ne seront pas envoyés à la nouvelle : {where}. {text}")
        if text:
            self.message.emit(text.strip())

    def _start_demo_marketplace(self) -> None:
        from marketplace.demo import DemoOrderGenerator
        from marketplace.embedded import EmbeddedMarketplace

        self.marketplace = EmbeddedMarketplace(
            self.data_dir / "marketplace.db", settings=self.config.marketplace_settings
        )
        self.marketplace.start()
        shop_id, code = self.marketplace.seed_demo_shop()
        self.pair(self.marketplace.url, code)
        self.demo_generator = DemoOrderGenerator(
            self.marketplace.url,
            shop_id,
            interval=self.config.demo_order_interval,
            first_burst=self.config.demo_first_orders,
        )

    # -- actions from the UI ---------------------------------------------------------
    def after_local_change(self) -> None:
        """Call after any decision made at the counter: push it, refresh views."""
        if self.engine is not None:
            self.engine.push_soon()
        self.orders_changed.emit()
        self.stock_changed.emit()

    # -- core events (sync thread) ---------------------------------------------------
    def pulled(self, summary: PullSummary) -> None:
        super().pulled(summary)
        if self.printing is not None and summary.changed_order_ids + summary.new_orders:
            self.printing.wake()  # a ticket or a slip may wait (thread-safe)

    # -- data safety -------------------------------------------------------------------
    def restore_backup(self, path: Path) -> RestoreResult:
        """Restore a backup into the live database, sync and printing paused around it.

        The window's store connection stays open and reads the restored data.
        Raises ``posapp.store.backup.BackupError`` (then nothing was restored).
        """
        assert self.store is not None
        for part in (self.engine, self.printing):  # the other writers of the database
            if part is not None:
                part.stop()
        try:
            result = restore(self.store.path, path)
        finally:
            if self.engine is not None:
                self.engine.start()
            if self.printing is not None:
                self.printing.start()
        self.orders_changed.emit()
        self.stock_changed.emit()
        return result
