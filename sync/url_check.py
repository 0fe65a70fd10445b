"""Secrets travel only over TLS: the shop app refuses plain http:// except to loopback.

The device token, the pairing code and every order (names, phones, addresses)
cross the network; over plain HTTP anyone on the path reads and replays them.
Loopback (the demo's embedded marketplace, a test server) never leaves the
machine, so it may stay plain.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from sync.messages import CoreMessage, sync_message

__all__ = ["insecure_url_message"]


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_url_message(url: str) -> CoreMessage | None:
    """Why the app will not use ``url`` (French, with a code the interface translates),
    or None if it may."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return sync_message("sync.bad_url")
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host and _is_loopback(host):
        return None
    if parts.scheme == "http":
        return sync_message("sync.insecure_url")
    return sync_message("sync.bad_url")
