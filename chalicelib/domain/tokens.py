"""Signed link tokens: the only key an institution clerk (or a citizen answering a
survey) holds. HMAC-SHA256 over the purpose, the subject id (an assignment or a case),
the institution, the link generation and the expiry; the header names the key id so
that two keys can be valid at once during a rotation. No personal data inside.

    v1.<kid>.<base64url payload>.<base64url signature>
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass


class TokenError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # malformed | unknown_key | bad_signature | expired


@dataclass(frozen=True)
class LinkClaims:
    purpose: str        # "inst" (institution reply) | "survey"
    subject: str        # assignment id or application number
    institution: str    # institution id, "-" when none
    generation: int
    expires_at: int     # unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


def _unb64(text: str) -> bytes:
    """Canonical unpadded base64url only: the decoder would otherwise skip stray
    characters and padding, and many strings would verify as one token."""
    if not _ALPHABET.fullmatch(text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical")
    return data


def _mac(key: bytes, signed: str) -> bytes:
    return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()


def sign(claims: LinkClaims, kid: str, key: bytes) -> str:
    payload = "|".join([claims.purpose, claims.subject, claims.institution, str(claims.generation),
                        str(claims.expires_at)])
    signed = f"v1.{kid}.{_b64(payload.encode('utf-8'))}"
    return f"{signed}.{_b64(_mac(key, signed))}"


def verify(token: str, keys: dict[str, bytes], *, now: int, purpose: str) -> LinkClaims:
    if not isinstance(token, str) or len(token) > 512 or not token.isascii():
        raise TokenError("malformed")
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != "v1":
        raise TokenError("malformed")
    _, kid, payload_b64, sig_b64 = parts
    if kid not in keys:
        raise TokenError("unknown_key")
    try:
        signature = _unb64(sig_b64)
    except ValueError:
        raise TokenError("malformed") from None
    if not hmac.compare_digest(signature, _mac(keys[kid], f"v1.{kid}.{payload_b64}")):
        raise TokenError("bad_signature")
    try:
        p, subject, institution, generation, expires = _unb64(payload_b64).decode("utf-8").split("|")
        claims = LinkClaims(p, subject, institution, int(generation), int(expires))
    except (ValueError, UnicodeDecodeError):
        raise TokenError("malformed") from None
    if claims.purpose != purpose:
        raise TokenError("bad_signature")
    if claims.expires_at < now:
        raise TokenError("expired")
    return claims
