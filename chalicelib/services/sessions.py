"""A citizen's phone-verified session (docs/citizen-app.md), as far as a submission needs
it: whose session a token is, and whether it is this applicant's. Apart from tracking, so
that a submission's cold start imports neither tracking's views nor its throttle."""
from __future__ import annotations

from ..domain import otp as O
from ..domain.errors import Unauthorized
from ..domain.tokens import TokenError
from . import links
from .ports import Ports


def phone_hash(ports: Ports, phone: str) -> str:
    return O.phone_fingerprint(ports.keys, phone)


def session_of(ports: Ports, authorization: str | None) -> tuple[str, str]:
    """(national-id HMAC, phone HMAC) of a valid citizen session, or 401."""
    token = (authorization or "").removeprefix("Bearer ").strip()
    try:
        claims = links.verify_link(ports.keys, token, now=ports.clock.now(), purpose=O.SESSION_PURPOSE)
    except TokenError:
        raise Unauthorized("invalid_session", "Oturum geçersiz ya da süresi dolmuş; telefonunuzu yeniden doğrulayınız.") \
            from None
    _method, _, phone = claims.institution.partition(":")   # "otp:<phone hmac>" (docs/citizen-app.md)
    return claims.subject, phone


def verified_for(ports: Ports, authorization: str | None, national_id: str, phone: str) -> bool:
    """True when a submission comes with a session of this very person and phone."""
    if not authorization:
        return False
    try:
        nid, ph = session_of(ports, authorization)
    except Unauthorized:
        return False
    return nid == ports.keys.national_id_hash(national_id) and ph == phone_hash(ports, phone)
