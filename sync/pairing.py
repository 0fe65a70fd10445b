"""Pairing that never burns a code for nothing (issue 9, point 7).

1. the keyring is checked as usable (write, read back, delete a probe) before the
   single-use code is sent;
2. the code is exchanged for a device token;
3. the token goes to the keyring; if that fails anyway, the token is revoked
   (``DELETE /v1/devices/self``) so no live credential is left nowhere, and the
   error says what to do next (no plaintext fallback, ever).

Blocking (network, D-Bus): call from a worker thread.
"""

from __future__ import annotations

import logging

import httpx

from sync.client import pair_device
from sync.credentials import TokenVault, VaultError, account_name
from sync.messages import sync_message
from sync.protocol import API_PREFIX

__all__ = ["pair_and_keep", "revoke_token"]

log = logging.getLogger(__name__)


def revoke_token(base_url: str, token: str) -> bool:
    """Revoke a device token; True when the marketplace confirmed (or already forgot it)."""
    try:
        response = httpx.delete(f"{base_url.rstrip('/')}{API_PREFIX}/devices/self",
                                headers={"Authorization": f"Bearer {token}"}, timeout=10.0)
    except httpx.HTTPError as exc:
        log.warning("token revocation failed: %r", exc)
        return False
    return response.status_code in (204, 401)


def pair_and_keep(base_url: str, pairing_code: str, device_name: str,
                  vault: TokenVault) -> dict[str, str]:
    """Pair and store the token; raises VaultError (code unspent, or token revoked) or
    sync.client.SyncError (network, refused code)."""
    vault.check_usable()
    answer = pair_device(base_url, pairing_code, device_name)
    try:
        vault.save(account_name(base_url, answer["shop_id"]), answer["device_token"])
    except Exception as exc:  # whatever the vault raised, no live token is left unkept
        log.warning("token not stored: %r", exc)
        if revoke_token(base_url, answer["device_token"]):
            raise VaultError(sync_message("vault.token_revoked")) from exc
        raise VaultError(sync_message("vault.token_not_revoked", device=device_name)) from exc
    return answer
