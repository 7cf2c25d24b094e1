"""Desk intake: an application taken face to face or by phone, with the date the desk
received it (at most 30 days back, never in the future)."""
from __future__ import annotations

from datetime import timedelta

from ...domain import office as policy
from ...domain.errors import ValidationFailed, forbidden
from ...domain.schemas import DeskApplicationIn, parse
from ..applications import build_case, idempotency_key, record_new_case, request_fingerprint
from ..ports import Ports
from ..onboarded import handling_office

MAX_BACKDATE = timedelta(days=30)


def intake(ports: Ports, p, data, *, idempotency_key_header=None) -> dict:
    now = ports.clock.now()
    req = parse(DeskApplicationIn, data)
    # a desk takes what its office handles: its own places, and those it has taken over
    if not policy.can_act(p, handling_office(ports, req.district)):
        raise forbidden()
    received_at = req.received_at or now
    if received_at.tzinfo is None:
        raise ValidationFailed([{"code": "invalid_datetime", "field": "received_at",
                                 "message": "Teslim alınma zamanı saat dilimi içermelidir."}])
    if received_at > now + timedelta(minutes=1):
        raise ValidationFailed([{"code": "in_future", "field": "received_at",
                                 "message": "Teslim alınma zamanı gelecekte olamaz."}])
    if received_at < now - MAX_BACKDATE:
        raise ValidationFailed([{"code": "too_old", "field": "received_at",
                                 "message": "Teslim alınma zamanı en fazla 30 gün geriye gidebilir."}])
    case, access_code = build_case(ports, req, received_at=received_at, now=now, channel=req.channel,
                                   actor=p.username)
    if req.identity_seen:
        case.identity_verification = "desk"
    result = record_new_case(ports, case, access_code,
                             idempotency=idempotency_key(idempotency_key_header, caller=f"staff:{p.username}"),
                             request_hash=request_fingerprint(ports, data), now=now)
    return result.body
