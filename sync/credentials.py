"""Where the device token lives: the OS keyring, and nowhere else.

The token is never written to SQLite, settings files or logs, and there is no
plaintext fallback: a keyring that stores secrets in a readable file is
refused like a missing one. ``MemoryVault`` serves the demo (a throw-away
pairing made at every start) and tests that do not exercise the keyring itself.

Messages of ``VaultError`` are ``CoreMessage``s (``sync/messages.py``): a code
the interface translates, French by default; the library's own error text goes
to the log only.
"""

from __future__ import annotations

import contextlib
import logging
import secrets

import keyring
import keyring.backend
import keyring.errors

from sync.messages import sync_message

__all__ = ["TokenVault", "KeyringVault", "MemoryVault", "VaultError", "SERVICE", "account_name",
           "stores_in_plain_text"]

log = logging.getLogger(__name__)

SERVICE = "comptoir"
PROBE_ACCOUNT = "comptoir-probe"



class VaultError(RuntimeError):
    """The keyring cannot be used; the message says what to do."""


class TokenVault:
    def load(self, account: str) -> str | None:
        raise NotImplementedError

    def save(self, account: str, token: str) -> None:
        raise NotImplementedError

    def delete(self, account: str) -> None:
        raise NotImplementedError

    def check_usable(self) -> None:
        """Raise VaultError unless a token can be written, read back and deleted now."""


def account_name(marketplace_url: str, shop_id: str) -> str:
    return f"{marketplace_url.rstrip('/')}#{shop_id}"


def stores_in_plain_text(backend: keyring.backend.KeyringBackend) -> bool:
    """A backend that keeps secrets in a file anyone with the disk can read (keyrings.alt)."""
    parts = getattr(backend, "backends", None)  # the chainer: any plaintext member counts
    if isinstance(parts, (list, tuple)) and parts:
        return any(stores_in_plain_text(part) for part in parts)
    kind = type(backend)
    return kind.__module__.startswith("keyrings.alt") or "plaintext" in kind.__name__.lower()


class KeyringVault(TokenVault):
    def __init__(self, service: str = SERVICE):
        self.service = service

    # Backends raise more than KeyringError (secretstorage's SecretServiceNotAvailableException,
    # D-Bus errors, OSError): any failure is the keyring's, said with a code, logged with %r.
    def load(self, account: str) -> str | None:
        try:
            return keyring.get_password(self.service, account)
        except Exception as exc:
            log.warning("keyring read failed: %r", exc)  # the library's text: the log only
            raise VaultError(sync_message("vault.unavailable")) from exc

    def save(self, account: str, token: str) -> None:
        self._refuse_plain_text()
        try:
            keyring.set_password(self.service, account, token)
        except Exception as exc:
            log.warning("keyring write failed: %r", exc)
            raise VaultError(sync_message("vault.save_failed")) from exc

    def delete(self, account: str) -> None:
        try:
            keyring.delete_password(self.service, account)
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:
            log.warning("keyring delete failed: %r", exc)
            raise VaultError(sync_message("vault.unavailable")) from exc

    def check_usable(self) -> None:
        """Write, read back and delete a throw-away value (before a pairing code is spent)."""
        self._refuse_plain_text()
        value = secrets.token_urlsafe(16)
        try:
            keyring.set_password(self.service, PROBE_ACCOUNT, value)
            try:
                back = keyring.get_password(self.service, PROBE_ACCOUNT)
            except Exception:  # the probe is not left behind when reading it back fails
                with contextlib.suppress(Exception):
                    keyring.delete_password(self.service, PROBE_ACCOUNT)
                raise
            keyring.delete_password(self.service, PROBE_ACCOUNT)
        except Exception as exc:  # any failure (D-Bus, locked, no backend) means: not usable
            log.warning("keyring probe failed: %r", exc)
            raise VaultError(sync_message("vault.unavailable")) from exc
        if back != value:  # e.g. the null backend: accepts everything, keeps nothing
            log.warning("keyring probe: the value read back differs (%s)",
                        type(keyring.get_keyring()).__name__)
            raise VaultError(sync_message("vault.unavailable"))

    def _refuse_plain_text(self) -> None:
        backend = keyring.get_keyring()
        if stores_in_plain_text(backend):
            log.warning("refusing plaintext keyring backend %s", type(backend).__name__)
            raise VaultError(sync_message("vault.plaintext"))


class MemoryVault(TokenVault):
    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def load(self, account: str) -> str | None:
        return self._tokens.get(account)

    def save(self, account: str, token: str) -> None:
        self._tokens[account] = token

    def delete(self, account: str) -> None:
        self._tokens.pop(account, None)
