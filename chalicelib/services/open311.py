"""Open311 GeoReport v2 use cases: the partner's key, filing, following, updates, and
the admin's partner keys. The mapping to the standard is pure (domain/open311.py);
filing goes through the same submission as `POST /v1/applications`.

Budgets (tests/integration/test_open311.py): a keyless read of one request is one
DynamoDB call (BatchGetItem of the case and the client's failure counter). A partner's
key costs one conditional UpdateItem per call (it checks the key, its revocation and
its rate limit, and counts the use); a POST is that plus the submission's own 1 + 1.
"""
from __future__ import annotations

import hmac
import os
import time
from datetime import datetime, timedelta
from typing import Any

from ..domain import numbers
from ..domain import open311 as O
from ..domain.audit import AuditEntry
from ..domain.calendar import iso_local, tr_date
from ..domain.case import STATUS_NAMES, Case
from ..domain.catalog import catalog
from ..domain.errors import Conflict, Forbidden, NotFound, Throttled, forbidden
from ..domain.office import end_of_day
from ..domain.partners import (RATE_WINDOW_SECONDS, Partner, new_key, new_partner_id, plausible_key, retry_after,
                               window_of)
from .ports import PartnerRefused, PartnerRequestQuery, PartnerUse, Ports
from .tracking import MAX_FAILURES_PER_CLIENT
from .tracking import counters as _counters

MAX_PUBLIC_IDS = 10      # ids one keyless request may ask about


def public_reads() -> str:
    """Deployment setting OPEN311_PUBLIC_READS: "open311" (default) answers keyless
    reads by number for requests filed through Open311; "none" answers none."""
    value = os.environ.get("OPEN311_PUBLIC_READS", "open311")
    return value if value in ("open311", "none") else "open311"


# --- the partner's key ---------------------------------------------------------------

def key_hash(ports: Ports, raw: str) -> str:
    return ports.keys.fingerprint(b"open311-key:" + raw.encode("ascii"))


def authenticate(ports: Ports, raw: str | None, now: datetime, *, required: bool) -> Partner | None:
    """The partner behind an api_key, with the call counted; None without a key when
    one is not required. 403 for a missing, unknown or revoked key; 429 over its limit."""
    if raw is None or raw == "":
        if required:
            raise Forbidden("api_key_required", "api_key: bu işlem için ortak anahtarı (api_key) zorunludur.",
                            field="api_key")
        return None
    refused = Forbidden("invalid_api_key", "api_key: anahtar geçersiz ya da iptal edilmiş.", field="api_key")
    if not plausible_key(raw):
        raise refused
    outcome, partner = ports.partners.use(key_hash(ports, raw), window_of(now), now)
    if outcome == "limited":
        wait = retry_after(now)
        raise Throttled("rate_limited", f"api_key: dakikalık çağrı sınırı aşıldı; {wait} saniye sonra tekrar "
                        "deneyiniz.", field="api_key", headers={"Retry-After": str(wait)})
    if outcome != "ok" or partner is None:
        raise refused
    return partner


# --- filing --------------------------------------------------------------------------

PARTNER_CACHE_SECONDS = 60   # the cache is the container's (Ports.caches.partners)


def _partner_for_filing(ports: Ports, raw: str | None) -> tuple[Partner, str]:
    """The partner's name, districts and limit, read once a minute per container; the
    key's revocation and its filing limit are checked again in the submission's own
    transaction, so a filing stays one DynamoDB call and one message."""
    if raw is None or raw == "":
        raise Forbidden("api_key_required", "api_key: bu işlem için ortak anahtarı (api_key) zorunludur.",
                        field="api_key")
    refused = Forbidden("invalid_api_key", "api_key: anahtar geçersiz ya da iptal edilmiş.", field="api_key")
    if not plausible_key(raw):
        raise refused
    h = key_hash(ports, raw)
    hit = ports.caches.partners.get(h)
    if hit is None or time.monotonic() - hit[1] > PARTNER_CACHE_SECONDS:
        partner = ports.partners.get(h)
        if partner is None:
            raise refused
        ports.caches.partners[h] = hit = (partner, time.monotonic())
    if hit[0].revoked_at is not None:
        raise refused
    return hit[0], h

def service_notice(case: Case) -> str:
    if case.legal_due_date is None:
        return "Teşekkürünüz alındı; teşekkürler için cevap süresi işlemez."
    law = "4982 sayılı Bilgi Edinme Hakkı Kanunu" if case.law == "4982" else "3071 sayılı Dilekçe Hakkı Kanunu"
    return (f"Başvurunuz alındı. {law} gereği en geç {tr_date(case.legal_due_date)} tarihine kadar "
            "cevaplanır; alındı bilgisi SMS ile gönderilir.")


def token_of(ports: Ports, no: str) -> str:
    return f"{no}.{ports.keys.fingerprint(b'open311-token:' + no.encode('ascii'))[:16]}"


def submit(ports: Ports, pairs: list[tuple[str, str]], raw_key: str | None, *,
           idempotency_key_header: str | None = None, query: dict | None = None) -> list[dict]:
    """A new request from a partner's form; `query`: the query string, where some clients
    send jurisdiction_id (and api_key) beside the form."""
    query = query or {}
    from ..domain.schemas import PartnerApplicationIn, parse
    from . import applications
    now = ports.clock.now()
    partner, h = _partner_for_filing(ports, raw_key)
    fields, attrs = O.parse_form(pairs)
    district = O.check_jurisdiction(fields.get("jurisdiction_id") or query.get("jurisdiction_id"))
    if district is None and len(partner.districts) == 1:
        district = partner.districts[0]
    if district is None:
        raise O.bad("jurisdiction_id", "başvurunun ilçesini (örnek: 34-maltepe) veriniz.", "required")
    if not partner.may_file_in(district):
        raise Forbidden("district_not_allowed", "jurisdiction_id: bu ortak anahtarı bu ilçede başvuru alamaz.",
                        field="jurisdiction_id")
    media = O.media_url(fields.get("media_url"))
    body = O.application_body(fields, attrs, district=district)
    req = parse(PartnerApplicationIn, body)
    key = applications.idempotency_key(idempotency_key_header, caller=f"partner:{partner.id}")
    case, access_code = applications.build_case(ports, req, received_at=now, now=now, channel="open311")
    case.partner = {"id": partner.id, "name": partner.name}
    case.media_url = media
    try:
        result = applications.record_new_case(ports, case, access_code, idempotency=key,
                                              request_hash=applications.request_fingerprint(ports, body) if key
                                              else None, now=now,
                                              partner_use=PartnerUse(h, partner.id, window_of(now), partner.rate_limit,
                                                                     now, now + timedelta(seconds=2 * RATE_WINDOW_SECONDS)))
    except PartnerRefused as refused:
        if refused.kind == "revoked":
            ports.caches.partners.pop(h, None)
            raise Forbidden("invalid_api_key", "api_key: anahtar geçersiz ya da iptal edilmiş.", field="api_key") \
                from None
        wait = retry_after(now)
        raise Throttled("rate_limited", f"api_key: dakikalık başvuru sınırı aşıldı; {wait} saniye sonra tekrar "
                        "deneyiniz.", field="api_key", headers={"Retry-After": str(wait)}) from None
    # GeoReport v2: the answer carries service_request_id or token, not both; the services
    # are realtime, so the id (tokens/{token} still resolves a token made from it)
    return [{"service_request_id": result.body["application_no"], "service_notice": service_notice(case),
             "account_id": None, "access_code": result.body["access_code"], "expected_datetime": _expected(case)}]


def resolve_token(ports: Ports, token: str) -> list[dict]:
    no, _, _sig = token.partition(".")
    canonical = numbers.normalise_application_no(no)
    if canonical is None or not hmac.compare_digest(token_of(ports, canonical), token):
        raise NotFound("unknown_token", "token: bu belirteç tanınmıyor.", field="token")
    return [{"token": token, "service_request_id": numbers.format_application_no(canonical)}]


# --- following -----------------------------------------------------------------------

def _expected(case: Case) -> str | None:
    return iso_local(end_of_day(case.legal_due_date)) if case.legal_due_date else None


def _service_name(code: str) -> str:
    subject = catalog().subjects.get(code)
    return subject.name if subject else code


def request_view(case: Case, *, partner: Partner | None, extensions: bool) -> dict:
    """One request as Open311 shows it: never a national id, phone, name, address or
    description. Keyless, only the status fields, and of a confidential ihbar only its status."""
    view: dict[str, Any] = {"service_request_id": numbers.format_application_no(case.application_no),
            "status": O.open_or_closed(case.status)}
    if partner is None and case.confidential_identity:
        return view
    view.update({
        "service_code": case.category,
        "service_name": _service_name(case.category),
        "agency_responsible": "; ".join(i["name"] for i in case.institutions) or None,
        "requested_datetime": iso_local(case.received_at),
        "updated_datetime": iso_local(case.updated_at),
        "expected_datetime": _expected(case),
    })
    if partner is None:
        return view
    public = case.public_history()
    view["status_notes"] = public[-1].note if public else None
    view["service_notice"] = service_notice(case)
    view["media_url"] = case.media_url
    if extensions:
        view["extended_attributes"] = {
            "status_code": case.status.value, "status_name": STATUS_NAMES.get(case.status, case.status.value),
            "channel": case.channel,
            "notes": [{"datetime": iso_local(h.at), "status_code": h.status.value, "description": h.note}
                      for h in public]}
    return view


def _publicly_readable(case: Case | None) -> bool:
    return case is not None and public_reads() == "open311" and case.channel == "open311"


def _keyless(ports: Ports, raw_ids: list[str], client: str, now: datetime) -> list[Case]:
    """Keyless reads by number, throttled like tracking: an unknown or withheld number
    counts as a failure of the client's address; too many, and the answer is 429."""
    if len(raw_ids) > MAX_PUBLIC_IDS:
        raise O.bad("service_request_id", f"api_key olmadan bir istekte en fazla {MAX_PUBLIC_IDS} numara "
                    "sorulabilir.", "too_many")
    found = []
    for raw in raw_ids:
        no = numbers.normalise_application_no(raw)
        (_, per_client), wait = _counters(no or "-", client, now)
        if no is None:
            continue
        # the slot is taken before the read, in one conditional update, and given back by a
        # number that is found: concurrent reads can never pass the limit together
        if not ports.counters.take(per_client, MAX_FAILURES_PER_CLIENT, now + timedelta(seconds=wait + 60)):
            raise Throttled("too_many_attempts", "Çok fazla bulunamayan numara soruldu; lütfen bir süre sonra tekrar "
                            "deneyiniz.", headers={"Retry-After": str(wait)})
        case = ports.cases.get_public(no)
        if case is not None and _publicly_readable(case):
            found.append(case)
            ports.counters.give_back(per_client)
    return found


def _partner_cases_by_id(ports: Ports, partner: Partner, raw_ids: list[str]) -> list[Case]:
    nos = [n for n in (numbers.normalise_application_no(r) for r in raw_ids) if n]
    return [c for c in ports.cases.cases_public(list(dict.fromkeys(nos)))
            if c.partner and c.partner["id"] == partner.id]


def list_requests(ports: Ports, params: dict, raw_key: str | None, *, client: str) -> list[dict]:
    now = ports.clock.now()
    partner = authenticate(ports, raw_key, now, required=False)
    extensions = (params.get("extensions") or "").lower() == "true"
    ids = params.get("service_request_id")
    if ids is not None and ids.strip() == "":
        ids = None        # "passed and empty" answers as "not passed" (the specification's optional parameters)
    if ids is not None:   # the ids override every other filter (the spec)
        raw_ids = O.id_list(ids)
        cases = _keyless(ports, raw_ids, client, now) if partner is None else \
            _partner_cases_by_id(ports, partner, raw_ids)
        order = {numbers.normalise_application_no(r): i for i, r in enumerate(raw_ids)}
        cases.sort(key=lambda c: order.get(c.application_no, 0))
        return [request_view(c, partner=partner, extensions=extensions) for c in cases]
    start, end = O.window(params.get("start_date"), params.get("end_date"), now)
    wanted = O.statuses(params.get("status"))
    codes = {c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()}
    district = O.check_jurisdiction(params.get("jurisdiction_id"))
    page, page_size = O.page(params.get("page"), params.get("page_size"))
    if partner is None:
        return []        # petitions are not public: without a key, only asked-for ids
    # the filters run in the partner index; only the page's cases are read in full, and
    # eventually consistent (a list may lag a moment; a request read by its id does not)
    nos = ports.cases.partner_requests(PartnerRequestQuery(partner.id, start, end, frozenset(wanted),
                                                           frozenset(codes), district, (page - 1) * page_size,
                                                           page_size))
    order = {no: i for i, no in enumerate(nos)}
    picked = [c for c in ports.cases.cases_public(nos, consistent=False) if c.partner and c.partner["id"] == partner.id]
    picked.sort(key=lambda c: order[c.application_no])
    return [request_view(c, partner=partner, extensions=extensions) for c in picked]


def get_request(ports: Ports, raw_id: str, params: dict, raw_key: str | None, *, client: str) -> list[dict]:
    now = ports.clock.now()
    partner = authenticate(ports, raw_key, now, required=False)
    extensions = (params.get("extensions") or "").lower() == "true"
    cases = _keyless(ports, [raw_id], client, now) if partner is None else \
        _partner_cases_by_id(ports, partner, [raw_id])
    if not cases:
        raise NotFound("not_found", "service_request_id: bu numarayla bir başvuru bulunamadı.",
                       field="service_request_id")
    return [request_view(cases[0], partner=partner, extensions=extensions)]


def updates(ports: Ports, params: dict, raw_key: str | None) -> list[dict]:
    """FixMyStreet's update extension: the public status changes of the partner's
    requests between start_date and end_date, oldest first."""
    now = ports.clock.now()
    partner = authenticate(ports, raw_key, now, required=True)
    assert partner is not None            # required: a missing key was refused
    start, end = O.window(params.get("start_date"), params.get("end_date"), now)
    out = []
    for case in ports.cases.cases_public(ports.cases.partner_case_numbers(partner.id, start, O.MAX_RESULTS),
                                         consistent=False):
        if not (case.partner and case.partner["id"] == partner.id):
            continue
        conclusions = iter(case.final_answers)
        for n, h in enumerate(case.public_history(), start=1):
            outcome = None
            if h.event == "concluded":
                outcome = (next(conclusions, None) or {}).get("outcome")
            if start <= h.at <= end:
                out.append({"update_id": f"{numbers.format_application_no(case.application_no)}-{n}",
                            "service_request_id": numbers.format_application_no(case.application_no),
                            "status": O.fms_status(h.status, event=h.event, outcome=outcome),
                            "updated_datetime": iso_local(h.at), "description": h.note, "media_url": None,
                            # a reopening is OPEN above; what reopened it stays here
                            "external_status_code": h.event if h.event in O.FMS_EVENT else h.status.value,
                            "_at": h.at})
    out.sort(key=lambda u: (u["_at"], u["update_id"]))
    for u in out:
        del u["_at"]
    return out


# --- the admin's partner keys ---------------------------------------------------------

def _admin_only(p) -> None:
    if p.role != "admin":
        raise forbidden()


def partner_view(partner: Partner) -> dict:
    return {"id": partner.id, "name": partner.name, "contact": partner.contact, "districts": partner.districts,
            "rate_limit": partner.rate_limit, "created_at": iso_local(partner.created_at),
            "created_by": partner.created_by, "revoked_at": iso_local(partner.revoked_at),
            "active": partner.active, "uses": partner.uses, "last_used_at": iso_local(partner.last_used_at)}


def list_partners(ports: Ports, p) -> dict:
    _admin_only(p)
    partners = sorted(ports.partners.all(), key=lambda x: (x.revoked_at is not None, x.name.casefold()))
    return {"partners": [partner_view(x) for x in partners]}


def issue_partner(ports: Ports, p, data, *, client: str, raw_key: str | None = None) -> dict:
    """A new key (admin only, audited): the key itself is in this answer and nowhere else."""
    from ..domain.schemas import PartnerIn, parse
    _admin_only(p)
    req = parse(PartnerIn, data)
    now = ports.clock.now()
    raw = raw_key or new_key()
    partner = Partner(id=new_partner_id(), name=req.name, contact=req.contact, districts=list(dict.fromkeys(
        req.districts)), rate_limit=req.rate_limit, created_at=now, created_by=p.username,
        key_hash=key_hash(ports, raw))
    ports.partners.add(partner)
    ports.audit.record(AuditEntry(f"PARTNER-{partner.id}", p.username, p.role, "issue_partner_key", now, client,
                                  {"name": partner.name, "districts": ",".join(partner.districts),
                                   "rate_limit": partner.rate_limit}))
    return {"partner": partner_view(partner), "api_key": raw}


def revoke_partner(ports: Ports, p, partner_id: str, *, client: str) -> dict:
    _admin_only(p)
    now = ports.clock.now()
    partner = next((x for x in ports.partners.all() if x.id == partner_id), None)
    if partner is None:
        raise NotFound("not_found", "Bu kimlikle bir ortak anahtarı yok.")
    if not ports.partners.revoke(partner.key_hash, now):
        raise Conflict("already_revoked", "Bu anahtar daha önce iptal edilmiş.")
    partner.revoked_at = now
    ports.audit.record(AuditEntry(f"PARTNER-{partner.id}", p.username, p.role, "revoke_partner_key", now, client,
                                  {"name": partner.name}))
    return {"partner": partner_view(partner)}


def ensure_demo_partner(ports: Ports, raw_key: str, districts: list[str]) -> bool:
    """The local stack's demo partner (devstack): created once with a known key."""
    if any(x.key_hash == key_hash(ports, raw_key) for x in ports.partners.all()):
        return False
    now = ports.clock.now()
    ports.partners.add(Partner(id=new_partner_id(), name="Demo belediye uygulaması", contact="demo@acikkapi.example",
                                    districts=districts, rate_limit=600, created_at=now, created_by="devstack",
                                    key_hash=key_hash(ports, raw_key)))
    return True
