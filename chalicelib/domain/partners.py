"""Open311 partners: the municipal apps, kiosks and civic apps that file and follow
applications with an `api_key`. Pure: no AWS.

A key is shown once, when an admin issues it; only its keyed hash (HMAC) is stored.
Each key names its partner, a contact, the districts it may file in and a rate limit
(calls per minute, counted in fixed one-minute windows on the key's own record, in the
same conditional write that checks it is not revoked).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

KEY_PREFIX = "ak_"
RATE_WINDOW_SECONDS = 60
DEFAULT_RATE_LIMIT = 120   # calls per minute


@dataclass
class Partner:
    id: str
    name: str
    contact: str
    districts: list[str]
    rate_limit: int = DEFAULT_RATE_LIMIT
    created_at: datetime | None = None
    created_by: str = ""
    revoked_at: datetime | None = None
    uses: int = 0
    last_used_at: datetime | None = None
    key_hash: str = field(default="", repr=False)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def may_file_in(self, district: str) -> bool:
        return district in self.districts


def new_key() -> str:
    """A fresh api_key: the prefix and 40 characters of randomness (~ 200 bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(30)


def new_partner_id() -> str:
    return "p-" + secrets.token_hex(4)


def window_of(now: datetime) -> int:
    return int(now.timestamp()) // RATE_WINDOW_SECONDS


def retry_after(now: datetime) -> int:
    return (window_of(now) + 1) * RATE_WINDOW_SECONDS - int(now.timestamp())


def plausible_key(raw: str | None) -> bool:
    """Cheap shape check before any look-up: a pasted space or a truncated key is refused
    without a call to the database."""
    return (isinstance(raw, str) and raw.startswith(KEY_PREFIX) and 20 <= len(raw) <= 100
            and raw.isascii() and raw.isprintable() and " " not in raw)
