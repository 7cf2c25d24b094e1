"""An institution's inbox (issue 38): one signed link per institution that lists every
assignment it still owes, soonest due first, with due dates and overdue marks; each
opens as its case link does. An office sends, rotates (a new link, the old one stops)
or revokes it. An institution that chose the daily digest gets one e-mail a day with
this link instead of a reminder per case (services/sweeps.py).

The link is signed (purpose "inbox"): the institution's id, its place, and the inbox
generation stored with the institution; rotating or revoking raises the generation.
Reading it is one Query of the keys-only index of open assignments and one BatchGetItem
(CaseRepository.open_for_institution), at most 200 rows.
"""
from __future__ import annotations

import dataclasses
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
from ..domain.numbers import format_application_no
from ..domain.tokens import LinkClaims
from . import links
from .notification_map import office_name, tell
from .ports import Ports, StaleCase
from .reference import may_administer

PURPOSE = "inbox"
VALID_DAYS = 180
ROWS = 200


def place_of(institution_id: str) -> str:
    """An institution's place: its id begins with the place's code (enforced on save)."""
    return institution_id.split(".", 1)[0]


def token(keys, institution, now: datetime) -> tuple[str, datetime]:
    expires = links.end_of_day(local_date(now) + timedelta(days=VALID_DAYS))
    return links.sign_link(keys, PURPOSE, institution.id, place_of(institution.id), institution.inbox_generation,
                           expires), expires


def url(keys, institution, now: datetime) -> str:
    return f"{settings().public_base_url}/kurum.html#i={token(keys, institution, now)[0]}"


def _stored(ports: Ports, place: str, institution_id: str):
    stored = ports.reference.district(place)
    inst = next((i for i in stored.institutions if i.id == institution_id), None) if stored else None
    return stored, inst


def link(ports: Ports, p, place: str, institution_id: str, data, *, client: str) -> dict:
    """`send` e-mails the current link to the liaison; `rotate` makes a new one (every
    older link stops) and e-mails it; `revoke` stops every link and sends nothing."""
    from ..domain.schemas import InboxLinkIn, parse
    action = parse(InboxLinkIn, data).action
    if place not in catalog().districts:
        raise AppError("unknown_district", "İlçe tanınmıyor.", field="district", status=404)
    office_code = O.office_of(place)
    if not may_administer(p, office_code):
        raise forbidden()
    now = ports.clock.now()
    for _ in range(3):
        stored, inst = _stored(ports, place, institution_id)
        if inst is None:
            raise NotFound("unknown_institution", "Bu ilçede kayıtlı böyle bir kurum yok.", field="institution_id")
        if action != "revoke" and not (inst.reachable and inst.send_method == "email_link" and inst.liaison_email):
            raise ValidationFailed([{"code": "not_confirmed", "field": "liaison_email",
                                     "message": "Gelen kutusu bağlantısı yalnızca onaylı irtibat adresi olan etkin "
                                                "kuruma gönderilir."}])
        if action == "send":
            break
        inst = dataclasses.replace(inst, inbox_generation=inst.inbox_generation + 1)
        stored.institutions = [inst if i.id == inst.id else i for i in stored.institutions]
        try:
            ports.reference.save_district(stored)
            break
        except StaleCase:
            continue
    else:
        raise AppError("busy", "Kayıt şu anda değiştiriliyor; birkaç saniye sonra tekrar deneyiniz.", status=409)
    expires_on = None
    if action != "revoke":
        signed, expires = token(ports.keys, inst, now)
        expires_on = expires.date().isoformat()
        tell(ports, [ev.InboxLinkSent(inst.id, inst.name, inst.liaison_email or "", office_name(office_code),
                                      f"{settings().public_base_url}/kurum.html#i={signed}", tr_date(expires.date()),
                                      secrets.token_hex(8))])
    ports.audit.record(AuditEntry(f"DISTRICT-{place}", p.username, p.role, f"inbox_link_{action}", now, client,
                                  {"institution": inst.id, "generation": inst.inbox_generation}))
    return {"institution_id": inst.id, "action": action, "generation": inst.inbox_generation,
            "expires_on": expires_on}


def _claims(ports: Ports, raw: str | None, now: datetime) -> LinkClaims:
    return links.opened(ports.keys, raw, now=now, purpose=PURPOSE, what="Gelen kutusu bağlantısının")


def read(ports: Ports, raw: str | None, *, client: str) -> dict:
    """The institution's open assignments, each with its own case link."""
    now = ports.clock.now()
    claims = _claims(ports, raw, now)
    _, inst = _stored(ports, claims.institution, claims.subject)
    if inst is None or inst.inbox_generation != claims.generation:
        raise Gone("link_revoked", "Bu gelen kutusu bağlantısı yenilendi ya da iptal edildi; son gönderilen "
                                   "bağlantıyı kullanınız.")
    if not inst.active:
        raise Gone("institution_inactive", "Kurumunuz Açık Kapı'da devre dışı bırakılmış; büroya başvurunuz.")
    found, more = ports.cases.open_for_institution(inst.id, ROWS)
    today = local_date(now)
    place = catalog().districts[claims.institution]
    return {
        "institution": inst.name, "office_name": office_name(O.office_of(claims.institution)),
        "district_name": place.name, "today": today.isoformat(), "more": more,
        "items": [{"application_no": format_application_no(a.application_no), "subject": a.subject,
                   "status": a.status.value, "sla_due_date": a.sla_due_date.isoformat(),
                   "overdue": a.sla_due_date < today, "dispatched_at": a.dispatched_at.isoformat(),
                   "token": links.institution_token(ports.keys, a)} for a in found],
    }
