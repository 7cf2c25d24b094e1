"""Reference data that changes at run time: each place's institutions (the national
registry) and each office's settings (domain/offices.py). What nobody has set up is
generated: the standard institutions of a place, the standard record of an office (not
onboarded). The two demo offices are seeded from chalicelib/data/institutions.json by the
local stack and by the deploy runbook (`python -m devstack seed`)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ..config import settings
from ..domain import offices as O
from ..domain import registry as R
from ..domain.assignment import DistrictSettings, Institution
from ..domain.audit import AuditEntry
from ..domain.catalog import catalog
from ..domain.catalog import neighbourhoods as neighbourhoods_of
from ..domain.errors import AppError, Forbidden, NotFound, ValidationFailed, forbidden
from ..domain.notice import notice as build
from ..domain.principal import administers
from . import delivery_methods
from .onboarded import forget_onboarded, handling_office
from .ports import Ports
from .versions import save_seen_version

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "institutions.json"


def seed_documents(path: Path = SEED_FILE) -> list[dict]:
    docs = json.loads(path.read_text("utf-8"))["districts"]
    cat = catalog()
    for d in docs:
        if d["district"] not in cat.districts:
            raise ValueError(f"unknown district in seed data: {d['district']}")
        for inst in d["institutions"]:
            if inst["kind"] not in cat.institution_kinds:
                raise ValueError(f"unknown institution kind in seed data: {inst['kind']}")
    return docs


def _institution(i: dict) -> Institution:
    return Institution(i["id"], i["kind"], i["name"], i.get("liaison_email"), i.get("sla_days"),
                       i.get("send_method") or "email_link", i.get("endpoint"),
                       confirmed=bool(i.get("confirmed", True)), detsis=i.get("detsis"), active=i.get("active", True),
                       inbox_digest=bool(i.get("inbox_digest", False)))


def seed(ports: Ports, path: Path = SEED_FILE) -> int:
    """The demo offices, fully set up: their places' institutions (confirmed) and their
    office settings, onboarded. Every other office and place is generated (place(),
    office()) until someone sets it up."""
    count = 0
    for d in seed_documents(path):
        existing = ports.reference.district(d["district"])
        settings = DistrictSettings(d["district"], [_institution(i) for i in d["institutions"]],
                                    existing.version if existing else None)
        ports.reference.save_district(settings)
        o = office(ports, catalog().districts[d["district"]].office)
        o.email, o.supervisor_email, o.auto_forward, o.onboarded = (d["office_email"], d.get("supervisor_email"),
                                                                   d["auto_forward"], True)
        for key in ("address", "phone", "kep", "detsis"):
            setattr(o, key, d.get(key) or getattr(o, key))
        ports.reference.save_office(o)
        count += 1
    forget_onboarded(ports)
    return count


# --- places and offices: stored, or the standard ones --------------------------------

def place(ports: Ports, code: str) -> DistrictSettings:
    """A place's institutions: what an office stored, else the registry's standard rows
    (domain/registry.py: official names, no confirmed liaison address yet)."""
    stored = ports.reference.district(code)
    return stored if stored is not None else standard_place(code)


def standard_place(code: str) -> DistrictSettings:
    cat = catalog()
    d = cat.districts[code]
    province = next(p for p in cat.provinces if p["code"] == d.province)
    return DistrictSettings(code, R.standard_institutions(code, d.name, d.province_name, O.metropolitan(province)))


def office(ports: Ports, code: str) -> O.Office:
    """An office's settings: what was set up, else its standard record (not onboarded)."""
    stored = ports.reference.office(code)
    if stored is not None:
        return stored
    ref = catalog().offices.get(code)
    if ref is None:
        raise NotFound("not_found", "Böyle bir büro yok.", field="office")
    return O.Office.standard(ref)


def office_contact(ports: Ports, district: str) -> dict | None:
    """The office an application about this place goes to now, as the KVKK notice and
    the data-subject copy name the controller: {name, address, phone, email, kep}."""
    if district not in catalog().districts:
        return None
    return office(ports, handling_office(ports, district)).contact()


def neighbourhoods(district: str) -> dict:
    """The place picker's list for a district (GET /v1/catalog/neighbourhoods/{district})."""
    names = neighbourhoods_of(district)
    if names is None:
        raise NotFound("unknown_district", "İlçe tanınmıyor.", field="district")
    return {"district": district, "neighbourhoods": list(names)}


def notice(ports: Ports, district: str | None) -> dict:
    """The KVKK art. 10 notice of the office an application to `district` goes to."""
    if district is not None and district not in catalog().districts:
        raise AppError("unknown_district", "İlçe tanınmıyor.", field="district", status=400)
    contact = office_contact(ports, district) if district else None
    return build(contact, settings().data_location(), retention_years=settings().retention_years)


def _check_delivery(settings: DistrictSettings) -> None:
    """Each institution's delivery method exists and has the address it needs (an e-mailed
    one may have none yet: it is unreachable until it has one and its reader confirms it);
    422 naming every institution that does not."""
    errors = []
    for n, inst in enumerate(settings.institutions):
        method = delivery_methods.METHODS.get(inst.send_method)
        if method is None:
            errors.append({"code": "unknown_send_method", "field": f"institutions.{n}.send_method",
                           "message": "Gönderim yolu tanınmıyor; geçerli değerler: "
                                      + ", ".join(sorted(delivery_methods.METHODS)) + "."})
            continue
        if inst.send_method == "email_link" and not inst.liaison_email:
            # the registry's rows start without an address; an office fills them in one by
            # one. Such an institution stays unconfirmed, so nothing is sent to it
            continue
        problem = method.address_problem(inst)
        if problem:
            errors.append({"code": "unreachable_institution", "field": f"institutions.{n}.endpoint"
                           if inst.send_method != "email_link" else f"institutions.{n}.liaison_email",
                           "message": problem})
    if errors:
        raise ValidationFailed(errors)


def institution_view(i: Institution) -> dict:
    return {"id": i.id, "kind": i.kind, "name": i.name, "liaison_email": i.liaison_email, "sla_days": i.sla_days,
            "send_method": i.send_method, "endpoint": i.endpoint, "confirmed": i.confirmed, "detsis": i.detsis,
            "active": i.active, "inbox_digest": i.inbox_digest}


def _district_view(s: DistrictSettings) -> dict:
    return {"district": s.district, "version": s.version, "office": O.office_of(s.district),
            "institutions": [institution_view(i) for i in s.institutions]}


def office_view(o: O.Office) -> dict:
    return {"code": o.code, "kind": o.kind, "province": o.province, "name": o.name, "serves": list(o.serves),
            "email": o.email, "supervisor_email": o.supervisor_email, "address": o.address, "phone": o.phone,
            "kep": o.kep, "detsis": o.detsis, "onboarded": o.onboarded, "auto_forward": o.auto_forward,
            "routing": {k: list(v) for k, v in o.routing.items()}, "version": o.version}


def _forbidden() -> Forbidden:
    return forbidden()


def may_administer(p, office_code: str) -> bool:
    """A national admin every office; a province admin (role province) the offices of
    the province; an office supervisor their own office (domain/principal.administers)."""
    return administers(p, office_code, O.province_of(office_code))


def get_district(ports: Ports, p, district: str) -> dict:
    if district not in catalog().districts:
        raise AppError("unknown_district", "İlçe tanınmıyor.", field="district", status=404)
    if not may_administer(p, O.office_of(district)):
        raise _forbidden()
    return _district_view(place(ports, district))


def put_district(ports: Ports, p, district: str, data, *, if_match, client) -> dict:
    from ..domain.schemas import DistrictIn, parse
    if district not in catalog().districts:
        raise AppError("unknown_district", "İlçe tanınmıyor.", field="district", status=404)
    if not may_administer(p, O.office_of(district)):
        raise _forbidden()
    req = parse(DistrictIn, data)
    ids = [i.id for i in req.institutions]
    if len(ids) != len(set(ids)):
        raise AppError("duplicate_institution", "Kurum kimlikleri tekrar ediyor.", field="institutions", status=422)
    # an institution's id begins with its place's code: an institution's inbox and its links
    # are keyed by the id alone, which is then unique in the country
    foreign = [n for n, i in enumerate(ids) if not i.startswith(f"{district}.") or len(i) <= len(district) + 1]
    if foreign:
        raise ValidationFailed([{"code": "institution_id_place", "field": f"institutions.{n}.id",
                                 "message": f"Kurum kimliği ilçe koduyla başlamalıdır ({district}.…)."}
                                for n in foreign])
    settings = DistrictSettings(district, [_institution(i.model_dump()) for i in req.institutions])
    _check_delivery(settings)
    existing = ports.reference.district(district)
    _keep_confirmation(settings, existing)
    settings.version = existing.version if existing else None
    save_seen_version(req, if_match, settings.version, lambda: ports.reference.save_district(settings), "Ayarlar")
    ports.audit.record(AuditEntry(f"DISTRICT-{district}", p.username, p.role, "update_district",
                                  ports.clock.now(), client, {"institutions": len(settings.institutions)}))
    return _district_view(settings)


def _keep_confirmation(settings: DistrictSettings, existing: DistrictSettings | None) -> None:
    """An e-mailed link's address is confirmed only by its reader (services/liaison.py):
    what the request says is ignored; the stored confirmation stays while the address and
    the method stay the same, and a new or changed address starts unconfirmed. An office
    vouches for a webhook itself, so for one the request decides."""
    before = {i.id: i for i in (existing.institutions if existing else [])}
    for n, inst in enumerate(settings.institutions):
        if inst.send_method != "email_link":
            continue
        old = before.get(inst.id)
        kept = bool(old is not None and old.confirmed and old.send_method == "email_link"
                    and (old.liaison_email or "").casefold() == (inst.liaison_email or "").casefold())
        settings.institutions[n] = dataclasses.replace(inst, confirmed=kept)
    for n, inst in enumerate(settings.institutions):     # a new inbox link is made only by rotating it
        if inst.id in before:
            settings.institutions[n] = dataclasses.replace(inst, inbox_generation=before[inst.id].inbox_generation)


def get_office(ports: Ports, p, code: str) -> dict:
    o = office(ports, code)
    if not may_administer(p, code):
        raise _forbidden()
    return office_view(o)


def put_office(ports: Ports, p, code: str, data, *, if_match, client) -> dict:
    """An office's settings, version-checked and audited; becoming onboarded needs the
    bureau's e-mail (where its notices and its digest go)."""
    from ..domain.schemas import OfficeIn, parse
    o = office(ports, code)
    if not may_administer(p, code) or (code == O.NATIONAL and p.role != "admin"):
        raise _forbidden()
    req = parse(OfficeIn, data)
    if req.onboarded and not req.email:
        raise ValidationFailed([{"code": "email_required", "field": "email",
                                 "message": "Açık Kapı'ya katılan büronun e-posta adresi olmalıdır; bildirimler ve "
                                            "günlük özet oraya gider."}])
    subjects = catalog().subjects
    unknown = [k for k in req.routing if k not in subjects]
    if unknown:
        raise ValidationFailed([{"code": "unknown_subject", "field": f"routing.{k}",
                                 "message": "Konu tanınmıyor."} for k in unknown])
    before = office_view(o)
    stored_version = o.version
    for key in ("email", "supervisor_email", "address", "phone", "kep", "detsis", "onboarded", "auto_forward"):
        setattr(o, key, getattr(req, key))
    o.routing = {k: tuple(v) for k, v in req.routing.items()}
    save_seen_version(req, if_match, stored_version, lambda: ports.reference.save_office(o), "Büro ayarları")
    forget_onboarded(ports)
    after = office_view(o)
    changed = sorted(k for k in after if k != "version" and after[k] != before[k])
    ports.audit.record(AuditEntry(f"OFFICE-{code}", p.username, p.role, "update_office", ports.clock.now(), client,
                                  {"changed": changed}))
    return after
