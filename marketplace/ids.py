"""Random identifiers, device tokens and pairing codes."""

from __future__ import annotations

import hashlib
import re
import secrets

__all__ = ["new_id", "new_token", "hash_token", "new_pairing_code", "normalize_pairing_code"]

# No I/O/0/1 look-alikes: the code is read aloud and typed at a counter.
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_CODE_DIGITS = "23456789"
_CODE_SHAPE = re.compile(r"^([A-Z]{4})-?([0-9]{4})$")


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def new_token() -> str:
    return "cpt_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # A fast hash is enough: tokens are 256 random bits, not passwords.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_pairing_code() -> str:
    letters = "".join(secrets.choice(_CODE_LETTERS) for _ in range(4))
    digits = "".join(secrets.choice(_CODE_DIGITS) for _ in range(4))
    return f"{letters}-{digits}"


def normalize_pairing_code(raw: str) -> str | None:
    """``" abcd 2345 "`` → ``"ABCD-2345"``; None when it cannot be a code."""
    compact = re.sub(r"[\s_]", "", raw).upper()
    match = _CODE_SHAPE.match(compact)
    return f"{match.group(1)}-{match.group(2)}" if match else None
