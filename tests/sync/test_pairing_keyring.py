"""Pairing never burns a code for nothing: the keyring is probed first; a token it then
fails to keep is revoked; no plaintext fallback (issue 9, point 7).

The keyrings here are small test backends installed with ``keyring.set_keyring``:
the failures are the ones seen on shop machines (locked or missing Secret
Service, a backend that keeps nothing, a plaintext file backend).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest

from sync.client import RequestRefused
from sync.credentials import PROBE_ACCOUNT, KeyringVault, VaultError
from sync.pairing import pair_and_keep
from tests.db import sql


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("Failed to unlock the collection!")


class ForgetfulKeyring(MemoryKeyring):
    """Accepts everything, keeps nothing (like keyring's null backend)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        pass


class LocksAfterTheProbe(MemoryKeyring):
    """The probe passes, the real save fails (the keyring locked in between)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if username != PROBE_ACCOUNT:
            raise keyring.errors.PasswordSetError("Prompt dismissed")
        super().set_password(service, username, password)


class SecretServiceNotAvailableException(Exception):  # noqa: N818 (secretstorage's name)
    """As secretstorage raises it: not a KeyringError, keyring lets it through."""


class ServiceGoneAfterTheProbe(MemoryKeyring):
    """The probe passes, then the Secret Service goes away (an error keyring does not wrap)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if username != PROBE_ACCOUNT:
            raise SecretServiceNotAvailableException("Environment variable DBUS_SESSION_BUS")
        super().set_password(service, username, password)


class ReadFailsAfterWrite(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise SecretServiceNotAvailableException("Could not unlock")


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's file backend: secrets readable by anyone with the disk."""


@contextlib.contextmanager
def using(backend: keyring.backend.KeyringBackend) -> Iterator[keyring.backend.KeyringBackend]:
    before = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


def _devices(market, shop_id: str) -> list[dict]:
    return sql(market, "SELECT name, revoked_at FROM devices WHERE shop_id = ? ORDER BY id",
               (shop_id,))


def _assert_french_and_clean(message: str) -> None:
    assert "trousseau" in message
    for english in ("Failed", "unlock", "Prompt", "Error"):
        assert english not in message


@pytest.mark.parametrize("backend", [LockedKeyring, ForgetfulKeyring, PlaintextKeyring])
def test_an_unusable_keyring_is_found_before_the_code_is_spent(market, demo_shop, backend):
    shop_id, code = demo_shop
    vault = KeyringVault(service="comptoir-test")
    with using(backend()), pytest.raises(VaultError) as refused:
        pair_and_keep(market.url, code, "Comptoir 1", vault)
    _assert_french_and_clean(str(refused.value))
    assert _devices(market, shop_id) == []  # the code was never sent
    # Once the keyring works, the very same code pairs.
    with using(MemoryKeyring()) as good:
        answer = pair_and_keep(market.url, code, "Comptoir 1", vault)
        assert list(good.secrets.values()) == [answer["device_token"]]  # the probe is gone


def test_a_plaintext_keyring_is_named_as_the_reason(market, demo_shop):
    with using(PlaintextKeyring()) as plain, pytest.raises(VaultError) as refused:
        pair_and_keep(market.url, demo_shop[1], "Comptoir 1", KeyringVault())
    assert "fichier lisible" in str(refused.value)
    assert plain.secrets == {}  # not even the probe was written there


def test_a_token_the_keyring_fails_to_keep_is_revoked(market, demo_shop):
    shop_id, code = demo_shop
    with using(LocksAfterTheProbe()) as backend, pytest.raises(VaultError) as refused:
        pair_and_keep(market.url, code, "Comptoir 1", KeyringVault(service="comptoir-test"))
    message = str(refused.value)
    _assert_french_and_clean(message)
    assert "annulé" in message and "nouveau code" in message
    assert backend.secrets == {}  # nothing kept anywhere
    devices = _devices(market, shop_id)
    assert len(devices) == 1 and devices[0]["revoked_at"] is not None  # no live orphan token
    # The code is spent (single use): the message said to ask for a new one.
    with using(MemoryKeyring()), pytest.raises(RequestRefused):
        pair_and_keep(market.url, code, "Comptoir 1", KeyringVault())
    fresh = market.new_pairing_code(shop_id)
    with using(MemoryKeyring()):
        assert pair_and_keep(market.url, fresh, "Comptoir 1", KeyringVault())["shop_id"] == shop_id


def test_an_unwrapped_keyring_error_still_revokes_the_token(market, demo_shop):
    shop_id, code = demo_shop
    with using(ServiceGoneAfterTheProbe()) as backend, pytest.raises(VaultError) as refused:
        pair_and_keep(market.url, code, "Comptoir 1", KeyringVault(service="comptoir-test"))
    _assert_french_and_clean(str(refused.value))
    assert "annulé" in str(refused.value)
    assert backend.secrets == {}
    devices = _devices(market, shop_id)
    assert len(devices) == 1 and devices[0]["revoked_at"] is not None


def test_the_vault_says_any_keyring_failure_with_its_code():
    vault = KeyringVault(service="comptoir-test")
    with using(ReadFailsAfterWrite()), pytest.raises(VaultError) as refused:
        vault.load("a")
    _assert_french_and_clean(str(refused.value))


def test_the_probe_is_not_left_behind_when_reading_it_back_fails():
    with using(ReadFailsAfterWrite()) as backend, pytest.raises(VaultError):
        KeyringVault(service="comptoir-test").check_usable()
    assert backend.secrets == {}


def test_the_settings_dialog_shows_the_french_explanation(qtbot, tmp_path, market, demo_shop):
    from PySide6.QtWidgets import QApplication

    from posapp.ui.i18n import install_translator
    from posapp.ui.settings_dialog import SettingsDialog
    from tests.ui.conftest import FakeShopApp

    install_translator(QApplication.instance(), "fr")
    shop_app = FakeShopApp(tmp_path / "shop")
    shop_app.vault = KeyringVault(service="comptoir-test")
    dialog = SettingsDialog(shop_app)
    qtbot.addWidget(dialog)
    dialog.url.setText(market.url)
    dialog.code.setText(demo_shop[1])
    with using(LockedKeyring()):
        dialog.start_pairing()
        qtbot.waitUntil(lambda: dialog.pair_button.isEnabled(), timeout=5000)
    assert "trousseau" in dialog.pair_status.text()
    assert shop_app.paired == []
    try:  # the English window says it in English (a code the interface translates)
        install_translator(QApplication.instance(), "en")
        with using(LockedKeyring()):
            dialog.start_pairing()
            qtbot.waitUntil(lambda: "keyring" in dialog.pair_status.text(), timeout=5000)
        assert "trousseau" not in dialog.pair_status.text()
        qtbot.waitUntil(dialog.pair_button.isEnabled, timeout=5000)
    finally:
        install_translator(QApplication.instance(), "fr")
    with using(MemoryKeyring()), qtbot.waitSignal(dialog.paired, timeout=5000):
        dialog.start_pairing()  # the same code: it was not spent
    assert shop_app.paired == [(market.url, demo_shop[0])]
    shop_app.store.close()
