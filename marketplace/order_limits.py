"""How big an anonymous order may be: every free-text field, and the lines of an order.

One table drives both the server's checks (``TextLimit.check``) and the OpenAPI
schema (``TextLimit.schema``), so the two cannot drift apart. Why these numbers
(docs/PROTOCOL.md, "Limits"): an order is read at a counter and printed on a
ticket. A name or a phone number is one line; an address fits on four; a note
on six. Control characters are refused everywhere (an ESC byte in a note would
be an ESC/POS command for the printer), newlines only count where lines are
allowed. So the worst order prints a bounded amount of paper: about
4 + 6 + 3 text lines plus 30 order lines of at most 5 options each.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from marketplace.errors import ApiError

__all__ = ["NOT_BLANK", "NO_NUL", "SPACES", "rfc3339", "unprintable", "TextLimit", "TEXT_LIMITS", "MAX_LINES_PER_ORDER", "MAX_QTY_PER_LINE",
           "MAX_OPTIONS_PER_LINE", "text_schema"]

MAX_LINES_PER_ORDER = 30
MAX_QTY_PER_LINE = 99
MAX_OPTIONS_PER_LINE = 5

# C0 and C1 control characters and the Unicode line/paragraph separators; "\n" is
# added back where a field may hold several lines. Written as regex escapes that
# mean the same in ECMA 262 (the schema's dialect) and Python.
_FORBIDDEN = r"\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029"
_FORBIDDEN_RE = re.compile(f"[{_FORBIDDEN}]")
_JOINER = "\u200d"  # a format character (Cf) that only joins emoji (👩‍🍳): harmless


def unprintable(value: str) -> bool:
    """A one-line label (a shop's name, its address) holding what must not be shown or
    printed: this module's control characters, a line break, or a Unicode format character
    (Cf: bidi overrides and isolates that reorder the text around them, zero-width spaces,
    BOM), the emoji joiner apart. Orders' free text keeps ``TextLimit`` (the schema's)."""
    return bool(_FORBIDDEN_RE.search(value)) or "\n" in value or any(
        unicodedata.category(c) == "Cf" and c != _JOINER for c in value)


# White space spelt out: "\s" differs between Python (which counts \x1c-\x1f) and ECMA 262
# (which counts U+FEFF), so "not blank" is "has a character of neither list".
SPACES = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NOT_BLANK = f"[^{SPACES}]"
# PostgreSQL's text cannot hold NUL (SQLite can): a request string stored or bound as a query
# parameter as it is (device name, client_id, shop_id; order texts are refused by
# _FORBIDDEN already) is refused with 422 on both backends (validation.refuse_nul) instead of
# a 500 on PostgreSQL only. The schema's form of that rule:
NO_NUL = "^[^\\u0000]*$"
_NOT_BLANK_RE = re.compile(NOT_BLANK)


@dataclass(frozen=True)
class TextLimit:
    max_chars: int
    max_lines: int = 1
    nonblank: bool = False  # required fields must say something

    def __post_init__(self) -> None:
        assert self.max_lines == 1 or not self.nonblank, "nonblank is for one-line fields"

    def check(self, field: str, value: str) -> str:
        if len(value) > self.max_chars:
            raise ApiError.invalid(f"{field} is longer than {self.max_chars} characters",
                                   field=field)
        # One trailing newline is dropped: Python's "$" in the schema's pattern lets one
        # through, and it prints nothing.
        value = value.removesuffix("\n")
        if _FORBIDDEN_RE.search(value) or (self.max_lines == 1 and "\n" in value):
            raise ApiError.invalid(f"{field} holds control characters or line breaks",
                                   field=field)
        if value.count("\n") >= self.max_lines:
            raise ApiError.invalid(f"{field} has more than {self.max_lines} lines", field=field)
        if self.nonblank and not _NOT_BLANK_RE.search(value):
            raise ApiError.invalid(f"{field} must not be empty", field=field)
        return value

    @property
    def pattern(self) -> str:
        char = f"[^{_FORBIDDEN}\\n]"
        line = f"{char}*[^{_FORBIDDEN}{SPACES}]{char}*" if self.nonblank else f"{char}*"
        more = f"(\\n{char}*){{0,{self.max_lines - 1}}}" if self.max_lines > 1 else ""
        return f"^{line}{more}$"

    def schema(self, nullable: bool = False) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": ["string", "null"] if nullable else "string",
                                  "maxLength": self.max_chars, "pattern": self.pattern}
        if self.nonblank:
            schema["minLength"] = 1
        lines = "one line" if self.max_lines == 1 else f"at most {self.max_lines} lines"
        schema["description"] = f"{lines}, no control characters"
        return schema


TEXT_LIMITS: dict[str, TextLimit] = {
    "customer.name": TextLimit(80, nonblank=True),
    "customer.phone": TextLimit(30, nonblank=True),
    "customer.address": TextLimit(200, max_lines=4),
    "note": TextLimit(300, max_lines=6),
    "allergens": TextLimit(200, max_lines=3),
    "lines.sku": TextLimit(64, nonblank=True),
    "lines.options": TextLimit(50),
    "idempotency_key": TextLimit(100),
}


def rfc3339(value: Any) -> dt.datetime | None:
    """A time as JSON Schema's "date-time" format means it (RFC 3339, any year), or None."""
    if not isinstance(value, str) or len(value) > 64 or not _RFC3339.match(value):
        return None
    try:
        return dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
                      re.ASCII)


def text_schema(field: str, nullable: bool = False) -> dict[str, Any]:
    return TEXT_LIMITS[field].schema(nullable)
