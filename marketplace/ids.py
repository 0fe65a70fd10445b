"""Random identifiers and device tokens (pairing codes: pairing.py)."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["new_id", "new_token", "hash_token"]


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def new_token() -> str:
    return "cpt_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # A fast hash is enough: tokens are 256 random bits, not passwords.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
