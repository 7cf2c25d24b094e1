"""Confirming an institution's liaison address (issue 38): the office sends a test link
to the address; the person who reads that mailbox opens it and confirms. Until then
nothing is forwarded to the institution by e-mail (the `confirmed` flag, which the office
cannot set by hand for an e-mailed link).

The link is signed like a case link (purpose "confirm"); it names the place and the
institution, and its generation is a fingerprint of the address it went to, so a link
sent to an address the office has since changed confirms nothing. Valid 7 days.
"""
from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime, timedelta

from ..config import settings
from ..domain import events as ev
from ..domain import offices as O
from ..domain.audit import AuditEntry
from ..domain.calendar import local_date, tr_date
from ..domain.catalog import catalog
from ..domain.errors import (
    AppError,
    Gone,
    NotFound,
    ValidationFailed,
    forbidden,
)
from ..domain.tokens import LinkClaims
from . import links
from .notification_map import office_name, tell
from .ports import Ports, StaleCase
from .reference import may_administer
from .reference import place as place_settings

PURPOSE = "confirm"
VALID_DAYS = 7


def address_generation(email: str) -> int:
    """A fingerprint of the address a confirmation link went to (31 bits of SHA-256)."""
    return int(hashlib.sha256(email.strip().casefold().encode("utf-8")).hexdigest()[:8], 16) & 0x7FFFFFFF


def _token(keys, place: str, institution_id: str, email: str, now: datetime) -> tuple[str, datetime]:
    expires = links.end_of_day(local_date(now) + timedelta(days=VALID_DAYS))
    return links.sign_link(keys, PURPOSE, place, institution_id, address_generation(email), expires), expires


def send_link(ports: Ports, p, place: str, institution_id: str, *, client: str) -> dict:
    """The office sends the test link to the institution's liaison address (audited)."""
    if place not in catalog().districts:
        raise AppError("unknown_district", "İlçe tanınmıyor.", field="district", status=404)
    office_code = O.office_of(place)
    if not may_administer(p, office_code):
        raise forbidden()
    inst = next((i for i in place_settings(ports, place).institutions if i.id == institution_id), None)
    if inst is None:
        raise NotFound("unknown_institution", "Bu ilçede böyle bir kurum yok.", field="institution_id")
    if inst.send_method != "email_link" or not inst.liaison_email:
        raise ValidationFailed([{"code": "no_liaison_email", "field": "liaison_email",
                                 "message": "Onay bağlantısı e-postayla gönderilir; önce kurumun irtibat e-posta "
                                            "adresini kaydediniz."}])
    if ports.reference.district(place) is None:
        raise ValidationFailed([{"code": "not_saved", "field": "institutions",
                                 "message": "Kurum listesini önce kaydediniz."}])
    now = ports.clock.now()
    token, expires = _token(ports.keys, place, inst.id, inst.liaison_email, now)
    tell(ports, [ev.LiaisonConfirmationRequested(
        place, inst.id, inst.name, inst.liaison_email, office_name(office_code),
        f"{settings().public_base_url}/kurum.html#c={token}", tr_date(expires.date()), secrets.token_hex(8))])
    ports.audit.record(AuditEntry(f"DISTRICT-{place}", p.username, p.role, "send_confirm_link", now, client,
                                  {"institution": inst.id}))
    return {"institution_id": inst.id, "sent": True, "expires_on": expires.date().isoformat(), "confirmed": inst.confirmed}


def _claims(ports: Ports, token: str | None, now: datetime) -> LinkClaims:
    return links.opened(ports.keys, token, now=now, purpose=PURPOSE, what="Onay bağlantısının")


def _current(ports: Ports, claims: LinkClaims):
    stored = ports.reference.district(claims.subject)
    inst = next((i for i in stored.institutions if i.id == claims.institution), None) if stored else None
    if inst is None or not inst.liaison_email or address_generation(inst.liaison_email) != claims.generation:
        raise Gone("address_changed", "Bu bağlantı artık geçerli değil: kurumun irtibat adresi değişmiş ya da kurum "
                   "kaldırılmış. Açık Kapı bürosundan yeni bağlantı isteyiniz.")
    return stored, inst


def _view(stored, inst) -> dict:
    office_code = O.office_of(stored.district)
    return {"institution": inst.name, "liaison_email": inst.liaison_email, "office_name": office_name(office_code),
            "district_name": catalog().districts[stored.district].name, "confirmed": inst.confirmed}


def read(ports: Ports, token: str | None, *, client: str) -> dict:
    """What the link confirms (the page shows it before the button)."""
    now = ports.clock.now()
    stored, inst = _current(ports, _claims(ports, token, now))
    return _view(stored, inst)


def confirm(ports: Ports, token: str | None, *, client: str) -> dict:
    """The liaison confirms: the flag is set in the stored settings, version-checked (an
    office edit at the same moment is read again, not overwritten). Confirming twice is
    the same as once."""
    now = ports.clock.now()
    claims = _claims(ports, token, now)
    for _ in range(3):
        stored, inst = _current(ports, claims)
        if inst.confirmed:
            return _view(stored, inst)
        inst = dataclasses.replace(inst, confirmed=True)
        stored.institutions = [inst if i.id == inst.id else i for i in stored.institutions]
        try:
            ports.reference.save_district(stored)
        except StaleCase:
            continue
        ports.audit.record(AuditEntry(f"DISTRICT-{stored.district}", inst.liaison_email or "-", "institution",
                                      "confirm_liaison", now, client, {"institution": inst.id}))
        return _view(stored, inst)
    raise AppError("busy", "Kayıt şu anda değiştiriliyor; birkaç saniye sonra tekrar deneyiniz.", status=409)
