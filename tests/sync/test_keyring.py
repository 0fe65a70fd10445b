"""The device token lives in the OS keyring (a real Secret Service), and nowhere else.

``./dev test`` runs the suite inside its own D-Bus session with gnome-keyring
unlocked and pins ``PYTHON_KEYRING_BACKEND`` to the Secret Service backend, so
these tests cannot fall back to a plaintext file. Run bare (no Secret Service),
they are skipped with the reason.
"""

from __future__ import annotations

import logging
import os

import keyring
import keyring.errors
import pytest

from sync.credentials import KeyringVault, VaultError, account_name

PINNED = "keyring.backends.SecretService.Keyring"

pytestmark = pytest.mark.skipif(
    os.environ.get("PYTHON_KEYRING_BACKEND") != PINNED,
    reason="needs the Secret Service session that ./dev test starts",
)


def test_backend_is_the_real_secret_service():
    backend = keyring.get_keyring()
    assert type(backend).__module__ + "." + type(backend).__name__ == PINNED


def test_token_round_trips_through_the_secret_service():
    import secretstorage

    vault = KeyringVault(service="comptoir-test")
    account = account_name("http://127.0.0.1:1", "shop_test")
    vault.save(account, "tok-éèà-123")
    try:
        assert vault.load(account) == "tok-éèà-123"
        # Read it back straight from the Secret Service, bypassing keyring.
        with secretstorage.dbus_init() as bus:
            collection = secretstorage.get_default_collection(bus)
            items = list(collection.search_items({"service": "comptoir-test",
                                                  "username": account}))
            assert [i.get_secret().decode() for i in items] == ["tok-éèà-123"]
    finally:
        vault.delete(account)
    assert vault.load(account) is None


def test_pairing_keeps_the_token_out_of_files_and_logs(tmp_path, market, demo_shop, caplog):
    from posapp.app import AppConfig, ShopApp

    caplog.set_level(logging.DEBUG)
    app = ShopApp(AppConfig(data_dir=tmp_path / "shop", sync_wait=5.0))
    assert isinstance(app.vault, KeyringVault)
    app.start()
    try:
        answer = app.pair(market.url, demo_shop[1])
        token = answer["device_token"]
        assert app.vault.load(account_name(market.url, answer["shop_id"])) == token
    finally:
        app.stop()
    for path in (tmp_path / "shop").rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), f"token found in {path}"
    assert token not in caplog.text
    # A restarted app finds the token in the keyring and syncs without pairing again.
    again = ShopApp(AppConfig(data_dir=tmp_path / "shop", sync_wait=5.0))
    again.start()
    try:
        assert again.engine is not None and not again.engine.status.auth_required
    finally:
        again.stop()
        again.vault.delete(account_name(market.url, answer["shop_id"]))


def test_a_locked_keyring_at_start_up_is_said_in_french_with_what_to_do(tmp_path, qtbot,
                                                                        monkeypatch):
    from PySide6.QtWidgets import QApplication

    from posapp.app import AppConfig, ShopApp
    from posapp.store import pairing
    from posapp.store.db import open_store
    from posapp.ui.i18n import install_translator
    from posapp.ui.main_window import MainWindow

    def locked(service, account):  # what keyring raises when the collection stays locked
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    monkeypatch.setattr(keyring, "get_password", locked)
    store = open_store(tmp_path)
    pairing.adopt(store.conn, "http://127.0.0.1:9", "shop_1", "Zoé")
    store.close()
    install_translator(QApplication.instance(), "fr")
    app = ShopApp(AppConfig(data_dir=tmp_path, vault=KeyringVault()))
    app.start()
    try:
        assert [m.code for m in app.startup_messages] == ["app.keyring"]
        window = MainWindow(app)
        qtbot.addWidget(window)
        shown = window.banners.texts("error")
        assert len(shown) == 1 and "Déverrouillez le trousseau" in shown[0]
        assert "collection" not in shown[0]
    finally:
        app.stop()


def test_keyring_errors_carry_no_library_text(monkeypatch):
    def locked(*args):
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    monkeypatch.setattr(keyring, "get_password", locked)
    monkeypatch.setattr(keyring, "set_password", locked)
    with pytest.raises(VaultError) as loading:
        KeyringVault().load("x")
    with pytest.raises(VaultError) as saving:
        KeyringVault().save("x", "t")
    assert loading.value.args[0].code == "vault.unavailable"
    assert saving.value.args[0].code == "vault.save_failed"
    assert "collection" not in str(loading.value) + str(saving.value)


def test_the_pairing_probe_passes_on_the_real_secret_service_and_leaves_nothing():
    from sync.credentials import PROBE_ACCOUNT

    KeyringVault(service="comptoir-test").check_usable()
    assert keyring.get_password("comptoir-test", PROBE_ACCOUNT) is None
