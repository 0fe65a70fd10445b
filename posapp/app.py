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
import secrets
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
from posapp.store.pairing import Pairing, PairingChange
from posapp.store.replica import PullSummary, ShopReplica
from sync.credentials import KeyringVault, MemoryVault, TokenVault, VaultError, account_name
from sync.engine import SyncEngine
from sync.messages import CoreMessage
from sync.pairing import pair_and_keep
from sync.url_check import insecure_url_message

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
        # Shown by the window once it exists (``CoreMessage``: translated by code).
        self.startup_messages: list[str] = []
        self._starting = False
        # The shop the engine's credentials belong to: the replica pushes to no other.
        self._synced_with: Pairing | None = None

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
        self._starting = True
        self._tell_left_behind()  # a crash after a move, before the shopkeeper was told
        self.orders = OrdersService(self.store)
        self.stock = StockService(self.store)
        self.printing = PrintingSetup(self.data_dir, self.store, self, demo=self.config.demo)
        if self.config.demo:
            self._start_demo_marketplace()
        url = self.setting("marketplace_url")
        shop_id = self.setting("shop_id")
        token = None
        refused = insecure_url_message(url) if url else None
        if refused:  # a token is never sent in clear: the shopkeeper pairs again over https
            self.startup_messages.append(refused)
        elif url and shop_id:
            try:
                token = self.vault.load(account_name(url, shop_id))
            except VaultError as exc:  # no keyring: keep working offline, say why
                log.warning("token not loaded: %s", exc)
                self.startup_messages.append(CoreMessage(
                    "app.keyring", "Trousseau du système indisponible : le comptoir travaille"
                    " hors ligne. Déverrouillez le trousseau de votre session (ou ouvrez-la de"
                    " nouveau), puis redémarrez Comptoir."))
        if token:
            self._synced_with = Pairing(url, shop_id, None)
        self._starting = False
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
                           on_order_changes=self.printing.on_order_changes,
                           paired_with=self._synced_with)

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
        """Pair this counter (keyring checked, code spent, token kept: ``sync.pairing``),
        then ``adopt_pairing``.

        Raises sync.client.SyncError or VaultError with a message to show. The UI runs
        ``sync.pairing.pair_and_keep`` in a worker and calls ``adopt_pairing`` on the GUI
        thread; this one-call form serves start-up.
        """
        answer = pair_and_keep(url, pairing_code, socket.gethostname(), self.vault)
        self.adopt_pairing(url, answer)
        return answer

    def complete_pairing(self, url: str, answer: dict[str, str]) -> PairingChange:
        """Keep the token in the vault, then ``adopt_pairing``."""
        self.vault.save(account_name(url, answer["shop_id"]), answer["device_token"])
        return self.adopt_pairing(url, answer)

    def adopt_pairing(self, url: str, answer: dict[str, str]) -> PairingChange:
        """The token is in the vault already: the rest in settings (one transaction);
        restart sync.

        Sync is stopped around it: a long-poll still asked with the old credentials is
        cut, and an answer about the old shop is refused by the store anyway. Moving to
        another shop or marketplace first saves the database aside, then starts the
        shop's data afresh; changes left for the old shop are exported to a CSV and the
        shopkeeper is told. Raises BackupError (then nothing changed here).
        """
        assert self.store is not None
        url = url.rstrip("/")
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
                    self._synced_with = Pairing(url, answer["shop_id"], None)
                self.engine.start()
        if change.moved:
            self._tell_left_behind(aside)
            self.orders_changed.emit()
            self.stock_changed.emit()
        return change

    def _save_aside(self, why: str) -> Path:
        assert self.store is not None
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return backup(self.store.path, self.data_dir / "sauvegardes" / f"{why}-{stamp}.db").path

    def _tell(self, message: CoreMessage) -> None:
        if self._starting:  # no window yet: it shows these once it exists
            self.startup_messages.append(message)
        else:
            self.message.emit(message)

    def _tell_left_behind(self, aside: Path | None = None, *, restored: bool = False) -> None:
        """Export the changes left for another shop and tell the shopkeeper, once.

        Rows stay untold until both are done, so a crash in between (or a full disk)
        is caught up at the next start-up.
        """
        assert self.store is not None
        left = pairing.untold(self.store.conn)
        where = ""
        if left.total:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            csv_path = self.data_dir / "sauvegardes" / f"changements-non-envoyes-{stamp}.csv"
            try:
                pairing.export_left_behind(self.store.conn, csv_path)
                where = str(csv_path)
            except OSError as exc:
                log.warning("left-behind changes not exported: %s", exc)
            self._tell(CoreMessage(
                "app.restore_dropped" if restored else "app.left_behind",
                "Changements qui ne partiront pas, jamais envoyés : {unsent} ; déjà envoyés,"
                " résultat non confirmé : {sent}. Liste : {csv}. Ancienne base : {aside}.",
                unsent=left.unsent, sent=left.sent, csv=where, aside=str(aside or "")))
            if where:
                pairing.mark_told(self.store.conn)
        elif aside:
            self._tell(CoreMessage("app.saved_aside", "Ancienne boutique sauvegardée dans"
                                   " {aside}.", aside=str(aside)))

    def _start_demo_marketplace(self) -> None:
        from marketplace.demo import DemoOrderGenerator
        from marketplace.embedded import EmbeddedMarketplace
        from marketplace.storefront import storefront_url

        # The demo customers "pay online" the only way the marketplace believes: a payment
        # notification signed with this (throw-away) secret.
        settings = {"payment_secret": secrets.token_urlsafe(24),
                    **self.config.marketplace_settings}
        self.marketplace = EmbeddedMarketplace(self.data_dir / "marketplace.db", settings=settings)
        self.marketplace.start()
        # The customers' side of the demo: order from a browser and hear the counter ring.
        print(f"comptoir : vitrine client de la démo (commandez depuis un navigateur) : "
              f"{storefront_url(self.marketplace.url)}", flush=True)
        shop_id, code = self.marketplace.seed_demo_shop()
        self.pair(self.marketplace.url, code)
        self.demo_generator = DemoOrderGenerator(
            self.marketplace.url,
            shop_id,
            interval=self.config.demo_order_interval,
            first_burst=self.config.demo_first_orders,
            payment_secret=self.marketplace.settings.payment_secret,
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
            before = pairing.current(self.store.conn)
            pending = pairing.pending(self.store.conn)
            result = restore(self.store.path, path)
            pairing.keep_dropped(self.store.conn, pending, before)
            self._tell_left_behind(restored=True)
            self._follow_restored_pairing(before)
        finally:
            if self.engine is not None:
                self.engine.start()
            if self.printing is not None:
                self.printing.start()
        self.orders_changed.emit()
        self.stock_changed.emit()
        return result

    def _follow_restored_pairing(self, before: Pairing) -> None:
        """A backup of another shop: sync with that shop if its token is here, else
        treat it as a move back to the shop paired now (its changes left behind)."""
        assert self.store is not None
        restored = pairing.current(self.store.conn)
        if restored.shop_id is None and before.shop_id is not None:
            # A backup from before any pairing: it belongs to the shop paired now, as the
            # changes made before a first pairing do.
            pairing.adopt(self.store.conn, before.marketplace_url or "", before.shop_id,
                          before.shop_name or "")
            return
        if restored.shop_id is None or not pairing.is_move(
                self.store.conn, before.marketplace_url or "", before.shop_id or ""):
            return
        token = None
        try:
            token = self.vault.load(account_name(restored.marketplace_url or "",
                                                 restored.shop_id))
        except VaultError as exc:
            log.warning("token of the restored shop not loaded: %s", exc)
        if token and self.engine is not None:
            self.engine.set_credentials(restored.marketplace_url or "", token)
            self._synced_with = restored
            self._tell(CoreMessage("app.restored_other_shop", "Cette sauvegarde est celle de la"
                                   " boutique {shop} : le comptoir se synchronise de nouveau"
                                   " avec elle.", shop=restored.shop_name or restored.shop_id))
        elif before.shop_id is not None:
            pairing.adopt(self.store.conn, before.marketplace_url or "", before.shop_id,
                          before.shop_name or "", sent_unknown=True)
            self._tell_left_behind()
        else:
            self._synced_with = None  # nothing to push to until paired
