"""Where the device token lives: the OS keyring, and nowhere else.

The token is never written to SQLite, settings files or logs. ``MemoryVault``
serves the demo (a throw-away pairing made at every start) and tests that do
not exercise the keyring itself.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors

from sync.messages import sync_message

__all__ = ["TokenVault", "KeyringVault", "MemoryVault", "VaultError", "SERVICE", "account_name"]

SERVICE = "comptoir"

log = logging.getLogger(__name__)


class VaultError(RuntimeError):
    """The keyring cannot be used; the message says what to do."""


class TokenVault:
    def load(self, account: str) -> str | None:
        raise NotImplementedError

    def save(self, account: str, token: str) -> None:
        raise NotImplementedError

    def delete(self, account: str) -> None:
        raise NotImplementedError


def account_name(marketplace_url: str, shop_id: str) -> str:
    return f"{marketplace_url.rstrip('/')}#{shop_id}"


class KeyringVault(TokenVault):
    def __init__(self, service: str = SERVICE):
        self.service = service

    def load(self, account: str) -> str | None:
        try:
            return keyring.get_password(self.service, account)
        except keyring.errors.KeyringError as exc:
            log.warning("keyring: %s", exc)  # the library's text: the log only
            raise VaultError(sync_message("vault.unavailable")) from exc

    def save(self, account: str, token: str) -> None:
        try:
            keyring.set_password(self.service, account, token)
        except keyring.errors.KeyringError as exc:
            log.warning("keyring: %s", exc)
            raise VaultError(sync_message("vault.save_failed")) from exc

    def delete(self, account: str) -> None:
        try:
            keyring.delete_password(self.service, account)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            log.warning("keyring: %s", exc)
            raise VaultError(sync_message("vault.unavailable")) from exc


class MemoryVault(TokenVault):
    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def load(self, account: str) -> str | None:
        return self._tokens.get(account)

    def save(self, account: str, token: str) -> None:
        self._tokens[account] = token

    def delete(self, account: str) -> None:
        self._tokens.pop(account, None)
